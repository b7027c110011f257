"""Public reads of bodies and meetings (``officine.meetings.selectors``)."""

from datetime import date, timedelta

import pytest

from officine.meetings import selectors
from officine.meetings.models import (
    AgendaItemKind,
    AttendanceStatus,
    BodyKind,
    Gender,
    MeetingKind,
    MeetingState,
    MinutesState,
    SeatRole,
    VoteChoice,
)
from officine.meetings.rules import is_public_meeting
from officine.meetings.selectors import GenderFigure
from officine.meetings.tests import factories
from officine.meetings.tests.factories import rome
from officine.meetings.tests.factories_d import add_document, add_minutes, attend, convened, held, vote

pytestmark = pytest.mark.django_db

NOW = rome(2026, 11, 27, 12)


def test_public_meetings_is_the_rule_as_a_query(body):
    meetings = [
        factories.make_meeting(body),
        convened(body),
        held(body),
        factories.make_meeting(body, state=MeetingState.CANCELLED),
        convened(body, state=MeetingState.CANCELLED),
    ]
    expected = {m.pk for m in meetings if is_public_meeting(None, m)}
    assert set(selectors.public_meetings().values_list("pk", flat=True)) == expected
    assert len(expected) == 3


# --- Calendar ---------------------------------------------------------------------------------------------


def test_calendar_upcoming_from_the_soonest_and_past_from_the_latest(body):
    ongoing = convened(body, rome(2026, 11, 27, 11))  # started an hour ago, still on
    later = convened(body, rome(2026, 12, 9))
    ended = held(body, rome(2026, 11, 27, 8), ends_at=rome(2026, 11, 27, 11, 59))
    older = held(body, rome(2026, 10, 1))
    assert list(selectors.calendar_meetings(now=NOW)) == [ongoing, later]
    assert list(selectors.calendar_meetings(past=True, now=NOW)) == [ended, older]


def test_calendar_dates_are_rome_days(body):
    just_after_midnight = convened(body, rome(2026, 12, 10, 0, 30))  # 23:30 UTC on the 9th
    assert list(selectors.calendar_meetings(date_from=date(2026, 12, 10), now=NOW)) == [just_after_midnight]
    assert list(selectors.calendar_meetings(date_to=date(2026, 12, 9), now=NOW)) == []
    assert list(selectors.calendar_meetings(date_to=date(2026, 12, 10), now=NOW)) == [just_after_midnight]


def test_calendar_programme_matches_meetings_of_its_bodies_and_its_own(body, programme, other_programme):
    of_body = convened(body, rome(2026, 12, 9))
    own_event = convened(None, rome(2026, 12, 10), kind=MeetingKind.PUBLIC_EVENT, programme=programme)
    convened(None, rome(2026, 12, 11), kind=MeetingKind.TRAINING, programme=other_programme)
    shared = factories.make_body([programme, other_programme], name_it="Comitato unico")
    of_shared = convened(shared, rome(2026, 12, 12))
    assert list(selectors.calendar_meetings(programme_id=programme.pk, now=NOW)) == [
        of_body,
        own_event,
        of_shared,
    ]


def test_calendar_filters_by_body_kind_and_mode(body, programme):
    committee = convened(body, rome(2026, 12, 9))
    training = convened(
        None, rome(2026, 12, 10), kind=MeetingKind.TRAINING, mode="online", online_link="https://x.example"
    )
    assert list(selectors.calendar_meetings(body_id=body.pk, now=NOW)) == [committee]
    assert list(selectors.calendar_meetings(kind=MeetingKind.TRAINING, now=NOW)) == [training]
    assert list(selectors.calendar_meetings(mode="online", now=NOW)) == [training]


def test_upcoming_meetings_leave_out_cancelled_and_respect_the_limit(body, programme):
    first = convened(body, rome(2026, 12, 9))
    convened(body, rome(2026, 12, 10), state=MeetingState.CANCELLED)
    second = convened(body, rome(2026, 12, 11))
    convened(body, rome(2026, 12, 14))
    assert selectors.upcoming_meetings(limit=2, now=NOW) == [first, second]
    assert selectors.upcoming_meetings(programme, limit=1, now=NOW) == [first]


def test_programmes_for_calendar_include_those_with_events_only(programme, other_programme):
    assert list(selectors.programmes_for_calendar()) == []
    convened(None, rome(2026, 12, 10), kind=MeetingKind.PUBLIC_EVENT, programme=other_programme)
    assert list(selectors.programmes_for_calendar()) == [other_programme]


# --- Bodies -----------------------------------------------------------------------------------------------


def test_list_bodies_counts_members_in_force_and_finds_the_next_meeting(body, programme):
    factories.make_seats(body, 2)
    factories.make_seat(body, SeatRole.ADVISORY)
    factories.make_seat(body, SeatRole.SECRETARIAT)
    factories.make_seat(body, end_date=date(2026, 6, 30))
    factories.make_meeting(body, rome(2026, 12, 1))  # draft
    convened(body, rome(2026, 12, 2), state=MeetingState.CANCELLED)
    next_one = convened(body, rome(2026, 12, 9))
    convened(body, rome(2027, 1, 13))
    held(body, rome(2026, 10, 1))
    [row] = selectors.attach_next_meetings(list(selectors.list_bodies(now=NOW)))
    assert row.member_count == 3
    assert row.next_meeting == next_one


