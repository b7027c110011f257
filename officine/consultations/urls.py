"""URLs of the public consultation pages (namespace ``consultations``)."""

from django.urls import path

from . import views

app_name = "consultations"
urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/contributions/", views.consultation_contributions, name="contributions"),
]
