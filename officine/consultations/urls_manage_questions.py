"""URLs of the manage_questions pages (namespace ``manage_questions``)."""

app_name = "manage_questions"
urlpatterns: list = []
