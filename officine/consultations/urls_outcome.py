"""URLs of the outcomes pages (namespace ``outcomes``)."""

app_name = "outcomes"
urlpatterns: list = []
