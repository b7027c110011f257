"""Permissions as a matrix: role × permission, on one programme (staff of another programme is a role)."""

import pytest

from officine.accounts import rules as account_rules
from officine.programmes import rules as programme_rules

ROLES = ["anonymous", "plain", "observer", "representative", "staff_this", "staff_other", "admin"]

EXPECTED = {
    "programmes.view_programme": set(ROLES),
    "programmes.add_programme": {"admin"},
    "programmes.change_programme": {"admin", "staff_this"},
    "programmes.manage_partnership": {"admin", "staff_this"},
    "programmes.manage_staff": {"admin"},
}


@pytest.mark.parametrize("perm", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(users, programme, role, perm):
    user = users[role]
    assert user.has_perm(perm, programme) is (role in EXPECTED[perm])


def test_add_programme_needs_no_object(users):
    assert users["admin"].has_perm("programmes.add_programme")
    assert not users["staff_this"].has_perm("programmes.add_programme")


def test_deactivated_staff_loses_the_programme(users, programme):
    staff = users["staff_this"]
    staff.is_active = False
    assert not staff.has_perm("programmes.change_programme", programme)
    assert not programme_rules.is_staff_of_programme(staff, programme)


def test_deactivated_admin_is_not_admin(users):
    admin = users["admin"]
    admin.is_active = False
    assert not programme_rules.is_platform_admin(admin)
    assert not admin.has_perm("programmes.add_programme")


@pytest.mark.parametrize("role", ROLES)
def test_observer_predicate(users, role):
    assert account_rules.is_observer(users[role]) is (role == "observer")


def test_staff_predicate_without_programme_is_false(users):
    assert not programme_rules.is_staff_of_programme(users["staff_this"], None)
