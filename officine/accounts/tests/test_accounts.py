import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from officine.conftest import TEST_PASSWORD, current_totp_code, enrol_totp, make_programme_staff, make_user
from officine.core.models import AuditEvent

LOGIN_URL = "/it/account/login/"


@pytest.fixture
def programme_staff(db):
    """A user who works on one programme: must use TOTP."""
    return make_programme_staff("staff@example.org", full_name="Giulia Staff")


@pytest.mark.django_db
def test_login_with_email_and_password(client, plain_user):
    response = client.post(LOGIN_URL, {"login": "UTENTE@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_shows_message_and_keeps_email(client, plain_user):
    response = client.post(LOGIN_URL, {"login": "utente@example.org", "password": "sbagliata"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="utente@example.org"' in content
    assert "alert-danger" in content


@pytest.mark.django_db
def test_lockout_after_repeated_failures(client, plain_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"login": "utente@example.org", "password": "sbagliata"})
    # Even the right password is refused while locked out.
    response = client.post(LOGIN_URL, {"login": "utente@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert (
        "Accesso temporaneamente bloccato" in response.content.decode()
        or "locked" in response.content.decode()
    )
    assert AccessAttempt.objects.filter(username="utente@example.org").exists()


@pytest.mark.django_db
def test_lockout_is_per_account(client, plain_user, observer_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"login": "utente@example.org", "password": "sbagliata"})
    response = client.post(LOGIN_URL, {"login": "osservatorio@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_without_totp_is_sent_to_enrol(client, programme_staff):
    client.post(LOGIN_URL, {"login": "staff@example.org", "password": TEST_PASSWORD})
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Enrolment page itself is reachable.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


@pytest.mark.django_db
def test_admin_without_totp_is_sent_to_enrol(client, admin_user):
    client.post(LOGIN_URL, {"login": "admin@example.org", "password": TEST_PASSWORD})
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_partner_and_observer_are_not_forced_to_enrol(client, observer_user):
    client.post(LOGIN_URL, {"login": "osservatorio@example.org", "password": TEST_PASSWORD})
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_staff_with_totp_must_enter_code(client, programme_staff):
    secret = enrol_totp(programme_staff)
    response = client.post(LOGIN_URL, {"login": "staff@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in yet.
    assert client.get(reverse("accounts:profile")).status_code == 302
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 200
    assert "2021IT05FFPR003" in profile.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_email(client, plain_user):
    response = client.post("/it/account/password/reset/", {"email": "utente@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "utente@example.org" in mail.outbox[0].to


@pytest.mark.django_db
def test_profile_edit_keeps_input_on_error_and_audits_success(client, plain_user):
    client.force_login(plain_user)
    response = client.post(reverse("accounts:profile_edit"), {"full_name": "   "})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(reverse("accounts:profile_edit"), {"full_name": "Maria  Bianchi"})
    assert response.status_code == 302
    plain_user.refresh_from_db()
    assert plain_user.full_name == "Maria Bianchi"
    assert AuditEvent.objects.filter(action="accounts.update_profile", target_id=str(plain_user.pk)).exists()


@pytest.mark.django_db
def test_signup_is_closed(client):
    response = client.get("/it/account/signup/")
    assert "signup" not in response.get("Location", "") or response.status_code in (200, 302)
    assert b"csrfmiddlewaretoken" not in response.content


@pytest.mark.django_db
def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "staff_area", "admin_site"),
    [
        ("anonymous", False, False),
        ("plain", False, False),
        ("observer", False, False),
        ("inactive_admin", False, False),
        ("staff", True, False),
        ("admin", True, True),
    ],
)
def test_role_permissions_matrix(role, staff_area, admin_site, programme_staff):
    from django.contrib.auth.models import AnonymousUser

    users = {
        "anonymous": lambda: AnonymousUser(),
        "plain": lambda: make_user("p@example.org"),
        "observer": lambda: make_user("o@example.org", is_observer=True),
        "inactive_admin": lambda: make_user("ia@example.org", is_superuser=True, is_active=False),
        "staff": lambda: programme_staff,
        "admin": lambda: make_user("a@example.org", is_superuser=True),
    }
    user = users[role]()
    assert user.has_perm("accounts.view_staff_area") is staff_area
    assert user.has_perm("accounts.view_admin_site") is admin_site
