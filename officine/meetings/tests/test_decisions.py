"""Attendance, conflicts of interest, votes and decisions through the services (CPR Art. 39-40, ECCP
Art. 12-13)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from officine.core.models import AuditEvent
from officine.meetings import decisions
from officine.meetings.models import (
    AgendaItemKind,
    AttendanceStatus,
    DecisionMethod,
    MajorityRule,
    MeetingState,
    Outcome,
    SeatRole,
    Vote,
    VoteChoice,
)
from officine.meetings.tests.factories import add_item, make_body, make_meeting, make_seat, make_seats, rome

# staff, programme, body: ../conftest.py


def build(body):
    voting = [make_seat(body, SeatRole.CHAIR), *make_seats(body, 5)]  # six voting members: quorum 3
    advisory = make_seat(body, SeatRole.ADVISORY)
    observer = make_seat(body, SeatRole.OBSERVER)
    meeting = make_meeting(body, state=MeetingState.CONVENED, notice_sent_at=rome(2026, 11, 20))
    return voting, advisory, observer, meeting


@pytest.fixture
def room(body):
    return build(body)


def attend_all(staff, meeting, seats, status=AttendanceStatus.PRESENT):
    for seat in seats:
        decisions.record_attendance(staff, meeting, seat, status)


def test_attendance_is_recorded_corrected_and_audited(staff, room):
    voting, _, _, meeting = room
    decisions.record_attendance(staff, meeting, voting[0], AttendanceStatus.ABSENT)
    attendance = decisions.record_attendance(staff, meeting, voting[0], AttendanceStatus.SUBSTITUTE)
    decisions.record_attendance(staff, meeting, voting[0], AttendanceStatus.SUBSTITUTE)  # unchanged: no event
    assert attendance.status == AttendanceStatus.SUBSTITUTE
    actions = AuditEvent.objects.filter(target_type="meetings.attendance").values_list("action", "changes")
    assert sorted(actions) == [
        ("meetings.attendance.changed", {"status": ["absent", "substitute"]}),
        ("meetings.attendance.recorded", {"status": [None, "absent"]}),
    ]


def test_attendance_refuses_strangers_missing_substitutes_and_drafts(staff, programme, room):
    voting, _, _, meeting = room
    stranger = make_seat(make_body([programme], name_it="Tavolo"))
    with pytest.raises(ValidationError, match="does not hold a seat"):
        decisions.record_attendance(staff, meeting, stranger, AttendanceStatus.PRESENT)
    lone = make_seat(meeting.body, substitute_name="")
    with pytest.raises(ValidationError, match="no substitute"):
        decisions.record_attendance(staff, meeting, lone, AttendanceStatus.SUBSTITUTE)
    draft = make_meeting(meeting.body, rome(2026, 12, 15))
    with pytest.raises(ValidationError, match="convened or held"):
        decisions.record_attendance(staff, draft, voting[0], AttendanceStatus.PRESENT)


def test_votes_are_refused_for_advisory_observers_absent_and_conflicted_members(staff, room):
    voting, advisory, observer, meeting = room
    item = add_item(meeting)
    attend_all(staff, meeting, [*voting[:4], advisory, observer])
    decisions.declare_conflict(staff, item, voting[1], note="Beneficiario dell'avviso.")
    with pytest.raises(ValidationError) as excinfo:
        decisions.record_votes(
            staff,
            item,
            {
                voting[0]: VoteChoice.FOR,
                voting[1]: VoteChoice.FOR,
                voting[5]: VoteChoice.FOR,
                advisory: VoteChoice.AGAINST,
                observer: VoteChoice.AGAINST,
            },
        )
    messages = " | ".join(excinfo.value.messages)
    assert "conflict of interest" in messages and "not recorded as present" in messages
    assert messages.count("has no vote") == 2
    assert not Vote.objects.exists()  # all or nothing
    decisions.record_votes(staff, item, {voting[0]: VoteChoice.FOR})
    with pytest.raises(ValidationError, match="already voted"):
        decisions.record_votes(staff, item, {voting[0]: VoteChoice.AGAINST})
    with pytest.raises(ValidationError, match="already voted"):
        decisions.declare_conflict(staff, item, voting[0])


def test_votes_are_append_only():
    vote = Vote(choice=VoteChoice.FOR)
    vote.pk = 1
    with pytest.raises(ValidationError):
        vote.save()
    with pytest.raises(ValidationError):
        vote.delete()


def test_simple_majority_by_vote_with_a_recusal_recorded(staff, room):
    voting, _, _, meeting = room
    item = add_item(meeting)
    attend_all(staff, meeting, voting[:4])
    decisions.declare_conflict(staff, item, voting[3])
    decisions.record_votes(
        staff, item, {voting[0]: VoteChoice.FOR, voting[1]: VoteChoice.FOR, voting[2]: VoteChoice.AGAINST}
    )
    decisions.decide_item(staff, item, DecisionMethod.VOTE, now=rome(2026, 12, 9, 11))
    item.refresh_from_db()
    assert (item.outcome, item.decided_by) == (Outcome.APPROVED, DecisionMethod.VOTE)
    event = AuditEvent.objects.get(action="meetings.agenda_item.decided")
    assert event.changes["tally"] == [None, [2, 1, 0]]
    with pytest.raises(ValidationError, match="already been decided"):
        decisions.decide_item(staff, item, DecisionMethod.CONSENSUS, Outcome.REJECTED)


def test_no_decision_without_the_items_quorum(staff, room):
    voting, _, _, meeting = room
    item = add_item(meeting)
    attend_all(staff, meeting, voting[:3])  # 3 of 6: quorum met for the meeting
    decisions.declare_conflict(staff, item, voting[2])  # 2 of 5 for this item: 3 needed
    decisions.record_votes(staff, item, {voting[0]: VoteChoice.FOR, voting[1]: VoteChoice.FOR})
    with pytest.raises(ValidationError, match="2 of 5 voting members present, 3 needed"):
        decisions.decide_item(staff, item, DecisionMethod.VOTE)
    postponed = add_item(meeting, title="Rinviato")
    postponed = decisions.decide_item(staff, postponed, DecisionMethod.CONSENSUS, Outcome.POSTPONED)
    assert postponed.outcome == Outcome.POSTPONED  # postponing needs no quorum


@pytest.mark.parametrize(
    "rule, threshold, choices, expected",
    [
        (MajorityRule.SIMPLE, None, "FFAA", Outcome.REJECTED),
        (MajorityRule.SIMPLE, None, "FFAX", Outcome.APPROVED),
        # Qualified two thirds of the 4 present: 3 in favour pass (3 ≥ 2.668), 2 do not.
        (MajorityRule.QUALIFIED, Decimal("0.667"), "FFFA", Outcome.APPROVED),
        (MajorityRule.QUALIFIED, Decimal("0.667"), "FFXX", Outcome.REJECTED),
        (MajorityRule.CONSENSUS, None, "FFFX", Outcome.APPROVED),
        (MajorityRule.CONSENSUS, None, "FFFA", Outcome.REJECTED),
    ],
)
def test_each_majority_rule_decides_the_vote(staff, programme, rule, threshold, choices, expected):
    body = make_body([programme], majority_rule=rule, qualified_threshold=threshold)
    voting, _, _, meeting = build(body)
    item = add_item(meeting)
    attend_all(staff, meeting, voting[:4])
    letters = {"F": VoteChoice.FOR, "A": VoteChoice.AGAINST, "X": VoteChoice.ABSTAIN}
    decisions.record_votes(staff, item, {seat: letters[c] for seat, c in zip(voting, choices, strict=False)})
    assert decisions.decide_item(staff, item, DecisionMethod.VOTE).outcome == expected


def test_consensus_and_the_outcomes_each_kind_of_item_allows(staff, room):
    voting, _, _, meeting = room
    attend_all(staff, meeting, voting[:3])
    information = add_item(meeting, AgendaItemKind.INFORMATION, "Informativa")
    with pytest.raises(ValidationError):
        decisions.decide_item(staff, information, DecisionMethod.CONSENSUS, Outcome.APPROVED)
    with pytest.raises(ValidationError, match="noted, not voted"):
        decisions.record_votes(staff, information, {voting[0]: VoteChoice.FOR})
    decisions.decide_item(staff, information, DecisionMethod.CONSENSUS, Outcome.NOTED)
    approval = add_item(meeting, AgendaItemKind.APPROVAL, "Criteri di selezione")
    with pytest.raises(ValidationError) as excinfo:
        decisions.decide_item(staff, approval, DecisionMethod.CONSENSUS, Outcome.NOTED)
    assert "outcome" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        decisions.decide_item(staff, approval, DecisionMethod.VOTE, Outcome.APPROVED)
    assert "outcome" in excinfo.value.message_dict
    decisions.decide_item(staff, approval, DecisionMethod.CONSENSUS, Outcome.APPROVED)
    approval.refresh_from_db()
    assert (approval.outcome, approval.decided_by) == (Outcome.APPROVED, DecisionMethod.CONSENSUS)


def test_agenda_items_are_numbered_and_frozen_after_the_meeting(staff, room):
    _, _, _, meeting = room
    first = decisions.add_agenda_item(
        staff, meeting, {"title_it": "Approvazione  verbale", "kind": "approval"}
    )
    second = decisions.add_agenda_item(staff, meeting, {"title_it": "Varie", "kind": "information"})
    assert (first.order, first.title_it, second.order) == (1, "Approvazione verbale", 2)
    meeting.state = MeetingState.HELD
    meeting.save()
    with pytest.raises(ValidationError):
        decisions.add_agenda_item(staff, meeting, {"title_it": "Tardi"})
