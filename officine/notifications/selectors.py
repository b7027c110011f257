"""Read queries for notices: a person's list and the unread count shown in the header."""

from django.db.models import QuerySet

from .models import Frequency, Notification, NotificationPreference


def notifications_for(user) -> QuerySet[Notification]:
    """``user``'s notices, newest first; the fields the list shows, nothing joined (constant queries)."""
    return Notification.objects.filter(recipient=user).only(
        "pk", "recipient_id", "kind", "subject", "body", "url", "created_at", "read_at"
    )


def unread_count(user) -> int:
    """One indexed COUNT on (recipient, read_at)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_frequency(user) -> str:
    """The saved choice, or immediate for someone who never chose (the model's default)."""
    value = NotificationPreference.objects.filter(user=user).values_list("email_frequency", flat=True).first()
    return value or Frequency.IMMEDIATE
