"""The bodies and meetings permission matrix, written out as the specification.

Rows are roles; columns the meeting's state: draft, convened, held, cancelled after the notice, cancelled
while still a draft. ``Y`` = allowed, ``.`` = refused. Rules are asked directly (``rules.has_perm``) because
Django's ``User.has_perm`` grants everything to an active superuser.
"""

import pytest
import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from officine.conftest import make_user
from officine.meetings.models import MeetingState
from officine.meetings.tests import factories

pytestmark = pytest.mark.django_db

STATES = ["draft", "convened", "held", "cancelled_after_notice", "cancelled_draft"]
ROLES = ["visitor", "signed_in", "staff_served", "staff_other", "admin"]

# fmt: off
#                         draft conv held canc canc-draft
MATRIX: dict[str, dict[str, str]] = {
    "view_meeting": {
        "visitor":      ".YYY.",
        "signed_in":    ".YYY.",
        "staff_served": "YYYYY",
        "staff_other":  ".YYY.",
        "admin":        "YYYYY",
    },
    "manage_meeting": {
        "visitor":      ".....",
        "signed_in":    ".....",
        "staff_served": "YYYYY",
        "staff_other":  ".....",
        "admin":        "YYYYY",
    },
}
# Bodies have no state: one letter per role.
BODY_MATRIX: dict[str, dict[str, str]] = {
    "view_body":   {"visitor": "Y", "signed_in": "Y", "staff_served": "Y", "staff_other": "Y", "admin": "Y"},
    "manage_body": {"visitor": ".", "signed_in": ".", "staff_served": "Y", "staff_other": ".", "admin": "Y"},
}
# fmt: on


@pytest.fixture
def world(staff, programme, other_staff, admin):
    body = factories.make_body([programme])
    return {
        "body": body,
        "users": {
            "visitor": AnonymousUser(),
            "signed_in": make_user("partner@example.org"),
            "staff_served": staff,
            "staff_other": other_staff,
            "admin": admin,
        },
    }


def fresh(user):
    """The user without per-instance caches (staffed programmes)."""
    return get_user_model().objects.get(pk=user.pk) if user.is_authenticated else user


def meeting_in(body, column: str):
    state, _, rest = column.partition("_")
    notice = None if rest == "draft" or state == "draft" else factories.rome(2026, 11, 20)
    return factories.make_meeting(body, state=MeetingState(state), notice_sent_at=notice)


CASES = [(permission, role) for permission in MATRIX for role in ROLES]


@pytest.mark.parametrize("permission, role", CASES, ids=[f"{p}-{r}" for p, r in CASES])
def test_meeting_matrix(world, permission, role):
    user = fresh(world["users"][role])
    actual = "".join(
        "Y" if rules.has_perm(f"meetings.{permission}", user, meeting_in(world["body"], column)) else "."
        for column in STATES
    )
    expected = MATRIX[permission][role]
    assert actual == expected, (
        f"{permission} for {role}: expected {expected}, got {actual} ({'/'.join(STATES)})"
    )


BODY_CASES = [(permission, role) for permission in BODY_MATRIX for role in ROLES]


@pytest.mark.parametrize("permission, role", BODY_CASES, ids=[f"{p}-{r}" for p, r in BODY_CASES])
def test_body_matrix(world, permission, role):
    user = fresh(world["users"][role])
    actual = "Y" if rules.has_perm(f"meetings.{permission}", user, world["body"]) else "."
    assert actual == BODY_MATRIX[permission][role]


def test_a_committee_serving_two_programmes_is_managed_by_the_staff_of_either(
    world, other_programme, other_staff
):
    body = world["body"]
    body.programmes.add(other_programme)
    draft = factories.make_meeting(body)
    assert rules.has_perm("meetings.manage_body", fresh(other_staff), body)
    assert rules.has_perm("meetings.view_meeting", fresh(other_staff), draft)
    assert rules.has_perm("meetings.manage_meeting", fresh(other_staff), draft)


def test_a_programme_event_without_a_body_is_managed_by_the_programmes_staff(
    world, programme, other_staff, staff
):
    event = factories.make_meeting(
        None, programme=programme, mode="online", online_link="https://meet.example.org/lab", place=""
    )
    assert rules.has_perm("meetings.manage_meeting", fresh(staff), event)
    assert not rules.has_perm("meetings.manage_meeting", fresh(other_staff), event)
    assert not rules.has_perm("meetings.view_meeting", AnonymousUser(), event)


def test_creating_bodies_and_meetings_is_checked_on_the_programme(world, programme, other_programme, staff):
    assert rules.has_perm("meetings.add_body", fresh(staff), programme)
    assert not rules.has_perm("meetings.add_body", fresh(staff), other_programme)
    assert rules.has_perm("meetings.add_meeting", fresh(world["users"]["admin"]), other_programme)
    assert not rules.has_perm("meetings.add_meeting", AnonymousUser(), programme)
