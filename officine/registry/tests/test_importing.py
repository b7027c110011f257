"""Import of organisations: every error with line and column, nothing saved unless the whole file is valid."""

import io

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from officine.conftest import make_user
from officine.core.models import AuditEvent
from officine.registry import services
from officine.registry.importing import (
    column_letter,
    parse_organizations,
    read_rows,
    sniff_delimiter,
    template_csv,
)
from officine.registry.models import Organization, PendingImport
from officine.registry.tests.conftest import body_tax_code

pytestmark = pytest.mark.django_db

HEADER = [
    "denominazione",  # A
    "sigla",  # B
    "forma_giuridica",  # C
    "codice_fiscale",  # D
    "categoria_eccp",  # E
    "categoria_cpr",  # F
    "livello_territoriale",  # G
    "territori",  # H
    "ambiti",  # I
    "rete",  # J
]


def good_rows() -> list[list[str]]:
    return [
        [
            "Università degli Studi di Bari",
            "UNIBA",
            "university",
            body_tax_code(9001),
            "a.ii",
            "d",
            "regional",
            "16",
            "",
            "no",
        ],
        [
            "Legambiente Puglia",
            "",
            "Association",
            body_tax_code(9002),
            "c.i",
            "Civil society",
            "Regional",
            "Puglia|Bari (BA)",
            "environment|Rights of persons with disabilities",
            "sì",
        ],
        ["Comune di Castro", "", "public_body", body_tax_code(9003), "A.I", "a", "local", "075096", "", ""],
    ]


def csv_bytes(rows, sep: str = ",", encoding: str = "utf-8", bom: bool = False, header=HEADER) -> bytes:
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_bytes(rows, header=HEADER) -> bytes:
    return tablib.Dataset(*rows, headers=header).export("ods")


def issues(result):
    return [(i.line, i.column, i.letter) for i in result.errors]


# --- Reading ------------------------------------------------------------------------------------------------


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_delimiter_sniffing():
    assert sniff_delimiter("a;b;c\n1,5;2;3") == ";"
    assert sniff_delimiter("a,b,c\n1;2,3") == ","
    assert sniff_delimiter("a\tb\n") == "\t"
    assert sniff_delimiter("solo") == ","


@pytest.mark.parametrize(
    ("sep", "encoding", "bom"),
    [
        (",", "utf-8", False),
        (";", "utf-8", False),
        (",", "utf-8", True),
        (";", "utf-8", True),
        (";", "cp1252", False),
    ],
)
def test_csv_variants_parse_the_same(sep, encoding, bom):
    result = parse_organizations(csv_bytes(good_rows(), sep, encoding, bom), "csv")
    assert result.errors == []
    assert [r.organization.name for r in result.rows] == [
        "Università degli Studi di Bari",
        "Legambiente Puglia",
        "Comune di Castro",
    ]


def test_values_are_interpreted():
    result = parse_organizations(csv_bytes(good_rows()), "csv")
    uniba, legambiente, castro = (r for r in result.rows)
    assert legambiente.organization.legal_form == "association"
    assert legambiente.organization.cpr_category == "c"
    assert legambiente.organization.territorial_level == "regional"
    assert legambiente.organization.civil_society_focus == ["environment", "disability"]
    assert legambiente.organization.is_umbrella is True
    assert [t.label for t in legambiente.territories] == ["Puglia", "Bari (BA)"]
    assert [t.label for t in uniba.territories] == ["Puglia"]  # region code 16
    assert castro.organization.eccp_subcategory == "a.i"
    assert [t.label for t in castro.territories] == ["Castro (LE)"]
    assert [r.line for r in result.rows] == [2, 3, 4]


def test_runts_number_is_read_when_the_column_is_there():
    rows = [row + [runts] for row, runts in zip(good_rows(), ["", "RUNTS-98765", ""], strict=True)]
    result = parse_organizations(csv_bytes(rows, header=[*HEADER, "numero_runts"]), "csv")
    assert not result.errors
    assert [r.organization.runts_number for r in result.rows] == ["", "RUNTS-98765", ""]


