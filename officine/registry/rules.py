"""Who may do what in the registry (django-rules; permissions are checked with ``user.has_perm``).

The registry is public (ECCP Art. 3-4: who the partners are is no secret); writing it is the job of
programme staff, and a representative's contacts are personal data seen only by staff and that person.
"""

import rules

from officine.accounts.rules import is_observer, is_platform_admin, is_programme_staff

from .models import Organization, Representative


@rules.predicate
def is_representative_of(user, organization) -> bool:
    """The user holds a mandate in force for ``organization`` (or for a representative's organisation)."""
    if not (user and user.is_authenticated and user.is_active) or organization is None:
        return False
    if isinstance(organization, Representative):
        organization_id = organization.organization_id
    elif isinstance(organization, Organization):
        organization_id = organization.pk
    else:
        return False
    return organization_id in user.represented_organization_ids


@rules.predicate
def is_the_representative(user, representative) -> bool:
    """The representative record is the user's own."""
    return bool(
        user
        and user.is_authenticated
        and isinstance(representative, Representative)
        and representative.user_id is not None
        and representative.user_id == user.pk
    )


can_manage = is_platform_admin | is_programme_staff

rules.add_perm("registry.view_organization", rules.always_allow)
rules.add_perm("registry.add_organization", can_manage)
rules.add_perm("registry.change_organization", can_manage)
rules.add_perm("registry.import_organizations", can_manage)
rules.add_perm("registry.delete_organization", is_platform_admin)
rules.add_perm("registry.export_registry", can_manage | is_observer)
rules.add_perm("registry.add_representative", can_manage)
rules.add_perm("registry.change_representative", can_manage)
rules.add_perm("registry.delete_representative", can_manage)
rules.add_perm("registry.view_representative_contacts", can_manage | is_the_representative)