def test_list_bodies_filters(body, programme, other_programme):
    group = factories.make_body([other_programme], kind=BodyKind.WORKING_GROUP, name_it="Gruppo")
    assert list(selectors.list_bodies(programme_id=programme.pk)) == [body]
    assert list(selectors.list_bodies(kind=BodyKind.WORKING_GROUP)) == [group]
    assert list(selectors.programmes_with_bodies().order_by("pk")) == [programme, other_programme]


def test_body_page_splits_composition_and_meetings(body):
    today = date(2026, 11, 27)
    chair = factories.make_seat(
        body, SeatRole.CHAIR, member_gender=Gender.FEMALE, substitute_gender=Gender.MALE
    )
    member = factories.make_seat(body, member_gender=Gender.MALE, substitute_gender=Gender.FEMALE)
    observer = factories.make_seat(body, SeatRole.OBSERVER, member_gender=Gender.MALE)
    ended = factories.make_seat(body, end_date=today - timedelta(days=1))
    future = factories.make_seat(body, start_date=today + timedelta(days=10))
    upcoming = convened(body, rome(2026, 12, 9))
    past = held(body, rome(2026, 10, 1))
    add_minutes(past)
    unpublished = held(body, rome(2026, 11, 2))
    add_minutes(unpublished, MinutesState.APPROVED)
    page = selectors.body_page(body, now=NOW)
    assert page.current_seats == [chair, member, observer]
    assert page.past_seats == [ended]
    assert page.future_seats == [future]
    assert page.members_gender == GenderFigure(women=1, men=1, not_counted=0)  # the observer is left out
    assert page.substitutes_gender == GenderFigure(women=1, men=1, not_counted=0)
    assert page.voting_member_count == 2
    assert page.upcoming_meetings == [upcoming]
    assert page.past_meetings == [unpublished, past]
    assert [m.has_public_minutes for m in page.past_meetings] == [False, True]


def test_gender_figure_counts_only_women_and_men():
    figure = GenderFigure.of([Gender.FEMALE, Gender.MALE, Gender.MALE, Gender.OTHER, ""])
    assert (figure.women, figure.men, figure.not_counted, figure.counted, figure.total) == (1, 2, 2, 3, 5)
    assert figure.percent_women == 33.3
    assert GenderFigure.of([]).percent_women is None


# --- A meeting's page -------------------------------------------------------------------------------------


def test_meeting_page_tallies_documents_and_attendance(body):
    seats = factories.make_seats(body, 3)
    advisory = factories.make_seat(body, SeatRole.ADVISORY)
    meeting = held(body, rome(2026, 11, 4))
    item = factories.add_item(meeting, AgendaItemKind.APPROVAL)
    other = factories.add_item(meeting, AgendaItemKind.INFORMATION, "Informativa")
    attend(meeting, seats[0], AttendanceStatus.PRESENT)
    attend(meeting, seats[1], AttendanceStatus.SUBSTITUTE)
    attend(meeting, seats[2], AttendanceStatus.ABSENT)
    attend(meeting, advisory, AttendanceStatus.ONLINE)
    vote(item, seats[0], VoteChoice.FOR)
    vote(item, seats[1], VoteChoice.ABSTAIN)
    published = add_document(meeting, item=item, published_at=rome(2026, 10, 20))
    general = add_document(meeting, published_at=rome(2026, 10, 20))
    withheld = add_document(
        meeting, published_at=rome(2026, 10, 20), is_confidential=True, confidentiality_reason="Riservato"
    )
    draft = add_document(meeting)

    page = selectors.meeting_page(selectors.meeting_for_page(meeting.pk))
    first, second = page.items
    assert (first.votes_for, first.votes_against, first.votes_abstain, first.vote_total) == (1, 0, 1, 2)
    assert first.pack == [published] and second.pack == [] and other.pk == second.pk
    assert set(page.documents) == {published, general, withheld}
    assert draft not in page.documents
    attendance = page.attendance
    assert (attendance.present, attendance.substitute, attendance.online, attendance.absent) == (1, 1, 1, 1)
    assert (attendance.voting_members, attendance.voting_present, attendance.quorum_required) == (3, 2, 2)
    assert attendance.quorum_met
    assert page.places_left is None

    staff_page = selectors.meeting_page(meeting, show_unpublished=True)
    assert draft in staff_page.documents


def test_meeting_page_without_attendance_before_it_is_held(body):
    meeting = convened(body, rome(2026, 12, 9))
    assert selectors.meeting_page(meeting).attendance is None


def test_places_left_never_negative(programme):
    from officine.meetings.models import Registration

    event = convened(None, rome(2026, 12, 9), kind=MeetingKind.PUBLIC_EVENT, capacity=1)
    for n in range(2):
        Registration.objects.create(
            meeting=event, name=f"P{n}", email=f"p{n}@example.org", status="confirmed"
        )
    page = selectors.meeting_page(event)
    assert page.confirmed_registrations == 2
    assert page.places_left == 0
