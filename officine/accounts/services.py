"""Write paths for accounts."""

from urllib.parse import quote

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from officine.core.audit import diff, record, snapshot

from .models import User


@transaction.atomic
def update_profile(actor: User, user: User, *, full_name: str) -> User:
    before = snapshot(user, ["full_name"])
    user.full_name = full_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name"])
    record(actor, "accounts.update_profile", user, diff(before, snapshot(user, ["full_name"])))
    return user


@transaction.atomic
def invite_user(actor: User | None, *, email: str, full_name: str = "", base_url: str) -> tuple[User, bool]:
    """Create an account for someone who will act on the platform, and e-mail them a link to set a password.

    Accounts are created by staff and administrators (sign-up is closed), so the invitation is the person's
    first contact: the link is allauth's password-reset link, valid for the usual reset period, and the
    address counts as verified because the staff member vouches for it. Returns ``(user, created)``; an
    existing account is returned untouched and no mail is sent.
    """
    normalized = email.strip().lower()
    existing = User.objects.filter(email__iexact=normalized).first()
    if existing is not None:
        return existing, False
    user = User.objects.create_user(email=normalized, password=None, full_name=" ".join(full_name.split()))
    EmailAddress.objects.create(user=user, email=normalized, primary=True, verified=True)
    record(
        actor,
        "accounts.invite_user",
        user,
        {"email": [None, normalized], "full_name": [None, user.full_name]},
    )
    language = translation.get_language()
    transaction.on_commit(lambda: _send_invitation(user, actor, base_url, language))
    return user, True


def set_password_url(user: User, base_url: str) -> str:
    """Absolute link to allauth's set-password page for ``user`` (a password-reset key)."""
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return base_url.rstrip("/") + path.replace("UID-KEY", quote(key))


def _send_invitation(user: User, actor: User | None, base_url: str, language: str | None) -> None:
    with translation.override(language):
        context = {
            "user": user,
            "inviter": actor.get_full_name() if actor else "",
            "url": set_password_url(user, base_url),
            "platform": settings.OFFICINE_SITE["platform_name"],
            "administration": settings.OFFICINE_SITE["administration_name"],
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_message.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
