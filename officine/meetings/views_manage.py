"""The secretariat's pages for bodies, their composition and their meetings (namespace ``manage_meetings``).

Views stay thin: check the permission on the object (``meetings.manage_body`` / ``manage_meeting``; creating
needs ``add_body`` / ``add_meeting`` on a programme), parse the form, call one service, redirect. A service's
refusal comes back next to the field it names, with everything typed kept.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors, message_service_errors, permission_required

from . import compliance, composition, convening, decisions, documents
from . import quorum as quorum_rules
from . import selectors_manage as selectors
from .forms_manage import (
    AgendaItemForm,
    AttendanceForm,
    BodyForm,
    CancelForm,
    ConflictForm,
    DecisionForm,
    DocumentForm,
    MeetingForm,
    NoticeForm,
    SeatAddForm,
    SeatEndForm,
    SeatReplaceForm,
    WithholdForm,
)
from .models import (
    AgendaItem,
    AgendaItemKind,
    Body,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingState,
    Seat,
    VoteChoice,
)
from .views_agenda_requests import manage_section as agenda_requests_section

PAGE_SIZE = 25


# --- Objects and permissions (fetched once per request) -------------------------------------------------


def _cached(request, key: str, pk: int, fetch):
    cached = getattr(request, key, None)
    if cached is None or cached.pk != pk:
        cached = fetch(pk)
        setattr(request, key, cached)
    return cached


def _body(request: HttpRequest, pk: int, **_kwargs) -> Body:
    return _cached(
        request,
        "_officine_body",
        pk,
        lambda pk: get_object_or_404(Body.objects.prefetch_related("programmes"), pk=pk),
    )


def _seat_body(request: HttpRequest, pk: int, **_kwargs) -> Body:
    seat = _seat(request, pk)
    return seat.body


def _seat(request: HttpRequest, pk: int) -> Seat:
    return _cached(
        request,
        "_officine_seat",
        pk,
        lambda pk: get_object_or_404(
            Seat.objects.select_related("body", "organization", "member_user", "substitute_user"), pk=pk
        ),
    )


def _meeting(request: HttpRequest, pk: int, **_kwargs) -> Meeting:
    return _cached(
        request,
        "_officine_meeting",
        pk,
        lambda pk: get_object_or_404(
            Meeting.objects.select_related("body", "programme").prefetch_related("body__programmes"), pk=pk
        ),
    )


def _item(request: HttpRequest, pk: int) -> AgendaItem:
    return _cached(
        request,
        "_officine_item",
        pk,
        lambda pk: get_object_or_404(
            AgendaItem.objects.select_related("meeting__body", "meeting__programme").prefetch_related(
                "meeting__body__programmes"
            ),
            pk=pk,
        ),
    )


def _item_meeting(request: HttpRequest, pk: int, **_kwargs) -> Meeting:
    return _item(request, pk).meeting


def _document(request: HttpRequest, pk: int) -> MeetingDocument:
    return _cached(
        request,
        "_officine_document",
        pk,
        lambda pk: get_object_or_404(
            MeetingDocument.objects.select_related(
                "meeting__body", "meeting__programme", "procedure__body", "item"
            ).prefetch_related("meeting__body__programmes", "procedure__body__programmes"),
            pk=pk,
        ),
    )


def _check_document_perm(request: HttpRequest, document: MeetingDocument) -> None:
    if document.meeting_id is not None:
        allowed = request.user.has_perm("meetings.manage_meeting", document.meeting)
    else:
        allowed = request.user.has_perm("meetings.manage_procedure", document.procedure)
    if not allowed:
        raise PermissionDenied


def _crumbs(*tail: tuple) -> list[tuple]:
    return [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Bodies and meetings"), reverse("manage_meetings:index") if tail else None),
        *tail,
    ]


def _body_crumbs(body: Body, *tail: tuple) -> list[tuple]:
    return _crumbs((body.name, reverse("manage_meetings:body", args=[body.pk]) if tail else None), *tail)


def _meeting_crumbs(meeting: Meeting, *tail: tuple) -> list[tuple]:
    crumbs = []
    if meeting.body_id is not None:
        crumbs.append((meeting.body.name, reverse("manage_meetings:body", args=[meeting.body_id])))
    url = reverse("manage_meetings:meeting", args=[meeting.pk]) if tail else None
    return _crumbs(*crumbs, (meeting.title, url), *tail)


def _posted(request: HttpRequest) -> tuple:
    """The form's data and files on POST (even when empty: an empty form is still submitted), else None."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"meetings/manage/{template}", {"nav": "staff", **context})


