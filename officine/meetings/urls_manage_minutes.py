"""The secretariat's minutes workflow (namespace ``manage_minutes``)."""

from django.urls import path

from . import views_manage_minutes

app_name = "manage_minutes"
urlpatterns = [
    path("meetings/<int:meeting_pk>/minutes/", views_manage_minutes.edit, name="edit"),
    path("meetings/<int:meeting_pk>/minutes/circulate/", views_manage_minutes.circulate, name="circulate"),
    path("meetings/<int:meeting_pk>/minutes/revise/", views_manage_minutes.revise, name="revise"),
    path("meetings/<int:meeting_pk>/minutes/approve/", views_manage_minutes.approve, name="approve"),
    path("meetings/<int:meeting_pk>/minutes/publish/", views_manage_minutes.publish, name="publish"),
    path("meetings/<int:meeting_pk>/minutes/history/", views_manage_minutes.history, name="history"),
]
