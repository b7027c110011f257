"""Write paths for the minutes of a meeting (issue 4, point 5; ECCP Art. 11, CPR Art. 38(4)).

draft → circulated → (revised: a new draft version → circulated again) → approved → published.

- **Start**: the minutes of a *held* body meeting open as version 1, one section per agenda item, pre-filled
  with what the record already says (outcome, how it was decided, the tally, recusals for conflicts of
  interest) and an opening with the attendance and the quorum. The secretariat writes the rest.
- **Save**: only the current version, and only while it is a draft (not yet circulated).
- **Circulate**: freezes the version and opens a comment window for the body's members and substitutes,
  who are notified. The window is counted in working days from the day of circulation (Italian calendar
  plus the local holidays of the body's programmes). Default: :data:`DEFAULT_COMMENT_WORKING_DAYS` = 10, the
  value proposed in ``docs/eccp-requirements.md`` §3 for comments on minutes (and the "10 for members'
  comments" in the 30 working days of ``Programme.minutes_publication_working_days``). The secretariat may
  choose between :data:`MIN_COMMENT_WORKING_DAYS` (5, as short as an urgent notice) and
  :data:`MAX_COMMENT_WORKING_DAYS`. The body's agenda-request window was not used: it measures something
  else (asking for agenda items), and its default of 5 days would be the shortest window the law allows.
- **Comment**: members and substitutes of the body (seats in force), on one item or on the whole text,
  while the minutes are circulated and until the end of the deadline day. Comments are append-only.
- **Revise**: a new version copied from the last one, with a note saying what changed (the answer to the
  comments); it is a draft again, to be edited and circulated.
- **Approve**: once the comment window is over, at a later held meeting of the same body (held on or after
  the day the version was circulated) or by a closed and approved written procedure of the same body opened
  after the circulation.
- **Publish**: only approved minutes; renders the archival PDF (PDF/A-3b) and keeps it. Approved and
  published minutes never change.

Every write is audited; texts the platform writes into the minutes are in the platform's language (Italian),
the language of the administration's records.
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from officine.core.audit import diff, record
from officine.core.workdays import add_working_days
from officine.notifications.services import Notice, notify

from . import quorum
from .auditing import picture
from .models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ConflictDeclaration,
    DecisionMethod,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingState,
    Minutes,
    MinutesComment,
    MinutesSection,
    MinutesState,
    MinutesVersion,
    ProcedureResult,
    ProcedureState,
    Seat,
    SeatRole,
    Vote,
    WrittenProcedure,
)
from .written_procedures import body_extra_holidays

DEFAULT_COMMENT_WORKING_DAYS = 10
MIN_COMMENT_WORKING_DAYS = 5
MAX_COMMENT_WORKING_DAYS = 30

NOTICE_KIND = "meetings.minutes_circulated"


# --- Helpers --------------------------------------------------------------------------------------------


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _locked(minutes: Minutes) -> Minutes:
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__body", "meeting__programme")
        .get(pk=minutes.pk)
    )


def current_version(minutes: Minutes) -> MinutesVersion:
    return minutes.versions.order_by("-number").first()


def _refuse_if_final(minutes: Minutes) -> None:
    if minutes.state == MinutesState.PUBLISHED:
        raise ValidationError(_("Published minutes cannot change."), code="published")
    if minutes.state == MinutesState.APPROVED:
        raise ValidationError(_("Approved minutes cannot change."), code="approved")


def _clean(value: Any) -> str:
    """Text as typed, with Windows line ends normalised and blank space trimmed at both ends."""
    return str(value or "").replace("\r\n", "\n").strip()


# --- The pre-filled text --------------------------------------------------------------------------------


def _seat_label(seat: Seat) -> str:
    return f"{seat.member_name} ({seat.organization.name})"


def _attendance(seat: Seat, statuses: dict[int, str]) -> str | None:
    """The recorded attendance; a voting seat with none is absent (it counts against the quorum), other seats
    (observers, secretariat) with none are left out of the lists."""
    status = statuses.get(seat.pk)
    if status is None and seat.has_vote:
        return AttendanceStatus.ABSENT
    return status


def opening_text(meeting: Meeting) -> str:
    """Date, place, chair, attendance and quorum of ``meeting``, as the minutes open."""
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    lines = [
        _("Meeting of %(date)s, from %(start)s to %(end)s.")
        % {
            "date": date_format(start.date(), "DATE_FORMAT"),
            "start": time_format(start.time(), "TIME_FORMAT"),
            "end": time_format(end.time(), "TIME_FORMAT"),
        }
    ]
    if meeting.mode == MeetingMode.ONLINE:
        lines.append(_("Held online."))
    elif meeting.place:
        where = {"place": meeting.place}
        if meeting.mode == MeetingMode.HYBRID:
            lines.append(_("Held at %(place)s and online.") % where)
        else:
            lines.append(_("Held at %(place)s.") % where)
    seats = list(
        Seat.objects.filter(body_id=meeting.body_id).in_force(meeting.day).select_related("organization")
    )
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("seat_id", "status"))
    chairs = [s for s in seats if s.role == SeatRole.CHAIR and statuses.get(s.pk) != AttendanceStatus.ABSENT]
    if chairs:
        lines.append(_("Chair: %(names)s.") % {"names": ", ".join(_seat_label(s) for s in chairs)})
    state = quorum.meeting_quorum(meeting)
    lines.append(
        _("Voting members present: %(present)d of %(members)d (quorum: %(required)d).")
        % {"present": state.present, "members": state.voting_members, "required": state.required}
    )
    lines.append(_("The quorum is met.") if state.is_met else _("The quorum is not met."))
    groups = [
        (AttendanceStatus.PRESENT, _("Present: %(names)s.")),
        (AttendanceStatus.ONLINE, _("Present online: %(names)s.")),
        (AttendanceStatus.SUBSTITUTE, _("Represented by their substitute: %(names)s.")),
        (AttendanceStatus.ABSENT, _("Absent: %(names)s.")),
    ]
    for status, text in groups:
        names = [
            f"{s.substitute_name} ({s.organization.name})"
            if status == AttendanceStatus.SUBSTITUTE and s.substitute_name
            else _seat_label(s)
            for s in seats
            if _attendance(s, statuses) == status
        ]
        if names:
            lines.append(text % {"names": "; ".join(names)})
    return "\n".join(lines)


def section_texts(meeting: Meeting) -> dict[int, str]:
    """The pre-filled text of every agenda item of ``meeting``: type, presenter, outcome, how it was decided,
    the tally of a vote and the members who left the item for a conflict of interest. Four queries."""
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order"))
    votes: dict[int, list[str]] = defaultdict(list)
    for item_id, choice in Vote.objects.filter(item__meeting=meeting).values_list("item_id", "choice"):
        votes[item_id].append(choice)
    recused: dict[int, list[str]] = defaultdict(list)
    for declaration in (
        ConflictDeclaration.objects.filter(item__meeting=meeting)
        .select_related("seat__organization")
        .order_by("created_at", "pk")
    ):
        label = _seat_label(declaration.seat)
        if declaration.note:
            label = f"{label}: {declaration.note.rstrip('. ')}"
        recused[declaration.item_id].append(label)
    texts: dict[int, str] = {}
    for item in items:
        lines = [str(item.get_kind_display()) + "."]
        if item.presenter:
            lines.append(_("Presented by %(name)s.") % {"name": item.presenter})
        if recused[item.pk]:
            lines.append(
                _("Left the item for a declared conflict of interest: %(names)s.")
                % {"names": "; ".join(recused[item.pk])}
            )
        if item.outcome:
            outcome = {
                "outcome": item.get_outcome_display(),
                "method": str(item.get_decided_by_display()).lower(),
            }
            if item.decided_by:
                lines.append(_("Outcome: %(outcome)s (%(method)s).") % outcome)
            else:
                lines.append(_("Outcome: %(outcome)s.") % outcome)
            if item.decided_by == DecisionMethod.VOTE:
                tally = quorum.Tally.of(votes[item.pk])
                lines.append(
                    _("Votes: %(for)d in favour, %(against)d against, %(abstain)d abstentions.")
                    % {"for": tally.in_favour, "against": tally.against, "abstain": tally.abstentions}
                )
        else:
            lines.append(_("No decision was recorded on this item."))
        texts[item.pk] = "\n".join(lines)
    return texts


# --- Start and draft ------------------------------------------------------------------------------------


@transaction.atomic
def start_minutes(actor, meeting: Meeting, now: datetime | None = None) -> Minutes:
    """The minutes of ``meeting``: the existing ones, or new ones (version 1, pre-filled) for a held body
    meeting."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("body", "programme").get(pk=meeting.pk)
    )
    existing = Minutes.objects.filter(meeting=meeting).first()
    if existing is not None:
        return existing
    if meeting.kind != MeetingKind.BODY_MEETING or meeting.body_id is None:
        raise ValidationError(_("Minutes are kept for the meetings of a body."))
    if meeting.state != MeetingState.HELD:
        raise ValidationError(_("Minutes are written once the meeting has been held."))
    with translation.override(settings.LANGUAGE_CODE):
        opening = opening_text(meeting)
        texts = section_texts(meeting)
    minutes = Minutes.objects.create(meeting=meeting)
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=1,
        opening=opening,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    MinutesSection.objects.bulk_create(
        [MinutesSection(version=version, item_id=item_id, text=text) for item_id, text in texts.items()]
    )
    record(actor, "meetings.minutes.started", minutes, {"state": [None, minutes.state], "version": [None, 1]})
    return minutes


