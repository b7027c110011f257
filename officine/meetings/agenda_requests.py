"""Members' requests to add items to the agenda of a convened meeting (rules of procedure: "within 5 working
days of receiving the draft agenda", Puglia RDP MC RoP, ``docs/eccp-requirements.md`` §3).

A member or substitute of a voting seat (chair included) in force in the meeting's body may ask for an item
once the notice is sent, until the end of the last day of the body's window (``agenda_request_working_days``
working days after the day the notice went out, on the Italian calendar with the local holidays of the
programmes the body serves) and never once the meeting has started. The secretariat accepts the request,
which appends the item to the agenda (a new revision of the invitation, so calendars update their copy), or
declines it with its reasons. The requester is told the answer; answered requests are public.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.core.audit import diff, record
from officine.core.workdays import add_working_days
from officine.notifications.services import Notice, notify

from . import decisions, invitations
from .auditing import picture
from .models import (
    AgendaItemKind,
    AgendaRequest,
    AgendaRequestStatus,
    Meeting,
    MeetingKind,
    MeetingState,
    Seat,
)
from .written_procedures import body_extra_holidays

#: Kind of the notices about agenda requests (``notifications.Notification.kind``).
NOTICE_KIND = "meetings_agenda_request"


# --- The window -----------------------------------------------------------------------------------------


def window_extra_holidays(meeting: Meeting) -> tuple[tuple[int, int], ...]:
    """Local holidays of the programmes the body serves and of the meeting's own programme."""
    days = set(body_extra_holidays(meeting.body)) | set(meeting.extra_holidays)
    return tuple(sorted(days))


def request_deadline(meeting: Meeting) -> date | None:
    """The last day (included) members may ask for an item, or None when the meeting takes no requests
    (not a body meeting, or its notice not sent)."""
    if meeting.kind != MeetingKind.BODY_MEETING or meeting.body_id is None or meeting.notice_sent_at is None:
        return None
    notice_day = timezone.localdate(meeting.notice_sent_at)
    days = meeting.body.agenda_request_working_days
    return add_working_days(notice_day, days, window_extra_holidays(meeting))


def is_window_open(meeting: Meeting, now=None) -> bool:
    """Whether a request can be made now: convened, before the start and by the end of the deadline day."""
    now = now or timezone.now()
    deadline = request_deadline(meeting)
    return (
        deadline is not None
        and meeting.state == MeetingState.CONVENED
        and now < meeting.starts_at
        and timezone.localdate(now) <= deadline
    )


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _check_window(meeting: Meeting, now) -> None:
    if meeting.kind != MeetingKind.BODY_MEETING or meeting.body_id is None:
        raise ValidationError(_("Only meetings of a body take requests to add agenda items."))
    if meeting.state == MeetingState.DRAFT or meeting.notice_sent_at is None:
        raise ValidationError(_("Items can be requested only once the notice of the meeting has been sent."))
    if meeting.state != MeetingState.CONVENED or now >= meeting.starts_at:
        raise ValidationError(
            _("The meeting has started, is over or was cancelled: its agenda takes no more requests.")
        )
    deadline = request_deadline(meeting)
    if timezone.localdate(now) > deadline:
        raise ValidationError(
            _("Items could be requested until %(date)s (%(days)d working days after the notice).")
            % {"date": _short(deadline), "days": meeting.body.agenda_request_working_days},
            code="late",
        )


def _check_seat(actor, meeting: Meeting, seat: Seat, today: date) -> None:
    if seat.body_id != meeting.body_id or not seat.in_force_on(today):
        raise ValidationError(_("%(seat)s does not hold a seat in this body today.") % {"seat": seat})
    if not seat.has_vote:
        raise ValidationError(
            _("%(seat)s has no vote (%(role)s): only members with a vote may request agenda items.")
            % {"seat": seat, "role": seat.get_role_display()}
        )
    actor_pk = getattr(actor, "pk", None)
    if actor_pk is None or actor_pk not in (seat.member_user_id, seat.substitute_user_id):
        raise ValidationError(_("Only the member or the substitute of a seat may request items for it."))


def _clean_text(value: Any) -> str:
    return " ".join(str(value or "").split())


# --- Write paths ----------------------------------------------------------------------------------------


