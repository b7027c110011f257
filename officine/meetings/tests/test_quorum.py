"""Quorum and majority: the arithmetic on plain numbers, then the counts read from the meeting's record."""

from datetime import date
from decimal import Decimal

import pytest

from officine.meetings import quorum
from officine.meetings.models import (
    Attendance,
    AttendanceStatus,
    ConflictDeclaration,
    MajorityRule,
    MeetingState,
    SeatRole,
)
from officine.meetings.quorum import Tally, passes, required
from officine.meetings.tests.factories import add_item, make_meeting, make_seat, make_seats

# body: ../conftest.py


@pytest.mark.parametrize(
    "fraction, members, expected",
    [
        ("0.5", 25, 13),
        ("0.5", 24, 12),
        ("0.5", 1, 1),
        ("0.5", 0, 0),
        ("0.667", 9, 7),
        ("1", 7, 7),
        ("0.34", 3, 2),
    ],
)
def test_required_is_the_ceiling_of_the_share(fraction, members, expected):
    assert required(Decimal(fraction), members) == expected


@pytest.mark.parametrize(
    "rule, tally, present, threshold, expected",
    [
        (MajorityRule.SIMPLE, Tally(5, 4, 10), 19, None, True),  # abstentions count for neither side
        (MajorityRule.SIMPLE, Tally(4, 4, 0), 8, None, False),  # a tie fails
        (MajorityRule.SIMPLE, Tally(0, 0, 3), 3, None, False),
        (MajorityRule.QUALIFIED, Tally(6, 0, 3), 9, Decimal("0.667"), False),  # 6 < 6.003: 7 of 9 needed
        (MajorityRule.QUALIFIED, Tally(7, 2, 0), 9, Decimal("0.667"), True),  # 7 ≥ 6.003
        (MajorityRule.QUALIFIED, Tally(6, 0, 0), 10, Decimal("0.667"), False),  # 6 < 6.67: silence counts
        (MajorityRule.QUALIFIED, Tally(5, 0, 0), 10, Decimal("0.5"), True),  # exactly the threshold
        (MajorityRule.CONSENSUS, Tally(8, 0, 2), 10, None, True),
        (MajorityRule.CONSENSUS, Tally(9, 1, 0), 10, None, False),  # one against breaks consensus
        (MajorityRule.CONSENSUS, Tally(0, 0, 4), 4, None, False),
    ],
)
def test_majority_rules(rule, tally, present, threshold, expected):
    assert passes(rule, tally, present, threshold) is expected


def test_qualified_majority_without_threshold_is_a_programming_error():
    with pytest.raises(ValueError):
        passes(MajorityRule.QUALIFIED, Tally(3, 0, 0), 3)


@pytest.fixture
def committee(body):
    """Ten voting members (one of them the chair), plus one each of advisory, observer and secretariat."""
    voting = [make_seat(body, SeatRole.CHAIR), *make_seats(body, 9)]
    others = [make_seat(body, role) for role in (SeatRole.ADVISORY, SeatRole.OBSERVER, SeatRole.SECRETARIAT)]
    meeting = make_meeting(body, state=MeetingState.CONVENED)
    return voting, others, meeting


def attend(meeting, seats, status=AttendanceStatus.PRESENT):
    for seat in seats:
        Attendance.objects.update_or_create(meeting=meeting, seat=seat, defaults={"status": status})


def test_live_quorum_counts_present_online_and_substitutes_not_absent(committee):
    voting, _, meeting = committee
    assert quorum.meeting_quorum(meeting) == quorum.Quorum(voting_members=10, present=0, required=5)
    attend(meeting, voting[:2])
    attend(meeting, voting[2:3], AttendanceStatus.ONLINE)
    attend(meeting, voting[3:4], AttendanceStatus.SUBSTITUTE)
    attend(meeting, voting[4:8], AttendanceStatus.ABSENT)
    state = quorum.meeting_quorum(meeting)
    assert (state.present, state.is_met, state.missing) == (4, False, 1)
    attend(meeting, voting[4:5], AttendanceStatus.ONLINE)
    assert quorum.meeting_quorum(meeting).is_met


def test_advisory_members_observers_and_secretariat_never_count(committee):
    voting, others, meeting = committee
    attend(meeting, others)
    attend(meeting, voting[:4])
    state = quorum.meeting_quorum(meeting)
    assert (state.voting_members, state.present, state.is_met) == (10, 4, False)


def test_only_seats_in_force_on_the_day_count(body, committee):
    voting, _, meeting = committee
    make_seat(body, start_date=date(2027, 1, 1))  # appointed after the meeting
    make_seat(body, start_date=date(2025, 1, 1), end_date=date(2026, 6, 30))  # left before it
    assert quorum.meeting_quorum(meeting).voting_members == 10


def test_a_conflict_takes_the_member_out_of_the_items_quorum_and_vote(committee):
    voting, _, meeting = committee
    item, other_item = add_item(meeting), add_item(meeting, title="Altro punto")
    attend(meeting, voting[:5])
    ConflictDeclaration.objects.create(item=item, seat=voting[0], note="Il suo ente partecipa all'avviso.")
    state = quorum.item_quorum(item)
    # 9 voting members for this item, 4 of them present, 5 needed (ceil 4.5).
    assert (state.voting_members, state.present, state.required, state.excluded, state.is_met) == (
        9,
        4,
        5,
        1,
        False,
    )
    assert voting[0].pk not in quorum.eligible_voter_ids(item)
    assert quorum.item_quorum(other_item).is_met  # the declaration concerns one item only
    assert voting[0].pk in quorum.eligible_voter_ids(other_item)


def test_conflict_of_an_absent_member_shrinks_the_required_number(committee):
    voting, _, meeting = committee
    item = add_item(meeting)
    attend(meeting, voting[:5])
    ConflictDeclaration.objects.create(item=item, seat=voting[9])
    state = quorum.item_quorum(item)
    assert (state.voting_members, state.present, state.required, state.is_met) == (9, 5, 5, True)