@transaction.atomic
def save_draft(actor, minutes: Minutes, data: Mapping[str, Any]) -> MinutesVersion:
    """Save the text of the current draft version: ``opening``, ``closing`` and ``sections`` (agenda item
    id → text). Keys left out keep their text; a section of an item not in the minutes is refused."""
    minutes = _locked(minutes)
    _refuse_if_final(minutes)
    version = current_version(minutes)
    if minutes.state != MinutesState.DRAFT or version.is_frozen:
        raise ValidationError(
            _("This version has been circulated and cannot change: revise the minutes to open a new version.")
        )
    changes: dict[str, list] = {}
    for name in ("opening", "closing"):
        if name in data:
            value = _clean(data[name])
            if value != getattr(version, name):
                changes[name] = [getattr(version, name), value]
                setattr(version, name, value)
    sections = {section.item_id: section for section in version.sections.all()}
    wanted = {int(key): _clean(text) for key, text in (data.get("sections") or {}).items()}
    unknown = set(wanted) - set(sections)
    if unknown:
        raise ValidationError(
            _("These agenda items are not part of the minutes: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in sorted(unknown))}
        )
    changed = []
    for item_id, text in wanted.items():
        section = sections[item_id]
        if section.text != text:
            changes[f"section:{item_id}"] = [section.text, text]
            section.text = text
            changed.append(section)
    if changed:
        MinutesSection.objects.bulk_update(changed, ["text"])
    if changes:
        if getattr(actor, "is_authenticated", False):
            version.author = actor
        version.save(update_fields=["opening", "closing", "author", "updated_at"])
        record(actor, "meetings.minutes.draft_saved", version, changes)
    return version


# --- Circulation and comments ---------------------------------------------------------------------------


def comments_deadline_for(minutes: Minutes, circulated_on: date, working_days: int) -> date:
    return add_working_days(circulated_on, working_days, body_extra_holidays(minutes.meeting.body))


def body_recipients(body) -> Any:
    """Accounts of the members and substitutes of the body's seats in force today."""
    seats = Seat.objects.in_force().filter(body=body)
    return get_user_model().objects.filter(
        Q(pk__in=seats.values("member_user_id")) | Q(pk__in=seats.values("substitute_user_id")),
        is_active=True,
    )


@transaction.atomic
def circulate(
    actor, minutes: Minutes, *, working_days: int = DEFAULT_COMMENT_WORKING_DAYS, now: datetime | None = None
) -> Minutes:
    """Freeze the current draft version and open the members' comment window; notify the members."""
    minutes = _locked(minutes)
    now = now or timezone.now()
    _refuse_if_final(minutes)
    if minutes.state == MinutesState.CIRCULATED:
        raise ValidationError(_("These minutes are already circulated."))
    try:
        working_days = int(working_days)
    except (TypeError, ValueError):
        working_days = 0
    if not MIN_COMMENT_WORKING_DAYS <= working_days <= MAX_COMMENT_WORKING_DAYS:
        raise ValidationError(
            {
                "working_days": [
                    _("Give members between %(min)d and %(max)d working days to comment.")
                    % {"min": MIN_COMMENT_WORKING_DAYS, "max": MAX_COMMENT_WORKING_DAYS}
                ]
            }
        )
    version = current_version(minutes)
    has_text = version.opening.strip() or any(s.text.strip() for s in version.sections.all())
    if not has_text:
        raise ValidationError(_("Write the minutes before circulating them."))
    version.circulated_at = now
    version.save(update_fields=["circulated_at", "updated_at"])
    before = picture(minutes)
    minutes.state = MinutesState.CIRCULATED
    minutes.comments_deadline = comments_deadline_for(minutes, timezone.localdate(now), working_days)
    minutes.save(update_fields=["state", "comments_deadline", "updated_at"])
    changes = diff(before, picture(minutes))
    changes["version"] = [None, version.number]
    record(actor, "meetings.minutes.circulated", minutes, changes)
    notify_circulated(minutes, version)
    return minutes


def notify_circulated(minutes: Minutes, version: MinutesVersion) -> int:
    meeting = minutes.meeting
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "meeting": meeting.title_it,
            "date": _short(meeting.day),
            "deadline": _short(minutes.comments_deadline),
            "version": version.number,
        }
        notice = Notice(
            kind=NOTICE_KIND,
            key=f"meetings.minutes.{minutes.pk}.v{version.number}.circulated",
            subject=_("Draft minutes for your comments: %(meeting)s") % values,
            body=_(
                "The draft minutes (version %(version)d) of the meeting “%(meeting)s” of %(date)s are "
                "circulated to the members. You may comment on them until %(deadline)s."
            )
            % values,
            url=reverse("minutes:detail", kwargs={"meeting_pk": meeting.pk}),
        )
        return len(notify(body_recipients(meeting.body), notice))


