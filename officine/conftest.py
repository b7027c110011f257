"""Fixtures shared by every app's tests: users in each role, and a TOTP helper for staff logins."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

TEST_PASSWORD = "Partenariato-2027!"


def make_user(email: str, *, password: str = TEST_PASSWORD, **extra):
    from officine.accounts.models import User

    user = User.objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def current_totp_code(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def enrol_totp(user) -> str:
    """Give ``user`` a TOTP authenticator and return its secret (to compute codes in tests)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def make_programme_staff(email: str, **user_fields):
    """A user on the staff of PN Inclusione (with its managing authority): the usual staff role in tests."""
    from officine.programmes.models import Programme, ProgrammeStaff
    from officine.registry.models import Organization

    authority = Organization.objects.create(
        name="Ministero del Lavoro e delle Politiche Sociali",
        legal_form="public_body",
        eccp_subcategory="a.i",
        cpr_category="a",
        territorial_level="national",
        tax_code="80237250586",
    )
    programme = Programme.objects.create(
        cci="2021IT05FFPR003",
        title_it="PN Inclusione e lotta alla povertà 2021-2027",
        cycle="2021-2027",
        kind="national",
        managing_authority=authority,
    )
    user = make_user(email, **user_fields)
    ProgrammeStaff.objects.create(programme=programme, user=user)
    return user


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def plain_user(db):
    return make_user("utente@example.org", full_name="Utente Semplice")


@pytest.fixture
def admin_user(db):
    return make_user(
        "admin@example.org", full_name="Amministratrice Piattaforma", is_superuser=True, is_staff=True
    )


@pytest.fixture
def observer_user(db):
    return make_user("osservatorio@example.org", full_name="Osservatore", is_observer=True)


@pytest.fixture(autouse=True)
def english_messages_outside_requests():
    """Validation messages raised outside a request come out in English, the source language, so that tests
    can match them; requests still pick their language from the URL (/it/ or /en/)."""
    from django.utils import translation

    with translation.override("en"):
        yield
