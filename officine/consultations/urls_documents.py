"""Public pages of document versions (namespace ``documents``), mounted at ``/<lang>/documents/``."""

from django.urls import path

from . import views_documents

app_name = "documents"
urlpatterns = [
    path("<int:pk>/v<int:number>/", views_documents.version_detail, name="version"),
    path("<int:pk>/compare/<int:a>/<int:b>/", views_documents.compare, name="compare"),
    path("attachments/<int:pk>/", views_documents.attachment, name="attachment"),
]
