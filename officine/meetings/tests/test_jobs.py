"""The meetings' daily jobs on fixed dates: reminders two working days before a written procedure's
deadline (once), closing after the deadline with silent consent where the rules allow it, reminders about
minutes due or late, and the command's output.

The procedure opens on Monday 30 November 2026: ten working days later (8 December is a holiday) its
deadline is Tuesday 15 December. Two working days before it is Friday 11 December.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from officine.core.models import AuditEvent
from officine.core.workdays import add_working_days
from officine.meetings import jobs
from officine.meetings import written_procedures as wp
from officine.meetings.models import (
    MeetingState,
    Minutes,
    MinutesState,
    ProcedureResult,
    ProcedureState,
    ResponseChoice,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories import rome
from officine.meetings.tests.factories_e import make_committee, open_procedure
from officine.notifications.models import Notification

pytestmark = pytest.mark.django_db

OPENED = rome(2026, 11, 30, 9)
DEADLINE = date(2026, 12, 15)


@pytest.fixture
def committee(body):
    return make_committee(body)


@pytest.fixture
def procedure(staff, committee):
    procedure = open_procedure(staff, committee.body, now=OPENED)
    assert procedure.deadline == DEADLINE
    return procedure


def reminder_notices(procedure):
    return Notification.objects.filter(key=f"meetings.procedure.{procedure.pk}.reminder.auto")


def test_no_reminder_three_working_days_before_the_deadline(procedure):
    report = jobs.run_daily_jobs(rome(2026, 12, 10, 6))
    assert report.reminded == [] and report.closed == []
    assert not reminder_notices(procedure).exists()


def test_reminder_two_working_days_before_goes_to_seats_without_an_answer_once(staff, committee, procedure):
    wp.respond(staff, procedure, committee.member_seat, ResponseChoice.APPROVE, now=rome(2026, 12, 1))
    report = jobs.run_daily_jobs(rome(2026, 12, 11, 6))
    assert report.reminded == [(procedure, 2)]
    assert set(reminder_notices(procedure).values_list("recipient__email", flat=True)) == {
        "presidente@example.org",
        "supplente@example.org",
    }
    event = AuditEvent.objects.get(action=wp.REMINDED)
    assert event.actor is None and event.changes["automatic"] == [None, True]
    # the same morning again, and the next working day: nobody is reminded twice
    assert jobs.run_daily_jobs(rome(2026, 12, 11, 7)).reminded == []
    assert jobs.run_daily_jobs(rome(2026, 12, 14, 6)).reminded == []
    assert reminder_notices(procedure).count() == 2
    assert AuditEvent.objects.filter(action=wp.REMINDED).count() == 1


def test_a_missed_morning_still_reminds_the_next_day(procedure):
    report = jobs.run_daily_jobs(rome(2026, 12, 14, 6))
    assert report.reminded == [(procedure, 3)]


def test_a_manual_reminder_does_not_stop_the_automatic_one(staff, procedure):
    wp.send_reminder(staff, procedure, now=rome(2026, 12, 3, 10))
    assert jobs.run_daily_jobs(rome(2026, 12, 11, 6)).reminded == [(procedure, 3)]


def test_no_reminder_when_every_seat_has_answered(staff, committee, procedure):
    for seat in committee.voting_seats:
        wp.respond(staff, procedure, seat, ResponseChoice.APPROVE, now=rome(2026, 12, 1))
    assert jobs.run_daily_jobs(rome(2026, 12, 11, 6)).reminded == []
    assert not AuditEvent.objects.filter(action=wp.REMINDED).exists()


def test_the_procedure_stays_open_on_its_deadline_day(procedure):
    report = jobs.run_daily_jobs(rome(2026, 12, 15, 23, 30))
    assert report.closed == []
    procedure.refresh_from_db()
    assert procedure.state == ProcedureState.OPEN


def test_closing_the_day_after_applies_silent_consent_and_notifies_the_body(staff, committee, procedure):
    wp.respond(staff, procedure, committee.member_seat, ResponseChoice.OBJECT, "No", now=rome(2026, 12, 1))
    report = jobs.run_daily_jobs(rome(2026, 12, 16, 6))
    assert report.closed == [procedure] and report.reminded == []
    procedure.refresh_from_db()
    assert procedure.state == ProcedureState.CLOSED
    assert procedure.result == ProcedureResult.APPROVED  # three silent seats in favour, one against
    assert procedure.silent_consent_applied
    closed = AuditEvent.objects.get(action="meetings.written_procedure.closed")
    assert closed.actor is None
    assert closed.changes["tally"] == [None, [3, 1, 0, 3]]
    notified = Notification.objects.filter(key=f"meetings.procedure.{procedure.pk}.closed")
    assert notified.count() == 5  # every seat holder with an account
    body = notified.first().body.lower()
    assert "silence" in body or "silenzio" in body  # Italian once the strings are translated
    assert jobs.run_daily_jobs(rome(2026, 12, 17, 6)).closed == []  # nothing left to close


def test_without_silent_consent_silence_does_not_carry_the_decision(staff, committee, body):
    body.silent_consent = False
    body.save()
    procedure = open_procedure(staff, body, now=OPENED)
    wp.respond(staff, procedure, committee.member_seat, ResponseChoice.OBJECT, "No", now=rome(2026, 12, 1))
    jobs.run_daily_jobs(rome(2026, 12, 16, 6))
    procedure.refresh_from_db()
    assert procedure.result == ProcedureResult.REJECTED and not procedure.silent_consent_applied


def test_a_procedure_closed_by_hand_is_left_alone(staff, procedure):
    wp.close_procedure(staff, procedure, now=rome(2026, 12, 16, 5))
    assert jobs.run_daily_jobs(rome(2026, 12, 16, 6)).closed == []


# --- Minutes --------------------------------------------------------------------------------------------

MEETING_DAY = date(2026, 10, 14)


@pytest.fixture
def held(committee):
    return factories.make_meeting(committee.body, rome(2026, 10, 14, 10), state=MeetingState.HELD)


def minutes_due() -> date:
    return add_working_days(MEETING_DAY, 30)  # the programme's default period


def at(day: date):
    return rome(day.year, day.month, day.day, 6)


def test_the_secretariat_is_reminded_three_working_days_before_the_minutes_are_due(staff, committee, held):
    due = minutes_due()
    assert jobs.run_daily_jobs(at(add_working_days(due, -4))).minutes_due == []
    report = jobs.run_daily_jobs(at(add_working_days(due, -3)))
    assert [(meeting, day) for meeting, day, _ in report.minutes_due] == [(held, due)]
    notices = Notification.objects.filter(key=f"meetings.minutes.{held.pk}.due_soon")
    assert set(notices.values_list("recipient__email", flat=True)) == {staff.email, "segreteria@example.org"}
    assert jobs.run_daily_jobs(at(add_working_days(due, -2))).minutes_due == []  # once


def test_late_minutes_are_reported_once_and_an_old_backlog_is_not(staff, committee, held):
    due = minutes_due()
    report = jobs.run_daily_jobs(at(add_working_days(due, 1)))
    assert [(meeting, day) for meeting, day, _ in report.minutes_late] == [(held, due)]
    assert jobs.run_daily_jobs(at(add_working_days(due, 2))).minutes_late == []
    Notification.objects.all().delete()
    assert jobs.run_daily_jobs(at(add_working_days(due, 40))).minutes_late == []


def test_published_minutes_need_no_reminder(staff, committee, held):
    Minutes.objects.create(meeting=held, state=MinutesState.PUBLISHED, published_at=rome(2026, 11, 2))
    due = minutes_due()
    report = jobs.run_daily_jobs(at(add_working_days(due, -1)))
    assert report.minutes_due == [] and report.minutes_late == []


def test_meetings_not_held_have_no_minutes_due(staff, committee):
    factories.make_meeting(committee.body, rome(2026, 10, 14, 10), state=MeetingState.CONVENED)
    report = jobs.run_daily_jobs(at(add_working_days(minutes_due(), -1)))
    assert report.minutes_due == [] and report.minutes_late == []


# --- The command ----------------------------------------------------------------------------------------


def test_the_command_prints_what_it_did(staff, committee, procedure):
    out, err = StringIO(), StringIO()
    call_command("run_meeting_jobs", "--now", "2026-12-11", stdout=out, stderr=err)
    text = out.getvalue()
    assert "Meeting jobs for 2026-12-11" in text
    assert f"reminded: written procedure #{procedure.pk}" in text and "(3 recipients)" in text
    out = StringIO()
    call_command("run_meeting_jobs", "--now", "2026-12-16T07:30", stdout=out, stderr=err)
    text = out.getvalue()
    assert f"closed: written procedure #{procedure.pk}" in text and "silent consent applied" in text
    assert "reminded 0, closed 1, not closed 0" in text


def test_the_command_refuses_a_malformed_moment(db):
    with pytest.raises(CommandError):
        call_command("run_meeting_jobs", "--now", "16/12/2026")


def test_the_command_fails_on_unexpected_errors(procedure, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(wp, "close_procedure", broken)
    with pytest.raises(CommandError):
        call_command("run_meeting_jobs", "--now", "2026-12-16", stdout=StringIO(), stderr=StringIO())
