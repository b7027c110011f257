"""Members' requests to add agenda items: the member's form (namespace ``meetings``), the secretariat's
accept and decline (namespace ``manage_meetings``), and the blocks the meeting pages show.

Who may ask is ``meetings.request_agenda_item`` (a member or substitute of a voting seat of a convened
body meeting); the window and the start of the meeting are checked by ``agenda_requests``, whose refusals
come back on the form with what was typed. Answering needs ``meetings.manage_meeting``.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors, message_service_errors, permission_required

from . import agenda_requests as services
from . import navigation, selectors
from . import selectors_agenda_requests as reads
from .forms_agenda_requests import AgendaRequestForm, AnswerForm
from .models import AgendaRequest, AgendaRequestStatus, Meeting

# --- Blocks of the meeting pages ------------------------------------------------------------------------


def public_section(user, meeting: Meeting) -> dict:
    """What the public meeting page shows: answered requests to everyone; to a member who may ask, the
    window (and the link while it is open) and their own requests, pending ones included."""
    can_request = user.has_perm("meetings.request_agenda_item", meeting)
    deadline = services.request_deadline(meeting) if can_request else None
    return {
        "agenda_requests_answered": reads.answered_requests(meeting),
        "can_request_item": can_request,
        "agenda_request_deadline": deadline,
        "agenda_request_open": can_request and services.is_window_open(meeting),
        "my_agenda_requests": reads.requests_of(user, meeting) if can_request else [],
    }


def manage_section(meeting: Meeting) -> dict:
    """What the secretariat's meeting page shows: every request, pending first, with the window."""
    return {
        "agenda_requests": reads.meeting_requests(meeting),
        "agenda_request_deadline": services.request_deadline(meeting),
    }


# --- The member's request -------------------------------------------------------------------------------


def _meeting_page_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def agenda_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for an item on the agenda of a convened meeting, for one of the user's voting seats."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    meeting = selectors.meeting_for_page(pk)
    user = request.user
    if meeting is None or not user.has_perm("meetings.view_meeting", meeting):
        raise Http404(_("No meeting has this number."))
    if not user.has_perm("meetings.request_agenda_item", meeting):
        raise PermissionDenied
    seats = reads.requesting_seats(user, meeting)
    form = AgendaRequestForm(request.POST if request.method == "POST" else None, seats=seats)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_item(user, meeting, form.cleaned_data["seat"], form.request_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your request has been sent to the secretariat: you will be told the answer."),
            )
            return redirect(_meeting_page_url(meeting))
    title = _("Request an agenda item")
    return render(
        request,
        "meetings/agenda_requests/request_form.html",
        {
            "meeting": meeting,
            "form": form,
            "title": title,
            "deadline": services.request_deadline(meeting),
            "is_open": services.is_window_open(meeting),
            "my_requests": reads.requests_of(user, meeting),
            "nav": navigation.meeting_section(meeting),
            "breadcrumbs": navigation.meeting_crumbs(meeting, (title, None)),
        },
    )


# --- The secretariat's answer ---------------------------------------------------------------------------


def _request(request: HttpRequest, pk: int) -> AgendaRequest:
    cached = getattr(request, "_officine_agenda_request", None)
    if cached is None or cached.pk != pk:
        cached = get_object_or_404(
            AgendaRequest.objects.select_related(
                "meeting__body", "meeting__programme", "seat__organization"
            ).prefetch_related("meeting__body__programmes"),
            pk=pk,
        )
        request._officine_agenda_request = cached
    return cached


def _request_meeting(request: HttpRequest, pk: int, **_kwargs) -> Meeting:
    return _request(request, pk).meeting


def _manage_url(agenda_request: AgendaRequest) -> str:
    return reverse("manage_meetings:meeting", args=[agenda_request.meeting_id]) + "#agenda-requests"


@require_POST
@permission_required("meetings.manage_meeting", _request_meeting)
def agenda_request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept: the item is added at the end of the agenda and the invitation is sent again."""
    agenda_request = _request(request, pk)
    form = AnswerForm(request.POST)
    form.is_valid()
    try:
        services.accept(request.user, agenda_request, form.cleaned_data.get("answer", ""))
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(
            request,
            _("The item has been added to the agenda and the member told; the invitation is updated."),
        )
    return redirect(_manage_url(agenda_request))


@permission_required("meetings.manage_meeting", _request_meeting)
def agenda_request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline with the reasons; a missing answer comes back on this page with the form."""
    agenda_request = _request(request, pk)
    meeting = agenda_request.meeting
    if agenda_request.status != AgendaRequestStatus.PENDING:
        messages.error(request, _("This request has already been answered."))
        return redirect(_manage_url(agenda_request))
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decline(request.user, agenda_request, form.cleaned_data["answer"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The request has been declined and the member told the reasons."))
            return redirect(_manage_url(agenda_request))
    title = _("Decline the request")
    crumbs = [(_("Staff area"), reverse("portal:staff_home"))]
    crumbs.append((_("Bodies and meetings"), reverse("manage_meetings:index")))
    if meeting.body_id is not None:
        crumbs.append((meeting.body.name, reverse("manage_meetings:body", args=[meeting.body_id])))
    crumbs += [(meeting.title, reverse("manage_meetings:meeting", args=[meeting.pk])), (title, None)]
    return render(
        request,
        "meetings/agenda_requests/decline_form.html",
        {
            "agenda_request": agenda_request,
            "meeting": meeting,
            "form": form,
            "title": title,
            "nav": "staff",
            "breadcrumbs": crumbs,
        },
    )
