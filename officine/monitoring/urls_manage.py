"""Staff pages of the OpenCoesione imports (namespace ``manage_monitoring``), at
``/<lang>/manage/monitoring/``."""

from django.urls import path

from . import views_manage

app_name = "manage_monitoring"
urlpatterns = [
    path("", views_manage.release_list, name="releases"),
    path("import/", views_manage.release_import, name="import"),
    path("<int:pk>/", views_manage.release_detail, name="release"),
    path("<int:pk>/progress/", views_manage.release_progress, name="progress"),
]
