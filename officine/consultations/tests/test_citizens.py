"""Citizens' e-mail verification for public consultations: the signed link and its safeguards."""

import re
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from officine.consultations import citizens, contributions
from officine.consultations.models import Audience, ConsultationState, ProcedureKind
from officine.core.models import AuditEvent

from .contribution_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def public(world):
    return world.consultation(audience=Audience.PUBLIC, title_it="Consultazione pubblica sull'inclusione")


def ask(consultation, email="nuova.cittadina@example.org", **extra) -> bool:
    fields = {"first_name": "Chiara", "last_name": "Esposito", "privacy_consent": True, **extra}
    return citizens.request_access(consultation, email=email, **fields)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


# --- Service --------------------------------------------------------------------------------------------


def test_link_is_mailed_then_confirmation_creates_a_verified_account(world, public):
    assert ask(public, email="Nuova.Cittadina@Example.org")
    [message] = mail.outbox
    assert message.to == ["nuova.cittadina@example.org"]
    assert message.subject == "Your link to take part in “Consultazione pubblica sull'inclusione”"
    assert "48 hours" in message.body
    access = citizens.confirm_access(token_of(link_in(message)))
    user = access.user
    assert access.created and access.consultation == public and access.target == "contribute"
    assert user.email == "nuova.cittadina@example.org" and user.full_name == "Chiara Esposito"
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary
    assert get_user_model().objects.get(pk=user.pk).has_verified_email
    event = AuditEvent.objects.get(action="consultations.citizen_access.confirmed")
    assert event.changes["privacy_consent"] == [None, True]
    sent = AuditEvent.objects.get(action="consultations.citizen_access.link_sent")
    assert "nuova" not in str(sent.changes)  # the address itself is not in the audit trail
    contribution = contributions.submit_contribution(
        get_user_model().objects.get(pk=user.pk),
        public,
        organization=None,
        section=None,
        body="Il mio parere.",
    )
    assert contribution.author_name == "Chiara Esposito"


def test_existing_unverified_account_gets_its_address_verified(world, public):
    assert ask(public, email=world.unverified.email)
    access = citizens.confirm_access(token_of(link_in(mail.outbox[0])))
    assert access.user == world.unverified and not access.created
    assert EmailAddress.objects.get(user=world.unverified).verified


def test_expired_link_is_refused(world, public):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 49 * 3600):
        assert ask(public)
    with pytest.raises(ValidationError) as excinfo:
        citizens.confirm_access(token_of(link_in(mail.outbox[0])))
    assert excinfo.value.code == "expired"
    assert not get_user_model().objects.filter(email="nuova.cittadina@example.org").exists()


