"""Staff pages for dispositions, answer templates, the dispositions import, exports and the outcome's
publication (namespace ``manage_dispositions``), mounted at ``/<lang>/manage/consultations/``."""

from django.urls import path

from . import views_manage_dispositions as views

app_name = "manage_dispositions"
urlpatterns = [
    path("<int:pk>/contributions/", views.contribution_list, name="contributions"),
    path("<int:pk>/contributions/bulk/", views.bulk_dispose, name="bulk"),
    path("contributions/<int:pk>/disposition/", views.dispose, name="dispose"),
    path("<int:pk>/dispositions/import/", views.import_upload, name="import"),
    path("<int:pk>/dispositions/import/template.<slug:fmt>", views.import_template, name="import_template"),
    path("<int:pk>/dispositions/import/<str:import_pk>/", views.import_preview, name="import_preview"),
    path("programmes/<int:pk>/answer-templates/", views.template_list, name="templates"),
    path("answer-templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("answer-templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("<int:pk>/outcome/", views.publish_outcome, name="publish_outcome"),
    path("<int:pk>/export/<slug:what>.<slug:fmt>", views.export, name="export"),
]