@transaction.atomic
def comment(
    actor, minutes: Minutes, text: str, item: AgendaItem | None = None, now: datetime | None = None
) -> MinutesComment:
    """A member's comment on the circulated version, on ``item`` or (without one) on the whole text."""
    minutes = _locked(minutes)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if minutes.state != MinutesState.CIRCULATED:
        raise ValidationError(_("Comments are taken only while the minutes are circulated."))
    if minutes.comments_deadline is None or today > minutes.comments_deadline:
        raise ValidationError(
            _("The deadline for comments was %(date)s.") % {"date": _short(minutes.comments_deadline)},
            code="late",
        )
    seat = None
    if getattr(actor, "is_authenticated", False) and actor.is_active:
        seat = (
            Seat.objects.in_force(today)
            .filter(Q(member_user=actor) | Q(substitute_user=actor), body_id=minutes.meeting.body_id)
            .order_by("role", "pk")
            .first()
        )
    if seat is None:
        raise ValidationError(_("Only members and substitutes of the body may comment on its minutes."))
    if item is not None and item.meeting_id != minutes.meeting_id:
        raise ValidationError({"item": [_("Choose an item of this meeting's agenda.")]})
    text = _clean(text)
    if not text:
        raise ValidationError({"text": [_("Write your comment.")]})
    version = current_version(minutes)
    note = MinutesComment.objects.create(
        version=version, item=item, seat=seat, author=actor, text=text, at=now
    )
    record(actor, "meetings.minutes.commented", note, diff({}, picture(note)))
    return note


