from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Implementation monitoring from OpenCoesione open data (issue 5): releases imported into columnar
    snapshots queried with DuckDB; the web database keeps only the links to programmes and organisations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "officine.monitoring"
    verbose_name = _("Implementation monitoring")
