"""Spreadsheets in and out: the parts every import and export shares, whatever it is about.

Reading turns CSV (UTF-8 or Windows-1252, separated by ``;`` or ``,``), XLSX and ODS into the same list of
``(line number, cells)`` so that an error is reported on the line the user sees in their spreadsheet,
whichever format they saved. Writing produces CSV (RFC 4180, UTF-8 with a BOM so that Excel opens it in
the right encoding), XLSX and ODS from one table, with every cell a spreadsheet would evaluate as a formula
neutralised (CSV injection, OWASP). Imports of organisations, of dispositions and the exports of every app
use these functions, so a file exported anywhere reads back anywhere.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

MAX_ROWS = 20_000
MAX_COLUMNS = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TabularFileError(Exception):
    """The file cannot be read at all (wrong format, damaged, empty)."""


@dataclass(frozen=True)
class TableIssue:
    """One problem in an imported file, placed as the user sees it: line (header = 1), column name, letter."""

    line: int | None
    column: str
    letter: str
    value: str
    message: str


@dataclass(frozen=True)
class ColumnSpec:
    """A column an import accepts: Italian and English names (both always accepted) and other spellings."""

    field: str
    italian: str
    english: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: Promise | str = ""

    def header(self, language: str | None = None) -> str:
        """The name written in templates and exports: English only when the language is English."""
        return self.english if (language or translation.get_language()) == "en" else self.italian

    @property
    def names(self) -> tuple[str, ...]:
        return (self.italian, self.english, *self.aliases)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how spreadsheets name columns."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def normalize_text(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces: how people type names and labels."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip()


def normalize_header(text: str) -> str:
    """“Sezioni modificate”, “sezioni_modificate” and “SEZIONI-MODIFICATE” are the same column."""
    return re.sub(r"[^a-z0-9]+", "_", normalize_text(str(text or ""))).strip("_")


# --- Reading the three formats into (line number, cells) ----------------------------------------------------


def read_rows(content: bytes, file_format: str) -> list[tuple[int, list[str]]]:
    """Rows of the first sheet as text, each with its line number in the file (1 = first line)."""
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "ods": _read_ods}
    if file_format not in readers:
        raise TabularFileError(_("Unsupported file type."))
    try:
        rows = readers[file_format](content)
    except TabularFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, csv.Error, IndexError) as exc:
        raise TabularFileError(
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


def cell_text(value) -> str:
    """A spreadsheet value as the text the user sees (12.0 → "12", dates in ISO 8601)."""
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
            rows.append((line, [cell_text(v) for v in values[:MAX_COLUMNS]]))
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
        return cell_text(float(cell.getAttribute("value")))
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
        raise TabularFileError(_("The file has no sheet."))
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


def is_blank(cells: Sequence[str]) -> bool:
    return not any(str(c).strip() for c in cells)


# --- The header line and the lines under it -----------------------------------------------------------------


@dataclass(frozen=True)
class TableHeader:
    """Where each known column stands in the file, so that a problem names the column the user wrote."""

    columns: tuple[ColumnSpec, ...]
    field_to_index: dict[str, int]
    headers: list[str]

    def position(self, field_name: str) -> tuple[str, str]:
        """(column name as written in the file, letter), or the expected name when the column is absent."""
        index = self.field_to_index.get(field_name)
        if index is None:
            spec = next((s for s in self.columns if s.field == field_name), None)
            return (spec.header() if spec else ""), ""
        return self.headers[index], column_letter(index)

    def value(self, cells: Sequence[str], field_name: str) -> str:
        """The cell's text, trimmed and with our exports' formula escape undone; empty if there is none."""
        index = self.field_to_index.get(field_name)
        if index is None or index >= len(cells):
            return ""
        return unescape_formula(str(cells[index]).strip())


def read_header(
    cells: Sequence[str], columns: Sequence[ColumnSpec], ignored: Sequence[ColumnSpec] = ()
) -> tuple[TableHeader, list[TableIssue], list[TableIssue]]:
    """Map the header cells to ``columns``: returns the header, its errors and its warnings (all on line 1).

    An unknown column is only a warning (people add notes next to the data); a column named twice and a
    missing required column are errors, since either would make every line wrong. ``ignored`` are columns
    a template adds to help whoever fills it in: recognised, and silently not read.
    """
    known = {normalize_header(name): spec for spec in columns for name in spec.names}
    informative = {normalize_header(name) for spec in ignored for name in spec.names}
    field_to_index: dict[str, int] = {}
    errors: list[TableIssue] = []
    warnings: list[TableIssue] = []
    for index, raw in enumerate(cells):
        key = normalize_header(raw)
        if not key or key in informative:
            continue
        spec = known.get(key)
        letter = column_letter(index)
        if spec is None:
            warnings.append(TableIssue(1, raw, letter, "", _("Column not recognised: it will be ignored.")))
        elif spec.field in field_to_index:
            first = column_letter(field_to_index[spec.field])
            errors.append(
                TableIssue(
                    1, raw, letter, "", _("This column repeats column %(letter)s.") % {"letter": first}
                )
            )
        else:
            field_to_index[spec.field] = index
    for spec in columns:
        if spec.required and spec.field not in field_to_index:
            errors.append(
                TableIssue(
                    1,
                    spec.header(),
                    "",
                    "",
                    _("Required column missing: add a column named “%(it)s” (or “%(en)s”).")
                    % {"it": spec.italian, "en": spec.english},
                )
            )
    return TableHeader(tuple(columns), field_to_index, [str(c) for c in cells]), errors, warnings


@dataclass
class Table:
    """A file read for an import: its header and its non-blank lines, or why it cannot be imported."""

    header: TableHeader | None = None
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    errors: list[TableIssue] = field(default_factory=list)
    warnings: list[TableIssue] = field(default_factory=list)


def read_table(
    content: bytes, file_format: str, columns: Sequence[ColumnSpec], ignored: Sequence[ColumnSpec] = ()
) -> Table:
    """Read a file whose first line names its columns. With any error, ``rows`` is empty and there is no
    point in checking lines: an unreadable file, a missing or repeated column would make each of them fail
    for the same reason, and a file beyond :data:`MAX_ROWS` is refused whole."""
    table = Table()
    try:
        lines = read_rows(content, file_format)
    except TabularFileError as exc:
        table.errors.append(TableIssue(None, "", "", "", str(exc)))
        return table
    if not lines or lines[0][0] != 1 or is_blank(lines[0][1]):
        table.errors.append(TableIssue(1, "", "", "", _("The first line must hold the column names.")))
        return table
    table.header, table.errors, table.warnings = read_header(lines[0][1], columns, ignored)
    if table.errors:
        return table
    rows = [(line, cells) for line, cells in lines[1:] if not is_blank(cells)]
    if len(rows) > MAX_ROWS:
        table.errors.append(
            TableIssue(
                None, "", "", "", _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS}
            )
        )
        return table
    table.rows = rows
    return table


def sort_issues(issues: list[TableIssue]) -> None:
    """In place, in reading order: by line, then column (AA after Z), so the file can be fixed top down."""
    issues.sort(key=lambda issue: (issue.line or 0, issue.letter.rjust(3)))


# --- Interpreting values ------------------------------------------------------------------------------------


def choice_key(text: str) -> str:
    return re.sub(r"[\s()]+", " ", normalize_text(text)).strip()


def choice_lookup(choices: type[TextChoices], aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Code and Italian/English labels (and, for "a.i – Label", the part after the dash) → code.

    ``aliases`` adds other spellings people use (e.g. "accolta" for "accolto"); they are needed too while
    a label has no Italian translation yet, since the lookup reads labels from the message catalogues.
    """
    lookup: dict[str, str] = {}
    for language in ("en", "it"):
        with translation.override(language):
            for value, label in choices.choices:
                label = str(label)
                lookup.setdefault(choice_key(value), value)
                lookup.setdefault(choice_key(label), value)
                if " – " in label:
                    lookup.setdefault(choice_key(label.split(" – ", 1)[1]), value)
    for alias, value in (aliases or {}).items():
        lookup.setdefault(choice_key(alias), value)
    return lookup


