"""Staff pages for consultations: list, set-up form, the dashboard and its state buttons.

The dashboard links to pages other parts of the app provide (dispositions, questions, triage, outcome,
exports); links are computed here and left out if a page is not installed, so that this page never breaks
because another one is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors, message_service_errors, permission_required

from . import exporting, lifecycle
from . import selectors_manage as selectors
from .forms import ConsultationForm, ProgrammePickForm
from .models import Consultation, ConsultationState, Document

PAGE_SIZE = 50


@dataclass(frozen=True)
class Action:
    """A button on the dashboard: the service it calls and the state it leads to."""

    name: str
    label: str
    target: str
    service: Callable
    style: str
    help: str


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "schedule",
            gettext_lazy("Schedule"),
            ConsultationState.SCHEDULED,
            lifecycle.schedule,
            "btn-primary",
            gettext_lazy("Announces the consultation publicly with its timetable and documents."),
        ),
        Action(
            "unschedule",
            gettext_lazy("Back to draft"),
            ConsultationState.DRAFT,
            lifecycle.unschedule,
            "btn-outline-primary",
            gettext_lazy("Withdraws the announcement so that the consultation can be edited."),
        ),
        Action(
            "open",
            gettext_lazy("Open"),
            ConsultationState.OPEN,
            lifecycle.open_consultation,
            "btn-primary",
            gettext_lazy("Accepts contributions from today and notifies the invited partners."),
        ),
        Action(
            "close",
            gettext_lazy("Close"),
            ConsultationState.CLOSED,
            lifecycle.close_consultation,
            "btn-primary",
            gettext_lazy("Stops contributions (only after the last day) and makes them public."),
        ),
    )
}


def allowed_actions(consultation: Consultation) -> list[Action]:
    """The buttons the state machine allows now; the service still checks dates and documents."""
    targets = lifecycle.TRANSITIONS[consultation.state]
    return [action for action in ACTIONS.values() if action.target in targets]


def _consultation(request: HttpRequest, pk: int, **_kwargs) -> Consultation:
    cached = getattr(request, "_officine_consultation", None)
    if cached is None or cached.pk != pk:
        cached = get_object_or_404(Consultation.objects.select_related("programme"), pk=pk)
        request._officine_consultation = cached
    return cached


def _crumbs(consultation: Consultation | None = None, *tail: tuple) -> list[tuple]:
    crumbs = [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Consultations"), reverse("manage_consultations:list")),
    ]
    if consultation is not None:
        url = reverse("manage_consultations:detail", args=[consultation.pk]) if tail else None
        crumbs.append((consultation.title, url))
    return [*crumbs, *tail]


@permission_required("accounts.view_staff_area")
def consultation_list(request: HttpRequest) -> HttpResponse:
    programmes = list(selectors.manageable_programmes(request.user))
    chosen = request.GET.get("programme", "")
    programme_id = int(chosen) if chosen.isdigit() and int(chosen) in {p.pk for p in programmes} else None
    state = request.GET.get("state") if request.GET.get("state") in ConsultationState.values else None
    page = Paginator(selectors.staff_consultations(request.user, programme_id, state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "consultations/manage/consultation_list.html",
        {
            "page_obj": page,
            "programmes": programmes,
            "programme_id": programme_id,
            "states": ConsultationState.choices,
            "state": state,
            "nav": "staff",
            "breadcrumbs": [(_("Staff area"), reverse("portal:staff_home")), (_("Consultations"), None)],
        },
    )


def _programme_documents(programme_id: int):
    return (
        Document.objects.filter(programme_id=programme_id)
        .annotate(**selectors._version_numbers())
        .order_by("title_it", "pk")
    )


@permission_required("accounts.view_staff_area")
def consultation_create(request: HttpRequest) -> HttpResponse:
    """Pick the programme first (if the user runs several), so that only its documents are offered."""
    programmes = selectors.manageable_programmes(request.user)
    chosen = request.GET.get("programme", "")
    if chosen.isdigit():
        programme = get_object_or_404(programmes.model, pk=int(chosen))
        if not request.user.has_perm("consultations.add_consultation", programme):
            raise PermissionDenied
    elif len(only := list(programmes[:2])) == 1:
        programme = only[0]
    else:
        return render(
            request,
            "consultations/manage/consultation_programme.html",
            {
                "form": ProgrammePickForm(programmes=programmes),
                "has_programmes": bool(only),
                "nav": "staff",
                "breadcrumbs": _crumbs(None, (_("New consultation"), None)),
            },
        )
    form = ConsultationForm(
        request.POST or None, programme=programme, documents=_programme_documents(programme.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultation = lifecycle.create_consultation(request.user, programme, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consultation has been created as a draft."))
            return redirect("manage_consultations:detail", pk=consultation.pk)
    return render(
        request,
        "consultations/manage/consultation_form.html",
        {
            "form": form,
            "programme": programme,
            "choose_other": len(list(programmes[:2])) > 1,
            "title": _("New consultation"),
            "nav": "staff",
            "breadcrumbs": _crumbs(None, (_("New consultation"), None)),
        },
    )


@permission_required("consultations.manage_consultation", _consultation)
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    if consultation.state != ConsultationState.DRAFT:
        messages.error(
            request,
            _("Only a draft consultation can be edited: move it back to draft (unschedule it) first."),
        )
        return redirect("manage_consultations:detail", pk=consultation.pk)
    form = ConsultationForm(
        request.POST or None,
        initial=ConsultationForm.initial_from(consultation),
        programme=consultation.programme,
        documents=_programme_documents(consultation.programme_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.update_consultation(request.user, consultation, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consultation has been saved."))
            return redirect("manage_consultations:detail", pk=consultation.pk)
    consultation.refresh_from_db()
    return render(
        request,
        "consultations/manage/consultation_form.html",
        {
            "form": form,
            "programme": consultation.programme,
            "consultation": consultation,
            "title": _("Edit consultation"),
            "nav": "staff",
            "breadcrumbs": _crumbs(consultation, (_("Edit"), None)),
        },
    )


def _links(consultation: Consultation) -> dict:
    pk = consultation.pk
    return {
        "public": reverse("consultations:detail", args=[pk]),
        "contributions": reverse("manage_dispositions:contributions", args=[pk]),
        "questions": reverse("manage_questions:list", args=[pk]),
        "triage": reverse("triage:page", args=[pk]),
        "templates": reverse("manage_dispositions:templates", args=[consultation.programme_id]),
        "publish_outcome": reverse("manage_dispositions:publish_outcome", args=[pk]),
        "outcome": reverse("outcomes:report", args=[pk]),
        "exports": exporting.export_links(consultation),
    }


@permission_required("consultations.manage_consultation", _consultation)
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    return render(
        request,
        "consultations/manage/consultation_detail.html",
        {
            "consultation": consultation,
            "dashboard": selectors.consultation_dashboard(consultation),
            "actions": allowed_actions(consultation),
            "links": _links(consultation),
            "nav": "staff",
            "breadcrumbs": _crumbs(consultation),
        },
    )


@require_POST
@permission_required("consultations.manage_consultation", _consultation)
def consultation_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One state button: the service decides; a refusal comes back as a message, the state unchanged."""
    consultation = _consultation(request, pk)
    step = ACTIONS.get(action)
    if step is None:
        raise Http404
    try:
        step.service(request.user, consultation)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(
            request,
            _("The consultation is now “%(state)s”.") % {"state": ConsultationState(step.target).label},
        )
    return redirect("manage_consultations:detail", pk=consultation.pk)
