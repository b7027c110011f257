"""Staff page that groups a consultation's contributions (near-duplicates, topics), to answer them together.

Three views: the page (latest run's progress, latest result), the start button's POST, and the progress
JSON that ``task-progress.js`` polls every 2 seconds. All need ``consultations.manage_consultation``:
visitors go to the login page, other users get a 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from officine.core.viewtools import message_service_errors, permission_required

from . import selectors_triage as selectors
from . import triage_runs
from .models import Consultation, TriageRun, TriageStatus


def _consultation(request: HttpRequest, pk: int, *args, **kwargs) -> Consultation:
    """Loaded once per request: the permission check and the view share it."""
    if getattr(request, "_triage_consultation", None) is None:
        request._triage_consultation = get_object_or_404(
            Consultation.objects.select_related("programme"), pk=pk
        )
    return request._triage_consultation


def _run_consultation(request: HttpRequest, run_pk: int, *args, **kwargs) -> Consultation:
    run = get_object_or_404(TriageRun.objects.select_related("consultation__programme"), pk=run_pk)
    request._triage_run = run
    return run.consultation


@require_GET
@permission_required("consultations.manage_consultation", _consultation)
def triage_page(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    run = selectors.latest_run(consultation)
    done = (
        run
        if run is not None and run.status == TriageStatus.DONE
        else selectors.latest_done_run(consultation)
    )
    result = selectors.result_of(done) if done is not None else None
    current = triage_runs.contributions_to_group(consultation).count()
    grouped = sum(group.size for group in result.topics) if result else 0
    return render(
        request,
        "consultations/triage/page.html",
        {
            "nav": "staff",
            "breadcrumbs": [
                (_("Consultations"), reverse("manage_consultations:list")),
                (consultation.title, reverse("manage_consultations:detail", args=[consultation.pk])),
                (_("Group similar contributions"), None),
            ],
            "consultation": consultation,
            "run": run,
            "progress": selectors.progress_payload(run) if run is not None else None,
            "is_active": run is not None and run.status in triage_runs.ACTIVE_STATUSES,
            "result": result,
            "grouped": grouped,
            "current": current,
            "changed_since": result is not None and current != grouped,
            "minimum": triage_runs.MIN_CONTRIBUTIONS,
            "shown_per_group": selectors.SHOWN_PER_GROUP,
            "excerpt_chars": selectors.EXCERPT_CHARS,
        },
    )


@require_POST
@permission_required("consultations.manage_consultation", _consultation)
def triage_start(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    try:
        run = triage_runs.start_triage(request.user, consultation)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        if run.status == TriageStatus.DONE:
            messages.success(request, _("The contributions have been grouped."))
        elif run.status == TriageStatus.FAILED:
            messages.error(request, _("The grouping failed: %(error)s") % {"error": run.error})
        else:
            messages.info(request, _("The grouping has started. This page shows its progress."))
    return redirect("triage:page", pk=consultation.pk)


@never_cache
@require_GET
@permission_required("consultations.manage_consultation", _run_consultation)
def triage_progress(request: HttpRequest, run_pk: int) -> JsonResponse:
    return JsonResponse(selectors.progress_payload(request._triage_run))