@transaction.atomic
def request_item(actor, meeting: Meeting, seat: Seat, data: Mapping[str, Any], now=None) -> AgendaRequest:
    """A member's (or substitute's) request, for one of their voting seats, to add an item to the agenda."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("body", "programme").get(pk=meeting.pk)
    )
    now = now or timezone.now()
    _check_window(meeting, now)
    _check_seat(actor, meeting, seat, timezone.localdate(now))
    errors: dict[str, list[str]] = {}
    title = _clean_text(data.get("title_it"))
    reason = (data.get("reason") or "").strip()
    kind = data.get("kind") or AgendaItemKind.EXAMINATION
    if not title:
        errors["title_it"] = [_("Give the title of the item you propose.")]
    elif len(title) > 300:
        errors["title_it"] = [_("The title may be at most 300 characters long.")]
    if not reason:
        errors["reason"] = [_("Explain why the item should be on the agenda.")]
    if kind not in AgendaItemKind.values:
        errors["kind"] = [_("Choose the type of the item.")]
    if errors:
        raise ValidationError(errors)
    agenda_request = AgendaRequest.objects.create(
        meeting=meeting, seat=seat, author=actor, title_it=title, reason=reason, kind=kind
    )
    record(actor, "meetings.agenda_request.made", agenda_request, diff({}, picture(agenda_request)))
    notify_secretariat(agenda_request)
    return agenda_request


def _locked(agenda_request: AgendaRequest) -> AgendaRequest:
    return (
        AgendaRequest.objects.select_for_update(of=("self",))
        .select_related("meeting__body", "seat__organization", "author")
        .get(pk=agenda_request.pk)
    )


def _pending(agenda_request: AgendaRequest) -> None:
    if agenda_request.status != AgendaRequestStatus.PENDING:
        raise ValidationError(_("This request has already been answered."))


@transaction.atomic
def accept(actor, agenda_request: AgendaRequest, answer: str = "", now=None) -> AgendaRequest:
    """Add the requested item at the end of the agenda and link it to the request. For a convened meeting
    the invitation gets a new revision (``sequence`` + 1) and is sent again, since it carries the agenda."""
    agenda_request = _locked(agenda_request)
    now = now or timezone.now()
    _pending(agenda_request)
    meeting = agenda_request.meeting
    if meeting.state != MeetingState.CONVENED:
        raise ValidationError(_("The agenda of a meeting that is over or cancelled cannot change."))
    item = decisions.add_agenda_item(
        actor,
        meeting,
        {
            "title_it": agenda_request.title_it,
            "kind": agenda_request.kind,
            "presenter": agenda_request.seat.organization.name[:200],
        },
    )
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    meeting.sequence += 1
    meeting.save(update_fields=["sequence", "updated_at"])
    record(
        actor,
        "meetings.meeting.agenda_extended",
        meeting,
        {"sequence": [meeting.sequence - 1, meeting.sequence], "item": [None, item.pk]},
    )
    invitations.schedule(meeting, invitations.REQUEST)
    before = picture(agenda_request)
    agenda_request.status = AgendaRequestStatus.ACCEPTED
    agenda_request.answer = (answer or "").strip()
    agenda_request.answered_at = now
    agenda_request.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    agenda_request.item = item
    agenda_request.save()
    record(actor, "meetings.agenda_request.accepted", agenda_request, diff(before, picture(agenda_request)))
    notify_requester(agenda_request)
    return agenda_request


@transaction.atomic
def decline(actor, agenda_request: AgendaRequest, answer: str, now=None) -> AgendaRequest:
    """Decline the request with its reasons, which the requester is told and the public page shows."""
    agenda_request = _locked(agenda_request)
    now = now or timezone.now()
    _pending(agenda_request)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Give the reasons for declining the request.")]})
    before = picture(agenda_request)
    agenda_request.status = AgendaRequestStatus.DECLINED
    agenda_request.answer = answer
    agenda_request.answered_at = now
    agenda_request.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    agenda_request.save()
    record(actor, "meetings.agenda_request.declined", agenda_request, diff(before, picture(agenda_request)))
    notify_requester(agenda_request)
    return agenda_request


# --- Notices --------------------------------------------------------------------------------------------


def secretariat_accounts(meeting: Meeting):
    """The secretariat of the meeting: staff of its programme and of the programmes its body serves, and
    the accounts linked to the body's secretariat seat (the recipients of the minutes reminders)."""
    from .jobs import minutes_recipients  # jobs imports the services of every procedure

    return minutes_recipients(meeting, timezone.localdate())


def _values(agenda_request: AgendaRequest) -> dict[str, str]:
    meeting = agenda_request.meeting
    return {
        "title": agenda_request.title_it,
        "meeting": meeting.title_it,
        "date": date_format(meeting.day, "DATE_FORMAT"),
        "organisation": agenda_request.seat.organization.name,
        "member": agenda_request.seat.member_name,
    }


def notify_secretariat(agenda_request: AgendaRequest) -> int:
    """Tell the secretariat a member asked for an item."""
    with translation.override(settings.LANGUAGE_CODE):
        values = _values(agenda_request)
        notice = Notice(
            kind=NOTICE_KIND,
            key=f"meetings.agenda_request.{agenda_request.pk}.made",
            subject=_("Request to add an agenda item: %(meeting)s") % values,
            body=_(
                "%(organisation)s asks to add the item “%(title)s” to the agenda of the meeting "
                "“%(meeting)s” of %(date)s. Accept or decline it, with the reasons, on the meeting's page."
            )
            % values,
            url=reverse("manage_meetings:meeting", args=[agenda_request.meeting_id]) + "#agenda-requests",
        )
        return len(notify(secretariat_accounts(agenda_request.meeting), notice))


def notify_requester(agenda_request: AgendaRequest) -> int:
    """Tell the member who asked (or, if their account is gone, the seat's holders) the answer."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {**_values(agenda_request), "answer": agenda_request.answer}
        if agenda_request.status == AgendaRequestStatus.ACCEPTED:
            subject = _("Agenda item added: %(title)s") % values
            body = (
                _(
                    "Your request was accepted: the item “%(title)s” is on the agenda of the meeting "
                    "“%(meeting)s” of %(date)s."
                )
                % values
            )
        else:
            subject = _("Agenda request declined: %(title)s") % values
            body = (
                _(
                    "Your request to add the item “%(title)s” to the agenda of the meeting “%(meeting)s” of "
                    "%(date)s was declined."
                )
                % values
            )
        if agenda_request.answer:
            body += " " + _("Answer of the secretariat: %(answer)s") % values
        notice = Notice(
            kind=NOTICE_KIND,
            key=f"meetings.agenda_request.{agenda_request.pk}.answered",
            subject=subject,
            body=body,
            url=reverse("meetings:detail", args=[agenda_request.meeting_id]) + "#agenda-requests",
        )
        if agenda_request.author is not None:
            recipients = [agenda_request.author]
        else:
            seat = agenda_request.seat
            recipients = get_user_model().objects.filter(
                pk__in=[pk for pk in (seat.member_user_id, seat.substitute_user_id) if pk]
            )
        return len(notify(recipients, notice))
