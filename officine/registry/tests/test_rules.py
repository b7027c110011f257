"""Permissions as a role × permission matrix (and × object for the representative's contacts)."""

import pytest

from officine.registry import rules as registry_rules
from officine.registry.models import Representative

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "plain", "observer", "representative", "other_representative", "staff", "admin"]
MANAGERS = {"staff", "admin"}

GLOBAL_MATRIX = {
    "registry.view_organization": set(ROLES),
    "registry.add_organization": MANAGERS,
    "registry.change_organization": MANAGERS,
    "registry.import_organizations": MANAGERS,
    "registry.delete_organization": {"admin"},
    "registry.export_registry": MANAGERS | {"observer"},
    "registry.add_representative": MANAGERS,
    "registry.change_representative": MANAGERS,
    "registry.delete_representative": MANAGERS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(GLOBAL_MATRIX))
def test_global_permissions(users, role, perm):
    assert users[role].has_perm(perm) is (role in GLOBAL_MATRIX[perm])


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("plain", False),
        ("observer", False),
        ("representative", True),  # the representative's own record
        ("other_representative", False),
        ("staff", True),
        ("admin", True),
    ],
)
def test_contacts_of_a_representative(users, org, role, allowed):
    own_record = Representative.objects.get(organization=org, user=users["representative"])
    assert users[role].has_perm("registry.view_representative_contacts", own_record) is allowed


def test_a_representative_does_not_see_a_colleagues_contacts(users, org, make_representative):
    colleague = make_representative(org, first_name="Luca", last_name="Gialli")
    assert not users["representative"].has_perm("registry.view_representative_contacts", colleague)


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        ("anonymous", False, False),
        ("plain", False, False),
        ("representative", True, False),
        ("other_representative", False, True),
        ("staff", False, False),
    ],
)
def test_is_representative_of(users, org, other_org, role, own, other):
    user = users[role]
    assert registry_rules.is_representative_of(user, org) is own
    assert registry_rules.is_representative_of(user, other_org) is other


def test_is_representative_of_accepts_a_representative_record(users, org):
    record = Representative.objects.get(user=users["representative"])
    assert registry_rules.is_representative_of(users["representative"], record)
    assert not registry_rules.is_representative_of(users["representative"], None)


def test_expired_mandate_is_not_representation(users, org):
    Representative.objects.filter(user=users["representative"]).update(
        mandate_date="2020-01-01", mandate_expires="2021-01-01"
    )
    user = type(users["representative"]).objects.get(pk=users["representative"].pk)  # fresh cache
    assert not registry_rules.is_representative_of(user, org)


def test_inactive_staff_loses_permissions(users):
    staff = users["staff"]
    staff.is_active = False
    staff.save()
    assert not staff.has_perm("registry.add_organization")
    assert not registry_rules.is_programme_staff(staff)
