"""The public outcome report of a consultation: page, PDF and CSV (“we asked, you said, we did”).

Public once the outcome is published, 404 before; while the consultation is closed, the programme's staff may
preview it (the page says so) to check it before publishing. The three formats come from one
``outcome.build_report``, so they always agree.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from officine.core.tabular import EXPORT_FORMATS, write_table
from officine.core.viewtools import download_response

from . import outcome
from .models import Consultation, ConsultationState

_SENTINEL = 987654321


def _report_consultation(request: HttpRequest, pk: int) -> tuple[Consultation, bool]:
    """The consultation and whether this is a staff preview; 404 when the report is not (yet) public."""
    consultation = get_object_or_404(
        Consultation.objects.select_related("programme", "final_version__document"), pk=pk
    )
    if consultation.state == ConsultationState.OUTCOME_PUBLISHED:
        return consultation, False
    if consultation.state == ConsultationState.CLOSED and request.user.has_perm(
        "consultations.manage_consultation", consultation
    ):
        return consultation, True
    raise Http404(_("The outcome of this consultation is not published yet."))


def report(request: HttpRequest, pk: int) -> HttpResponse:
    consultation, preview = _report_consultation(request, pk)
    built = outcome.build_report(consultation)
    # One reverse for the whole page, then the number filled in per contribution (long reports stay fast).
    pattern = reverse("contributions:detail", args=[_SENTINEL])
    for item in built.contributions:
        if item.is_published:
            item.url = pattern.replace(str(_SENTINEL), str(item.contribution.pk))
    return render(
        request,
        "consultations/outcome/report.html",
        {
            "consultation": consultation,
            "report": built,
            "preview": preview,
            "nav": "consultations",
            "breadcrumbs": [
                (_("Consultations"), reverse("consultations:list")),
                (consultation.title, reverse("consultations:detail", args=[consultation.pk])),
                (_("Outcome"), None),
            ],
        },
    )


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    consultation, _preview = _report_consultation(request, pk)
    content = outcome.outcome_pdf(outcome.build_report(consultation))
    return download_response(content, "application/pdf", f"{_('outcome')}-{consultation.pk}.pdf", inline=True)


def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    consultation, _preview = _report_consultation(request, pk)
    headers, rows = outcome.outcome_table(outcome.build_report(consultation))
    content = write_table(headers, rows, "csv")
    return download_response(
        content, EXPORT_FORMATS["csv"].content_type, f"{_('outcome')}-{consultation.pk}.csv"
    )
