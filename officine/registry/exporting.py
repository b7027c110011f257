"""Export the registry as CSV (RFC 4180, UTF-8 with BOM), XLSX and ODS.

The columns reuse the import's headers, so an exported file can be edited and imported elsewhere. Cells
that a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR) get a leading apostrophe
(CSV injection, OWASP). Two queries whatever the number of rows: organisations with their counts as
subqueries, then all their territories through the link table.
"""

from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from officine.core.tabular import EXPORT_FORMATS, Export, ExportFormat, escape_cell, export_table

from .choices import CprCategory, EccpSubcategory
from .importing import COLUMNS_BY_FIELD
from .models import Organization, Representative
from .selectors import current_membership_filter

__all__ = [
    "EXPORT_FORMATS",
    "Export",
    "ExportFormat",
    "escape_cell",
    "export_registry",
    "export_rows",
    "headers",
]

_EXTRA_HEADERS = {
    "id": ("id", "id"),
    "eccp_label": ("categoria_eccp_descrizione", "eccp_subcategory_label"),
    "cpr_label": ("categoria_cpr_descrizione", "cpr_category_label"),
    "territory_names": ("territori_nomi", "territory_names"),
    "representatives": ("rappresentanti", "representatives"),
    "programmes": ("programmi_in_corso", "current_programmes"),
}
_ORDER = (
    "id",
    "name",
    "acronym",
    "legal_form",
    "tax_code",
    "vat_number",
    "ipa_code",
    "runts_number",
    "website",
    "email",
    "eccp_subcategory",
    "eccp_label",
    "cpr_category",
    "cpr_label",
    "civil_society_focus",
    "territorial_level",
    "territories",
    "territory_names",
    "country",
    "is_umbrella",
    "representatives",
    "programmes",
    "description_it",
    "description_en",
)


def headers(language: str | None = None) -> list[str]:
    english = (language or get_language()) == "en"
    names = []
    for key in _ORDER:
        if key in _EXTRA_HEADERS:
            names.append(_EXTRA_HEADERS[key][1 if english else 0])
        else:
            names.append(COLUMNS_BY_FIELD[key].header("en" if english else "it"))
    return names


def export_rows(queryset: QuerySet[Organization]) -> list[list]:
    """One list of cell values per organisation, in the order of :func:`headers`, already escaped."""
    membership_model = Organization._meta.get_field("memberships").related_model
    representatives = (
        Representative.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    programmes = (
        membership_model.objects.filter(current_membership_filter(prefix=""), organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("programme", distinct=True))
        .values("n")
    )
    base = queryset.prefetch_related(None)
    rows = list(
        base.annotate(
            export_representatives=Coalesce(Subquery(representatives, output_field=IntegerField()), Value(0)),
            export_programmes=Coalesce(Subquery(programmes, output_field=IntegerField()), Value(0)),
        ).values(
            "pk",
            "name",
            "acronym",
            "legal_form",
            "tax_code",
            "vat_number",
            "ipa_code",
            "runts_number",
            "website",
            "email",
            "eccp_subcategory",
            "cpr_category",
            "civil_society_focus",
            "territorial_level",
            "country",
            "is_umbrella",
            "description_it",
            "description_en",
            "export_representatives",
            "export_programmes",
        )
    )
    through = Organization.territories.through
    rank = {"region": 0, "province": 1, "municipality": 2}
    places: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    links = through.objects.filter(organization_id__in=base.order_by().values("pk")).values_list(
        "organization_id", "territory__code", "territory__name", "territory__level", "territory__car_plate"
    )
    for org_id, code, name, level, plate in links:
        label = f"{name} ({plate})" if level == "municipality" and plate else name
        places[org_id].append((rank.get(level, 3), name, code, label))
    for entries in places.values():
        entries.sort()  # regions, then provinces, then municipalities, each by name
    eccp_labels = dict(EccpSubcategory.choices)
    cpr_labels = dict(CprCategory.choices)
    yes, no = _("yes"), _("no")
    result = []
    for row in rows:
        cells = {
            "id": row["pk"],
            "name": row["name"],
            "acronym": row["acronym"],
            "legal_form": row["legal_form"],
            "tax_code": row["tax_code"],
            "vat_number": row["vat_number"],
            "ipa_code": row["ipa_code"],
            "runts_number": row["runts_number"],
            "website": row["website"],
            "email": row["email"],
            "eccp_subcategory": row["eccp_subcategory"],
            "eccp_label": str(eccp_labels.get(row["eccp_subcategory"], "")),
            "cpr_category": row["cpr_category"],
            "cpr_label": str(cpr_labels.get(row["cpr_category"], "")),
            "civil_society_focus": "|".join(row["civil_society_focus"] or []),
            "territorial_level": row["territorial_level"],
            "territories": "|".join(entry[2] for entry in places[row["pk"]]),
            "territory_names": "|".join(entry[3] for entry in places[row["pk"]]),
            "country": row["country"],
            "is_umbrella": yes if row["is_umbrella"] else no,
            "representatives": row["export_representatives"],
            "programmes": row["export_programmes"],
            "description_it": row["description_it"],
            "description_en": row["description_en"],
        }
        result.append([escape_cell(cells[key]) for key in _ORDER])
    return result


def export_registry(queryset: QuerySet[Organization], file_format: str) -> Export:
    """The file's bytes, its format, a dated download name and the number of organisations in it."""
    return export_table(
        headers(), export_rows(queryset), file_format, title=_("Partners"), name=_("partner-registry")
    )