# --- Revision, approval, publication --------------------------------------------------------------------


@transaction.atomic
def revise(actor, minutes: Minutes, change_note: str, now: datetime | None = None) -> MinutesVersion:
    """A new draft version copied from the circulated one, saying what changed; the comment round ends."""
    minutes = _locked(minutes)
    _refuse_if_final(minutes)
    if minutes.state != MinutesState.CIRCULATED:
        raise ValidationError(_("The current version is still a draft: edit it instead of revising it."))
    change_note = _clean(change_note)
    if not change_note:
        raise ValidationError({"change_note": [_("Say what changes in the new version and why.")]})
    last = current_version(minutes)
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=last.number + 1,
        opening=last.opening,
        closing=last.closing,
        change_note=change_note,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    MinutesSection.objects.bulk_create(
        [
            MinutesSection(version=version, item_id=section.item_id, text=section.text)
            for section in last.sections.all()
        ]
    )
    before = picture(minutes)
    minutes.state = MinutesState.DRAFT
    minutes.comments_deadline = None
    minutes.save(update_fields=["state", "comments_deadline", "updated_at"])
    changes = diff(before, picture(minutes))
    changes["version"] = [last.number, version.number]
    changes["change_note"] = [None, change_note]
    record(actor, "meetings.minutes.revised", minutes, changes)
    return version


def approval_meetings(minutes: Minutes, version: MinutesVersion | None = None):
    """Meetings that may approve ``minutes``: held meetings of the same body, after the minuted meeting and
    on or after the day the current version was circulated."""
    version = version or current_version(minutes)
    meeting = minutes.meeting
    if version is None or version.circulated_at is None:
        return Meeting.objects.none()
    circulated_on = timezone.localdate(version.circulated_at)
    start_of_day = timezone.make_aware(datetime.combine(circulated_on, datetime.min.time()))
    return Meeting.objects.filter(
        body_id=meeting.body_id,
        kind=MeetingKind.BODY_MEETING,
        state=MeetingState.HELD,
        starts_at__gt=meeting.starts_at,
        starts_at__gte=start_of_day,
    ).exclude(pk=meeting.pk)


