"""URLs of the manage_dispositions pages (namespace ``manage_dispositions``)."""

app_name = "manage_dispositions"
urlpatterns: list = []
