"""Write paths for the agenda and what happens in the room: attendance, conflicts of interest, votes and the
decision on each item (CPR Art. 39-40, ECCP Art. 12-13).

Items the committee approves (CPR Art. 40(2)) need a recorded decision taken with the quorum; information
items are only noted. A vote is cast by a voting member present without a declared conflict on the item and,
once recorded, is never changed; a decided item is final (a later meeting takes a new item).
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.audit import diff, record

from . import quorum
from .auditing import picture
from .models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    ConflictDeclaration,
    DecisionMethod,
    Meeting,
    MeetingState,
    Outcome,
    Seat,
    Vote,
    VoteChoice,
)

#: States in which the meeting's record (attendance, votes, decisions) may be written.
RECORDING_STATES = (MeetingState.CONVENED, MeetingState.HELD)

#: Outcomes each kind of item may have.
ALLOWED_OUTCOMES: dict[str, tuple[str, ...]] = {
    AgendaItemKind.APPROVAL: (Outcome.APPROVED, Outcome.REJECTED, Outcome.POSTPONED),
    AgendaItemKind.EXAMINATION: (Outcome.APPROVED, Outcome.REJECTED, Outcome.POSTPONED, Outcome.NOTED),
    AgendaItemKind.INFORMATION: (Outcome.NOTED, Outcome.POSTPONED),
}
#: Outcomes that are decisions of the body, hence need the quorum.
QUORUM_OUTCOMES = (Outcome.APPROVED, Outcome.REJECTED)

ITEM_FIELDS = ("title_it", "title_en", "presenter", "kind")


# --- Agenda ---------------------------------------------------------------------------------------------


@transaction.atomic
def add_agenda_item(actor, meeting: Meeting, data: Mapping[str, Any]) -> AgendaItem:
    """Append an item to the agenda of a meeting still to be held (members may ask for items after the
    notice, within the body's window)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state not in (MeetingState.DRAFT, MeetingState.CONVENED):
        raise ValidationError(_("The agenda of a meeting that is over or cancelled cannot change."))
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    item = AgendaItem(meeting=meeting, order=last + 1)
    for name in ITEM_FIELDS:
        if name in data:
            value = data[name]
            setattr(item, name, " ".join(value.split()) if isinstance(value, str) else value)
    item.full_clean(exclude=["meeting"], validate_constraints=False)
    item.save()
    record(actor, "meetings.agenda_item.added", item, diff({}, picture(item)))
    return item


@transaction.atomic
def update_agenda_item(actor, item: AgendaItem, data: Mapping[str, Any]) -> AgendaItem:
    """Correct an item's title, presenter or kind while the meeting is still to be held and the item is not
    decided; its place in the order stays."""
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=item.pk)
    if item.meeting.state not in (MeetingState.DRAFT, MeetingState.CONVENED):
        raise ValidationError(_("The agenda of a meeting that is over or cancelled cannot change."))
    if item.is_decided:
        raise ValidationError(_("This item has already been decided."))
    if item.kind != data.get("kind", item.kind) and Vote.objects.filter(item=item).exists():
        raise ValidationError({"kind": [_("Votes were recorded on this item: its type cannot change.")]})
    before = picture(item)
    for name in ITEM_FIELDS:
        if name in data:
            value = data[name]
            setattr(item, name, " ".join(value.split()) if isinstance(value, str) else value)
    item.full_clean(exclude=["meeting"], validate_constraints=False)
    changes = diff(before, picture(item))
    if changes:
        item.save()
        record(actor, "meetings.agenda_item.updated", item, changes)
    return item


# --- Attendance -----------------------------------------------------------------------------------------


def _recording(meeting: Meeting) -> None:
    if meeting.state not in RECORDING_STATES:
        raise ValidationError(
            _("Attendance, votes and decisions are recorded only for a convened or held meeting.")
        )
    if meeting.body_id is None:
        raise ValidationError(_("Only meetings of a body have members, attendance and votes."))


def _seat_of(meeting: Meeting, seat: Seat) -> Seat:
    if seat.body_id != meeting.body_id or not seat.in_force_on(meeting.day):
        raise ValidationError(
            _("%(seat)s does not hold a seat in this body on the day of the meeting.") % {"seat": seat}
        )
    return seat


