"""Read a spreadsheet of organisations (CSV, XLSX or ODS) and check every row before anything is saved.

The result lists each problem with the line as the user sees it in the file (header = line 1), the column
name and letter, the value and a translated message, so a file can be fixed in one pass. Rows are checked
with the model's own rules (``full_clean``) plus what only a whole file reveals: duplicates within the file
and against the database, unknown columns, missing required columns. Saving is ``services.confirm_import``.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import CivilSocietyFocus, CprCategory, EccpSubcategory, LegalForm, TerritorialLevel
from .models import Organization
from .selectors import TerritoryRef, TerritoryResolver, normalize_name, split_entries
from .validators import normalize_code

MAX_ROWS = 20_000
MAX_COLUMNS = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    italian: str
    english: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: Promise | str = ""

    def header(self, language: str | None = None) -> str:
        return self.english if (language or translation.get_language()) == "en" else self.italian

    @property
    def names(self) -> tuple[str, ...]:
        return (self.italian, self.english, *self.aliases)


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


class ImportFileError(Exception):
    """The file cannot be read at all (wrong format, damaged, empty)."""


@dataclass(frozen=True)
class ImportIssue:
    line: int | None
    column: str
    letter: str
    value: str
    message: str


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


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how spreadsheets name columns."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def normalize_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalize_name(str(text or ""))).strip("_")


# --- Reading the three formats into (line number, cells) ----------------------------------------------------


def read_rows(content: bytes, file_format: str) -> list[tuple[int, list[str]]]:
    """Rows of the first sheet as text, each with its line number in the file (1 = first line)."""
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "ods": _read_ods}
    if file_format not in readers:
        raise ImportFileError(_("Unsupported file type."))
    try:
        rows = readers[file_format](content)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, csv.Error, IndexError) as exc:
        raise ImportFileError(
            _("The file cannot be read: is it damaged, or saved in another format?")
        ) from exc
    return rows


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise Windows-1252, what Excel on Windows saves as CSV."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """Italian Excel writes ``;``, most other tools ``,``: count both (and tab) in the header line."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    text = decode_text(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows = []
    # Records are numbered as a spreadsheet shows them (a quoted cell spanning two text lines is still one
    # row), so the same data gives the same line numbers in CSV, XLSX and ODS.
    for line, record in enumerate(reader, start=1):
        rows.append((line, list(record[:MAX_COLUMNS])))
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            rows.append((line, [_cell_text(v) for v in values[:MAX_COLUMNS]]))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _ods_cell_text(cell) -> str:
    from odf import teletype
    from odf.text import P

    kind = cell.getAttribute("valuetype")
    if kind in ("float", "percentage", "currency"):
        return _cell_text(float(cell.getAttribute("value")))
    if kind == "boolean":
        return "true" if cell.getAttribute("booleanvalue") == "true" else "false"
    if kind == "date":
        return cell.getAttribute("datevalue") or ""
    return "\n".join(teletype.extractText(p) for p in cell.getElementsByType(P))


def _read_ods(content: bytes) -> list[tuple[int, list[str]]]:
    from odf.opendocument import load
    from odf.table import Table, TableRow

    document = load(io.BytesIO(content))
    tables = document.spreadsheet.getElementsByType(Table)
    if not tables:
        raise ImportFileError(_("The file has no sheet."))
    rows = []
    line = 0
    for row in tables[0].getElementsByType(TableRow):
        cells: list[str] = []
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            text = _ods_cell_text(cell) if cell.qname[1] == "table-cell" else ""
            cells.extend([text] * min(repeat, MAX_COLUMNS - len(cells)))
            if len(cells) >= MAX_COLUMNS:
                break
        repeat_rows = int(row.getAttribute("numberrowsrepeated") or 1)
        if not any(c.strip() for c in cells):
            line += repeat_rows  # spreadsheets pad sheets with thousands of repeated empty rows
            continue
        for _copy in range(min(repeat_rows, MAX_ROWS + 2)):
            line += 1
            rows.append((line, list(cells)))
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


# --- Interpreting values ------------------------------------------------------------------------------------


def _choice_key(text: str) -> str:
    return re.sub(r"[\s()]+", " ", normalize_name(text)).strip()