def approval_procedures(minutes: Minutes, version: MinutesVersion | None = None):
    """Written procedures that may approve ``minutes``: of the same body, opened after the current version
    was circulated, closed and approved."""
    version = version or current_version(minutes)
    if version is None or version.circulated_at is None:
        return WrittenProcedure.objects.none()
    return WrittenProcedure.objects.filter(
        body_id=minutes.meeting.body_id,
        state=ProcedureState.CLOSED,
        result=ProcedureResult.APPROVED,
        opened_at__gte=version.circulated_at,
    )


@transaction.atomic
def approve(
    actor,
    minutes: Minutes,
    *,
    meeting: Meeting | None = None,
    procedure: WrittenProcedure | None = None,
    now: datetime | None = None,
) -> Minutes:
    """Record the approval of the circulated version, at ``meeting`` or by ``procedure`` (exactly one)."""
    minutes = _locked(minutes)
    now = now or timezone.now()
    _refuse_if_final(minutes)
    if minutes.state != MinutesState.CIRCULATED:
        raise ValidationError(
            _("Only circulated minutes can be approved: circulate the current version first.")
        )
    if minutes.comments_deadline and timezone.localdate(now) <= minutes.comments_deadline:
        raise ValidationError(
            _("Members may comment until %(date)s: the minutes can be approved only after that day.")
            % {"date": _short(minutes.comments_deadline)},
            code="early",
        )
    if (meeting is None) == (procedure is None):
        raise ValidationError(_("Choose the meeting or the written procedure that approved the minutes."))
    version = current_version(minutes)
    if meeting is not None:
        if meeting.pk == minutes.meeting_id:
            raise ValidationError(
                {"approval": [_("Minutes are approved at a later meeting, not at the meeting they record.")]}
            )
        if not approval_meetings(minutes, version).filter(pk=meeting.pk).exists():
            raise ValidationError(
                {
                    "approval": [
                        _(
                            "The approving meeting must be a held meeting of the same body, later than the "
                            "minuted one and not before the minutes were circulated."
                        )
                    ]
                }
            )
    else:
        if not approval_procedures(minutes, version).filter(pk=procedure.pk).exists():
            raise ValidationError(
                {
                    "approval": [
                        _(
                            "The written procedure must be of the same body, opened after the minutes were "
                            "circulated, closed and approved."
                        )
                    ]
                }
            )
    before = picture(minutes)
    minutes.state = MinutesState.APPROVED
    minutes.approved_at = now
    minutes.approved_at_meeting = meeting
    minutes.approved_by_procedure = procedure
    minutes.save(
        update_fields=["state", "approved_at", "approved_at_meeting", "approved_by_procedure", "updated_at"]
    )
    changes = diff(before, picture(minutes))
    changes["version"] = [None, version.number]
    record(actor, "meetings.minutes.approved", minutes, changes)
    return minutes


def pdf_filename(minutes: Minutes) -> str:
    return f"verbale-{minutes.meeting_id}.pdf"


@transaction.atomic
def publish(actor, minutes: Minutes, now: datetime | None = None) -> Minutes:
    """Publish approved minutes: keep their PDF/A and make them public. Published minutes never change."""
    from . import minutes_pdf

    minutes = _locked(minutes)
    now = now or timezone.now()
    if minutes.state == MinutesState.PUBLISHED:
        raise ValidationError(_("These minutes are already published."), code="published")
    if minutes.state != MinutesState.APPROVED:
        raise ValidationError(_("Only approved minutes can be published."))
    before = picture(minutes)
    minutes.state = MinutesState.PUBLISHED
    minutes.published_at = now
    content = minutes_pdf.render(minutes)
    minutes.pdf.save(pdf_filename(minutes), ContentFile(content), save=False)
    minutes.save(update_fields=["state", "published_at", "pdf", "updated_at"])
    record(actor, "meetings.minutes.published", minutes, diff(before, picture(minutes)))
    return minutes


@transaction.atomic
def store_missing_pdf(minutes: Minutes) -> Minutes:
    """Give published minutes their PDF/A if it is missing (minutes published before PDFs were kept, or a
    lost file): the text is final, so the file is the same whenever it is made."""
    from . import minutes_pdf

    minutes = _locked(minutes)
    if minutes.state != MinutesState.PUBLISHED or minutes.pdf:
        return minutes
    minutes.pdf.save(pdf_filename(minutes), ContentFile(minutes_pdf.render(minutes)), save=False)
    minutes.save(update_fields=["pdf", "updated_at"])
    record(None, "meetings.minutes.pdf_stored", minutes, {"pdf": ["", minutes.pdf.name]})
    return minutes
