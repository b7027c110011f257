"""Tell people what happened: one in-app notice per recipient, e-mailed at once or in the daily digest.

Domain services call :func:`notify` with texts already translated for the recipient's language (the
platform's default language, Italian, unless the caller activated another). ``key`` names the event, so
calling twice for the same event (a retried job, a double click) never duplicates a notice or an e-mail.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Frequency, Notification, NotificationPreference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    kind: str
    key: str
    subject: str
    body: str
    url: str = ""


def email_frequency(user) -> str:
    preference = NotificationPreference.objects.filter(user=user).only("email_frequency").first()
    return preference.email_frequency if preference else Frequency.IMMEDIATE


def absolute_url(path: str) -> str:
    """E-mails need full links; ``OFFICINE_BASE_URL`` says where the platform is served."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.OFFICINE_BASE_URL.rstrip("/") + path


def notify(recipients: Iterable, notice: Notice) -> list[Notification]:
    """Create the notice for each active recipient not yet told; e-mail the immediate ones after commit."""
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not users:
        return []
    already = set(
        Notification.objects.filter(recipient_id__in=users, key=notice.key).values_list(
            "recipient_id", flat=True
        )
    )
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=notice.kind,
                key=notice.key,
                subject=notice.subject[:300],
                body=notice.body,
                url=notice.url,
            )
            for pk in users
            if pk not in already
        ],
        ignore_conflicts=True,
    )
    daily = set(
        NotificationPreference.objects.filter(user_id__in=users, email_frequency=Frequency.DAILY).values_list(
            "user_id", flat=True
        )
    )
    immediate_keys = [n.recipient_id for n in created if n.recipient_id not in daily]
    if immediate_keys:
        key = notice.key
        transaction.on_commit(lambda: send_immediate(key, immediate_keys))
    return created


def send_immediate(key: str, recipient_ids: list[int]) -> int:
    """E-mail the notices of one event; a failing mail server is logged and the notice stays unsent."""
    sent = 0
    pending = Notification.objects.filter(
        key=key, recipient_id__in=recipient_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        try:
            send_mail(
                notification.subject,
                _email_text(notification),
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.email],
            )
        except Exception:  # noqa: BLE001 - any transport error: keep the notice for the next digest run
            logger.exception("Could not e-mail notification %s", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _email_text(notification: Notification) -> str:
    link = absolute_url(notification.url)
    return f"{notification.body}\n\n{link}\n" if link else f"{notification.body}\n"
