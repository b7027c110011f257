"""The public outcome report of a consultation (namespace ``outcomes``), under ``/<lang>/consultations/``."""

from django.urls import path

from . import views_outcome

app_name = "outcomes"
urlpatterns = [
    path("<int:pk>/outcome/", views_outcome.report, name="report"),
    path("<int:pk>/outcome.pdf", views_outcome.report_pdf, name="pdf"),
    path("<int:pk>/outcome.csv", views_outcome.report_csv, name="csv"),
]
