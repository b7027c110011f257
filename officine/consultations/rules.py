"""Who may do what with consultation documents (django-rules)."""

import rules

from officine.accounts.rules import is_platform_admin
from officine.programmes.rules import is_staff_of_programme


@rules.predicate
def is_staff_of_document_programme(user, document) -> bool:
    return document is not None and is_staff_of_programme(user, document.programme)


@rules.predicate
def is_staff_of_version_programme(user, version) -> bool:
    return version is not None and is_staff_of_document_programme(user, version.document)


@rules.predicate
def is_published_version(user, version) -> bool:
    return version is not None and version.is_published


rules.add_perm("consultations.manage_document", is_platform_admin | is_staff_of_document_programme)
# Published versions are public (ECCP Art. 5(a): timely disclosure); drafts only for the programme's staff.
rules.add_perm(
    "consultations.view_version", is_published_version | is_platform_admin | is_staff_of_version_programme
)
