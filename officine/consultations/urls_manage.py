"""Staff pages for consultations and documents (namespace ``manage_consultations``), mounted at
``/<lang>/manage/consultations/``."""

from django.urls import path

from . import views_manage, views_manage_documents

app_name = "manage_consultations"
urlpatterns = [
    path("", views_manage.consultation_list, name="list"),
    path("new/", views_manage.consultation_create, name="create"),
    path("<int:pk>/", views_manage.consultation_detail, name="detail"),
    path("<int:pk>/edit/", views_manage.consultation_edit, name="edit"),
    path("<int:pk>/state/<slug:action>/", views_manage.consultation_transition, name="transition"),
    path("documents/", views_manage_documents.document_list, name="documents"),
    path("documents/new/", views_manage_documents.document_create, name="document_create"),
    path("documents/<int:pk>/", views_manage_documents.document_detail, name="document"),
    path("documents/<int:pk>/edit/", views_manage_documents.document_edit, name="document_edit"),
    path("documents/<int:pk>/import/", views_manage_documents.document_import, name="document_import"),
    path("documents/<int:pk>/publish/", views_manage_documents.document_publish, name="document_publish"),
    path(
        "documents/<int:pk>/new-version/",
        views_manage_documents.document_new_version,
        name="document_new_version",
    ),
    path(
        "documents/<int:pk>/attachments/",
        views_manage_documents.document_attachments,
        name="document_attachments",
    ),
]
