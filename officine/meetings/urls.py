"""Public meeting pages: calendar, meeting page, feeds, agenda PDF, registrations (``meetings``)."""

from django.urls import path

from . import views_agenda_requests, views_calendar, views_public

app_name = "meetings"
urlpatterns = [
    path("", views_public.calendar, name="calendar"),
    path("calendar.ics", views_calendar.calendar_ics, name="calendar_ics"),
    path("<int:pk>/", views_public.meeting_detail, name="detail"),
    path("<int:pk>/invite.ics", views_calendar.meeting_ics, name="ics"),
    path("<int:pk>/agenda.pdf", views_calendar.agenda_pdf, name="agenda_pdf"),
    path("<int:pk>/register/", views_calendar.register, name="register"),
    path("<int:pk>/agenda-requests/new/", views_agenda_requests.agenda_request, name="agenda_request"),
    path(
        "registrations/<uuid:token>/cancel/", views_calendar.registration_cancel, name="registration_cancel"
    ),
    path("documents/<int:pk>/", views_public.document_download, name="document"),
]