def test_tampered_link_is_refused(world, public):
    assert ask(public)
    token = token_of(link_in(mail.outbox[0]))
    forged = citizens.make_token(
        public, email="altra@example.org", first_name="X", last_name="Y", target="contribute"
    ).split(":")[0]
    with pytest.raises(ValidationError) as excinfo:
        citizens.confirm_access(forged + ":" + token.split(":", 1)[1])
    assert excinfo.value.code == "invalid"
    with pytest.raises(ValidationError):
        citizens.confirm_access(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_a_link_works_once(client, world, public):
    assert ask(public)
    url = path_of(link_in(mail.outbox[0]))
    assert client.post(url).status_code == 302
    client.logout()
    response = client.post(url.replace("/it/", "/en/", 1))
    assert response.status_code == 400 and "already been used" in response.content.decode()


@pytest.mark.parametrize("who", ["staff", "staff_other", "admin", "mfa_partner"])
def test_staff_and_mfa_addresses_get_no_link(world, public, who):
    from officine.conftest import enrol_totp

    user = world.rep_member if who == "mfa_partner" else getattr(world, who)
    if who == "mfa_partner":
        enrol_totp(user)
    assert ask(public, email=user.email.upper()) is False
    assert mail.outbox == []


def test_staff_link_made_before_appointment_is_refused(world, public):
    from officine.conftest import enrol_totp
    from officine.programmes.models import ProgrammeStaff

    assert ask(public, email=world.citizen.email)
    ProgrammeStaff.objects.create(programme=world.programme, user=world.citizen)
    enrol_totp(world.citizen)
    with pytest.raises(ValidationError) as excinfo:
        citizens.confirm_access(token_of(link_in(mail.outbox[0])))
    assert excinfo.value.code == "staff"


def test_at_most_three_links_per_address_per_hour(world, public):
    assert [ask(public) for _ in range(4)] == [True, True, True, False]
    assert len(mail.outbox) == 3
    assert ask(public, email="altra.persona@example.org")  # the limit is per address


def test_only_open_public_consultations(world, public):
    with pytest.raises(ValidationError):
        ask(world.consultation())  # partners only
    with pytest.raises(ValidationError):
        ask(world.consultation(audience=Audience.PUBLIC, kind=ProcedureKind.CO_DESIGN))
    with pytest.raises(ValidationError):
        ask(world.consultation(ConsultationState.CLOSED, audience=Audience.PUBLIC))
    with pytest.raises(ValidationError):
        ask(public, privacy_consent=False)
    assert mail.outbox == []


def test_link_for_a_consultation_closed_since_is_refused(world, public):
    assert ask(public)
    public.state = ConsultationState.CLOSED
    public.save()
    with pytest.raises(ValidationError) as excinfo:
        citizens.confirm_access(token_of(link_in(mail.outbox[0])))
    assert excinfo.value.code == "closed"


# --- Pages ----------------------------------------------------------------------------------------------


def access_url(consultation, query: str = "") -> str:
    return (
        reverse("contributions:citizen_access", kwargs={"pk": consultation.pk}).replace("/it/", "/en/", 1)
        + query
    )


def test_access_page_sends_the_link_and_never_says_whether_it_did(client, world, public):
    response = client.get(access_url(public))
    assert response.status_code == 200 and "I have read the privacy notice" in response.content.decode()
    data = {
        "first_name": "Chiara",
        "last_name": "Esposito",
        "email": "c@example.org",
        "privacy_consent": "on",
    }
    response = client.post(access_url(public), data)
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    staff_response = client.post(access_url(public), {**data, "email": world.staff.email})
    assert staff_response["Location"] == response["Location"]
    assert len(mail.outbox) == 1
    page = client.get(response["Location"]).content.decode()
    assert "If the address can be used, we have sent it a link" in page


def test_access_form_keeps_input_and_requires_consent(client, world, public):
    data = {"first_name": "Chiara", "last_name": "Esposito", "email": "c@example.org"}
    response = client.post(access_url(public), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Chiara"' in html and 'value="c@example.org"' in html
    assert "Please read and accept the privacy notice." in html
    assert mail.outbox == []


def test_access_page_exists_only_for_public_consultations(client, world, public):
    assert client.get(access_url(world.consultation())).status_code == 404
    closed = world.consultation(ConsultationState.CLOSED, audience=Audience.PUBLIC)
    response = client.get(access_url(closed))
    assert response.status_code == 200 and response.context["accepting"] is False
    assert "not accepting contributions" in response.content.decode()


def test_confirm_page_asks_for_a_click_then_signs_in_and_goes_to_the_form(client, world, public):
    assert ask(public, target="questions")
    url = path_of(link_in(mail.outbox[0]))
    response = client.get(url)
    assert response.status_code == 200 and "Confirm and sign in" in response.content.decode()
    assert not get_user_model().objects.filter(email="nuova.cittadina@example.org").exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("contributions:questions", kwargs={"pk": public.pk})
    user = get_user_model().objects.get(email="nuova.cittadina@example.org")
    assert int(client.session["_auth_user_id"]) == user.pk
    response = client.get(reverse("contributions:contribute", kwargs={"pk": public.pk}))
    assert response.status_code == 200 and "form" in response.context


def test_confirm_page_with_a_bad_link_explains_and_offers_a_new_one(client, world, public):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 49 * 3600):
        assert ask(public)
    url = path_of(link_in(mail.outbox[0])).replace("/it/", "/en/", 1)
    response = client.get(url)
    assert response.status_code == 400 and "has expired" in response.content.decode()
    assert response.context["retry_url"] == reverse("contributions:citizen_access", kwargs={"pk": public.pk})
    response = client.get(reverse("contributions:citizen_confirm", kwargs={"token": "rubbish"}))
    assert response.status_code == 400 and response.context["retry_url"] is None
