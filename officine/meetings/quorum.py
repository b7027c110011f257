"""Quorum and majority: who counts, how many must be present, and whether an item passed.

Only seats with a vote (chair and voting members, CPR Art. 39(1)) count; advisory members, observers and the
secretariat never do. A member who declared a conflict of interest on an item (ECCP Art. 12-13) is taken out
of that item's count and vote altogether, so the item's quorum is computed on the remaining members.

The arithmetic (``required``, ``passes``) is pure and takes plain numbers; the functions that read the
database gather those numbers for a meeting or an item in a constant number of queries.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .models import (
    PRESENT_STATUSES,
    AgendaItem,
    Attendance,
    Body,
    ConflictDeclaration,
    MajorityRule,
    Meeting,
    Seat,
    Vote,
    VoteChoice,
)


def required(fraction: Decimal, voting_members: int) -> int:
    """Members who must be present: ``ceil(fraction × voting members)`` (half of 25 → 13)."""
    return math.ceil(Decimal(fraction) * voting_members)


@dataclass(frozen=True)
class Quorum:
    voting_members: int
    present: int
    required: int
    excluded: int = 0  # members out of the count because of a declared conflict (per item)

    @property
    def is_met(self) -> bool:
        return self.voting_members > 0 and self.present >= self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.present, 0)


@dataclass(frozen=True)
class Tally:
    in_favour: int = 0
    against: int = 0
    abstentions: int = 0

    @classmethod
    def of(cls, choices: Iterable[str]) -> "Tally":
        choices = list(choices)
        return cls(
            in_favour=choices.count(VoteChoice.FOR),
            against=choices.count(VoteChoice.AGAINST),
            abstentions=choices.count(VoteChoice.ABSTAIN),
        )

    @property
    def total(self) -> int:
        return self.in_favour + self.against + self.abstentions


def passes(rule: str, tally: Tally, voting_present: int, threshold: Decimal | None = None) -> bool:
    """Whether a vote carries under the body's rule.

    - simple: more in favour than against (abstentions count for neither side);
    - qualified: in favour ≥ threshold × voting members present (abstaining and silent members count
      against reaching the threshold, which is the point of a qualified majority);
    - consensus: nobody against (and at least one in favour, or nothing was agreed).
    """
    if rule == MajorityRule.SIMPLE:
        return tally.in_favour > tally.against
    if rule == MajorityRule.QUALIFIED:
        if threshold is None:
            raise ValueError("a qualified majority needs a threshold")
        return tally.in_favour > 0 and Decimal(tally.in_favour) >= Decimal(threshold) * voting_present
    if rule == MajorityRule.CONSENSUS:
        return tally.against == 0 and tally.in_favour > 0
    raise ValueError(f"unknown majority rule {rule!r}")


# --- Reading the records --------------------------------------------------------------------------------


def voting_seats(body: Body, on: date):
    """Seats with a vote in force on ``on``."""
    return Seat.objects.filter(body=body).in_force(on).voting()


def present_seat_ids(meeting: Meeting) -> set[int]:
    return set(
        Attendance.objects.filter(meeting=meeting, status__in=PRESENT_STATUSES).values_list(
            "seat_id", flat=True
        )
    )


def _voting_ids(meeting: Meeting) -> set[int]:
    if meeting.body_id is None:
        return set()
    return set(voting_seats(meeting.body, meeting.day).values_list("pk", flat=True))


def conflicted_seat_ids(item: AgendaItem) -> set[int]:
    return set(ConflictDeclaration.objects.filter(item=item).values_list("seat_id", flat=True))


def meeting_quorum(meeting: Meeting) -> Quorum:
    """The meeting's quorum as recorded so far (live during the meeting)."""
    voting = _voting_ids(meeting)
    present = present_seat_ids(meeting) & voting
    fraction = meeting.body.quorum_fraction if meeting.body_id else Decimal(0)
    return Quorum(voting_members=len(voting), present=len(present), required=required(fraction, len(voting)))


def item_quorum(item: AgendaItem) -> Quorum:
    """The quorum for one item: members with a declared conflict leave both the count and the presents."""
    meeting = item.meeting
    conflicted = conflicted_seat_ids(item)
    voting = _voting_ids(meeting)
    excluded = voting & conflicted
    voting -= excluded
    present = (present_seat_ids(meeting) & voting) - excluded
    fraction = meeting.body.quorum_fraction if meeting.body_id else Decimal(0)
    return Quorum(
        voting_members=len(voting),
        present=len(present),
        required=required(fraction, len(voting)),
        excluded=len(excluded),
    )


def eligible_voter_ids(item: AgendaItem) -> set[int]:
    """Seats that may vote on ``item``: voting members in force, present, without a declared conflict."""
    meeting = item.meeting
    return (_voting_ids(meeting) & present_seat_ids(meeting)) - conflicted_seat_ids(item)


def item_tally(item: AgendaItem) -> Tally:
    return Tally.of(Vote.objects.filter(item=item).values_list("choice", flat=True))


def item_passes(item: AgendaItem) -> bool:
    body = item.meeting.body
    return passes(body.majority_rule, item_tally(item), item_quorum(item).present, body.qualified_threshold)
