"""URLs of the triage pages (namespace ``triage``), mounted at ``/<lang>/manage/consultations/``.

The paths start with the literal ``triage/`` so that they never compete with the consultation pages of the
same prefix (``<id>/...``).
"""

from django.urls import path

from . import views_triage

app_name = "triage"
urlpatterns = [
    path("triage/<int:pk>/", views_triage.triage_page, name="page"),
    path("triage/<int:pk>/start/", views_triage.triage_start, name="start"),
    path("triage/runs/<int:run_pk>/progress/", views_triage.triage_progress, name="progress"),
]
