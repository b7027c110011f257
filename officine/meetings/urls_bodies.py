"""Public pages of the bodies (namespace ``bodies``)."""

from django.urls import path

from . import views_calendar, views_public

app_name = "bodies"
urlpatterns = [
    path("", views_public.body_list, name="list"),
    path("<int:pk>/", views_public.body_detail, name="detail"),
    path("<int:pk>/calendar.ics", views_calendar.body_ics, name="ics"),
    path("<int:pk>/documents/<slug:which>/", views_public.body_document, name="document"),
]
