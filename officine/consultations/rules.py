"""Who may do what with consultation documents, consultations, contributions and questions (django-rules).

The permission matrix (tested in ``tests/test_permissions.py``):

- documents: published versions are public (ECCP Art. 5(a)); drafts only for the programme's staff;
- consultations: public from *scheduled* on; a draft only for the programme's staff;
- contributing: only while *open*; in a partners-only consultation, a representative (mandate in force) of a
  current consulted member of the programme; in a public one, also any signed-in person with a verified
  e-mail; in co-programming and co-design, only representatives of third-sector bodies with a RUNTS number;
- contributions are public after closing unless the author objected; authors and staff always see them;
- staff of the programme (and platform admins) run the consultation and give dispositions.
"""

import rules
from django.utils import timezone

from officine.accounts.rules import is_active_user, is_platform_admin
from officine.programmes.rules import is_staff_of_programme

from .models import Audience, ConsultationState, ContributionState


@rules.predicate
def is_staff_of_document_programme(user, document) -> bool:
    return document is not None and is_staff_of_programme(user, document.programme)


@rules.predicate
def is_staff_of_version_programme(user, version) -> bool:
    return version is not None and is_staff_of_document_programme(user, version.document)


@rules.predicate
def is_published_version(user, version) -> bool:
    return version is not None and version.is_published


@rules.predicate
def is_staff_of_consultation_programme(user, consultation) -> bool:
    return consultation is not None and is_staff_of_programme(user, consultation.programme)


@rules.predicate
def is_announced(user, consultation) -> bool:
    return consultation is not None and consultation.state != ConsultationState.DRAFT


@rules.predicate
def is_open(user, consultation) -> bool:
    return consultation is not None and consultation.state == ConsultationState.OPEN


def eligible_organization_ids(user, consultation) -> frozenset[int]:
    """The organisations on whose behalf ``user`` may contribute to ``consultation`` (may be empty)."""
    if not is_active_user(user) or consultation is None:
        return frozenset()
    represented = user.represented_organization_ids
    if not represented:
        return frozenset()
    from officine.programmes.models import Membership
    from officine.registry.models import Organization

    candidates = Organization.objects.filter(pk__in=represented, is_active=True)
    if consultation.is_third_sector_procedure:
        candidates = candidates.exclude(runts_number="")
    if consultation.audience == Audience.PARTNERS:
        members = Membership.objects.current(timezone.localdate()).filter(
            programme_id=consultation.programme_id, is_consultee=True
        )
        candidates = candidates.filter(pk__in=members.values("organization_id"))
    return frozenset(candidates.values_list("pk", flat=True))


@rules.predicate
def may_speak_for_an_organization(user, consultation) -> bool:
    return bool(eligible_organization_ids(user, consultation))


@rules.predicate
def may_contribute_as_citizen(user, consultation) -> bool:
    """Public consultations accept individuals signed in with a verified e-mail (not art. 55 procedures)."""
    return (
        is_active_user(user)
        and consultation is not None
        and consultation.audience == Audience.PUBLIC
        and not consultation.is_third_sector_procedure
        and user.has_verified_email
    )


@rules.predicate
def is_contribution_author(user, contribution) -> bool:
    return is_active_user(user) and contribution is not None and contribution.author_id == user.pk


@rules.predicate
def is_contribution_editable(user, contribution) -> bool:
    return (
        contribution is not None
        and contribution.state == ContributionState.SUBMITTED
        and contribution.consultation.state == ConsultationState.OPEN
    )


@rules.predicate
def is_contribution_published(user, contribution) -> bool:
    return (
        contribution is not None
        and contribution.consultation.contributions_are_public
        and contribution.state == ContributionState.SUBMITTED
        and not contribution.objects_to_publication
    )


@rules.predicate
def is_staff_of_contribution_programme(user, contribution) -> bool:
    return contribution is not None and is_staff_of_consultation_programme(user, contribution.consultation)


can_manage_consultation = is_platform_admin | is_staff_of_consultation_programme

rules.add_perm("consultations.manage_document", is_platform_admin | is_staff_of_document_programme)
rules.add_perm(
    "consultations.view_version", is_published_version | is_platform_admin | is_staff_of_version_programme
)
rules.add_perm("consultations.view_consultation", is_announced | can_manage_consultation)
rules.add_perm("consultations.manage_consultation", can_manage_consultation)
rules.add_perm(
    "consultations.contribute", is_open & (may_speak_for_an_organization | may_contribute_as_citizen)
)
rules.add_perm("consultations.ask_question", is_open & rules.is_authenticated & rules.is_active)
rules.add_perm(
    "consultations.view_contribution",
    is_contribution_published
    | is_contribution_author
    | is_platform_admin
    | is_staff_of_contribution_programme,
)
rules.add_perm("consultations.change_contribution", is_contribution_author & is_contribution_editable)
rules.add_perm("consultations.dispose_contribution", is_platform_admin | is_staff_of_contribution_programme)


# --- Helper A: staff pages for documents and consultations ------------------------------------------------
# Checked on a programme, before the document or consultation exists: its staff (and platform admins) may
# create documents and consultations in it.
rules.add_perm("consultations.add_document", is_platform_admin | is_staff_of_programme)
rules.add_perm("consultations.add_consultation", is_platform_admin | is_staff_of_programme)


# --- Dispositions and outcome (helper C: dispositions, answer templates, outcome report) ------------------
# Answer templates belong to a programme (checked on the Programme object): its staff and platform admins
# write them; they are internal working material, so nobody else sees them.
rules.add_perm("consultations.manage_disposition_templates", is_platform_admin | is_staff_of_programme)
