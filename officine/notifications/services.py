"""Tell people what happened: one in-app notice per recipient, e-mailed at once or in the daily digest.

Domain services call :func:`notify` with texts already translated for the recipient's language (the
platform's default language, Italian, unless the caller activated another). ``key`` names the event, so
calling twice for the same event (a retried job, a double click) never duplicates a notice or an e-mail.

E-mails are sent *at most once*: a notice is claimed (``emailed_at`` set) before its mail goes out and
released again if the mail server refuses it, so two processes (the request that created the notice and
the daily job that retries failures) never send the same notice twice, and a refused mail is retried by
the next run of ``send_notification_digests``.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from officine.core.audit import record

from .models import Frequency, Notification, NotificationPreference
from .selectors import email_frequency  # noqa: F401 - part of this module's API since the first version

logger = logging.getLogger(__name__)

#: How far back the daily job retries immediate e-mails that failed.
RETRY_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Notice:
    kind: str
    key: str
    subject: str
    body: str
    url: str = ""


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
    pending = Notification.objects.filter(
        key=key, recipient_id__in=recipient_ids, emailed_at__isnull=True
    ).select_related("recipient")
    return sum(1 for notification in pending if _send_one(notification))


def retry_unsent_immediate(now: datetime | None = None) -> int:
    """E-mail again the notices of immediate users whose mail failed earlier (or was never attempted).

    Only notices of the last :data:`RETRY_WINDOW`: after a long mail outage, a week-old "closes in three
    days" would mislead more than help (the notice is still on the notifications page). Notices of users
    who chose the daily digest are left to :func:`send_digests`.
    """
    now = now or timezone.now()
    daily = NotificationPreference.objects.filter(email_frequency=Frequency.DAILY).values("user_id")
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lte=now,
            created_at__gte=now - RETRY_WINDOW,
            recipient__is_active=True,
        )
        .exclude(recipient_id__in=daily)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    return sum(1 for notification in pending if _send_one(notification))


def send_digests(now: datetime | None = None) -> int:
    """Send each daily-digest user one e-mail with every notice not yet e-mailed; return the mails sent.

    A user gets at most one digest per calendar day (Europe/Rome): running the job again the same day sends
    nothing, and notices created in between wait for tomorrow's digest. A refused mail leaves its notices
    unsent for the next run.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    daily_users = NotificationPreference.objects.filter(email_frequency=Frequency.DAILY).values("user_id")
    pending = (
        Notification.objects.filter(
            recipient_id__in=daily_users,
            recipient__is_active=True,
            emailed_at__isnull=True,
            created_at__lte=now,
        )
        .order_by("recipient_id", "created_at", "pk")
        .values_list("recipient_id", "pk")
    )
    by_user: dict[int, list[int]] = defaultdict(list)
    for recipient_id, pk in pending:
        by_user[recipient_id].append(pk)
    if not by_user:
        return 0
    start_of_day = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    already_today = set(
        Notification.objects.filter(recipient_id__in=list(by_user), emailed_at__gte=start_of_day)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    recipients = get_user_model().objects.in_bulk([pk for pk in by_user if pk not in already_today])
    sent = 0
    for user_id, user in recipients.items():
        if _send_digest(user, by_user[user_id]):
            sent += 1
    return sent


def _send_digest(user, notification_ids: list[int]) -> bool:
    stamp = timezone.now()
    Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(emailed_at=stamp)
    claimed = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at=stamp).order_by("created_at", "pk")
    )
    if not claimed:
        return False  # another run took them
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "Your daily notices: %(count)d new", "Your daily notices: %(count)d new", len(claimed)
        ) % {"count": len(claimed)}
        text = render_to_string(
            "notifications/email/digest.txt",
            {
                "user": user,
                "items": [(n, absolute_url(n.url)) for n in claimed],
                "list_url": absolute_url(reverse("notifications:list")),
                "preferences_url": absolute_url(reverse("notifications:preferences")),
                "platform_name": settings.OFFICINE_SITE["platform_name"],
            },
        )
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # noqa: BLE001 - any transport error: release the notices for the next run
        logger.exception("Could not e-mail the daily digest to user %s", user.pk)
        Notification.objects.filter(pk__in=[n.pk for n in claimed], emailed_at=stamp).update(emailed_at=None)
        return False
    return True


def _send_one(notification: Notification) -> bool:
    """Claim, send and (on failure) release one notice; True if its mail went out."""
    stamp = timezone.now()
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=stamp
    )
    if not claimed:
        return False
    try:
        send_mail(
            notification.subject,
            _email_text(notification),
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
    except Exception:  # noqa: BLE001 - any transport error: keep the notice for the next digest run
        logger.exception("Could not e-mail notification %s", notification.pk)
        Notification.objects.filter(pk=notification.pk, emailed_at=stamp).update(emailed_at=None)
        return False
    notification.emailed_at = stamp
    return True


def _email_text(notification: Notification) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        footer = _(
            "You receive this message as a user of %(platform)s. Choose how you get notices: %(url)s"
        ) % {
            "platform": settings.OFFICINE_SITE["platform_name"],
            "url": absolute_url(reverse("notifications:preferences")),
        }
    link = absolute_url(notification.url)
    text = f"{notification.body}\n\n{link}\n" if link else f"{notification.body}\n"
    return f"{text}\n-- \n{footer}\n"


# --- The reader's side: what is read, and how notices reach them --------------------------------------


def mark_read(user, notification: Notification) -> Notification:
    """Mark one of ``user``'s notices read.

    Not audited: whether someone has opened a notice is their own reading state, not a record of the
    administration's work, and logging every click would bury the audit trail in noise.
    """
    if notification.recipient_id != user.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notice of ``user`` read (not audited, like :func:`mark_read`); return how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_email_frequency(actor, user, frequency: str) -> NotificationPreference:
    """Save how ``user`` wants notices e-mailed; audited, because it decides whether legal notices arrive.

    Switching to immediate does not flush the notices waiting for the digest at once: the next daily run
    e-mails them, so a change of mind never produces a burst of mails.
    """
    if frequency not in Frequency.values:
        raise ValidationError({"email_frequency": [_("Choose how you want to receive notices.")]})
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, defaults={"email_frequency": frequency}
    )
    before = Frequency.IMMEDIATE if created else preference.email_frequency
    if not created and before != frequency:
        preference.email_frequency = frequency
        preference.save(update_fields=["email_frequency"])
    if before != frequency:
        record(
            actor,
            "notifications.preference.update",
            preference,
            {"email_frequency": [before, frequency]},
        )
    return preference
