"""Who may do what with programmes (django-rules; loaded by ``rules.apps.AutodiscoverRulesConfig``).

Programmes are public records: everyone may read them. Only platform admins create programmes and decide
who works on them; the staff of a programme (its managing authority or technical secretariat) edit that
programme and run its partnership, and nobody else's.
"""

import rules

from officine.accounts.rules import is_active_user, is_platform_admin


@rules.predicate
def is_staff_of_programme(user, programme) -> bool:
    """True for the staff of *this* programme; ``staffed_programme_ids`` is cached per request."""
    if programme is None or not is_active_user(user):
        return False
    return programme.pk in user.staffed_programme_ids


rules.add_perm("programmes.view_programme", rules.always_allow)
rules.add_perm("programmes.add_programme", is_platform_admin)
rules.add_perm("programmes.change_programme", is_platform_admin | is_staff_of_programme)
# Add, edit and end memberships; edit priorities.
rules.add_perm("programmes.manage_partnership", is_platform_admin | is_staff_of_programme)
rules.add_perm("programmes.manage_staff", is_platform_admin)
