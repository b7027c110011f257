"""Citizens in public consultations: a verified e-mail address instead of an account sign-up.

Sign-up is closed on this platform, yet public consultations must accept individuals (issue 3, point 3).
A citizen gives name and e-mail and agrees to the privacy notice; we e-mail a signed link valid for 48 hours.
Opening it creates the account if needed (no password: the link is the way in), marks the address verified
and signs the person in.

Safeguards:
- no e-mail enumeration: the page always answers "if the address can be used, we sent a link";
- addresses of staff and administrators (and of anyone with two-factor authentication) get no link:
  they sign in with password and MFA, and a mailed link must not bypass that;
- at most three links per address per hour, counted on the audit trail (shared by every app server);
- a link works once: it carries the account's last-login time, which signing in changes.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from officine.core.audit import record
from officine.core.models import AuditEvent
from officine.notifications.services import absolute_url

from .contributions import accepts_contributions
from .models import Audience, Consultation

logger = logging.getLogger(__name__)

LINK_MAX_AGE = timedelta(hours=48)
MAX_LINKS_PER_HOUR = 3
TARGETS = ("contribute", "questions")
_SALT = "officine.consultations.citizen-access"
_LINK_SENT = "consultations.citizen_access.link_sent"


@dataclass(frozen=True)
class CitizenAccess:
    """What a valid link gives: the signed-in person, where they were going, and whether they are new."""

    user: object
    consultation: Consultation
    target: str
    created: bool


def is_citizen_consultation(consultation: Consultation) -> bool:
    """Only public consultations take individuals (never the art. 55 procedures, reserved to bodies)."""
    return consultation.audience == Audience.PUBLIC and not consultation.is_third_sector_procedure


def _normalize(email: str) -> str:
    return (email or "").strip().lower()


def _address_key(email: str) -> str:
    """A keyed hash of the address, so the audit trail counts links without storing the address."""
    return salted_hmac(_SALT, _normalize(email)).hexdigest()


def _login_state(user) -> str:
    """Changes when the person signs in, which makes a used link stale (like a password-reset token)."""
    if user is None or user.last_login is None:
        return ""
    return user.last_login.isoformat()


def _must_use_normal_login(user) -> bool:
    """Staff, admins and anyone with two-factor authentication sign in with password and MFA."""
    if user is None:
        return False
    return (
        not user.is_active
        or user.requires_mfa
        or user.is_observer
        or Authenticator.objects.filter(user=user).exists()
    )


def links_sent_recently(email: str) -> int:
    since = timezone.now() - timedelta(hours=1)
    return AuditEvent.objects.filter(
        action=_LINK_SENT, at__gte=since, changes__address=_address_key(email)
    ).count()


def make_token(
    consultation: Consultation, *, email: str, first_name: str, last_name: str, target: str
) -> str:
    user = get_user_model().objects.filter(email__iexact=_normalize(email)).first()
    payload = {
        "e": _normalize(email),
        "f": first_name.strip(),
        "l": last_name.strip(),
        "c": consultation.pk,
        "t": target if target in TARGETS else TARGETS[0],
        "s": _login_state(user),
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def request_access(
    consultation: Consultation,
    *,
    email: str,
    first_name: str,
    last_name: str,
    privacy_consent: bool,
    target: str = "contribute",
) -> bool:
    """E-mail a sign-in link if the address may have one; return whether a message was sent.

    The caller must not tell the person the result (no enumeration of accounts or staff addresses).
    """
    if not privacy_consent:
        raise ValidationError({"privacy_consent": [_("Please read and accept the privacy notice.")]})
    if not is_citizen_consultation(consultation):
        raise ValidationError(_("Only public consultations accept contributions from individuals."))
    if not accepts_contributions(consultation):
        raise ValidationError(_("This consultation is not accepting contributions."))
    email = _normalize(email)
    user = get_user_model().objects.filter(email__iexact=email).first()
    if _must_use_normal_login(user):
        logger.info("Citizen access refused to an address that must use the normal login")
        return False
    if links_sent_recently(email) >= MAX_LINKS_PER_HOUR:
        logger.info("Citizen access: link limit reached for an address")
        return False
    token = make_token(consultation, email=email, first_name=first_name, last_name=last_name, target=target)
    url = absolute_url(reverse("contributions:citizen_confirm", kwargs={"token": token}))
    context = {
        "consultation": consultation,
        "name": f"{first_name} {last_name}".strip(),
        "url": url,
        "hours": int(LINK_MAX_AGE.total_seconds() // 3600),
        "platform": settings.OFFICINE_SITE["platform_name"],
        "administration": settings.OFFICINE_SITE["administration_name"],
    }
    subject = render_to_string("consultations/contribute/email/citizen_link_subject.txt", context)
    body = render_to_string("consultations/contribute/email/citizen_link_message.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [email])
    except OSError:
        logger.exception("Citizen access: the link could not be e-mailed")
        return False
    record(None, _LINK_SENT, consultation, {"address": _address_key(email)})
    return True


def _read_token(token: str, *, lock: bool = False) -> tuple[dict, Consultation, object | None]:
    """Check signature, age, consultation and account; raise a translated ValidationError saying why not."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("This link has expired (links are valid for 48 hours): ask for a new one."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(
            _("This link is not valid: copy it whole from the e-mail, or ask for a new one."), code="invalid"
        ) from exc
    consultation = Consultation.objects.filter(pk=payload.get("c")).select_related("programme").first()
    if consultation is None or not is_citizen_consultation(consultation):
        raise ValidationError(_("This link is not valid: ask for a new one."), code="invalid")
    if not accepts_contributions(consultation):
        raise ValidationError(_("This consultation is no longer accepting contributions."), code="closed")
    users = get_user_model().objects.filter(email__iexact=_normalize(payload.get("e", "")))
    user = (users.select_for_update() if lock else users).first()
    if _must_use_normal_login(user):
        raise ValidationError(
            _(
                "This address belongs to an account that signs in with password and two-factor "
                "authentication."
            ),
            code="staff",
        )
    if payload.get("s", "") != _login_state(user):
        raise ValidationError(_("This link has already been used: ask for a new one."), code="used")
    return payload, consultation, user


def check_token(token: str) -> ValidationError | None:
    """Whether the link would work now (shown before the person presses "confirm"); changes nothing."""
    try:
        _read_token(token)
    except ValidationError as error:
        return error
    return None


def consultation_from_token(token: str) -> Consultation | None:
    """The consultation a genuine link was for, even if expired, to offer a new link for the same one."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return Consultation.objects.filter(pk=payload.get("c")).first()


@transaction.atomic
def confirm_access(token: str) -> CitizenAccess:
    """Check the link and give the account behind it a verified address; the view then signs it in."""
    payload, consultation, user = _read_token(token, lock=True)
    email = _normalize(payload.get("e", ""))
    name = " ".join(f"{payload.get('f', '')} {payload.get('l', '')}".split())[:200]
    created = user is None
    if created:
        user = get_user_model().objects.create_user(email=email, password=None, full_name=name)
    elif name and not user.full_name:
        user.full_name = name
        user.save(update_fields=["full_name"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    user._has_verified_email = True
    record(
        user,
        "consultations.citizen_access.confirmed",
        user,
        {
            "consultation": [None, consultation.pk],
            "privacy_consent": [None, True],
            "account_created": [None, created],
        },
    )
    target = payload.get("t") if payload.get("t") in TARGETS else TARGETS[0]
    return CitizenAccess(user=user, consultation=consultation, target=target, created=created)