# --- Index ----------------------------------------------------------------------------------------------


@permission_required("accounts.view_staff_area")
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    past = Paginator(selectors.meetings_over(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "index.html",
        {
            "bodies": list(selectors.manageable_bodies(user)),
            "upcoming": list(selectors.meetings_to_hold(user)),
            "page_obj": past,
            "breadcrumbs": _crumbs(),
        },
    )


# --- Bodies ---------------------------------------------------------------------------------------------


@permission_required("accounts.view_staff_area")
def body_create(request: HttpRequest) -> HttpResponse:
    """A new body in programmes the user staffs (``meetings.add_body`` on each programme chosen)."""
    programmes = selectors.manageable_programmes(request.user)
    form = BodyForm(*_posted(request), programmes=programmes)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["programmes"])
        if not all(request.user.has_perm("meetings.add_body", programme) for programme in chosen):
            raise PermissionDenied
        try:
            body = composition.create_body(request.user, form.service_data(request.FILES), chosen)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The body has been created: now add its members."))
            return redirect("manage_meetings:body", pk=body.pk)
    return _page(
        request,
        "body_form.html",
        {"form": form, "title": _("New body"), "breadcrumbs": _crumbs((_("New body"), None))},
    )


@permission_required("meetings.manage_body", _body)
def body_edit(request: HttpRequest, pk: int) -> HttpResponse:
    body = _body(request, pk)
    programmes = selectors.manageable_programmes(request.user)
    form = BodyForm(*_posted(request), instance=body, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        allowed = {p.pk for p in programmes}
        kept = [p for p in body.programmes.all() if p.pk not in allowed]
        chosen = [*kept, *form.cleaned_data["programmes"]]
        data = form.service_data(request.FILES)
        if not chosen:
            form.add_error("programmes", _("The body must serve at least one programme."))
        else:
            try:
                composition.update_body(request.user, body, {**data, "programmes": chosen})
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The body has been saved."))
                return redirect("manage_meetings:body", pk=body.pk)
    return _page(
        request,
        "body_form.html",
        {
            "form": form,
            "body": body,
            "title": _("Edit the body"),
            "breadcrumbs": _body_crumbs(body, (_("Edit"), None)),
        },
    )


@permission_required("meetings.manage_body", _body)
def body(request: HttpRequest, pk: int) -> HttpResponse:
    body = _body(request, pk)
    return _page(
        request,
        "body_detail.html",
        {
            "body": body,
            "overview": selectors.body_overview(body),
            "breadcrumbs": _body_crumbs(body),
            "compliance_alerts": compliance.body_alerts(body),
            "show_alert_actions": True,
        },
    )


# --- Composition ----------------------------------------------------------------------------------------


@permission_required("meetings.manage_body", _body)
def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    body = _body(request, pk)
    form = SeatAddForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            composition.add_seat(
                request.user,
                body,
                form.seat_data(),
                start_date=data["start_date"],
                act_number=data["act_number"],
                act_date=data["act_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The seat has been added."))
            return redirect("manage_meetings:body", pk=body.pk)
    return _page(
        request,
        "seat_form.html",
        {
            "form": form,
            "body": body,
            "title": _("Add a member"),
            "breadcrumbs": _body_crumbs(body, (_("Add a member"), None)),
        },
    )


@permission_required("meetings.manage_body", _seat_body)
def seat_replace(request: HttpRequest, pk: int) -> HttpResponse:
    seat = _seat(request, pk)
    body = seat.body
    form = SeatReplaceForm(_posted(request)[0], instance=seat)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            composition.replace_seat(
                request.user,
                seat,
                form.seat_data(),
                start_date=data["start_date"],
                act_number=data["act_number"],
                act_date=data["act_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The change has been recorded: the old seat ended, the new one opened.")
            )
            return redirect("manage_meetings:body", pk=body.pk)
    return _page(
        request,
        "seat_form.html",
        {
            "form": form,
            "body": body,
            "seat": seat,
            "title": _("Change of member"),
            "breadcrumbs": _body_crumbs(body, (_("Change of member"), None)),
        },
    )


@permission_required("meetings.manage_body", _seat_body)
def seat_end(request: HttpRequest, pk: int) -> HttpResponse:
    seat = _seat(request, pk)
    body = seat.body
    form = SeatEndForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            composition.end_seat(
                request.user,
                seat,
                end_date=data["end_date"],
                act_number=data["act_number"],
                act_date=data["act_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The seat has ended; it stays in the history of the composition."))
            return redirect("manage_meetings:body", pk=body.pk)
    return _page(
        request,
        "seat_end.html",
        {
            "form": form,
            "body": body,
            "seat": seat,
            "breadcrumbs": _body_crumbs(body, (_("End a seat"), None)),
        },
    )


# --- Meetings -------------------------------------------------------------------------------------------


@permission_required("accounts.view_staff_area")
def meeting_create(request: HttpRequest) -> HttpResponse:
    """A new meeting of a body the user manages, or an event of a programme they staff."""
    user = request.user
    bodies = selectors.manageable_bodies(user).only("pk", "name_it", "name_en")
    programmes = selectors.manageable_programmes(user)
    initial = {}
    if request.GET.get("body", "").isdigit():
        initial["body"] = int(request.GET["body"])
    if request.GET.get("kind") in MeetingKind.values:
        initial["kind"] = request.GET["kind"]
    form = MeetingForm(_posted(request)[0], initial=initial, bodies=bodies, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if data.get("body") is not None and not user.has_perm("meetings.manage_body", data["body"]):
            raise PermissionDenied
        if data.get("programme") is not None and not user.has_perm("meetings.add_meeting", data["programme"]):
            raise PermissionDenied
        try:
            meeting = convening.create_meeting(user, data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The meeting has been created as a draft: add the agenda and documents.")
            )
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    return _page(
        request,
        "meeting_form.html",
        {"form": form, "title": _("New meeting"), "breadcrumbs": _crumbs((_("New meeting"), None))},
    )


@permission_required("meetings.manage_meeting", _meeting)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if meeting.state not in (MeetingState.DRAFT, MeetingState.CONVENED):
        messages.error(request, _("Only a meeting still to be held can be changed."))
        return redirect("manage_meetings:meeting", pk=meeting.pk)
    form = MeetingForm(
        _posted(request)[0],
        instance=meeting,
        bodies=Body.objects.none(),
        programmes=selectors.manageable_programmes(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            convening.reschedule(request.user, meeting, form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if meeting.state == MeetingState.CONVENED:
                messages.success(request, _("The meeting has been changed: the invitation is updated."))
            else:
                messages.success(request, _("The meeting has been saved."))
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    return _page(
        request,
        "meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "title": _("Edit the meeting"),
            "breadcrumbs": _meeting_crumbs(meeting, (_("Edit"), None)),
        },
    )


@permission_required("meetings.manage_meeting", _meeting)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _page(
        request,
        "meeting_detail.html",
        {
            "meeting": meeting,
            "overview": selectors.meeting_overview(meeting),
            "notice_form": NoticeForm(),
            "cancel_form": CancelForm(),
            **agenda_requests_section(meeting),
            "breadcrumbs": _meeting_crumbs(meeting),
        },
    )


def _meeting_form_page(request, meeting, template: str, form, title: str) -> HttpResponse:
    return _page(
        request,
        template,
        {
            "form": form,
            "meeting": meeting,
            "title": title,
            "breadcrumbs": _meeting_crumbs(meeting, (title, None)),
        },
    )


@permission_required("meetings.manage_meeting", _meeting)
def send_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Convene the meeting and publish its pack. A late notice is refused unless marked urgent with a
    reason (and within the urgent period); the refusal is shown on the form, with what was typed."""
    meeting = _meeting(request, pk)
    form = NoticeForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            documents.convene(
                request.user,
                meeting,
                urgent=form.cleaned_data["urgent"],
                reason=form.cleaned_data["urgency_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The notice has been sent and the documents published."))
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    check = None
    if meeting.body_id is not None:
        check = convening.notice_check(
            meeting.body, meeting.day, timezone.localdate(), meeting.extra_holidays
        )
    return _page(
        request,
        "notice_form.html",
        {
            "form": form,
            "meeting": meeting,
            "check": check,
            "breadcrumbs": _meeting_crumbs(meeting, (_("Send the notice"), None)),
        },
    )


@permission_required("meetings.manage_meeting", _meeting)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = CancelForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            convening.cancel(request.user, meeting, form.cleaned_data["cancellation_reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting has been cancelled."))
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    return _meeting_form_page(request, meeting, "cancel_form.html", form, _("Cancel the meeting"))


@require_POST
@permission_required("meetings.manage_meeting", _meeting)
def mark_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        convening.mark_held(request.user, meeting)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("The meeting is recorded as held: the minutes can be drafted."))
    return redirect("manage_meetings:meeting", pk=meeting.pk)


# --- Agenda and documents -------------------------------------------------------------------------------


@permission_required("meetings.manage_meeting", _meeting)
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = AgendaItemForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            decisions.add_agenda_item(request.user, meeting, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item has been added to the agenda."))
            if "another" in request.POST:
                return redirect("manage_meetings:item_add", pk=meeting.pk)
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    return _meeting_form_page(request, meeting, "item_form.html", form, _("Add an agenda item"))


@permission_required("meetings.manage_meeting", _item_meeting)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    meeting = item.meeting
    form = AgendaItemForm(_posted(request)[0], instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.update_agenda_item(request.user, item, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item has been saved."))
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    title = _("Edit item %(order)d") % {"order": item.order}
    return _page(
        request,
        "item_form.html",
        {
            "form": form,
            "meeting": meeting,
            "item": item,
            "title": title,
            "breadcrumbs": _meeting_crumbs(meeting, (title, None)),
        },
    )


@permission_required("meetings.manage_meeting", _meeting)
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    initial = {"item": request.GET["item"]} if request.GET.get("item", "").isdigit() else {}
    form = DocumentForm(*_posted(request), meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            documents.upload_document(
                request.user, meeting, form.cleaned_data, item=form.cleaned_data.get("item")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if meeting.notice_sent_at is None:
                messages.success(request, _("The document has been added: it is published with the notice."))
            else:
                messages.success(request, _("The document has been added and published."))
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    return _meeting_form_page(request, meeting, "document_form.html", form, _("Add a document"))


def document_withhold(request: HttpRequest, pk: int) -> HttpResponse:
    """Withhold a document with a reason (or change the reason), or make a withheld document public again."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    document = _document(request, pk)
    _check_document_perm(request, document)
    if document.meeting_id is not None:
        back = reverse("manage_meetings:meeting", args=[document.meeting_id])
        crumbs = _meeting_crumbs(document.meeting, (_("Withhold a document"), None))
    else:
        back = reverse("manage_procedures:detail", args=[document.procedure_id])
        crumbs = _crumbs((document.procedure.title, back), (_("Withhold a document"), None))
    initial = {"confidentiality_reason": document.confidentiality_reason}
    form = WithholdForm(_posted(request)[0], initial=initial)
    if request.method == "POST" and "release" in request.POST:
        try:
            documents.release_document(request.user, document)
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            messages.success(request, _("The document is public again."))
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        try:
            documents.withhold_document(request.user, document, form.cleaned_data["confidentiality_reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The document is withheld from the public; the reason is shown instead.")
            )
            return redirect(back)
    return _page(
        request,
        "document_withhold.html",
        {"form": form, "document": document, "back": back, "breadcrumbs": crumbs},
    )


# --- Attendance and quorum ------------------------------------------------------------------------------


def _body_meeting_or_404(meeting: Meeting) -> None:
    if meeting.body_id is None:
        raise Http404


def _quorum_context(meeting: Meeting) -> dict:
    return {"meeting": meeting, "quorum": quorum_rules.meeting_quorum(meeting)}


def _wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@permission_required("meetings.manage_meeting", _meeting)
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendance of every seat in force on the meeting day; the quorum box follows. Without JavaScript
    the whole form is saved and the page comes back; with it, each change is saved as it is made."""
    meeting = _meeting(request, pk)
    _body_meeting_or_404(meeting)
    rows = selectors.attendance_sheet(meeting)
    form = AttendanceForm(_posted(request)[0], rows=rows)
    if request.method == "POST" and form.is_valid():
        saved = 0
        errors: list[str] = []
        for seat, status in form.changes():
            try:
                decisions.record_attendance(request.user, meeting, seat, status)
            except ValidationError as error:
                errors.extend(f"{seat}: {message}" for message in error.messages)
            else:
                saved += 1
        if _wants_fragment(request):
            return JsonResponse({"saved": saved, "errors": errors}, status=400 if errors else 200)
        for message in errors:
            messages.error(request, message)
        if saved:
            messages.success(request, _("Attendance saved."))
        return redirect("manage_meetings:attendance", pk=meeting.pk)
    return _page(
        request,
        "attendance.html",
        {
            "form": form,
            "rows": form.bound_rows(),
            "recording": meeting.state in decisions.RECORDING_STATES,
            **_quorum_context(meeting),
            "breadcrumbs": _meeting_crumbs(meeting, (_("Attendance"), None)),
        },
    )


@permission_required("meetings.manage_meeting", _meeting)
def quorum(request: HttpRequest, pk: int) -> HttpResponse:
    """The quorum box as an HTML fragment, or as JSON when asked (``Accept: application/json``)."""
    meeting = _meeting(request, pk)
    _body_meeting_or_404(meeting)
    context = _quorum_context(meeting)
    if "application/json" in request.headers.get("Accept", ""):
        state = context["quorum"]
        return JsonResponse(
            {
                "voting_members": state.voting_members,
                "present": state.present,
                "required": state.required,
                "missing": state.missing,
                "is_met": state.is_met,
            }
        )
    return render(request, "meetings/manage/_quorum.html", context)


# --- Decisions ------------------------------------------------------------------------------------------


@permission_required("meetings.manage_meeting", _item_meeting)
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Votes of the members present without a conflict, and the decision (by vote, computed under the body's
    majority rule; or by consensus, with the outcome stated)."""
    item = _item(request, pk)
    meeting = item.meeting
    _body_meeting_or_404(meeting)
    sheet = selectors.vote_sheet(item)
    form = DecisionForm(_posted(request)[0], sheet=sheet, outcomes=decisions.ALLOWED_OUTCOMES[item.kind])
    if request.method == "POST" and form.is_valid():
        try:
            decisions.record_decision(
                request.user,
                item,
                form.cleaned_data["decided_by"],
                votes=form.votes(),
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            item.refresh_from_db()
            messages.success(
                request,
                _("Item %(order)d decided: %(outcome)s.")
                % {"order": item.order, "outcome": item.get_outcome_display()},
            )
            return redirect("manage_meetings:meeting", pk=meeting.pk)
    title = _("Decision on item %(order)d") % {"order": item.order}
    return _page(
        request,
        "item_decide.html",
        {
            "form": form,
            "item": item,
            "meeting": meeting,
            "sheet": sheet,
            "rows": form.bound_rows(),
            "choices": VoteChoice.choices,
            "is_information": item.kind == AgendaItemKind.INFORMATION,
            "title": title,
            "breadcrumbs": _meeting_crumbs(meeting, (title, None)),
        },
    )


@permission_required("meetings.manage_meeting", _item_meeting)
def conflict_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    meeting = item.meeting
    _body_meeting_or_404(meeting)
    seats = (
        quorum_rules.voting_seats(meeting.body, meeting.day)
        .exclude(conflicts__item=item)
        .exclude(votes__item=item)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    initial = {"seat": request.GET["seat"]} if request.GET.get("seat", "").isdigit() else {}
    form = ConflictForm(_posted(request)[0], seats=seats, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.declare_conflict(
                request.user, item, form.cleaned_data["seat"], form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The conflict of interest is recorded: the member is left out of this item.")
            )
            return redirect("manage_meetings:item_decide", pk=item.pk)
    title = _("Declare a conflict of interest")
    return _page(
        request,
        "conflict_form.html",
        {
            "form": form,
            "item": item,
            "meeting": meeting,
            "title": title,
            "breadcrumbs": _meeting_crumbs(meeting, (title, None)),
        },
    )
