"""Minutes as members and the public see them (namespace ``minutes``)."""

from django.urls import path

from . import views_minutes

app_name = "minutes"
urlpatterns = [
    path("<int:meeting_pk>/minutes/", views_minutes.minutes_detail, name="detail"),
    path("<int:meeting_pk>/minutes.pdf", views_minutes.minutes_pdf, name="pdf"),
    path("<int:meeting_pk>/minutes/comment/", views_minutes.minutes_comment, name="comment"),
]
