"""Compliance alerts (``officine.meetings.compliance``): each rule on both sides of its boundary.

Messages are checked in English (the source language, see ``officine/conftest.py``), dates as "9 December
2026". Reference dates: the committee meets on Wednesday 9 December 2026 (8 December is a holiday); ten
working days before is Tuesday 24 November, five is Tuesday 1 December; 30 working days after is Monday 25
January 2027, five is Wednesday 16 December.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officine.meetings import compliance
from officine.meetings.compliance import Severity, add_months, body_alerts, programme_alerts
from officine.meetings.models import BodyKind, Gender, MeetingState, MinutesState, SeatRole
from officine.meetings.tests import factories
from officine.meetings.tests.factories import rome
from officine.meetings.tests.factories_d import add_document, add_minutes, convened, held

pytestmark = pytest.mark.django_db

MEETING_DAY = date(2026, 12, 9)


def codes(alerts, code):
    return [a for a in alerts if a.code == code]


# --- Months ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 10, 31), 3, date(2027, 1, 31)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


# --- CPR Art. 38(1): the committee meets within three months of approval ----------------------------------


@pytest.fixture
def approved(programme):
    programme.approval_date = date(2026, 1, 15)  # deadline 15 April 2026
    programme.save()
    return programme


def test_setup_meeting_on_the_deadline_is_in_time(approved, body):
    held(body, rome(2026, 4, 15, 10))
    assert codes(programme_alerts(approved, date(2026, 6, 1)), "mc_setup") == []


def test_setup_meeting_the_day_after_is_late(approved, body):
    meeting = held(body, rome(2026, 4, 16, 10))
    [alert] = codes(programme_alerts(approved, date(2026, 6, 1)), "mc_setup")
    assert alert.severity == Severity.WARNING
    assert "its first meeting was on 16 April 2026" in alert.message
    assert alert.url == reverse("meetings:detail", args=[meeting.pk])
    assert not alert.public


def test_setup_without_meeting_is_information_until_the_deadline_then_danger(approved, body):
    [on_deadline] = codes(programme_alerts(approved, date(2026, 4, 15)), "mc_setup")
    assert on_deadline.severity == Severity.INFO
    assert "the deadline is 15 April 2026" in on_deadline.message
    [after] = codes(programme_alerts(approved, date(2026, 4, 16)), "mc_setup")
    assert after.severity == Severity.DANGER
    assert after.action_url == reverse("manage_meetings:meeting_create")


def test_setup_counts_neither_cancelled_nor_draft_meetings_nor_other_bodies(approved, body):
    convened(body, rome(2026, 3, 2), state=MeetingState.CANCELLED)
    factories.make_meeting(body, rome(2026, 3, 3))  # draft
    table = factories.make_body([approved], kind=BodyKind.PARTNERSHIP_TABLE, name_it="Tavolo")
    held(table, rome(2026, 3, 4))
    [alert] = codes(programme_alerts(approved, date(2026, 6, 1)), "mc_setup")
    assert alert.severity == Severity.DANGER


def test_setup_without_any_committee(approved):
    [before] = codes(programme_alerts(approved, date(2026, 4, 15)), "mc_setup")
    assert before.severity == Severity.WARNING
    assert before.action_url == reverse("manage_meetings:body_create")
    [after] = codes(programme_alerts(approved, date(2026, 4, 16)), "mc_setup")
    assert after.severity == Severity.DANGER


def test_setup_needs_the_approval_date(programme, body):
    assert codes(programme_alerts(programme, date(2026, 6, 1)), "mc_setup") == []


# --- CPR Art. 38(3): at least one meeting a year ------------------------------------------------------------


@pytest.fixture
def committee(body):
    body.constitution_act_date = date(2023, 5, 10)
    body.save()
    return body


def test_a_year_without_meetings_is_flagged(committee):
    held(committee, rome(2024, 6, 1))
    alerts = codes(body_alerts(committee, date(2026, 6, 1)), "yearly_meeting")
    assert [(a.severity, a.day.year) for a in alerts] == [(Severity.DANGER, 2025)]
    assert "did not meet in 2025" in alerts[0].message
    assert alerts[0].public


def test_year_boundaries_follow_rome_time(committee):
    held(committee, rome(2024, 12, 31, 20, 30))
    held(committee, rome(2025, 1, 1, 0, 30))  # 23:30 UTC on 31 December, but 2025 in Rome
    assert codes(body_alerts(committee, date(2026, 6, 1)), "yearly_meeting") == []


def test_the_constitution_year_is_left_to_the_three_month_rule(committee):
    held(committee, rome(2024, 6, 1))
    held(committee, rome(2025, 6, 1))
    assert codes(body_alerts(committee, date(2026, 6, 1)), "yearly_meeting") == []  # 2023 not checked


def test_current_year_warning_from_the_first_of_october(committee):
    held(committee, rome(2024, 6, 1))
    held(committee, rome(2025, 6, 1))
    assert codes(body_alerts(committee, date(2026, 9, 30)), "yearly_meeting") == []
    [alert] = codes(body_alerts(committee, date(2026, 10, 1)), "yearly_meeting")
    assert alert.severity == Severity.WARNING
    assert "2026" in alert.message


def test_current_year_convened_meeting_counts(committee):
    held(committee, rome(2024, 6, 1))
    held(committee, rome(2025, 6, 1))
    convened(committee, rome(2026, 12, 9))
    assert codes(body_alerts(committee, date(2026, 10, 1)), "yearly_meeting") == []


def test_cancelled_meeting_does_not_count_for_the_year(committee):
    held(committee, rome(2024, 6, 1))
    convened(committee, rome(2025, 6, 1), state=MeetingState.CANCELLED)
    [alert] = codes(body_alerts(committee, date(2026, 6, 1)), "yearly_meeting")
    assert alert.day.year == 2025


def test_yearly_rule_applies_to_monitoring_committees_only(programme):
    table = factories.make_body(
        [programme], kind=BodyKind.WORKING_GROUP, constitution_act_date=date(2020, 1, 1)
    )
    assert codes(body_alerts(table, date(2026, 6, 1)), "yearly_meeting") == []


# --- ECCP Art. 11(b): documents the notice period before the meeting --------------------------------------


@pytest.fixture
def meeting(body):
    return convened(body, rome(2026, 12, 9, 10))


def test_documents_deadline(meeting):
    assert compliance.documents_deadline(meeting) == date(2026, 11, 24)
    meeting.is_urgent = True
    assert compliance.documents_deadline(meeting) == date(2026, 12, 1)


def test_document_published_on_the_deadline_is_in_time(meeting):
    add_document(meeting, published_at=rome(2026, 11, 24, 23, 59))
    assert codes(body_alerts(meeting.body, date(2026, 12, 10)), "late_documents") == []


def test_document_published_the_day_after_is_late(meeting):
    add_document(meeting, published_at=rome(2026, 11, 24, 12))
    add_document(meeting, published_at=rome(2026, 11, 25, 0, 1))
    [alert] = codes(body_alerts(meeting.body, date(2026, 12, 10)), "late_documents")
    assert alert.severity == Severity.WARNING
    assert "1 document of the meeting" in alert.message
    assert "after 24 November 2026" in alert.message
    assert "10 working days before the meeting" in alert.message
    assert alert.url == reverse("meetings:detail", args=[meeting.pk]) + "#documents"
    assert alert.public


def test_unpublished_document_is_late_once_the_deadline_has_passed(meeting):
    add_document(meeting)
    assert codes(body_alerts(meeting.body, date(2026, 11, 24)), "late_documents") == []
    [alert] = codes(body_alerts(meeting.body, date(2026, 11, 25)), "late_documents")
    assert "is not published yet" in alert.message


def test_withheld_documents_are_not_checked(meeting):
    add_document(meeting, is_confidential=True, confidentiality_reason="Dati personali")
    assert codes(body_alerts(meeting.body, date(2026, 12, 10)), "late_documents") == []


def test_late_pack_is_flagged(meeting):
    meeting.documents_published_at = rome(2026, 11, 25, 9)
    meeting.save()
    assert len(codes(body_alerts(meeting.body, date(2026, 12, 10)), "late_documents")) == 1


def test_urgent_convocation_uses_the_urgent_period(meeting):
    meeting.is_urgent = True
    meeting.urgency_reason = "Scadenza"
    meeting.save()
    add_document(meeting, published_at=rome(2026, 12, 1, 18))
    assert codes(body_alerts(meeting.body, date(2026, 12, 10)), "late_documents") == []
    add_document(meeting, published_at=rome(2026, 12, 2, 9))
    [alert] = codes(body_alerts(meeting.body, date(2026, 12, 10)), "late_documents")
    assert "5 working days" in alert.message


def test_drafts_and_cancelled_meetings_are_not_checked(body):
    draft = factories.make_meeting(body, rome(2026, 12, 9))
    add_document(draft)
    cancelled = convened(body, rome(2026, 12, 10), state=MeetingState.CANCELLED)
    add_document(cancelled)
    assert codes(body_alerts(body, date(2026, 12, 20)), "late_documents") == []


# --- ECCP Art. 10: gender balance --------------------------------------------------------------------------


def seats(body, genders, role=SeatRole.VOTING_MEMBER):
    for gender in genders:
        factories.make_seat(body, role, member_gender=gender)


def test_exactly_forty_percent_is_balanced(body):
    seats(body, [Gender.FEMALE] * 2 + [Gender.MALE] * 3)
    assert codes(body_alerts(body, date(2026, 6, 1)), "gender_balance") == []


def test_below_forty_percent_is_flagged_and_unknown_are_counted_apart(body):
    seats(body, [Gender.FEMALE] * 2 + [Gender.MALE] * 4 + [Gender.OTHER, ""])
    seats(body, [Gender.FEMALE] * 3, role=SeatRole.OBSERVER)  # observers are not members
    [alert] = codes(body_alerts(body, date(2026, 6, 1)), "gender_balance")
    assert alert.severity == Severity.WARNING
    assert "Women are 33.3 % of the members whose gender is recorded (2 of 6)" in alert.message
    assert "2 members have no recorded gender and are not counted." in alert.message
    assert not alert.public
    assert body_alerts(body, date(2026, 6, 1), public_only=True) == []


def test_men_under_represented(body):
    seats(body, [Gender.FEMALE] * 4 + [Gender.MALE, Gender.MALE], role=SeatRole.CHAIR)
    [alert] = codes(body_alerts(body, date(2026, 6, 1)), "gender_balance")
    assert alert.message.startswith("Men are 33.3 %")


def test_ended_seats_do_not_count(body):
    seats(body, [Gender.FEMALE] * 2 + [Gender.MALE] * 3)
    factories.make_seat(body, member_gender=Gender.FEMALE, end_date=date(2026, 5, 31))
    assert codes(body_alerts(body, date(2026, 6, 1)), "gender_balance") == []
    factories.make_seat(body, member_gender=Gender.MALE, start_date=date(2026, 6, 1))
    assert len(codes(body_alerts(body, date(2026, 6, 1)), "gender_balance")) == 1  # 2 of 6


def test_no_recorded_gender_is_information(body):
    seats(body, ["", ""])
    [alert] = codes(body_alerts(body, date(2026, 6, 1)), "gender_balance")
    assert alert.severity == Severity.INFO
    assert "The gender of the 2 members is not recorded" in alert.message


def test_gender_rule_applies_to_monitoring_committees_only(programme):
    group = factories.make_body([programme], kind=BodyKind.WORKING_GROUP)
    seats(group, [Gender.MALE] * 3)
    assert codes(body_alerts(group, date(2026, 6, 1)), "gender_balance") == []


# --- ECCP Art. 11(c): minutes published in time -------------------------------------------------------------


@pytest.fixture
def held_meeting(body):
    return held(body, rome(2026, 12, 9, 10))


def test_minutes_due_on_the_last_day_are_not_late(held_meeting):
    assert codes(body_alerts(held_meeting.body, date(2027, 1, 25)), "minutes_overdue") == []


def test_minutes_are_late_the_day_after(held_meeting):
    add_minutes(held_meeting, MinutesState.APPROVED)
    [alert] = codes(body_alerts(held_meeting.body, date(2027, 1, 26)), "minutes_overdue")
    assert "not published yet: they were due by 25 January 2027, 30 working days" in alert.message
    assert alert.action_url == reverse("manage_minutes:edit", args=[held_meeting.pk])
    assert alert.public


def test_published_minutes_are_not_late(held_meeting):
    minutes = add_minutes(held_meeting)
    minutes.published_at = rome(2027, 1, 25, 18)
    minutes.save()
    assert codes(body_alerts(held_meeting.body, date(2027, 3, 1)), "minutes_overdue") == []


def test_minutes_published_after_the_due_date_stay_flagged(held_meeting):
    minutes = add_minutes(held_meeting)
    minutes.published_at = rome(2027, 1, 26, 9)
    minutes.save()
    [alert] = codes(body_alerts(held_meeting.body, date(2027, 3, 1)), "minutes_overdue")
    assert "were published on 26 January 2027, after 25 January 2027" in alert.message


def test_minutes_period_comes_from_the_programme(held_meeting, programme):
    programme.minutes_publication_working_days = 5
    programme.save()
    assert codes(body_alerts(held_meeting.body, date(2026, 12, 16)), "minutes_overdue") == []
    assert len(codes(body_alerts(held_meeting.body, date(2026, 12, 17)), "minutes_overdue")) == 1


def test_minutes_of_a_meeting_not_held_are_not_due(meeting):
    assert codes(body_alerts(meeting.body, date(2027, 6, 1)), "minutes_overdue") == []


# --- Entry points ---------------------------------------------------------------------------------------


def test_alerts_are_sorted_by_severity(committee, programme):
    programme.approval_date = date(2023, 1, 10)
    programme.save()
    seats(committee, [Gender.MALE] * 3)
    held(committee, rome(2025, 3, 3))
    alerts = programme_alerts(programme, date(2026, 6, 1))
    order = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2}
    assert [order[a.severity] for a in alerts] == sorted(order[a.severity] for a in alerts)
    assert {a.code for a in alerts} >= {"mc_setup", "yearly_meeting", "gender_balance"}
    assert alerts[0].label == "Not compliant"


def test_programme_alerts_query_count_does_not_grow(committee, programme):
    programme.approval_date = date(2023, 1, 10)
    programme.save()

    def add(n):
        for i in range(n):
            other = factories.make_body(
                [programme], name_it=f"Comitato {i}", constitution_act_date=date(2023, 1, 1)
            )
            seats(other, [Gender.MALE, Gender.FEMALE])
            for body in (committee, other):
                m = held(body, rome(2025, 3, 3 + i))
                add_document(m, published_at=rome(2025, 3, 3 + i))

    add(1)
    with CaptureQueriesContext(connection) as small:
        programme_alerts(programme, date(2026, 6, 1))
    add(4)
    with CaptureQueriesContext(connection) as large:
        alerts = programme_alerts(programme, date(2026, 6, 1))
    assert len(codes(alerts, "late_documents")) == 10
    assert len(small.captured_queries) == len(large.captured_queries)


def test_unpublished_meeting_documents_of_a_past_meeting_have_a_link_to_fix(body):
    meeting = held(body, rome(2026, 12, 9) - timedelta(days=0))
    add_document(meeting)
    [alert] = codes(body_alerts(body, date(2026, 12, 10)), "late_documents")
    assert alert.action_url == reverse("manage_meetings:meeting", args=[meeting.pk])