def parse_choice(text: str, choices: type[TextChoices], lookup: Mapping[str, str]) -> str:
    code = lookup.get(choice_key(text))
    if code is None:
        raise ValidationError(
            _("“%(value)s” is not an accepted value. Use one of: %(codes)s.")
            % {"value": text, "codes": ", ".join(choices.values)}
        )
    return code


def unescape_formula(text: str) -> str:
    """Undo the apostrophe our exports put before ``=``, ``+``, ``-``, ``@`` so a file round-trips."""
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES and text[1:2]:
        return text[1:]
    return text


# --- Writing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    content_type: str
    label: str


EXPORT_FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", "CSV"),
    "xlsx": ExportFormat(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"
    ),
    "ods": ExportFormat("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument (ODS)"),
}


def escape_cell(value):
    """Neutralise text a spreadsheet would evaluate as a formula; leave numbers alone."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_table(
    headers: Sequence[str], rows: Iterable[Sequence], file_format: str, title: str = "Sheet"
) -> bytes:
    """The bytes of a one-sheet file. Every cell (headers included) goes through :func:`escape_cell` here,
    so no caller can forget it."""
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format: {file_format}")
    header = [escape_cell(str(h)) for h in headers]
    body = [[escape_cell(_plain(v)) for v in row] for row in rows]
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(body)
        return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    # Sheet names: at most 31 characters and none of []:*?/\ (Excel's rule, enforced by openpyxl).
    sheet = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"
    dataset = tablib.Dataset(*body, headers=header, title=sheet)
    return dataset.export(file_format)


@dataclass(frozen=True)
class Export:
    """A file ready to download, with how many data rows it holds (for the audit trail)."""

    content: bytes
    format: ExportFormat
    filename: str
    rows: int


def export_table(
    headers: Sequence[str], rows: Sequence[Sequence], file_format: str, *, title: str, name: str
) -> Export:
    """:func:`write_table` plus a download name ``<name>-<today>.<extension>``: the date tells two downloads
    of the same data apart in the user's folder."""
    spec = EXPORT_FORMATS[file_format]
    content = write_table(headers, rows, file_format, title=title)
    return Export(content, spec, f"{name}-{timezone.localdate():%Y-%m-%d}.{spec.extension}", len(rows))


def _plain(value):
    """Lazy translations become text; times become local ISO 8601 text (spreadsheets hold no time zone)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
