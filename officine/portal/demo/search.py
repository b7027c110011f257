"""The ``search_document`` of an organisation written by the demo and scale loaders.

Rows created here bypass the registry's write services (the demo is idempotent upserts, the scale seeder
is ``bulk_create``), so the loaders fill the search column themselves, with the registry's own recipe so
that the partner directory finds them exactly as it finds rows saved through the services.
"""

from collections.abc import Iterable

from officine.registry.models import Organization
from officine.registry.services import organization_search_document


def organization_document(
    name: str, acronym: str, description_it: str, description_en: str, territory_names: Iterable[str] = ()
) -> str:
    """The document of an organisation with these fields and no tax code, VAT number or IPA code."""
    draft = Organization(
        name=name, acronym=acronym, description_it=description_it, description_en=description_en
    )
    return organization_search_document(draft, territory_names)
