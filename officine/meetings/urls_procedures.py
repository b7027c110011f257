"""Written procedures as the public sees them and members answer them (namespace ``procedures``)."""

from django.urls import path

from . import views_procedures

app_name = "procedures"
urlpatterns = [
    path("<int:pk>/", views_procedures.procedure_detail, name="detail"),
    path("<int:pk>/answer/", views_procedures.procedure_answer, name="answer"),
]
