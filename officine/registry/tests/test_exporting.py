"""Export: three formats that parse back, formula cells escaped, filters honoured, constant query count."""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from officine.registry.exporting import escape_cell, export_registry, headers
from officine.registry.importing import parse_organizations, read_rows
from officine.registry.selectors import search_organizations
from officine.registry.tests.conftest import body_tax_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(make_org, make_representative, municipality, region, programme, add_member):
    uniba = make_org(
        name="Università degli Studi di Bari",
        acronym="UNIBA",
        cpr_category="d",
        eccp_subcategory="a.ii",
        legal_form="university",
        territorial_level="regional",
        territories=[region, municipality],
        website="https://www.uniba.it",
    )
    make_representative(uniba)
    make_representative(uniba, first_name="Ugo", role="substitute")
    add_member(programme, uniba)
    attacker = make_org(name='=HYPERLINK("http://evil")', acronym="+SUM(1)", description_it="@cmd")
    return uniba, attacker


def test_escape_cell():
    assert [escape_cell(v) for v in ("=1+1", "+39", "-x", "@a", "\tx", "\rx", "ok", 5, "")] == [
        "'=1+1", "'+39", "'-x", "'@a", "'\tx", "'\rx", "ok", 5, "",
    ]  # fmt: skip


def test_csv_is_rfc4180_utf8_with_bom(registry):
    with translation.override("it"):  # Italian column names
        export = export_registry(search_organizations(), "csv")
        italian_headers = headers()
    assert export.content.startswith(b"\xef\xbb\xbf")
    assert export.filename.endswith(".csv") and export.rows == 3  # with the programme's managing authority
    text = export.content.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == italian_headers
    by_name = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    uniba = by_name["Università degli Studi di Bari"]
    assert uniba["categoria_cpr"] == "d"
    assert uniba["territori"] == "16|072006"
    assert uniba["territori_nomi"] == "Puglia|Bari (BA)"
    assert uniba["rappresentanti"] == "2"
    assert uniba["programmi_in_corso"] == "1"
    attacker = by_name['\'=HYPERLINK("http://evil")']
    assert attacker["sigla"] == "'+SUM(1)"
    assert attacker["descrizione"] == "'@cmd"


def test_xlsx_parses_back_and_has_no_formulas(registry):
    export = export_registry(search_organizations(), "xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.values)
    assert list(values[0]) == headers()
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    names = {row[1] for row in values[1:]}
    assert '\'=HYPERLINK("http://evil")' in names
    uniba = next(row for row in values[1:] if row[1].startswith("Univ"))
    assert uniba[headers().index("representatives")] == 2


def test_ods_parses_back(registry):
    export = export_registry(search_organizations(), "ods")
    rows = read_rows(export.content, "ods")
    assert rows[0][1][: len(headers())] == headers()
    names = {cells[1] for _line, cells in rows[1:]}
    assert names >= {"Università degli Studi di Bari", '\'=HYPERLINK("http://evil")'}


def test_header_languages():
    assert headers()[:3] == ["id", "name", "acronym"]
    with translation.override("it"):
        assert headers()[:3] == ["id", "denominazione", "sigla"]


def test_runts_number_is_exported(registry):
    from officine.registry.models import Organization

    Organization.objects.filter(cpr_category="d").update(runts_number="RUNTS-11111")
    with translation.override("it"):
        content = export_registry(search_organizations(cpr_category="d"), "csv").content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("numero_runts")] == "RUNTS-11111"


def test_export_honours_filters(registry):
    export = export_registry(search_organizations(cpr_category="d"), "csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["Università degli Studi di Bari"]
    assert export_registry(search_organizations(query="universita bari"), "csv").rows == 1


def test_exported_file_imports_elsewhere(registry):
    """The export's columns are the import's: wipe the codes that would clash, and the file is valid."""
    from officine.registry.models import Organization

    with translation.override("it"):
        content = export_registry(search_organizations(cpr_category="d"), "csv").content
    Organization.objects.filter(cpr_category="d").update(tax_code=body_tax_code(424242))
    result = parse_organizations(content, "csv")
    assert result.errors == []
    assert [t.label for t in result.rows[0].territories] == ["Puglia", "Bari (BA)"]
    assert {w.column for w in result.warnings} >= {"id", "rappresentanti"}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods"])
def test_query_count_does_not_grow_with_rows(make_org, municipality, file_format, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_org(territories=[municipality])
    with CaptureQueriesContext(connection) as few:
        export_registry(search_organizations(), file_format)
    for _ in range(27):
        make_org(territories=[municipality])
    with django_assert_num_queries(len(few.captured_queries)):
        export = export_registry(search_organizations(), file_format)
    assert export.rows == 30
