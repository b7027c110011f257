"""Public implementation pages (namespace ``monitoring``), at ``/<lang>/implementation/``."""

from django.urls import path

import officine.core.converters  # noqa: F401  (registers the <cci:...> converter)

from . import views

app_name = "monitoring"
urlpatterns = [
    path("programmes/<cci:cci>/", views.programme_dashboard, name="programme_dashboard"),
    path("programmes/<cci:cci>/projects/", views.programme_projects, name="programme_projects"),
    path("programmes/<cci:cci>/<slug:table>.csv", views.programme_csv, name="programme_csv"),
    path("compare/<str:cycle>/", views.cycle_comparison, name="compare"),
    path("compare/<str:cycle>/programmes.csv", views.cycle_comparison_csv, name="compare_csv"),
    path("meetings/<int:pk>/snapshot/", views.attach_snapshot, name="attach_snapshot"),
]
