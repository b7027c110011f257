"""Who may do what with meetings, written procedures and minutes: the policy of ``rules.py`` written out as
tables, one row per role and one letter per state (``Y`` allowed, ``.`` refused).

Roles: an anonymous visitor; a signed-in visitor with no seat; the member of a voting seat; the substitute
of a voting seat; the member of an observer seat; the member of the secretariat's seat; the staff of the
programme the body serves (who run its secretariat in the software); the staff of another programme; a
platform administrator. Seat holders are the body's *members*: they see and comment on circulated minutes
and see the private web-conference link of a public meeting, but only voting seats answer written
procedures, and only staff manage.

Rules are asked directly (``rules.has_perm``): Django's ``User.has_perm`` grants everything to an active
superuser, so the admin row shows what the rules themselves say.
"""

from datetime import timedelta

import pytest
import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from officine.conftest import make_user
from officine.meetings.models import (
    MeetingKind,
    MeetingMode,
    MeetingState,
    Minutes,
    MinutesState,
    ProcedureResult,
    ProcedureState,
    Registration,
    RegistrationStatus,
    WrittenProcedure,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories_e import make_committee

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "visitor",
    "member",
    "substitute",
    "observer",
    "secretariat_seat",
    "staff",
    "other_staff",
    "admin",
]

# fmt: off
# --- A meeting of the body: draft, convened (notice sent), held, cancelled after the notice --------------
MEETING_STATES = ["draft", "convened", "held", "cancelled"]
MEETING: dict[str, dict[str, str]] = {
    "view_meeting": {
        "anonymous":        ".YYY",
        "visitor":          ".YYY",
        "member":           ".YYY",
        "substitute":       ".YYY",
        "observer":         ".YYY",
        "secretariat_seat": ".YYY",
        "staff":            "YYYY",
        "other_staff":      ".YYY",
        "admin":            "YYYY",
    },
    "manage_meeting": {
        "anonymous":        "....",
        "visitor":          "....",
        "member":           "....",
        "substitute":       "....",
        "observer":         "....",
        "secretariat_seat": "....",
        "staff":            "YYYY",
        "other_staff":      "....",
        "admin":            "YYYY",
    },
    # The private web-conference link: members once the meeting is public; managers always.
    "see_private_link": {
        "anonymous":        "....",
        "visitor":          "....",
        "member":           ".YYY",
        "substitute":       ".YYY",
        "observer":         ".YYY",
        "secretariat_seat": ".YYY",
        "staff":            "YYYY",
        "other_staff":      "....",
        "admin":            "YYYY",
    },
    # A body's meeting takes no registrations (its members are convened); public events do, below.
    "register": dict.fromkeys(ROLES, "...."),
}

# --- A public event of the programme (no body), starting in ten days -------------------------------------
EVENT: dict[str, dict[str, str]] = {
    "register": dict.fromkeys(ROLES, ".Y.."),
    # Seat holders of some body are not participants of an event: only its registered people and managers.
    "see_private_link": {
        "anonymous":        "....",
        "visitor":          "....",
        "member":           "....",
        "substitute":       "....",
        "observer":         "....",
        "secretariat_seat": "....",
        "staff":            "YYYY",
        "other_staff":      "....",
        "admin":            "YYYY",
    },
}
EVENT_REGISTERED_PARTICIPANT = {"see_private_link": ".YYY", "register": ".Y.."}

# --- A written procedure: open (answers accepted), open after its deadline (waiting to be closed), closed -
PROCEDURE_STATES = ["open", "open_after_deadline", "closed"]
PROCEDURE: dict[str, dict[str, str]] = {
    "view_procedure": dict.fromkeys(ROLES, "YYY"),  # public records
    "manage_procedure": {
        "anonymous":        "...",
        "visitor":          "...",
        "member":           "...",
        "substitute":       "...",
        "observer":         "...",
        "secretariat_seat": "...",
        "staff":            "YYY",
        "other_staff":      "...",
        "admin":            "YYY",
    },
    "respond_procedure": {
        "anonymous":        "...",
        "visitor":          "...",
        "member":           "Y..",
        "substitute":       "Y..",
        "observer":         "...",
        "secretariat_seat": "...",
        "staff":            "...",
        "other_staff":      "...",
        "admin":            "...",
    },
}

