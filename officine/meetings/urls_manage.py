"""The secretariat's pages for bodies, composition and meetings (namespace ``manage_meetings``)."""

from django.urls import path

from . import views_agenda_requests, views_calendar, views_manage

app_name = "manage_meetings"
urlpatterns = [
    path("", views_manage.index, name="index"),
    path("bodies/new/", views_manage.body_create, name="body_create"),
    path("bodies/<int:pk>/", views_manage.body, name="body"),
    path("bodies/<int:pk>/edit/", views_manage.body_edit, name="body_edit"),
    path("bodies/<int:pk>/seats/new/", views_manage.seat_add, name="seat_add"),
    path("seats/<int:pk>/end/", views_manage.seat_end, name="seat_end"),
    path("seats/<int:pk>/replace/", views_manage.seat_replace, name="seat_replace"),
    path("meetings/new/", views_manage.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views_manage.meeting, name="meeting"),
    path("meetings/<int:pk>/edit/", views_manage.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/agenda/new/", views_manage.item_add, name="item_add"),
    path("items/<int:pk>/edit/", views_manage.item_edit, name="item_edit"),
    path("meetings/<int:pk>/documents/new/", views_manage.document_add, name="document_add"),
    path("documents/<int:pk>/withhold/", views_manage.document_withhold, name="document_withhold"),
    path("meetings/<int:pk>/notice/", views_manage.send_notice, name="send_notice"),
    path("meetings/<int:pk>/cancel/", views_manage.cancel, name="cancel"),
    path("meetings/<int:pk>/held/", views_manage.mark_held, name="mark_held"),
    path("meetings/<int:pk>/attendance/", views_manage.attendance, name="attendance"),
    path("meetings/<int:pk>/quorum/", views_manage.quorum, name="quorum"),
    path("items/<int:pk>/decision/", views_manage.item_decide, name="item_decide"),
    path("items/<int:pk>/conflicts/new/", views_manage.conflict_add, name="conflict_add"),
    path(
        "agenda-requests/<int:pk>/accept/",
        views_agenda_requests.agenda_request_accept,
        name="agenda_request_accept",
    ),
    path(
        "agenda-requests/<int:pk>/decline/",
        views_agenda_requests.agenda_request_decline,
        name="agenda_request_decline",
    ),
    path("meetings/<int:pk>/registrations/", views_calendar.registrations, name="registrations"),
    path("meetings/<int:pk>/registrations.csv", views_calendar.registrations_csv, name="registrations_csv"),
]
