"""The secretariat's written procedures and recommendations (namespace ``manage_procedures``)."""

from django.urls import path

from . import views_manage_procedures

app_name = "manage_procedures"
urlpatterns = [
    path("bodies/<int:body_pk>/procedures/new/", views_manage_procedures.procedure_open, name="open"),
    path("procedures/<int:pk>/", views_manage_procedures.procedure, name="detail"),
    path(
        "procedures/<int:pk>/documents/new/",
        views_manage_procedures.procedure_document_add,
        name="document_add",
    ),
    path("procedures/<int:pk>/close/", views_manage_procedures.procedure_close, name="close"),
    path(
        "bodies/<int:body_pk>/recommendations/new/",
        views_manage_procedures.recommendation_add,
        name="recommendation_add",
    ),
    path(
        "recommendations/<int:pk>/reply/",
        views_manage_procedures.recommendation_reply,
        name="recommendation_reply",
    ),
]
