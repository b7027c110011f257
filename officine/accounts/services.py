"""Write paths for accounts."""

from django.db import transaction

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
