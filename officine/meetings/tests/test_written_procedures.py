"""Written procedures through the services: deadline in working days, who may answer and how, closing and
the result with and without silent consent."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from officine.core.models import AuditEvent
from officine.meetings import written_procedures as wp
from officine.meetings.models import (
    MajorityRule,
    ProcedureResult,
    ProcedureState,
    ResponseChoice,
    SeatRole,
    WrittenResponse,
)
from officine.meetings.tests.factories import make_seat, make_seats, rome

# staff, programme, body: ../conftest.py

OPENED = rome(2026, 11, 30, 9)  # Monday 30 November 2026
DEADLINE = date(2026, 12, 15)  # 10 working days later: 8 December is a holiday, weekends do not count


def open_(staff, body, **kwargs):
    return wp.open_procedure(
        staff, body, {"title_it": "Modifica dei criteri di selezione"}, now=OPENED, **kwargs
    )


def test_deadline_counts_working_days_across_the_immacolata(staff, body):
    procedure = open_(staff, body)
    assert procedure.deadline == DEADLINE
    assert procedure.state == ProcedureState.OPEN and procedure.result == ""
    assert AuditEvent.objects.filter(action="meetings.written_procedure.opened").count() == 1


def test_a_served_programme_local_holiday_moves_the_deadline(staff, body, programme):
    programme.local_holiday = "12-14"
    programme.save()
    assert wp.deadline_for(body, date(2026, 11, 30)) == date(2026, 12, 16)


def test_urgent_procedure_needs_a_reason_and_uses_the_short_window(staff, body):
    with pytest.raises(ValidationError) as error:
        open_(staff, body, urgent=True)
    assert "urgency_reason" in error.value.message_dict
    procedure = open_(staff, body, urgent=True, reason="Scadenza della Commissione")
    assert procedure.deadline == date(2026, 12, 7)  # 5 working days
    assert procedure.is_urgent and procedure.urgency_reason == "Scadenza della Commissione"


def test_title_is_required(staff, body):
    with pytest.raises(ValidationError) as error:
        wp.open_procedure(staff, body, {"title_it": "  "}, now=OPENED)
    assert "title_it" in error.value.message_dict


def test_objection_needs_its_reasons(staff, body):
    seat = make_seat(body)
    procedure = open_(staff, body)
    with pytest.raises(ValidationError) as error:
        wp.respond(staff, procedure, seat, ResponseChoice.OBJECT, "  ", now=rome(2026, 12, 1))
    assert "text" in error.value.message_dict
    response = wp.respond(
        staff, procedure, seat, ResponseChoice.OBJECT, "Criteri troppo stretti", now=rome(2026, 12, 1)
    )
    assert response.text == "Criteri troppo stretti"
    assert AuditEvent.objects.filter(action="meetings.written_procedure.answered").count() == 1


def test_a_member_answers_only_once_and_answers_are_append_only(staff, body):
    seat = make_seat(body)
    procedure = open_(staff, body)
    response = wp.respond(staff, procedure, seat, ResponseChoice.APPROVE, now=rome(2026, 12, 1))
    with pytest.raises(ValidationError):
        wp.respond(staff, procedure, seat, ResponseChoice.OBJECT, "Ci ho ripensato", now=rome(2026, 12, 2))
    with pytest.raises(ValidationError):
        response.save()
    with pytest.raises(ValidationError):
        response.delete()
    assert WrittenResponse.objects.filter(procedure=procedure).count() == 1


@pytest.mark.parametrize("role", [SeatRole.ADVISORY, SeatRole.OBSERVER, SeatRole.SECRETARIAT])
def test_seats_without_a_vote_cannot_answer(staff, body, role):
    seat = make_seat(body, role)
    procedure = open_(staff, body)
    with pytest.raises(ValidationError):
        wp.respond(staff, procedure, seat, ResponseChoice.APPROVE, now=rome(2026, 12, 1))


def test_seats_not_in_force_or_of_another_body_cannot_answer(staff, body, programme):
    ended = make_seat(body, end_date=date(2026, 11, 30))
    other = make_seat(wp.Body.objects.create(kind="working_group", name_it="Gruppo"))
    procedure = open_(staff, body)
    for seat in (ended, other):
        with pytest.raises(ValidationError):
            wp.respond(staff, procedure, seat, ResponseChoice.APPROVE, now=rome(2026, 12, 1))


def test_answers_are_accepted_until_the_end_of_the_deadline_day(staff, body):
    early, late = make_seats(body, 2)
    procedure = open_(staff, body)
    wp.respond(staff, procedure, early, ResponseChoice.APPROVE, now=rome(2026, 12, 15, 23, 59))
    with pytest.raises(ValidationError) as error:
        wp.respond(staff, procedure, late, ResponseChoice.APPROVE, now=rome(2026, 12, 16, 0, 1))
    assert error.value.code == "late"


def test_closing_before_the_deadline_has_passed_is_refused(staff, body):
    make_seats(body, 3)
    procedure = open_(staff, body)
    with pytest.raises(ValidationError) as error:
        wp.close_procedure(staff, procedure, now=rome(2026, 12, 15, 18))
    assert error.value.code == "early"
    procedure.refresh_from_db()
    assert procedure.state == ProcedureState.OPEN


def _three_answers_and_two_silent(staff, body):
    """Five voting members: one approves, two object, two stay silent."""
    seats = [make_seat(body, SeatRole.CHAIR), *make_seats(body, 4)]
    make_seat(body, SeatRole.ADVISORY)  # never counted, even as silent
    procedure = open_(staff, body)
    wp.respond(staff, procedure, seats[0], ResponseChoice.APPROVE, now=rome(2026, 12, 1))
    wp.respond(staff, procedure, seats[1], ResponseChoice.OBJECT, "No", now=rome(2026, 12, 1))
    wp.respond(staff, procedure, seats[2], ResponseChoice.OBJECT, "No", now=rome(2026, 12, 1))
    return procedure


def test_silent_consent_turns_silence_into_approval(staff, body):
    procedure = _three_answers_and_two_silent(staff, body)  # 1 + 2 silent for, 2 against
    closed = wp.close_procedure(staff, procedure, now=rome(2026, 12, 16, 9))
    assert closed.state == ProcedureState.CLOSED
    assert closed.result == ProcedureResult.APPROVED
    assert closed.silent_consent_applied is True
    event = AuditEvent.objects.get(action="meetings.written_procedure.closed")
    assert event.changes["tally"] == [None, [3, 2, 0, 2]]


def test_without_silent_consent_silence_counts_for_nothing(staff, body):
    body.silent_consent = False
    body.save()
    procedure = _three_answers_and_two_silent(staff, body)  # 1 for, 2 against
    closed = wp.close_procedure(staff, procedure, now=rome(2026, 12, 16, 9))
    assert closed.result == ProcedureResult.REJECTED
    assert closed.silent_consent_applied is False


def test_a_closed_procedure_takes_no_answers_and_cannot_be_closed_again(staff, body):
    seat, *_ = make_seats(body, 2)
    procedure = open_(staff, body)
    wp.close_procedure(staff, procedure, now=rome(2026, 12, 16, 9))
    with pytest.raises(ValidationError):
        wp.close_procedure(staff, procedure, now=rome(2026, 12, 17, 9))
    with pytest.raises(ValidationError):
        wp.respond(staff, procedure, seat, ResponseChoice.APPROVE, now=rome(2026, 12, 10))


def test_qualified_majority_counts_all_voting_members(staff, body):
    body.majority_rule = MajorityRule.QUALIFIED
    body.qualified_threshold = Decimal("0.667")
    body.silent_consent = False
    body.save()
    seats = make_seats(body, 3)
    procedure = open_(staff, body)
    for seat in seats[:2]:
        wp.respond(staff, procedure, seat, ResponseChoice.APPROVE, now=rome(2026, 12, 1))
    # 2 of 3 = 0.666... < 0.667
    assert wp.close_procedure(staff, procedure, now=rome(2026, 12, 16)).result == ProcedureResult.REJECTED


def test_observations_need_text_and_count_as_approval_under_consensus(staff, body):
    body.majority_rule = MajorityRule.CONSENSUS
    body.save()
    first, second = make_seats(body, 2)
    procedure = open_(staff, body)
    with pytest.raises(ValidationError):
        wp.respond(staff, procedure, first, ResponseChoice.OBSERVATIONS, "", now=rome(2026, 12, 1))
    wp.respond(
        staff, procedure, first, ResponseChoice.OBSERVATIONS, "Precisare l'art. 3", now=rome(2026, 12, 1)
    )
    wp.respond(staff, procedure, second, ResponseChoice.APPROVE, now=rome(2026, 12, 1))
    assert wp.close_procedure(staff, procedure, now=rome(2026, 12, 16)).result == ProcedureResult.APPROVED