def test_good_xlsx_with_numeric_codes():
    rows = good_rows()
    rows[0][3] = int("06363391001")  # Excel stored the code as a number and dropped the leading zero
    rows[2][7] = 75096  # ditto for the ISTAT code
    result = parse_organizations(xlsx_bytes(rows), "xlsx")
    assert result.errors == []
    assert result.rows[0].organization.tax_code == "06363391001"
    assert result.rows[2].territories[0].label == "Castro (LE)"


def test_good_ods_with_a_blank_row_keeps_line_numbers():
    rows = good_rows()
    rows.insert(1, [""] * len(HEADER))
    rows[3][3] = "06363391002"  # now on line 5: blank row at line 3 still counts
    result = parse_organizations(ods_bytes(rows), "ods")
    assert issues(result) == [(5, "codice_fiscale", "D")]
    assert [line for line, _cells in read_rows(ods_bytes(rows), "ods")] == [1, 2, 4, 5]


def test_unreadable_file_is_one_error():
    result = parse_organizations(b"PK\x03\x04 not really a zip", "xlsx")
    assert len(result.errors) == 1
    assert result.errors[0].line is None
    assert not result.is_valid


# --- Errors -------------------------------------------------------------------------------------------------


def test_two_bad_rows_report_both_with_line_and_column():
    rows = good_rows()
    rows[1][3] = "06363391002"  # line 3, column D: wrong check digit
    rows.append(["Ente misterioso", "", "public_body", body_tax_code(9004), "a.i", "z", "local", "", "", ""])
    result = parse_organizations(csv_bytes(rows, ";"), "csv")
    assert issues(result) == [(3, "codice_fiscale", "D"), (5, "categoria_cpr", "F")]
    assert result.errors[0].value == "06363391002"
    assert "check" in result.errors[0].message
    assert "a, b, c, d" in result.errors[1].message
    assert not result.is_valid


def test_every_problem_of_a_row_is_listed():
    rows = [["", "", "spaceship", "123", "a.i", "b", "planetary", "Atlantide", "", "forse"]]
    result = parse_organizations(csv_bytes(rows), "csv")
    columns = sorted(i.letter for i in result.errors)
    assert columns == ["A", "C", "D", "E", "G", "H", "J"]  # E: a.i does not fit CPR b
    assert {i.line for i in result.errors} == {2}


def test_ambiguous_and_unknown_territories_are_named():
    rows = good_rows()[:1]
    rows[0][7] = "Castro|Vattelapesca"
    result = parse_organizations(csv_bytes(rows), "csv")
    messages = [i.message for i in result.errors]
    assert len(messages) == 2
    assert "Castro (BG)" in messages[0] and "Castro (LE)" in messages[0]
    assert "Vattelapesca" in messages[1]


def test_missing_required_column_is_one_error_and_unknown_columns_are_warnings():
    header = [h for h in HEADER if h != "categoria_cpr"] + ["note interne"]
    rows = [[c for i, c in enumerate(r) if HEADER[i] != "categoria_cpr"] + ["x"] for r in good_rows()]
    result = parse_organizations(csv_bytes(rows, header=header), "csv")
    assert [(i.line, i.column) for i in result.errors] == [(1, "cpr_category")]  # named in the UI language
    assert "categoria_cpr" in result.errors[0].message
    assert [(w.column, w.letter) for w in result.warnings] == [("note interne", "J")]


def test_english_headers_are_accepted():
    english = ["name", "acronym", "legal_form", "tax_code", "eccp_subcategory", "cpr_category",
               "territorial_level", "territories", "civil_society_focus", "is_umbrella"]  # fmt: skip
    result = parse_organizations(csv_bytes(good_rows(), header=english), "csv")
    assert result.errors == [] and len(result.rows) == 3


def test_duplicate_tax_code_within_the_file():
    rows = good_rows()
    rows[2][3] = rows[0][3]
    result = parse_organizations(csv_bytes(rows), "csv")
    assert issues(result) == [(4, "codice_fiscale", "D")]
    assert "line 2" in result.errors[0].message