@transaction.atomic
def record_attendance(actor, meeting: Meeting, seat: Seat, status: str) -> Attendance:
    """Record (or correct) one seat's attendance; the quorum follows live."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("body").get(pk=meeting.pk)
    _recording(meeting)
    _seat_of(meeting, seat)
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": [_("Choose an attendance status.")]})
    if status == AttendanceStatus.SUBSTITUTE and not seat.substitute_name.strip():
        raise ValidationError({"status": [_("This seat has no substitute.")]})
    attendance = Attendance.objects.filter(meeting=meeting, seat=seat).first()
    if attendance is None:
        attendance = Attendance.objects.create(meeting=meeting, seat=seat, status=status)
        record(actor, "meetings.attendance.recorded", attendance, {"status": [None, status]})
    elif attendance.status != status:
        old = attendance.status
        attendance.status = status
        attendance.save(update_fields=["status", "updated_at"])
        record(actor, "meetings.attendance.changed", attendance, {"status": [old, status]})
    return attendance


# --- Conflicts of interest ------------------------------------------------------------------------------


def _locked_item(item: AgendaItem) -> AgendaItem:
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting__body").get(pk=item.pk)
    _recording(item.meeting)
    return item


@transaction.atomic
def declare_conflict(actor, item: AgendaItem, seat: Seat, note: str = "") -> ConflictDeclaration:
    """The member holding ``seat`` declares a conflict of interest on ``item``: they leave its quorum and
    vote. Declared before voting; the declaration stays in the record."""
    item = _locked_item(item)
    _seat_of(item.meeting, seat)
    if item.is_decided:
        raise ValidationError(_("This item has already been decided."))
    if Vote.objects.filter(item=item, seat=seat).exists():
        raise ValidationError(
            _("This member has already voted on this item: declare conflicts before voting.")
        )
    if ConflictDeclaration.objects.filter(item=item, seat=seat).exists():
        raise ValidationError(_("This member has already declared a conflict on this item."))
    declaration = ConflictDeclaration.objects.create(item=item, seat=seat, note=(note or "").strip())
    record(actor, "meetings.conflict.declared", declaration, diff({}, picture(declaration)))
    return declaration


# --- Votes and decisions --------------------------------------------------------------------------------


@transaction.atomic
def record_votes(actor, item: AgendaItem, votes: Mapping[Seat, str]) -> list[Vote]:
    """Record the votes of voting members present on ``item``, all or none. Votes of seats without a
    vote, absent, with a declared conflict, or who already voted are refused with the reason."""
    item = _locked_item(item)
    if item.is_decided:
        raise ValidationError(_("This item has already been decided."))
    if item.kind == AgendaItemKind.INFORMATION:
        raise ValidationError(_("Information items are noted, not voted on."))
    if not votes:
        raise ValidationError(_("Record at least one vote."))
    meeting = item.meeting
    present = quorum.present_seat_ids(meeting)
    conflicted = quorum.conflicted_seat_ids(item)
    already = set(Vote.objects.filter(item=item).values_list("seat_id", flat=True))
    problems: list[str] = []
    for seat, choice in votes.items():
        names = {"seat": seat}
        if choice not in VoteChoice.values:
            problems.append(_("%(seat)s: choose in favour, against or abstention.") % names)
        elif seat.body_id != meeting.body_id or not seat.in_force_on(meeting.day):
            problems.append(
                _("%(seat)s does not hold a seat in this body on the day of the meeting.") % names
            )
        elif not seat.has_vote:
            problems.append(
                _("%(seat)s has no vote (%(role)s).") % {**names, "role": seat.get_role_display()}
            )
        elif seat.pk in conflicted:
            problems.append(
                _("%(seat)s declared a conflict of interest on this item and cannot vote.") % names
            )
        elif seat.pk not in present:
            problems.append(_("%(seat)s is not recorded as present.") % names)
        elif seat.pk in already:
            problems.append(_("%(seat)s has already voted on this item.") % names)
    if problems:
        raise ValidationError(problems)
    cast = [Vote.objects.create(item=item, seat=seat, choice=choice) for seat, choice in votes.items()]
    record(
        actor,
        "meetings.votes.recorded",
        item,
        {"votes": [None, {str(vote.seat_id): vote.choice for vote in cast}]},
    )
    return cast


@transaction.atomic
def decide_item(actor, item: AgendaItem, method: str, outcome: str = "", now=None) -> AgendaItem:
    """Record the outcome of ``item``.

    By vote, the outcome is computed from the votes under the body's majority rule (approved or rejected)
    and ``outcome`` must be left empty; by consensus, the chair's ``outcome`` is recorded. Approving or
    rejecting needs the item's quorum (members with a conflict left out); noting or postponing does not.
    """
    item = _locked_item(item)
    now = now or timezone.now()
    if item.is_decided:
        raise ValidationError(_("This item has already been decided."))
    if method == DecisionMethod.VOTE:
        if item.kind == AgendaItemKind.INFORMATION:
            raise ValidationError(_("Information items are noted, not voted on."))
        if outcome:
            raise ValidationError({"outcome": [_("The outcome of a vote is computed from the votes.")]})
        if not Vote.objects.filter(item=item).exists():
            raise ValidationError(_("No vote has been recorded on this item."))
        outcome = Outcome.APPROVED if quorum.item_passes(item) else Outcome.REJECTED
    elif method == DecisionMethod.CONSENSUS:
        if Vote.objects.filter(item=item).exists():
            raise ValidationError(_("Votes were recorded on this item: decide it by vote."))
        if outcome not in ALLOWED_OUTCOMES[item.kind]:
            raise ValidationError(
                {
                    "outcome": [
                        _("Choose one of: %(outcomes)s.")
                        % {"outcomes": ", ".join(str(Outcome(o).label) for o in ALLOWED_OUTCOMES[item.kind])}
                    ]
                }
            )
    else:
        raise ValidationError({"decided_by": [_("Choose consensus or vote.")]})
    if outcome in QUORUM_OUTCOMES:
        state = quorum.item_quorum(item)
        if not state.is_met:
            raise ValidationError(
                _(
                    "The quorum is not met for this item: %(present)d of %(members)d voting members present, "
                    "%(required)d needed."
                )
                % {"present": state.present, "members": state.voting_members, "required": state.required}
            )
    before = picture(item)
    item.outcome = outcome
    item.decided_by = method
    item.decided_at = now
    item.save(update_fields=["outcome", "decided_by", "decided_at", "updated_at"])
    changes = diff(before, picture(item))
    if method == DecisionMethod.VOTE:
        tally = quorum.item_tally(item)
        changes["tally"] = [None, [tally.in_favour, tally.against, tally.abstentions]]
    record(actor, "meetings.agenda_item.decided", item, changes)
    return item


@transaction.atomic
def record_decision(
    actor, item: AgendaItem, method: str, votes: Mapping[Seat, str] | None = None, outcome: str = "", now=None
) -> AgendaItem:
    """The secretariat's decision form in one step: the votes given (if any) and the decision, all or
    nothing, so that a refused decision (no quorum, say) leaves no half-recorded vote behind."""
    if votes:
        record_votes(actor, item, votes)
    return decide_item(actor, item, method, outcome, now=now)
