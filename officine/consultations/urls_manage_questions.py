"""URLs of the staff Q&A pages (namespace ``manage_questions``), under ``/manage/consultations/``.

The paths start with the literal ``questions/`` so that they never compete with the consultation pages
of the same prefix (``<id>/...``).
"""

from django.urls import path

from . import views_questions

app_name = "manage_questions"
urlpatterns = [
    path("questions/<int:pk>/", views_questions.manage_list, name="list"),
    path("questions/answer/<int:pk>/", views_questions.manage_answer, name="answer"),
]
