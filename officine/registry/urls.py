"""Staff URLs of the registry, mounted at /<lang>/manage/partners/ (namespace ``registry``)."""

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("organisations/new/", views.organization_create, name="organization_create"),
    path("organisations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organisations/<int:pk>/active/", views.organization_set_active, name="organization_set_active"),
    path(
        "organisations/<int:pk>/representatives/new/",
        views.representative_create,
        name="representative_create",
    ),
    path("representatives/<int:pk>/edit/", views.representative_edit, name="representative_edit"),
    path("representatives/<int:pk>/delete/", views.representative_delete, name="representative_delete"),
    path("representatives/<int:pk>/mandate/", views.representative_mandate, name="representative_mandate"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("export/", views.export_page, name="export"),
    path("export/<str:file_format>/", views.export_download, name="export_download"),
]
