"""Fixtures for the registry tests: organisations made through the services, one user per role.

Valid 11-digit tax codes for made-up bodies are computed here with the published algorithm (see
``body_tax_code``); ``test_validators`` checks that algorithm and the validator against real public codes
first, so a fixture cannot hide a wrong validator.
"""

import itertools
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from officine.conftest import enrol_totp, make_user
from officine.registry import services
from officine.registry.models import Organization, Representative, Territory

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def english():
    """Run every registry test in English (msgids), so assertions on messages hold once the Italian
    catalogue exists; ``reverse`` then gives /en/ URLs. Tests about Italian headers override it."""
    with translation.override("en"):
        yield


def body_tax_code(number: int) -> str:
    """An 11-digit codice fiscale / partita IVA with a correct check digit.

    Algorithm (DM 23/12/1976): of the first ten digits, add those in odd positions (1st, 3rd, ...) as they
    are; double those in even positions and subtract 9 when the double exceeds 9; the check digit is
    (10 - total mod 10) mod 10. ``7`` prefix keeps these apart from the real codes used in tests.
    """
    base = f"7{number:09d}"
    total = 0
    for position, char in enumerate(base, start=1):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return base + str((10 - total % 10) % 10)


def org_data(**overrides) -> dict:
    n = next(_seq)
    data = {
        "name": f"Associazione di prova {n:05d}",
        "legal_form": "association",
        "country": "IT",
        "tax_code": body_tax_code(n),
        "eccp_subcategory": "b.i",
        "cpr_category": "b",
        "territorial_level": "national",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_org(db):
    """Create an organisation through ``services.create_organization`` (so its search document is set)."""

    def make(actor=None, **overrides) -> Organization:
        return services.create_organization(actor, **org_data(**overrides))

    return make


@pytest.fixture
def org(make_org) -> Organization:
    return make_org(name="Confederazione Generale Italiana del Lavoro", acronym="CGIL")


@pytest.fixture
def other_org(make_org) -> Organization:
    return make_org(name="Legambiente", cpr_category="c", eccp_subcategory="c.i", legal_form="association")


@pytest.fixture
def region(db) -> Territory:
    return Territory.objects.get(level="region", name="Puglia")


@pytest.fixture
def municipality(db) -> Territory:
    return Territory.objects.get(level="municipality", name="Bari")


@pytest.fixture
def make_representative(db):
    def make(organization: Organization, **overrides) -> Representative:
        data = {
            "first_name": "Maria",
            "last_name": "Rossi",
            "role": "delegate",
            "mandate_issuer": "Segreteria generale",
            "mandate_date": date(2024, 1, 15),
            "email": "maria.rossi@example.org",
            "phone": "+39 06 1234567",
        }
        data.update(overrides)
        return services.create_representative(None, organization, **data)

    return make


@pytest.fixture
def authority(db) -> Organization:
    return services.create_organization(
        None,
        **org_data(
            name="Agenzia per la Coesione Territoriale",
            legal_form="public_body",
            eccp_subcategory="a.i",
            cpr_category="a",
            tax_code="97828370581",
        ),
    )


@pytest.fixture
def make_programme(db, authority):
    from officine.programmes.models import Programme

    def make(cci: str, title: str = "PN di prova") -> Programme:
        return Programme.objects.create(
            cci=cci, title_it=title, cycle="2021-2027", kind="national", managing_authority=authority
        )

    return make


@pytest.fixture
def programme(make_programme):
    return make_programme("2021IT05FFPR003", "PN Inclusione e lotta alla povertà 2021-2027")


@pytest.fixture
def add_member(db):
    from officine.programmes.models import Membership

    def add(programme, organization, start=date(2023, 1, 1), end=None) -> Membership:
        return Membership.objects.create(
            programme=programme,
            organization=organization,
            start_date=start,
            end_date=end,
            selection_act_number="Decreto 12/2023",
            selection_act_date=date(2022, 12, 1),
        )

    return add


@pytest.fixture
def staff_user(db, programme):
    from officine.programmes.models import ProgrammeStaff

    user = make_user("staff@example.org", full_name="Funzionaria AdG")
    ProgrammeStaff.objects.create(programme=programme, user=user)
    enrol_totp(user)
    return user


@pytest.fixture
def mfa_admin(admin_user):
    enrol_totp(admin_user)
    return admin_user


@pytest.fixture
def representative_user(db, org, make_representative):
    user = make_user("delegata@example.org", full_name="Delegata CGIL")
    make_representative(
        org, user=user, first_name="Giulia", last_name="Bianchi", email="g.bianchi@example.org"
    )
    return user


@pytest.fixture
def other_representative_user(db, other_org, make_representative):
    user = make_user("delegato@example.org", full_name="Delegato Legambiente")
    make_representative(other_org, user=user, first_name="Paolo", last_name="Verdi")
    return user


@pytest.fixture
def users(
    db, plain_user, observer_user, representative_user, other_representative_user, staff_user, mfa_admin
):
    """One user per role, keyed as in the permission matrices."""
    return {
        "anonymous": AnonymousUser(),
        "plain": plain_user,
        "observer": observer_user,
        "representative": representative_user,
        "other_representative": other_representative_user,
        "staff": staff_user,
        "admin": mfa_admin,
    }
