"""URLs of the documents pages (namespace ``documents``)."""

app_name = "documents"
urlpatterns: list = []