def choice_lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Code and Italian/English labels (and, for "a.i – Label", the part after the dash) → code."""
    lookup: dict[str, str] = {}
    for language in ("en", "it"):
        with translation.override(language):
            for value, label in choices.choices:
                label = str(label)
                lookup.setdefault(_choice_key(value), value)
                lookup.setdefault(_choice_key(label), value)
                if " – " in label:
                    lookup.setdefault(_choice_key(label.split(" – ", 1)[1]), value)
    return lookup


def parse_choice(text: str, choices: type[TextChoices], lookup: dict[str, str]) -> str:
    code = lookup.get(_choice_key(text))
    if code is None:
        raise ValidationError(
            _("“%(value)s” is not an accepted value. Use one of: %(codes)s.")
            % {"value": text, "codes": ", ".join(choices.values)}
        )
    return code


def parse_bool(text: str) -> bool:
    key = normalize_name(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError(_("Write yes or no (sì/no)."))


def unescape_formula(text: str) -> str:
    """Undo the apostrophe our exports put before ``=``, ``+``, ``-``, ``@`` so a file round-trips."""
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES and text[1:2]:
        return text[1:]
    return text


def _parse_country(text: str) -> str:
    key = normalize_name(text)
    if key in ("", "italia", "italy"):
        return "IT"
    return text.strip().upper()


# --- The whole file -----------------------------------------------------------------------------------------


@dataclass
class _Header:
    field_to_index: dict[str, int]
    headers: list[str]

    def position(self, field_name: str) -> tuple[str, str]:
        """(column name as written in the file, letter), or the expected name when the column is absent."""
        index = self.field_to_index.get(field_name)
        if index is None:
            spec = COLUMNS_BY_FIELD.get(field_name)
            return (spec.header() if spec else ""), ""
        return self.headers[index], column_letter(index)


def _read_header(cells: list[str], result: ImportResult) -> _Header:
    known = {normalize_header(name): spec for spec in COLUMNS for name in spec.names}
    field_to_index: dict[str, int] = {}
    for index, raw in enumerate(cells):
        key = normalize_header(raw)
        if not key:
            continue
        spec = known.get(key)
        letter = column_letter(index)
        if spec is None:
            result.warnings.append(
                ImportIssue(1, raw, letter, "", _("Column not recognised: it will be ignored."))
            )
        elif spec.field in field_to_index:
            first = column_letter(field_to_index[spec.field])
            result.errors.append(
                ImportIssue(
                    1, raw, letter, "", _("This column repeats column %(letter)s.") % {"letter": first}
                )
            )
        else:
            field_to_index[spec.field] = index
    for spec in COLUMNS:
        if spec.required and spec.field not in field_to_index:
            result.errors.append(
                ImportIssue(
                    1,
                    spec.header(),
                    "",
                    "",
                    _("Required column missing: add a column named “%(it)s” (or “%(en)s”).")
                    % {"it": spec.italian, "en": spec.english},
                )
            )
    return _Header(field_to_index, [str(c) for c in cells])


class _RowParser:
    """Turns one line into an unsaved Organization, collecting every problem instead of stopping at one."""

    def __init__(self, header: _Header) -> None:
        self.header = header
        self.lookups = {name: choice_lookup(choices) for name, choices in CHOICE_FIELDS.items()}
        self.focus_lookup = choice_lookup(CivilSocietyFocus)
        self.resolver = TerritoryResolver()

    def value(self, cells: list[str], field_name: str) -> str:
        index = self.header.field_to_index.get(field_name)
        if index is None or index >= len(cells):
            return ""
        text = unescape_formula(str(cells[index]).strip())
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
        for name in ("name", "acronym", "tax_code", "vat_number", "ipa_code", "website", "email"):
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
    try:
        table = read_rows(content, file_format)
    except ImportFileError as exc:
        result.errors.append(ImportIssue(None, "", "", "", str(exc)))
        return result
    if not table or table[0][0] != 1 or not any(str(c).strip() for c in table[0][1]):
        result.errors.append(ImportIssue(1, "", "", "", _("The first line must hold the column names.")))
        return result
    header = _read_header(table[0][1], result)
    data_rows = [(line, cells) for line, cells in table[1:] if any(str(c).strip() for c in cells)]
    if len(data_rows) > MAX_ROWS:
        result.errors.append(
            ImportIssue(
                None, "", "", "", _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS}
            )
        )
        return result
    if any(issue.line == 1 for issue in result.errors):
        return result  # without the right columns every row would fail for the same reason
    if not data_rows:
        result.errors.append(ImportIssue(None, "", "", "", _("The file has no organisations to import.")))
        return result
    parser = _RowParser(header)
    for line, cells in data_rows:
        row, issues = parser.parse(line, cells)
        result.errors.extend(issues)
        if row is not None:
            result.rows.append(row)
    _check_duplicates(result, header)
    result.errors.sort(key=lambda issue: (issue.line or 0, issue.letter.rjust(3)))
    return result


def _check_duplicates(result: ImportResult, header: _Header) -> None:
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
