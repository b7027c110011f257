"""Write paths owned by core: the accessibility-feedback mechanism (Legge 4/2004, art. 3-quater)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import record
from .models import AccessibilityFeedback

logger = logging.getLogger(__name__)


@transaction.atomic
def submit_accessibility_feedback(
    *, email: str, description: str, name: str = "", page_url: str = "", assistive_technology: str = ""
) -> AccessibilityFeedback:
    """Store the report first (so nothing is lost if mail fails), then e-mail the accessibility contact.

    The e-mail goes out after the transaction commits; a mail failure is logged, never shown as a lost
    report, because the stored record is what the administration must answer.
    """
    feedback = AccessibilityFeedback(
        name=name,
        email=email,
        page_url=page_url,
        description=description,
        assistive_technology=assistive_technology,
    )
    feedback.full_clean()
    feedback.save()
    record(None, "core.accessibility_feedback", feedback)
    recipient = settings.OFFICINE_SITE.get("accessibility_feedback_email")
    if recipient:
        transaction.on_commit(lambda: _mail_feedback(feedback, recipient))
    return feedback


def _mail_feedback(feedback: AccessibilityFeedback, recipient: str) -> None:
    body = "\n".join(
        [
            _("Accessibility report received on %(when)s")
            % {"when": feedback.created_at.strftime("%d/%m/%Y %H:%M")},
            "",
            f"{_('Name')}: {feedback.name or '-'}",
            f"{_('E-mail')}: {feedback.email}",
            f"{_('Page')}: {feedback.page_url or '-'}",
            f"{_('Assistive technology')}: {feedback.assistive_technology or '-'}",
            "",
            feedback.description,
        ]
    )
    try:
        send_mail(
            _("[Accessibility] New report #%(id)s") % {"id": feedback.pk},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [recipient],
            fail_silently=False,
        )
    except Exception:  # noqa: BLE001 - the report is stored; a relay outage must not lose it
        logger.exception("Could not e-mail accessibility feedback %s", feedback.pk)