# --- The minutes of a held meeting: draft, circulated (comments open), circulated after the comments
# deadline, approved (not yet published), published ------------------------------------------------------
MINUTES_STATES = ["draft", "circulated", "circulated_closed", "approved", "published"]
MINUTES: dict[str, dict[str, str]] = {
    "view_minutes": {
        "anonymous":        "....Y",
        "visitor":          "....Y",
        "member":           ".YY.Y",
        "substitute":       ".YY.Y",
        "observer":         ".YY.Y",
        "secretariat_seat": ".YY.Y",
        "staff":            "YYYYY",
        "other_staff":      "....Y",
        "admin":            "YYYYY",
    },
    "comment_minutes": {
        "anonymous":        ".....",
        "visitor":          ".....",
        "member":           ".Y...",
        "substitute":       ".Y...",
        "observer":         ".Y...",
        "secretariat_seat": ".Y...",
        "staff":            ".....",
        "other_staff":      ".....",
        "admin":            ".....",
    },
    "manage_minutes": {
        "anonymous":        ".....",
        "visitor":          ".....",
        "member":           ".....",
        "substitute":       ".....",
        "observer":         ".....",
        "secretariat_seat": ".....",
        "staff":            "YYYYY",
        "other_staff":      ".....",
        "admin":            "YYYYY",
    },
}
# fmt: on


@pytest.fixture
def world(staff, programme, other_staff, admin, body):
    committee = make_committee(body)
    return {
        "body": body,
        "programme": programme,
        "committee": committee,
        "users": {
            "anonymous": AnonymousUser(),
            "visitor": make_user("visitatore@example.org"),
            "member": committee.member,
            "substitute": committee.substitute,
            "observer": committee.observer,
            "secretariat_seat": committee.secretary,
            "staff": staff,
            "other_staff": other_staff,
            "admin": admin,
        },
    }


def fresh(user):
    """The user without per-instance caches (staffed programmes, bodies where they sit)."""
    return get_user_model().objects.get(pk=user.pk) if user.is_authenticated else user


def row(permission: str, user, objects: list) -> str:
    return "".join(
        "Y" if rules.has_perm(f"meetings.{permission}", fresh(user), obj) else "." for obj in objects
    )


def online(**fields) -> dict:
    return {"mode": MeetingMode.ONLINE, "online_link": "https://meet.example.org/cds", "place": "", **fields}


def meetings_in_every_state(body) -> list:
    notice = factories.rome(2026, 11, 20)
    return [
        factories.make_meeting(body, **online()),
        factories.make_meeting(body, **online(state=MeetingState.CONVENED, notice_sent_at=notice)),
        factories.make_meeting(body, **online(state=MeetingState.HELD, notice_sent_at=notice)),
        factories.make_meeting(body, **online(state=MeetingState.CANCELLED, notice_sent_at=notice)),
    ]


def events_in_every_state(programme) -> list:
    starts = timezone.now() + timedelta(days=10)
    notice = timezone.now() - timedelta(days=1)
    common = {"programme": programme, "kind": MeetingKind.PUBLIC_EVENT, "capacity": 50}
    return [
        factories.make_meeting(None, starts, **online(**common)),
        factories.make_meeting(
            None, starts, **online(state=MeetingState.CONVENED, notice_sent_at=notice, **common)
        ),
        factories.make_meeting(
            None, starts, **online(state=MeetingState.HELD, notice_sent_at=notice, **common)
        ),
        factories.make_meeting(
            None, starts, **online(state=MeetingState.CANCELLED, notice_sent_at=notice, **common)
        ),
    ]


def procedures_in_every_state(body) -> list[WrittenProcedure]:
    today = timezone.localdate()
    now = timezone.now()
    return [
        WrittenProcedure(body=body, title_it="Aperta", opened_at=now, deadline=today),
        WrittenProcedure(body=body, title_it="Scaduta", opened_at=now, deadline=today - timedelta(days=1)),
        WrittenProcedure(
            body=body,
            title_it="Chiusa",
            opened_at=now,
            deadline=today - timedelta(days=1),
            state=ProcedureState.CLOSED,
            result=ProcedureResult.APPROVED,
        ),
    ]


def minutes_in_every_state(body) -> list[Minutes]:
    meeting = factories.make_meeting(body, factories.rome(2026, 10, 14), state=MeetingState.HELD)
    today = timezone.localdate()
    return [
        Minutes(meeting=meeting, state=MinutesState.DRAFT),
        Minutes(meeting=meeting, state=MinutesState.CIRCULATED, comments_deadline=today),
        Minutes(meeting=meeting, state=MinutesState.CIRCULATED, comments_deadline=today - timedelta(days=1)),
        Minutes(meeting=meeting, state=MinutesState.APPROVED, comments_deadline=today - timedelta(days=9)),
        Minutes(meeting=meeting, state=MinutesState.PUBLISHED, published_at=timezone.now()),
    ]


