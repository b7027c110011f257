"""Meetings from draft to convened, held or cancelled, and the notice rule (ECCP Art. 11(b)).

draft → convened (the notice is sent) → held; draft or convened → cancelled. The notice and documents go out
at least the body's notice period in working days before the meeting (Italian calendar plus the programme's
local holiday); later only with the urgent flag, a reason (both recorded and shown) and within the urgent
period. Every change to a convened meeting bumps the iCalendar ``sequence`` so that calendars update the
invitation they already hold instead of adding a second one; the invitations themselves (REQUEST on the
notice and on each change, CANCEL on cancellation) are e-mailed by ``invitations`` once the change commits.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.core.audit import diff, record
from officine.core.workdays import add_working_days

from . import invitations
from .auditing import picture
from .models import Body, Meeting, MeetingKind, MeetingState

MEETING_FIELDS = (
    "body",
    "programme",
    "kind",
    "title_it",
    "title_en",
    "mode",
    "place",
    "online_link",
    "online_link_is_public",
    "starts_at",
    "ends_at",
    "capacity",
    "description_it",
    "description_en",
)
#: What ``reschedule`` may change once the meeting exists (title and description included: calendars show
#: them, so a change to a convened meeting is a new revision of the invitation too).
SCHEDULE_FIELDS = (
    "starts_at",
    "ends_at",
    "mode",
    "place",
    "online_link",
    "online_link_is_public",
    "title_it",
    "title_en",
    "description_it",
    "description_en",
)


@dataclass(frozen=True)
class NoticeCheck:
    """Whether a notice sent on ``sent_on`` respects the periods for a meeting on ``meeting_on``.

    ``latest`` is the last day for an ordinary notice, ``latest_urgent`` for an urgent one: the day that
    many working days before the meeting day (a notice sent on 24 November 2026 is 10 working days before
    Wednesday 9 December, 8 December being a holiday).
    """

    sent_on: date
    meeting_on: date
    latest: date
    latest_urgent: date

    @property
    def is_timely(self) -> bool:
        return self.sent_on <= self.latest

    @property
    def urgent_is_timely(self) -> bool:
        return self.sent_on <= self.latest_urgent


def notice_check(body: Body, meeting_on: date, sent_on: date, extra_holidays=()) -> NoticeCheck:
    return NoticeCheck(
        sent_on=sent_on,
        meeting_on=meeting_on,
        latest=add_working_days(meeting_on, -body.notice_working_days, extra_holidays),
        latest_urgent=add_working_days(meeting_on, -body.urgent_notice_working_days, extra_holidays),
    )


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _validate_notice(meeting: Meeting, sent_at: datetime, urgent: bool, reason: str) -> bool:
    """Raise if the notice is late for its kind; return whether it is an urgent convocation."""
    if sent_at >= meeting.starts_at:
        raise ValidationError(_("The meeting has already started: a notice can no longer be sent."))
    if meeting.body_id is None:  # public events and trainings have no rules of procedure
        return False
    body = meeting.body
    check = notice_check(body, meeting.day, timezone.localdate(sent_at), meeting.extra_holidays)
    if check.is_timely:
        return False
    if not urgent:
        raise ValidationError(
            _(
                "The notice must go out at least %(days)d working days before the meeting, by %(date)s. "
                "Mark the convocation as urgent and give the reason, or move the meeting."
            )
            % {"days": body.notice_working_days, "date": _short(check.latest)},
            code="late",
        )
    if not reason:
        raise ValidationError(
            {"urgency_reason": [_("An urgent convocation needs its reason, which is recorded and shown.")]}
        )
    if not check.urgent_is_timely:
        raise ValidationError(
            _(
                "Even an urgent notice must go out at least %(days)d working days before the meeting, by "
                "%(date)s: move the meeting."
            )
            % {"days": body.urgent_notice_working_days, "date": _short(check.latest_urgent)},
            code="late_urgent",
        )
    return True


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("body", "programme").get(pk=meeting.pk)
    )


def _clean(meeting: Meeting) -> None:
    meeting.full_clean(exclude=["created_by"], validate_constraints=False)


def _apply(meeting: Meeting, data: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in data:
            value = data[name]
            if isinstance(value, str) and name not in ("online_link", "description_it", "description_en"):
                value = " ".join(value.split())
            elif isinstance(value, str):
                value = value.strip()
            setattr(meeting, name, value)


@transaction.atomic
def create_meeting(actor, data: Mapping[str, Any]) -> Meeting:
    """A meeting in draft: nobody is told until the notice is sent."""
    author = actor if getattr(actor, "is_authenticated", False) else None
    meeting = Meeting(created_by=author)
    _apply(meeting, data, MEETING_FIELDS)
    errors: dict[str, list[str]] = {}
    try:
        _clean(meeting)
    except ValidationError as error:
        errors.update({k: list(v) for k, v in error.message_dict.items()})
    if (
        meeting.body_id
        and meeting.programme_id
        and not meeting.body.programmes.filter(pk=meeting.programme_id).exists()
    ):
        errors.setdefault("programme", []).append(_("This body does not serve that programme."))
    if errors:
        raise ValidationError(errors)
    meeting.save()
    record(actor, "meetings.meeting.created", meeting, diff({}, picture(meeting)))
    return meeting


@transaction.atomic
def send_notice(actor, meeting: Meeting, *, urgent: bool = False, reason: str = "", now=None) -> Meeting:
    """Convene the meeting: check the notice period, record when the notice went out and, for a late
    notice, the urgency and its reason. A timely notice is an ordinary one even if ``urgent`` was ticked."""
    meeting = _locked(meeting)
    now = now or timezone.now()
    if meeting.state != MeetingState.DRAFT:
        raise ValidationError(_("The notice of this meeting has already been sent, or the meeting is over."))
    if meeting.kind == MeetingKind.BODY_MEETING and not meeting.agenda_items.exists():
        raise ValidationError(_("Add the agenda before sending the notice."))
    reason = (reason or "").strip()
    is_urgent = _validate_notice(meeting, now, urgent, reason)
    before = picture(meeting)
    meeting.state = MeetingState.CONVENED
    meeting.notice_sent_at = now
    meeting.is_urgent = is_urgent
    meeting.urgency_reason = reason if is_urgent else ""
    meeting.save(update_fields=["state", "notice_sent_at", "is_urgent", "urgency_reason", "updated_at"])
    record(actor, "meetings.meeting.convened", meeting, diff(before, picture(meeting)))
    invitations.schedule(meeting, invitations.REQUEST)
    return meeting


@transaction.atomic
def reschedule(actor, meeting: Meeting, data: Mapping[str, Any]) -> Meeting:
    """Change time, mode, place or link. Once convened, the change is a new revision of the invitation
    (``sequence`` + 1), and moving the meeting earlier must still respect the notice already sent."""
    meeting = _locked(meeting)
    if meeting.state not in (MeetingState.DRAFT, MeetingState.CONVENED):
        raise ValidationError(_("Only a meeting still to be held can be rescheduled."))
    before = picture(meeting)
    previous_start = meeting.starts_at
    _apply(meeting, data, SCHEDULE_FIELDS)
    _clean(meeting)
    changes = diff(before, picture(meeting))
    if not changes:
        return meeting
    if meeting.state == MeetingState.CONVENED:
        if meeting.starts_at < previous_start:
            _validate_notice(meeting, meeting.notice_sent_at, meeting.is_urgent, meeting.urgency_reason)
        meeting.sequence += 1
        changes["sequence"] = [meeting.sequence - 1, meeting.sequence]
    meeting.save()
    record(actor, "meetings.meeting.rescheduled", meeting, changes)
    if meeting.state == MeetingState.CONVENED:
        invitations.schedule(meeting, invitations.REQUEST)
    return meeting


@transaction.atomic
def cancel(actor, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a meeting still to be held; the invitation's new revision tells calendars to drop it."""
    meeting = _locked(meeting)
    if meeting.state not in (MeetingState.DRAFT, MeetingState.CONVENED):
        raise ValidationError(_("Only a meeting still to be held can be cancelled."))
    if meeting.state == MeetingState.CONVENED and not (reason or "").strip():
        raise ValidationError({"cancellation_reason": [_("Tell the members why the meeting is cancelled.")]})
    before = picture(meeting)
    was_convened = meeting.state == MeetingState.CONVENED
    meeting.state = MeetingState.CANCELLED
    meeting.cancellation_reason = (reason or "").strip()
    meeting.sequence += 1
    meeting.save(update_fields=["state", "cancellation_reason", "sequence", "updated_at"])
    record(actor, "meetings.meeting.cancelled", meeting, diff(before, picture(meeting)))
    if was_convened:  # a draft was never sent to anyone: nothing to withdraw from their calendars
        invitations.schedule(meeting, invitations.CANCEL)
    return meeting


@transaction.atomic
def mark_held(actor, meeting: Meeting, now=None) -> Meeting:
    """Record that a convened meeting took place (once it has started)."""
    meeting = _locked(meeting)
    now = now or timezone.now()
    if meeting.state != MeetingState.CONVENED:
        raise ValidationError(_("Only a convened meeting can be recorded as held."))
    if now < meeting.starts_at:
        raise ValidationError(_("The meeting has not started yet."))
    before = picture(meeting)
    meeting.state = MeetingState.HELD
    meeting.save(update_fields=["state", "updated_at"])
    record(actor, "meetings.meeting.held", meeting, diff(before, picture(meeting)))
    return meeting
