from unittest import mock

import pytest
from django.core import mail
from django.db.utils import OperationalError

from officine.core.audit import diff, record, snapshot
from officine.core.models import AccessibilityFeedback, AuditEvent
from officine.core.services import submit_accessibility_feedback


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


@pytest.mark.django_db
def test_record_stores_actor_target_and_changes(admin_user):
    before = snapshot(admin_user, ["full_name"])
    admin_user.full_name = "Nuovo Nome"
    event = record(admin_user, "test.rename", admin_user, diff(before, snapshot(admin_user, ["full_name"])))
    assert event.actor == admin_user
    assert event.target_type == "accounts.user"
    assert event.changes == {"full_name": ["Amministratrice Piattaforma", "Nuovo Nome"]}


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_unreachable_database(client):
    with mock.patch("officine.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


@pytest.mark.django_db(transaction=True)
def test_accessibility_feedback_is_stored_and_mailed():
    feedback = submit_accessibility_feedback(
        email="cittadina@example.org", description="Il grafico non ha alternativa testuale", page_url="/it/"
    )
    assert AccessibilityFeedback.objects.filter(pk=feedback.pk).exists()
    assert len(mail.outbox) == 1
    assert "Il grafico" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="core.accessibility_feedback").count() == 1


@pytest.mark.django_db(transaction=True)
def test_accessibility_feedback_survives_mail_failure():
    with mock.patch("officine.core.services.send_mail", side_effect=OSError("relay down")):
        feedback = submit_accessibility_feedback(email="a@example.org", description="Problema")
    assert AccessibilityFeedback.objects.filter(pk=feedback.pk).exists()


@pytest.mark.django_db
def test_accessibility_form_keeps_input_on_error(client):
    response = client.post(
        "/it/accessibility/feedback/", {"name": "Anna", "email": "non-una-mail", "description": "Testo lungo"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Anna"' in content
    assert "Testo lungo" in content
    assert 'aria-invalid="true"' in content
    assert AccessibilityFeedback.objects.count() == 0


@pytest.mark.django_db
def test_accessibility_form_success_redirects(client):
    response = client.post(
        "/en/accessibility/feedback/", {"email": "a@example.org", "description": "Contrast"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/accessibility/feedback/thanks/"