def test_duplicate_tax_code_against_the_registry(make_org):
    existing = make_org(name="Università già registrata", tax_code=body_tax_code(9001), cpr_category="d",
                        eccp_subcategory="a.ii")  # fmt: skip
    result = parse_organizations(csv_bytes(good_rows()), "csv")
    assert issues(result) == [(2, "codice_fiscale", "D")]
    assert existing.name in result.errors[0].message


def test_empty_file_and_header_only():
    assert parse_organizations(b"", "csv").errors[0].line == 1
    header_only = parse_organizations(csv_bytes([]), "csv")
    assert len(header_only.errors) == 1 and not header_only.is_valid


def test_formula_escape_from_our_exports_is_undone():
    rows = good_rows()[:1]
    rows[0][1] = "'=UNIBA"
    result = parse_organizations(csv_bytes(rows), "csv")
    assert result.rows[0].organization.acronym == "=UNIBA"


def test_template_has_the_header_row():
    assert template_csv("it").startswith("denominazione,sigla,forma_giuridica,codice_fiscale")
    assert template_csv("en").startswith("name,acronym,legal_form,tax_code")
    assert parse_organizations(template_csv("it").encode(), "csv").errors[0].message  # header only: no rows


# --- Confirming ---------------------------------------------------------------------------------------------


def pending_for(user, content: bytes, file_format: str = "csv") -> PendingImport:
    upload = io.BytesIO(content)
    upload.name = f"partner.{file_format}"
    return services.store_pending_import(user, upload, file_format)


def test_confirm_creates_everything_in_one_go_and_only_once(admin_user, django_assert_max_num_queries):
    pending = pending_for(admin_user, csv_bytes(good_rows()))
    with django_assert_max_num_queries(15):
        assert services.confirm_import(admin_user, pending) == 3
    names = set(Organization.objects.values_list("name", flat=True))
    assert names == {"Università degli Studi di Bari", "Legambiente Puglia", "Comune di Castro"}
    legambiente = Organization.objects.get(name="Legambiente Puglia")
    assert sorted(legambiente.territories.values_list("name", flat=True)) == ["Bari", "Puglia"]
    assert " legamb" in legambiente.search_document and " pugl" in legambiente.search_document
    event = AuditEvent.objects.get(action="registry.import.confirmed")
    assert event.changes["created"] == 3
    pending.refresh_from_db()
    assert pending.imported_count == 3 and pending.imported_at is not None
    with pytest.raises(services.ImportRefused):
        services.confirm_import(admin_user, pending)
    assert Organization.objects.count() == 3


def test_confirm_saves_nothing_when_the_file_has_errors(admin_user):
    rows = good_rows()
    rows[1][3] = "06363391002"
    pending = pending_for(admin_user, csv_bytes(rows))
    with pytest.raises(services.ImportRefused):
        services.confirm_import(admin_user, pending)
    assert not Organization.objects.exists()


def test_confirm_rechecks_the_database(admin_user, make_org):
    pending = pending_for(admin_user, csv_bytes(good_rows()))
    make_org(tax_code=body_tax_code(9003))  # someone registered it between preview and confirm
    with pytest.raises(services.ImportRefused):
        services.confirm_import(admin_user, pending)
    assert Organization.objects.count() == 1


def test_only_the_creator_may_confirm(admin_user):
    pending = pending_for(admin_user, csv_bytes(good_rows()))
    someone_else = make_user("collega@example.org", is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.confirm_import(someone_else, pending)
    assert not Organization.objects.exists()


def test_import_query_count_does_not_grow_with_rows(admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n: int) -> int:
        rows = [
            [f"Associazione {n}-{i}", "", "association", body_tax_code(n * 1000 + i), "c.i", "c", "local",
             "Bari (BA)", "", ""]
            for i in range(n)
        ]  # fmt: skip
        pending = pending_for(admin_user, csv_bytes(rows))
        with CaptureQueriesContext(connection) as ctx:
            services.confirm_import(admin_user, pending)
        return len(ctx.captured_queries)

    assert count(3) == count(40)
