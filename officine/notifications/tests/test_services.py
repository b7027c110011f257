"""Notices and their e-mails: idempotent by key, immediate or in a daily digest, never lost to mail errors."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from officine.core.models import AuditEvent
from officine.notifications import services
from officine.notifications.models import Frequency, Notification, NotificationPreference
from officine.notifications.services import Notice


def notice(n: int = 1, **fields) -> Notice:
    defaults = {
        "kind": "test",
        "key": f"event:{n}",
        "subject": f"Oggetto {n}",
        "body": f"Testo della notifica {n}.",
        "url": f"/it/consultations/{n}/",
    }
    return Notice(**{**defaults, **fields})


def daily(user):
    NotificationPreference.objects.create(user=user, email_frequency=Frequency.DAILY)
    return user


# --- notify --------------------------------------------------------------------------------------------


def test_same_key_twice_gives_one_notice_and_one_email(anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify([anna], notice())
    with django_capture_on_commit_callbacks(execute=True):
        second = services.notify([anna], notice(subject="Altro oggetto"))
    assert len(first) == 1 and second == []
    assert Notification.objects.filter(recipient=anna).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.subject == "Oggetto 1"
    assert "Testo della notifica 1." in message.body
    assert Notification.objects.get(recipient=anna).emailed_at is not None


def test_immediate_email_waits_for_the_commit(anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify([anna], notice())
    assert mail.outbox == [] and len(callbacks) == 1  # a rolled-back event never e-mails anyone


def test_daily_users_get_no_immediate_email(anna, bruno, django_capture_on_commit_callbacks):
    daily(anna)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([anna, bruno], notice())
    assert [m.to for m in mail.outbox] == [["bruno@example.org"]]
    assert Notification.objects.get(recipient=anna).emailed_at is None
    assert Notification.objects.get(recipient=bruno).emailed_at is not None


def test_inactive_and_missing_recipients_are_skipped(anna, bruno, django_capture_on_commit_callbacks):
    bruno.is_active = False
    bruno.save()
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify([anna, bruno, None], notice())
    assert [n.recipient_id for n in created] == [anna.pk]
    assert not Notification.objects.filter(recipient=bruno).exists()


def test_immediate_mail_failure_keeps_the_notice_unsent_and_the_job_retries_it(
    anna, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise SMTPException("relay refused")

    monkeypatch.setattr(services, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([anna], notice())
    stored = Notification.objects.get(recipient=anna)
    assert stored.emailed_at is None  # claimed, refused, released
    monkeypatch.undo()
    assert services.retry_unsent_immediate() == 1
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert services.retry_unsent_immediate() == 0  # sent once only
    assert len(mail.outbox) == 1


def test_retry_gives_up_on_notices_older_than_a_week(anna):
    services.notify([anna], notice())  # never e-mailed (no commit in this test)
    assert services.retry_unsent_immediate(now=timezone.now() + timedelta(days=8)) == 0
    assert mail.outbox == []
    assert services.retry_unsent_immediate(now=timezone.now() + timedelta(days=6)) == 1


def test_retry_leaves_digest_users_to_the_digest(anna):
    daily(anna)
    services.notify([anna], notice())
    assert services.retry_unsent_immediate() == 0
    assert mail.outbox == []


def test_email_has_an_absolute_link_and_a_way_to_change_preferences(anna, settings):
    settings.OFFICINE_BASE_URL = "https://partenariato.example.gov.it/"
    services.notify([anna], notice())
    services.send_immediate("event:1", [anna.pk])
    body = mail.outbox[0].body
    assert "https://partenariato.example.gov.it/it/consultations/1/" in body
    assert "https://partenariato.example.gov.it/it/notifications/preferences/" in body


# --- digest --------------------------------------------------------------------------------------------


def test_digest_sends_one_mail_per_user_with_all_their_notices_and_marks_them(anna, bruno):
    daily(anna)
    daily(bruno)
    for n in (1, 2, 3):
        services.notify([anna], notice(n))
    services.notify([bruno], notice(4))
    assert mail.outbox == []

    assert services.send_digests() == 2
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {("anna@example.org",), ("bruno@example.org",)}
    anna_mail = by_recipient[("anna@example.org",)].body
    for n in (1, 2, 3):
        assert f"Oggetto {n}" in anna_mail and f"Testo della notifica {n}." in anna_mail
        assert f"/it/consultations/{n}/" in anna_mail
    assert "Oggetto 4" not in anna_mail
    assert "Oggetto 4" in by_recipient[("bruno@example.org",)].body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_digest_links_are_absolute(anna, settings):
    settings.OFFICINE_BASE_URL = "https://partenariato.example.gov.it"
    daily(anna)
    services.notify([anna], notice(7))
    services.send_digests()
    assert "https://partenariato.example.gov.it/it/consultations/7/" in mail.outbox[0].body


def test_second_digest_run_sends_nothing(anna):
    daily(anna)
    services.notify([anna], notice(1))
    assert services.send_digests() == 1
    assert services.send_digests() == 0
    assert len(mail.outbox) == 1


def test_notices_arriving_after_the_digest_wait_for_the_next_day(anna):
    daily(anna)
    services.notify([anna], notice(1))
    services.send_digests()
    services.notify([anna], notice(2))
    assert services.send_digests() == 0  # one digest a day
    tomorrow = timezone.now() + timedelta(days=1)
    assert services.send_digests(now=tomorrow) == 1
    assert "Oggetto 2" in mail.outbox[1].body and "Oggetto 1" not in mail.outbox[1].body


def test_digest_ignores_immediate_users_and_users_without_news(anna, bruno):
    daily(anna)
    services.notify([bruno], notice(1))
    assert services.send_digests() == 0
    assert mail.outbox == []


def test_digest_mail_failure_keeps_the_notices_for_the_next_run(anna, bruno, monkeypatch):
    daily(anna)
    daily(bruno)
    services.notify([anna, bruno], notice(1))
    real_send_mail = services.send_mail

    def refuse_anna(subject, body, sender, recipients, **kwargs):
        if recipients == ["anna@example.org"]:
            raise SMTPException("mailbox unavailable")
        return real_send_mail(subject, body, sender, recipients, **kwargs)

    monkeypatch.setattr(services, "send_mail", refuse_anna)
    assert services.send_digests() == 1
    assert Notification.objects.get(recipient=anna).emailed_at is None
    assert Notification.objects.get(recipient=bruno).emailed_at is not None
    monkeypatch.undo()
    assert services.send_digests() == 1  # anna's digest goes out on the next run, bruno gets nothing new
    assert [m.to for m in mail.outbox] == [["bruno@example.org"], ["anna@example.org"]]


def test_digest_skips_inactive_users(anna):
    daily(anna)
    services.notify([anna], notice(1))
    anna.is_active = False
    anna.save()
    assert services.send_digests() == 0


# --- reading and preferences -------------------------------------------------------------------------------


def test_mark_read_and_mark_all_read(anna, bruno):
    for n in (1, 2, 3):
        services.notify([anna, bruno], notice(n))
    first = Notification.objects.get(recipient=anna, key="event:1")
    services.mark_read(anna, first)
    assert Notification.objects.get(pk=first.pk).read_at is not None
    with pytest.raises(Notification.DoesNotExist):
        services.mark_read(bruno, first)
    assert services.mark_all_read(anna) == 2
    assert not Notification.objects.filter(recipient=anna, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bruno, read_at__isnull=True).count() == 3


def test_preference_is_saved_and_audited_only_when_it_changes(anna):
    services.set_email_frequency(anna, anna, Frequency.DAILY)
    assert NotificationPreference.objects.get(user=anna).email_frequency == Frequency.DAILY
    services.set_email_frequency(anna, anna, Frequency.DAILY)
    services.set_email_frequency(anna, anna, Frequency.IMMEDIATE)
    events = AuditEvent.objects.filter(action="notifications.preference.update").order_by("pk")
    assert [e.changes["email_frequency"] for e in events] == [["immediate", "daily"], ["daily", "immediate"]]
    assert all(e.actor_id == anna.pk for e in events)


def test_choosing_immediate_again_creates_no_audit_event(anna):
    services.set_email_frequency(anna, anna, Frequency.IMMEDIATE)
    assert NotificationPreference.objects.filter(user=anna).exists()
    assert not AuditEvent.objects.filter(action="notifications.preference.update").exists()


def test_unknown_frequency_is_refused(anna):
    with pytest.raises(ValidationError) as excinfo:
        services.set_email_frequency(anna, anna, "weekly")
    assert "email_frequency" in excinfo.value.message_dict
    assert not NotificationPreference.objects.filter(user=anna).exists()
