"""Programme staff's page on partners as beneficiaries (ECCP Art. 12-13) and its CSV download.

Who: the programme's staff and platform administrators (``programmes.change_programme``), through the
programme pages' own decorator, so visitors get the login page and everybody else a 403."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from officine.core.viewtools import download_response
from officine.programmes.models import Programme
from officine.programmes.views import programme_permission

from . import selectors_partners, services_partners


@require_GET
@programme_permission("programmes.change_programme")
def partner_beneficiaries(request: HttpRequest, programme: Programme) -> HttpResponse:
    report = selectors_partners.partners_as_beneficiaries(programme)
    return render(
        request,
        "monitoring/partners/beneficiaries.html",
        {
            "programme": programme,
            "report": report,
            "release": report.release,
            "nav": "staff",
            "breadcrumbs": [
                (_("Programmes"), reverse("portal:programme_list")),
                (programme.title, programme.get_absolute_url()),
                (_("Partner beneficiaries"), None),
            ],
        },
    )


@require_GET
@programme_permission("programmes.change_programme")
def partner_beneficiaries_csv(request: HttpRequest, programme: Programme) -> HttpResponse:
    report = selectors_partners.partners_as_beneficiaries(programme)
    export = selectors_partners.partners_export(report)
    services_partners.record_partners_export(request.user, programme, report.release, export.rows)
    return download_response(export.content, export.format.content_type, export.filename)
