"""Fixtures for the programmes tests: organisations, programmes, memberships and one user per role.

Organisations are created with ``Organization.objects.create`` directly (the registry's services are
another helper's, and these tests are about programmes).
"""

import itertools
from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from officine.programmes.models import Fund, Membership, Programme, ProgrammeKind, ProgrammeStaff
from officine.registry.models import Organization, Representative, Territory

_seq = itertools.count(1)


@pytest.fixture
def make_org(db):
    def make(**fields) -> Organization:
        n = next(_seq)
        territories = fields.pop("territories", [])
        defaults = {
            "name": f"Organizzazione di prova {n:04d}",
            "legal_form": "association",
            "country": "IT",
            "eccp_subcategory": "b.i",
            "cpr_category": "b",
            "territorial_level": "national",
        }
        org = Organization.objects.create(**{**defaults, **fields})
        if territories:
            org.territories.set(territories)
        return org

    return make


@pytest.fixture
def authority(make_org) -> Organization:
    return make_org(
        name="Agenzia per la Coesione Territoriale",
        legal_form="public_body",
        tax_code="80001234568",
        eccp_subcategory="a.i",
        cpr_category="a",
    )


@pytest.fixture
def make_programme(db, authority):
    def make(**fields) -> Programme:
        n = next(_seq)
        funds = fields.pop("funds", None)
        defaults = {
            "cci": f"2021IT16FFPR{n % 1000:03d}",
            "title_it": f"PN Programma di prova {n}",
            "cycle": "2021-2027",
            "kind": ProgrammeKind.NATIONAL,
            "managing_authority": authority,
        }
        programme = Programme.objects.create(**{**defaults, **fields})
        programme.funds.set(funds or [Fund.objects.get(code="ERDF")])
        return programme

    return make


@pytest.fixture
def programme(make_programme) -> Programme:
    return make_programme(title_it="PN Inclusione e lotta alla povertà 2021-2027", cci="2021IT05FFPR003")


@pytest.fixture
def other_programme(make_programme) -> Programme:
    return make_programme(title_it="PN Scuola e competenze 2021-2027", cci="2021IT05FFPR001")


@pytest.fixture
def make_membership(db):
    def make(programme: Programme, org: Organization, **fields) -> Membership:
        defaults = {
            "start_date": date(2023, 1, 1),
            "selection_act_number": "DD 12/2023",
            "selection_act_date": date(2022, 12, 1),
        }
        return Membership.objects.create(programme=programme, organization=org, **{**defaults, **fields})

    return make


@pytest.fixture
def make_rep(db):
    def make(org: Organization, gender: str = "", **fields) -> Representative:
        n = next(_seq)
        defaults = {
            "first_name": "Persona",
            "last_name": f"Prova {n}",
            "role": "delegate",
            "mandate_issuer": "Presidente",
            "mandate_date": date(2023, 1, 1),
        }
        return Representative.objects.create(organization=org, gender=gender, **{**defaults, **fields})

    return make


@pytest.fixture
def region(db):
    def get(name: str) -> Territory:
        return Territory.objects.get(level="region", name=name)

    return get


# --- Users, one per role -----------------------------------------------------------------------------


def with_totp(user):
    """Staff and admins must have TOTP (accounts middleware); tests enrol them directly."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def make_user(db):
    def make(email: str, **fields):
        return get_user_model().objects.create_user(email=email, password="a-long-password-123", **fields)

    return make


@pytest.fixture
def users(make_user, make_org, make_rep, programme, other_programme) -> dict:
    """Every role of the permission matrix, keyed by name."""
    represented = make_org(name="CGIL – Confederazione Generale Italiana del Lavoro")
    representative = make_user("rappresentante@example.org")
    make_rep(represented, user=representative)
    staff_this = with_totp(make_user("staff@example.org"))
    ProgrammeStaff.objects.create(programme=programme, user=staff_this)
    staff_other = with_totp(make_user("staff-altro@example.org"))
    ProgrammeStaff.objects.create(programme=other_programme, user=staff_other)
    admin = with_totp(
        get_user_model().objects.create_superuser(email="admin@example.org", password="a-long-password-123")
    )
    return {
        "anonymous": AnonymousUser(),
        "plain": make_user("utente@example.org"),
        "observer": make_user("osservatorio@example.org", is_observer=True),
        "representative": representative,
        "staff_this": staff_this,
        "staff_other": staff_other,
        "admin": admin,
    }
