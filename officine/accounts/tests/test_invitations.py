import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from officine.accounts.models import User
from officine.accounts.services import invite_user
from officine.conftest import enrol_totp, make_user
from officine.core.models import AuditEvent


@pytest.mark.django_db(transaction=True)
def test_invitation_creates_a_verified_account_without_password_and_mails_a_working_link(client, admin_user):
    user, created = invite_user(
        admin_user,
        email=" Nuova.Persona@Example.org ",
        full_name="Nuova  Persona",
        base_url="http://testserver/",
    )
    assert created
    assert user.email == "nuova.persona@example.org"
    assert user.full_name == "Nuova Persona"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert AuditEvent.objects.filter(action="accounts.invite_user", target_id=str(user.pk)).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuova.persona@example.org"]
    link = re.search(r"http://testserver(/\S+)", message.body).group(1)
    # The link opens allauth's set-password page, which accepts a new password.
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(form_url, {"password1": "Coesione-2027!", "password2": "Coesione-2027!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Coesione-2027!")


@pytest.mark.django_db
def test_existing_account_is_not_invited_again(admin_user):
    existing = make_user("gia@example.org")
    user, created = invite_user(admin_user, email="GIA@example.org", base_url="http://testserver/")
    assert user == existing and not created
    assert mail.outbox == []
    assert User.objects.filter(email__iexact="gia@example.org").count() == 1


@pytest.fixture
def admin_client(client, admin_user):
    enrol_totp(admin_user)
    client.force_login(admin_user)
    return client


@pytest.fixture
def programme(db):
    from officine.programmes.models import Programme
    from officine.registry.models import Organization

    authority = Organization.objects.create(
        name="Regione Puglia",
        legal_form="public_body",
        eccp_subcategory="a.i",
        cpr_category="a",
        territorial_level="regional",
        tax_code="80017210727",
    )
    return Programme.objects.create(
        cci="2021IT16FFPR002",
        title_it="PR Puglia FESR-FSE+ 2021-2027",
        cycle="2021-2027",
        kind="national",
        managing_authority=authority,
    )


@pytest.mark.django_db
def test_staff_page_refuses_unknown_email_without_invite_and_keeps_input(admin_client, programme):
    url = reverse("programmes:staff", args=[programme.cci])
    response = admin_client.post(url, {"email": "ignoto@example.org", "full_name": "Ignoto"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="ignoto@example.org"' in content
    assert 'value="Ignoto"' in content
    assert not User.objects.filter(email="ignoto@example.org").exists()


@pytest.mark.django_db
def test_invite_needs_a_name(admin_client, programme):
    url = reverse("programmes:staff", args=[programme.cci])
    response = admin_client.post(url, {"email": "ignoto@example.org", "invite": "on"})
    assert response.status_code == 200
    assert "id_full_name-errors" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_staff_page_invites_and_assigns_a_new_person(admin_client, programme):
    url = reverse("programmes:staff", args=[programme.cci])
    response = admin_client.post(
        url, {"email": "funzionaria@example.org", "full_name": "Anna Verdi", "invite": "on"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="funzionaria@example.org")
    assert programme.pk in user.staffed_programme_ids
    assert user.requires_mfa
    assert len(mail.outbox) == 1
