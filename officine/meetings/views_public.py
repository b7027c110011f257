"""Public pages of bodies and meetings: the list of bodies, a body's page, the calendar, a meeting's page and
the download of a meeting's documents.

Bodies are public records (CPR Art. 38(4), 39(1)); a meeting is public once convened, a draft is a 404 for
whoever may not manage it (``meetings.view_meeting``). Each page costs a fixed number of queries whatever
the amount of data (see ``selectors``).
"""

from decimal import Decimal

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import compliance, navigation, selectors
from .forms_public import BodyFilterForm, CalendarFilterForm
from .models import Body, MajorityRule, MeetingDocument, MeetingMode, MeetingState
from .rules import is_public_meeting
from .views_agenda_requests import public_section as agenda_requests_section

BODIES_PAGE_SIZE = 25
CALENDAR_PAGE_SIZE = 25


def _paginate(request: HttpRequest, form, rows, per_page: int) -> tuple:
    """Apply the valid filters of ``form`` to ``rows(**filters)`` and return the page and its context."""
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the valid filters; invalid ones are reported and ignored
    filters = form.filters()
    paginator = Paginator(rows(**filters), per_page)
    page = paginator.get_page(request.GET.get("page"))
    return page, {
        "form": form,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "result_count": paginator.count,
        "is_filtered": any(filters.values()),
    }


def _query_without_page(request: HttpRequest) -> str:
    return urlencode(sorted((k, v) for k, vs in request.GET.lists() for v in vs if k != "page" and v))


# --- Bodies -----------------------------------------------------------------------------------------------


def body_list(request: HttpRequest) -> HttpResponse:
    form = BodyFilterForm(request.GET or None)
    page, listing = _paginate(request, form, selectors.list_bodies, BODIES_PAGE_SIZE)
    return render(
        request,
        "meetings/public/body_list.html",
        {
            **listing,
            "bodies": selectors.attach_next_meetings(list(page.object_list)),
            "nav": "bodies",
            "breadcrumbs": [(_("Bodies"), None)],
        },
    )


def _share(fraction: Decimal) -> str:
    """A share of the members in words: "half", "two thirds", else a percentage."""
    words = {Decimal("0.5"): _("half"), Decimal("0.667"): _("two thirds"), Decimal("0.333"): _("one third")}
    fraction = Decimal(fraction).quantize(Decimal("0.001"))
    if fraction in words:
        return str(words[fraction])
    if fraction == 1:
        return str(_("all"))
    return _("%(pct)s %%") % {"pct": floatformat(fraction * 100, -1)}


def rules_in_words(body: Body) -> list[tuple[str, str]]:
    """The body's rules-of-procedure parameters as (topic, sentence) in plain language."""
    notice = ngettext(
        "The notice and the documents go out at least %(n)d working day before each meeting",
        "The notice and the documents go out at least %(n)d working days before each meeting",
        body.notice_working_days,
    ) % {"n": body.notice_working_days}
    urgent = ngettext(
        "%(n)d working day for an urgent convocation, whose reason is recorded and published.",
        "%(n)d working days for an urgent convocation, whose reason is recorded and published.",
        body.urgent_notice_working_days,
    ) % {"n": body.urgent_notice_working_days}
    majority = {
        MajorityRule.SIMPLE: _(
            "Decisions pass with more votes in favour than against; abstentions count for neither."
        ),
        MajorityRule.QUALIFIED: _(
            "Decisions pass when at least %(share)s of the voting members present vote in favour."
        )
        % {"share": _share(body.qualified_threshold or Decimal("1"))},
        MajorityRule.CONSENSUS: _("Decisions are taken by consensus: they pass when no member is against."),
    }[body.majority_rule]
    written = ngettext(
        "In a written procedure members answer within %(n)d working day",
        "In a written procedure members answer within %(n)d working days",
        body.written_procedure_working_days,
    ) % {"n": body.written_procedure_working_days}
    written_urgent = ngettext(
        "%(n)d if urgent.", "%(n)d if urgent.", body.urgent_written_procedure_working_days
    ) % {"n": body.urgent_written_procedure_working_days}
    silence = (
        _("Members who do not answer by the deadline are taken to agree.")
        if body.silent_consent
        else _("Silence is not taken as consent: only the answers received count.")
    )
    agenda = ngettext(
        "Members may ask to add items to the agenda within %(n)d working day of receiving it.",
        "Members may ask to add items to the agenda within %(n)d working days of receiving it.",
        body.agenda_request_working_days,
    ) % {"n": body.agenda_request_working_days}
    return [
        (_("Notice"), f"{notice}; {urgent}"),
        (
            _("Quorum"),
            _("A meeting is valid when at least %(share)s of the voting members are present.")
            % {"share": _share(body.quorum_fraction)},
        ),
        (_("Majority"), majority),
        (_("Written procedure"), f"{written}, {written_urgent} {silence}"),
        (_("Agenda"), agenda),
    ]


