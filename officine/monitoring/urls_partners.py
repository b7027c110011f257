"""Programme staff's check of partners as beneficiaries (namespace ``monitoring_partners``), mounted beside
the programme staff pages at ``/<lang>/manage/programmes/``."""

from django.urls import path

import officine.core.converters  # noqa: F401  (registers the <cci:...> converter)

from . import views_partners

app_name = "monitoring_partners"
urlpatterns = [
    path("<cci:cci>/partner-beneficiaries/", views_partners.partner_beneficiaries, name="beneficiaries"),
    path(
        "<cci:cci>/partner-beneficiaries.csv",
        views_partners.partner_beneficiaries_csv,
        name="beneficiaries_csv",
    ),
]
