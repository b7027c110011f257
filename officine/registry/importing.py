"""Read a spreadsheet of organisations (CSV, XLSX or ODS) and check every row before anything is saved.

The result lists each problem with the line as the user sees it in the file (header = line 1), the column
name and letter, the value and a translated message, so a file can be fixed in one pass. Rows are checked
with the model's own rules (``full_clean``) plus what only a whole file reveals: duplicates within the file
and against the database, unknown columns, missing required columns. Saving is ``services.confirm_import``.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from officine.core.tabular import (
    FORMULA_PREFIXES,
    MAX_COLUMNS,
    MAX_ROWS,
    ColumnSpec,
    TableHeader,
    choice_lookup,
    column_letter,
    decode_text,
    normalize_header,
    parse_choice,
    read_rows,
    read_table,
    sniff_delimiter,
    sort_issues,
    unescape_formula,
)
from officine.core.tabular import TableIssue as ImportIssue
from officine.core.tabular import TabularFileError as ImportFileError

from .choices import CivilSocietyFocus, CprCategory, EccpSubcategory, LegalForm, TerritorialLevel
from .models import Organization
from .selectors import TerritoryRef, TerritoryResolver, normalize_name, split_entries
from .validators import normalize_code

# Re-exported: the generic spreadsheet functions moved to ``officine.core.tabular``; callers and tests of
# the registry keep importing them from here.
__all__ = [
    "COLUMNS",
    "ColumnSpec",
    "FORMULA_PREFIXES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "ImportFileError",
    "ImportIssue",
    "ImportResult",
    "choice_lookup",
    "column_letter",
    "decode_text",
    "normalize_header",
    "parse_choice",
    "parse_organizations",
    "read_rows",
    "sniff_delimiter",
    "template_csv",
    "unescape_formula",
]


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "name", "denominazione", "name", True, ("nome", "ragione_sociale"), gettext_lazy("Full name.")
    ),
    ColumnSpec("acronym", "sigla", "acronym", help=gettext_lazy("Short name, if any.")),
    ColumnSpec(
        "legal_form",
        "forma_giuridica",
        "legal_form",
        True,
        help=gettext_lazy("A code or label from the list."),
    ),
    ColumnSpec(
        "tax_code",
        "codice_fiscale",
        "tax_code",
        aliases=("cf",),
        help=gettext_lazy("11 digits, or 16 characters; the check digit is verified."),
    ),
    ColumnSpec(
        "vat_number", "partita_iva", "vat_number", aliases=("piva", "p_iva"), help=gettext_lazy("11 digits.")
    ),
    ColumnSpec(
        "ipa_code", "codice_ipa", "ipa_code", help=gettext_lazy("For public administrations, e.g. c_h501.")
    ),
    ColumnSpec(
        "runts_number",
        "numero_runts",
        "runts_number",
        aliases=("runts",),
        help=gettext_lazy("RUNTS registration number, for third-sector bodies."),
    ),
    ColumnSpec(
        "website", "sito_web", "website", aliases=("sito",), help=gettext_lazy("Full address, https://…")
    ),
    ColumnSpec("email", "email", "email", aliases=("e_mail",), help=gettext_lazy("Public contact address.")),
    ColumnSpec(
        "eccp_subcategory",
        "categoria_eccp",
        "eccp_subcategory",
        True,
        ("eccp_category", "eccp"),
        gettext_lazy("a.i, a.ii, a.iii, b.i, b.ii, c.i or c.ii."),
    ),
    ColumnSpec(
        "cpr_category",
        "categoria_cpr",
        "cpr_category",
        True,
        ("cpr",),
        gettext_lazy("a, b, c or d (CPR Art. 8(1))."),
    ),
    ColumnSpec(
        "civil_society_focus",
        "ambiti",
        "civil_society_focus",
        help=gettext_lazy("Only for category c; several separated by | or ,."),
    ),
    ColumnSpec(
        "territorial_level",
        "livello_territoriale",
        "territorial_level",
        True,
        help=gettext_lazy("eu, national, regional or local."),
    ),
    ColumnSpec(
        "territories",
        "territori",
        "territories",
        help=gettext_lazy(
            "ISTAT codes or names separated by | or ,; for a municipality “Name (XX)” also works."
        ),
    ),
    ColumnSpec("country", "paese", "country", help=gettext_lazy("Two-letter code; empty means IT.")),
    ColumnSpec(
        "is_umbrella", "rete", "is_umbrella", help=gettext_lazy("yes/no: the body represents members.")
    ),
    ColumnSpec("description_it", "descrizione", "description_it", aliases=("descrizione_it",)),
    ColumnSpec("description_en", "descrizione_en", "description_en", aliases=("description",)),
)
COLUMNS_BY_FIELD = {spec.field: spec for spec in COLUMNS}

CHOICE_FIELDS: dict[str, type[TextChoices]] = {
    "legal_form": LegalForm,
    "eccp_subcategory": EccpSubcategory,
    "cpr_category": CprCategory,
    "territorial_level": TerritorialLevel,
}
_TRUE = {"1", "si", "sì", "s", "yes", "y", "true", "vero", "x"}
_FALSE = {"0", "no", "n", "false", "falso", ""}


@dataclass
class ParsedRow:
    line: int
    organization: Organization
    territories: list[TerritoryRef]


@dataclass
class ImportResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


# --- Interpreting values ------------------------------------------------------------------------------------


def parse_bool(text: str) -> bool:
    key = normalize_name(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError(_("Write yes or no (sì/no)."))


def _parse_country(text: str) -> str:
    key = normalize_name(text)
    if key in ("", "italia", "italy"):
        return "IT"
    return text.strip().upper()


# --- The whole file -----------------------------------------------------------------------------------------


class _RowParser:
    """Turns one line into an unsaved Organization, collecting every problem instead of stopping at one."""

    def __init__(self, header: TableHeader) -> None:
        self.header = header
        self.lookups = {name: choice_lookup(choices) for name, choices in CHOICE_FIELDS.items()}
        self.focus_lookup = choice_lookup(CivilSocietyFocus)
        self.resolver = TerritoryResolver()

    def value(self, cells: list[str], field_name: str) -> str:
        text = self.header.value(cells, field_name)
        if field_name in ("tax_code", "vat_number") and text.isdigit() and 8 <= len(text) < 11:
            text = text.zfill(11)  # a spreadsheet that read the code as a number dropped its leading zeros
        return text

    def parse(self, line: int, cells: list[str]) -> tuple[ParsedRow | None, list[ImportIssue]]:
        issues: list[ImportIssue] = []
        failed: set[str] = set()

        def fail(field_name: str, messages: Iterable[str]) -> None:
            column, letter = self.header.position(field_name)
            for message in messages:
                issues.append(ImportIssue(line, column, letter, self.value(cells, field_name), str(message)))
            failed.add(field_name)

        data: dict[str, object] = {}
        for name in (
            "name",
            "acronym",
            "tax_code",
            "vat_number",
            "ipa_code",
            "runts_number",
            "website",
            "email",
        ):
            data[name] = self.value(cells, name)
        data["description_it"] = self.value(cells, "description_it")
        data["description_en"] = self.value(cells, "description_en")
        for name, choices in CHOICE_FIELDS.items():
            text = self.value(cells, name)
            if not text:
                data[name] = ""
                continue
            try:
                data[name] = parse_choice(text, choices, self.lookups[name])
            except ValidationError as exc:
                fail(name, exc.messages)
        try:
            data["is_umbrella"] = parse_bool(self.value(cells, "is_umbrella"))
        except ValidationError as exc:
            fail("is_umbrella", exc.messages)
        data["country"] = _parse_country(self.value(cells, "country"))
        focus = []
        for entry in split_entries(self.value(cells, "civil_society_focus"), "|,;"):
            try:
                focus.append(parse_choice(entry, CivilSocietyFocus, self.focus_lookup))
            except ValidationError as exc:
                fail("civil_society_focus", exc.messages)
        data["civil_society_focus"] = list(dict.fromkeys(focus))
        territories, territory_errors = self.resolver.resolve_many(self.value(cells, "territories"), "|,;")
        if territory_errors:
            fail("territories", territory_errors)

        organization = Organization(**{k: v for k, v in data.items() if k not in failed})
        try:
            organization.full_clean(exclude=sorted(failed), validate_constraints=False)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                fail(field_name, messages)
        if issues:
            return None, issues
        return ParsedRow(line, organization, territories), issues


def parse_organizations(content: bytes, file_format: str) -> ImportResult:
    """Check a whole file; ``result.rows`` are unsaved organisations, ready for ``bulk_create``."""
    result = ImportResult()
    table = read_table(content, file_format, COLUMNS)
    result.errors.extend(table.errors)
    result.warnings.extend(table.warnings)
    if table.errors:
        return result
    if not table.rows:
        result.errors.append(ImportIssue(None, "", "", "", _("The file has no organisations to import.")))
        return result
    parser = _RowParser(table.header)
    for line, cells in table.rows:
        row, issues = parser.parse(line, cells)
        result.errors.extend(issues)
        if row is not None:
            result.rows.append(row)
    _check_duplicates(result, table.header)
    sort_issues(result.errors)
    return result


def _check_duplicates(result: ImportResult, header: TableHeader) -> None:
    """Tax codes must be unique: within the file (the later line is wrong) and against the registry."""
    column, letter = header.position("tax_code")
    first_line: dict[str, int] = {}
    duplicates: set[int] = set()
    for row in result.rows:
        code = normalize_code(row.organization.tax_code)
        if not code:
            continue
        if code in first_line:
            result.errors.append(
                ImportIssue(
                    row.line,
                    column,
                    letter,
                    row.organization.tax_code,
                    _("The same tax code is on line %(line)d.") % {"line": first_line[code]},
                )
            )
            duplicates.add(row.line)
        else:
            first_line[code] = row.line
    existing = dict(
        Organization.objects.filter(tax_code__in=list(first_line)).values_list("tax_code", "name")
    )
    for row in result.rows:
        code = row.organization.tax_code
        if code in existing and row.line not in duplicates:
            result.errors.append(
                ImportIssue(
                    row.line,
                    column,
                    letter,
                    code,
                    _("Another organisation already has this tax code: %(name)s.") % {"name": existing[code]},
                )
            )


def template_csv(language: str | None = None) -> str:
    """The header row of an import file, in the current language (both languages are accepted)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([spec.header(language) for spec in COLUMNS])
    return buffer.getvalue()