def body_document(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """The act of constitution (``act``) or the rules of procedure (``rules``) of a body: public records
    (CPR Art. 38(4)), served through a view because media files are not served by the web server."""
    body = get_object_or_404(Body, pk=pk)
    file = {"act": body.constitution_document, "rules": body.rules_document}.get(which)
    if not file:
        raise Http404(_("This body has no such document."))
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("This body has no such document.")) from error
    return FileResponse(handle, filename=file.name.rsplit("/", 1)[-1])


def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for_page(pk)
    if body is None:
        raise Http404(_("No body has this number."))
    page = selectors.body_page(body)
    can_manage = request.user.has_perm("meetings.manage_body", body)
    return render(
        request,
        "meetings/public/body_detail.html",
        {
            "body": body,
            "page": page,
            "programmes": list(body.programmes.all()),
            "rules": rules_in_words(body),
            "can_manage": can_manage,
            "compliance_alerts": compliance.body_alerts(body, public_only=not can_manage),
            "show_alert_actions": can_manage,
            "nav": "bodies",
            "breadcrumbs": [(_("Bodies"), reverse("bodies:list")), (body.name, None)],
        },
    )


# --- Calendar ---------------------------------------------------------------------------------------------


def calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarFilterForm(request.GET or None)
    page, listing = _paginate(request, form, selectors.calendar_meetings, CALENDAR_PAGE_SIZE)
    meetings = list(page.object_list)
    for meeting in meetings:
        meeting.month = meeting.day.replace(day=1)
    query = _query_without_page(request)
    return render(
        request,
        "meetings/public/calendar.html",
        {
            **listing,
            "meetings": meetings,
            "past": listing["form"].filters()["past"],
            "ics_url": reverse("meetings:calendar_ics") + (f"?{query}" if query else ""),
            "nav": "calendar",
            "breadcrumbs": [(_("Calendar"), None)],
        },
    )


# --- A meeting --------------------------------------------------------------------------------------------


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(pk)
    user = request.user
    if meeting is None or not user.has_perm("meetings.view_meeting", meeting):
        raise Http404(_("No meeting has this number."))
    can_manage = user.has_perm("meetings.manage_meeting", meeting)
    page = selectors.meeting_page(meeting, show_unpublished=can_manage)
    show_link = bool(meeting.online_link) and meeting.mode != MeetingMode.IN_PERSON
    if show_link and not meeting.online_link_is_public:
        show_link = user.has_perm("meetings.see_private_link", meeting)
    minutes = meeting.minutes if selectors.has_minutes(meeting) else None
    return render(
        request,
        "meetings/public/meeting_detail.html",
        {
            "meeting": meeting,
            "page": page,
            "show_link": show_link,
            "has_private_link": bool(meeting.online_link) and not show_link,
            "can_manage": can_manage,
            "can_register": user.has_perm("meetings.register", meeting),
            "can_view_minutes": minutes is not None and user.has_perm("meetings.view_minutes", minutes),
            "is_upcoming": meeting.state == MeetingState.CONVENED,
            **agenda_requests_section(user, meeting),
            "nav": navigation.meeting_section(meeting),
            "breadcrumbs": navigation.meeting_crumbs(meeting),
        },
    )


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A document of a meeting's pack (or of a written procedure): to everyone once published, unless it
    is withheld; to whoever manages the meeting (or the procedure) always. Otherwise 404, so that the
    existence of an unpublished document is not revealed."""
    document = get_object_or_404(
        MeetingDocument.objects.select_related("meeting__body", "meeting__programme", "procedure__body"),
        pk=pk,
    )
    user = request.user
    is_public = document.published_at is not None and not document.is_confidential
    if document.meeting_id:
        is_public = is_public and is_public_meeting(None, document.meeting)
        allowed = is_public or user.has_perm("meetings.manage_meeting", document.meeting)
    else:
        allowed = is_public or user.has_perm("meetings.manage_procedure", document.procedure)
    if not allowed or not document.file:
        raise Http404(_("No document has this number."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("No document has this number.")) from error
    response = FileResponse(handle, filename=document.file.name.rsplit("/", 1)[-1])
    if not is_public:
        response["Cache-Control"] = "private, no-store"
    return response
