"""URLs of the notification pages (namespace ``notifications``)."""

app_name = "notifications"
urlpatterns: list = []
