"""URLs of the triage pages (namespace ``triage``)."""

app_name = "triage"
urlpatterns: list = []
