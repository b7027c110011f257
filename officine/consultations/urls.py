"""URLs of the consultations pages (namespace ``consultations``)."""

app_name = "consultations"
urlpatterns: list = []
