"""URLs of the contributions pages (namespace ``contributions``), under ``/consultations/``.

Consultation-level pages sit under the consultation's id; a contribution's own pages under
``contributions/<id>/`` so that a link to one contribution never needs its consultation.
"""

from django.urls import path

from . import views_citizens, views_contributions, views_questions

app_name = "contributions"
urlpatterns = [
    path("<int:pk>/contribute/", views_contributions.contribute, name="contribute"),
    path("<int:pk>/questions/", views_questions.questions, name="questions"),
    path("<int:pk>/citizen-access/", views_citizens.citizen_access, name="citizen_access"),
    path("citizen-access/<str:token>/", views_citizens.citizen_confirm, name="citizen_confirm"),
    path("contributions/<int:pk>/", views_contributions.contribution_detail, name="detail"),
    path("contributions/<int:pk>/edit/", views_contributions.contribution_edit, name="edit"),
    path("contributions/<int:pk>/withdraw/", views_contributions.contribution_withdraw, name="withdraw"),
    path("contributions/attachments/<int:pk>/", views_contributions.attachment_download, name="attachment"),
]
