"""URLs of the manage_consultations pages (namespace ``manage_consultations``)."""

app_name = "manage_consultations"
urlpatterns: list = []
