"""URLs of the contributions pages (namespace ``contributions``)."""

app_name = "contributions"
urlpatterns: list = []
