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
from dataclasses import dataclass

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
