"""Calendar files, the agenda PDF and registrations for events.

- ``meeting_ics``: one meeting as .ics, for whoever may see the meeting (``meetings.view_meeting``); the
  private web-conference link only for those who may see it (``meetings.see_private_link``);
- ``body_ics`` and ``calendar_ics``: subscription feeds of public meetings (a body's, or all of them with the
  public calendar's filters in the query string);
- ``agenda_pdf``: the notice of meeting as PDF/A (the secretariat's copy also lists documents not yet
  published);
- ``register``: registration form of an open event, and the page that confirms the place or gives the
  position on the waiting list; ``registration_cancel``: the link sent by e-mail (GET asks, POST cancels, so
  a mail scanner following links cancels nothing);
- ``registrations`` and ``registrations_csv``: the organisers' list of registrations and its export.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from officine.core.audit import record
from officine.core.tabular import EXPORT_FORMATS, write_table
from officine.core.viewtools import (
    add_service_errors,
    download_response,
    message_service_errors,
    permission_required,
)

from . import agenda_pdf as agenda_pdf_service
from . import calendar_ics as ics
from . import navigation
from . import registrations as registration_service
from .forms_public import CalendarFilterForm
from .forms_registration import RegistrationForm
from .models import Body, Meeting, MeetingKind, Registration, RegistrationStatus

#: Session key holding the registration just made, so the confirmation page can show it after the redirect.
SESSION_KEY = "meetings_registration_done"


def _meeting(pk: int) -> Meeting | None:
    return (
        Meeting.objects.select_related("body", "programme")
        .prefetch_related("body__programmes")
        .filter(pk=pk)
        .first()
    )


def _visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting if this user may see it; 404 otherwise (a draft does not reveal that it exists)."""
    meeting = _meeting(pk)
    if meeting is None or not request.user.has_perm("meetings.view_meeting", meeting):
        raise Http404
    return meeting


def _calendar_response(content: bytes, stem: str) -> HttpResponse:
    response = download_response(content, ics.CONTENT_TYPE, ics.filename(stem))
    response["Cache-Control"] = "public, max-age=900"
    return response


def _public_crumbs(meeting: Meeting, *last) -> list:
    return navigation.meeting_crumbs(meeting, *last)


# --- Calendar files --------------------------------------------------------------------------------------


@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    private = request.user.has_perm("meetings.see_private_link", meeting)
    content = ics.build_calendar([meeting], method=ics.PUBLISH, show_private_link=private)
    response = _calendar_response(content, f"{_('meeting')}-{meeting.pk}")
    if private and not meeting.online_link_is_public:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def body_ics(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body, pk=pk)
    meetings = ics.feed_meetings(body_id=body.pk, whole_history=True)
    content = ics.build_calendar(meetings, method=ics.PUBLISH, name=body.name)
    return _calendar_response(content, f"{_('calendar')}-{body.pk}")


@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    form = CalendarFilterForm(request.GET)
    form.is_valid()  # invalid filters are left out, as on the calendar page
    filters = form.filters()
    meetings = ics.feed_meetings(**filters)
    name = _("Meetings and events")
    body = form.cleaned_data.get("body") if hasattr(form, "cleaned_data") else None
    if body is not None:
        name = f"{name} – {body.name}"
    return _calendar_response(ics.build_calendar(meetings, method=ics.PUBLISH, name=name), _("calendar"))


# --- Agenda ----------------------------------------------------------------------------------------------


@require_GET
def agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    agenda = agenda_pdf_service.build_agenda(
        meeting,
        show_private_link=request.user.has_perm("meetings.see_private_link", meeting),
        include_unpublished=request.user.has_perm("meetings.manage_meeting", meeting),
    )
    content = agenda_pdf_service.agenda_pdf(agenda)
    return download_response(content, "application/pdf", f"{_('agenda')}-{meeting.pk}.pdf", inline=True)


# --- Registrations ---------------------------------------------------------------------------------------


