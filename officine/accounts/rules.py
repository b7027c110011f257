"""Role predicates every app builds on (django-rules), and the permissions of the accounts app itself.

Roles are defined once here so that registry, programmes and later apps combine the same predicates;
object-specific predicates (staff of *this* programme, representative of *this* organisation) live in the
app that owns the object.
"""

import rules


def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_platform_admin(user) -> bool:
    return is_active_user(user) and user.is_superuser


@rules.predicate
def is_programme_staff(user) -> bool:
    """Staff of at least one programme (``staffed_programme_ids`` is cached on the user per request)."""
    return is_active_user(user) and bool(user.staffed_programme_ids)


@rules.predicate
def is_observer(user) -> bool:
    return is_active_user(user) and user.is_observer


# The staff area gathers the pages of those who run partnerships.
rules.add_perm("accounts.view_staff_area", is_platform_admin | is_programme_staff)
rules.add_perm("accounts.view_admin_site", is_platform_admin)