def cases(matrix: dict) -> list[tuple[str, str]]:
    return [(permission, role) for permission in matrix for role in ROLES]


def ids(matrix: dict) -> list[str]:
    return [f"{permission}-{role}" for permission, role in cases(matrix)]


@pytest.mark.parametrize("permission, role", cases(MEETING), ids=ids(MEETING))
def test_meeting_matrix(world, permission, role):
    actual = row(permission, world["users"][role], meetings_in_every_state(world["body"]))
    expected = MEETING[permission][role]
    assert actual == expected, f"{permission} for {role}: {actual} ≠ {expected} ({'/'.join(MEETING_STATES)})"


@pytest.mark.parametrize("permission, role", cases(EVENT), ids=ids(EVENT))
def test_public_event_matrix(world, permission, role):
    actual = row(permission, world["users"][role], events_in_every_state(world["programme"]))
    assert actual == EVENT[permission][role], f"{permission} for {role}: {actual}"


@pytest.mark.parametrize("permission", list(EVENT_REGISTERED_PARTICIPANT))
def test_a_registered_participant_sees_the_link_of_a_public_event(world, permission):
    participant = make_user("partecipante@example.org")
    events = events_in_every_state(world["programme"])
    for event in events:
        Registration.objects.create(
            meeting=event,
            user=participant,
            name="Pia Partecipante",
            email=participant.email,
            status=RegistrationStatus.CONFIRMED,
        )
    assert row(permission, participant, events) == EVENT_REGISTERED_PARTICIPANT[permission]


@pytest.mark.parametrize("permission, role", cases(PROCEDURE), ids=ids(PROCEDURE))
def test_written_procedure_matrix(world, permission, role):
    actual = row(permission, world["users"][role], procedures_in_every_state(world["body"]))
    expected = PROCEDURE[permission][role]
    assert actual == expected, (
        f"{permission} for {role}: {actual} ≠ {expected} ({'/'.join(PROCEDURE_STATES)})"
    )


@pytest.mark.parametrize("permission, role", cases(MINUTES), ids=ids(MINUTES))
def test_minutes_matrix(world, permission, role):
    actual = row(permission, world["users"][role], minutes_in_every_state(world["body"]))
    expected = MINUTES[permission][role]
    assert actual == expected, f"{permission} for {role}: {actual} ≠ {expected} ({'/'.join(MINUTES_STATES)})"


# --- Edges the tables do not show -----------------------------------------------------------------------


def test_a_member_whose_seat_has_ended_no_longer_answers_nor_sees_circulated_minutes(world):
    committee = world["committee"]
    seat = committee.member_seat
    seat.end_date = timezone.localdate() - timedelta(days=1)
    seat.save()
    procedure = procedures_in_every_state(world["body"])[0]
    minutes = minutes_in_every_state(world["body"])[1]
    assert not rules.has_perm("meetings.respond_procedure", fresh(committee.member), procedure)
    assert not rules.has_perm("meetings.view_minutes", fresh(committee.member), minutes)


def test_members_of_another_body_are_outsiders(world, programme):
    other = make_committee(factories.make_body([programme], name_it="Tavolo di partenariato"), prefix="t-")
    procedure = procedures_in_every_state(world["body"])[0]
    minutes = minutes_in_every_state(world["body"])[1]
    draft, convened, *_ = meetings_in_every_state(world["body"])
    assert not rules.has_perm("meetings.respond_procedure", fresh(other.member), procedure)
    assert not rules.has_perm("meetings.view_minutes", fresh(other.member), minutes)
    assert not rules.has_perm("meetings.see_private_link", fresh(other.member), convened)


def test_an_inactive_account_loses_every_members_right(world):
    member = world["committee"].member
    member.is_active = False
    member.save()
    procedure = procedures_in_every_state(world["body"])[0]
    convened = meetings_in_every_state(world["body"])[1]
    assert not rules.has_perm("meetings.respond_procedure", fresh(member), procedure)
    assert not rules.has_perm("meetings.see_private_link", fresh(member), convened)


def test_staff_of_a_second_programme_the_body_serves_manage_its_procedures(
    world, other_programme, other_staff
):
    world["body"].programmes.add(other_programme)
    procedure = procedures_in_every_state(world["body"])[0]
    assert rules.has_perm("meetings.manage_procedure", fresh(other_staff), procedure)
    assert rules.has_perm("meetings.manage_recommendations", fresh(other_staff), world["body"])