def _registration_context(meeting: Meeting) -> dict:
    taken = registration_service.places_taken(meeting)
    return {
        "capacity": meeting.capacity,
        "confirmed": taken,
        "places_left": registration_service.places_left(meeting, taken),
    }


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    if meeting.kind == MeetingKind.BODY_MEETING:
        raise Http404(_("Meetings of a body take no registrations."))
    url = reverse("meetings:register", args=[meeting.pk])
    context = {
        "meeting": meeting,
        "nav": navigation.meeting_section(meeting),
        "breadcrumbs": _public_crumbs(meeting, (_("Registration"), None)),
        "privacy_url": reverse("portal:privacy"),
    }
    if request.method == "GET" and request.GET.get("done"):
        registration = Registration.objects.filter(
            pk=request.session.get(SESSION_KEY), meeting=meeting
        ).first()
        if registration is not None:
            context.update(
                {
                    "registration": registration,
                    "position": registration_service.waiting_position(registration),
                    "cancel_url": reverse("meetings:registration_cancel", args=[registration.token]),
                }
            )
            return render(request, "meetings/calendar/register_done.html", context)
    is_open = request.user.has_perm("meetings.register", meeting)
    form = RegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("Registrations for this event are closed."))
            return redirect(url)
        if form.is_valid():
            try:
                registration = registration_service.register(
                    meeting,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    organization=form.cleaned_data["organization_name"],
                    user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session[SESSION_KEY] = registration.pk
                return redirect(f"{url}?done=1")
    context.update({"form": form, "is_open": is_open, **_registration_context(meeting)})
    return render(request, "meetings/calendar/register.html", context)


@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, token) -> HttpResponse:
    registration = registration_service.registration_by_token(token)
    if registration is None:
        raise Http404(_("This cancellation link is not valid."))
    url = reverse("meetings:registration_cancel", args=[token])
    if request.method == "POST":
        try:
            registration_service.cancel(token, actor=request.user)
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            messages.success(request, _("Your registration is cancelled. Thank you for letting us know."))
        return redirect(url)
    meeting = registration.meeting
    return render(
        request,
        "meetings/calendar/registration_cancel.html",
        {
            "registration": registration,
            "meeting": meeting,
            "can_cancel": registration_service.can_cancel(registration),
            "position": registration_service.waiting_position(registration),
            "is_public": request.user.has_perm("meetings.view_meeting", meeting),
            "nav": navigation.meeting_section(meeting),
        },
    )


def _managed_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting of a staff page, read once per request (the permission check and the view share it)."""
    meeting = getattr(request, "_managed_meeting", None)
    if meeting is None or meeting.pk != pk:
        meeting = _meeting(pk)
        if meeting is None:
            raise Http404
        request._managed_meeting = meeting
    return meeting


def _manage_crumbs(meeting: Meeting, *last) -> list:
    return [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Bodies and meetings"), reverse("manage_meetings:index")),
        (meeting.title, reverse("manage_meetings:meeting", args=[meeting.pk])),
        *last,
    ]


@require_GET
@permission_required("meetings.manage_meeting", _managed_meeting)
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    rows = registration_service.registrations_of(meeting)
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    confirmed = counts[RegistrationStatus.CONFIRMED]
    return render(
        request,
        "meetings/calendar/registrations.html",
        {
            "meeting": meeting,
            "rows": rows,
            "confirmed": confirmed,
            "waiting": counts[RegistrationStatus.WAITING],
            "cancelled": counts[RegistrationStatus.CANCELLED],
            "capacity": meeting.capacity,
            "places_left": registration_service.places_left(meeting, confirmed),
            "takes_registrations": meeting.kind != MeetingKind.BODY_MEETING,
            "nav": "staff",
            "breadcrumbs": _manage_crumbs(meeting, (_("Registrations"), None)),
        },
    )


_CSV_HEADERS = (
    ("numero", "number"),
    ("nome", "name"),
    ("email", "email"),
    ("organizzazione", "organisation"),
    ("stato", "status"),
    ("stato_descrizione", "status_label"),
    ("posizione_lista_attesa", "waiting_list_position"),
    ("iscritto_il", "registered_at"),
    ("annullato_il", "cancelled_at"),
)


@require_GET
@permission_required("meetings.manage_meeting", _managed_meeting)
def registrations_csv(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    rows = registration_service.registrations_of(meeting)
    english = request.LANGUAGE_CODE == "en"
    headers = [pair[1] if english else pair[0] for pair in _CSV_HEADERS]
    table = [
        [
            number,
            row.name,
            row.email,
            row.organization_name,
            row.status,
            row.get_status_display(),
            row.position or "",
            row.created_at,
            row.cancelled_at or "",
        ]
        for number, row in enumerate(rows, start=1)
    ]
    record(request.user, "meetings.registrations.exported", meeting, {"rows": [None, len(table)]})
    content = write_table(headers, table, "csv")
    return download_response(
        content, EXPORT_FORMATS["csv"].content_type, f"{_('registrations')}-{meeting.pk}.csv"
    )
