"""The synthetic progetti_esteso file must look real to the importer: header, rates, quirks, coherence."""

import csv
import io
import re
import zipfile
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from officine.monitoring.generator import DEMO_CCIS, generate, read_reference_columns
from officine.registry.validators import is_valid_tax_code

ROWS = 20_000
CCI = re.compile(r"^20\d\dIT\d\d[A-Z0-9]{4}\d{3}$")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[list[str]]]:
    path = tmp_path_factory.mktemp("gen") / "progetti.csv"
    generate(path, ROWS, seed=7, release="20250228")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        rows = list(reader)
    return path, header, rows


def as_decimal(value: str) -> Decimal:
    assert re.fullmatch(r"\d+,\d{2}", value), value
    return Decimal(value.replace(",", "."))


def test_header_equals_reference_and_rows_are_complete(generated):
    _, header, rows = generated
    assert header == [name for name, _ in read_reference_columns()]
    assert len(rows) == ROWS
    assert all(len(row) == len(header) for row in rows)


def test_raw_format_bom_crlf_and_quirks(generated):
    path, _, rows = generated
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") >= ROWS
    assert b'""' in raw  # doubled quotes inside a quoted field
    assert any("\n" in cell for row in rows for cell in row[2:4])
    assert any(":::" in row[49] for row in rows)  # several comuni
    assert any(":::" in row[163] for row in rows)  # several beneficiaries


def test_fill_rates_match_reference(generated):
    _, header, rows = generated
    for index, (name, rate) in enumerate(read_reference_columns()):
        filled = sum(1 for row in rows if row[index]) / len(rows)
        assert abs(filled - rate) < 0.03, (name, filled, rate)


def test_key_codes(generated):
    _, header, rows = generated
    col = {name: i for i, name in enumerate(header)}
    codes = [row[col["COD_LOCALE_PROGETTO"]] for row in rows]
    assert len(set(codes)) == len(codes)
    assert all(len(code) <= 65 for code in codes)
    assert (
        any("/" in code for code in codes)
        and any("." in code for code in codes)
        and any(" " in code for code in codes)
    )
    assert all(len(row[col["CUP"]]) == 15 for row in rows)
    for row in rows:
        for code in filter(None, row[col["COD_COMUNE"]].split(":::")):
            assert re.fullmatch(r"\d{9}", code) and code.startswith(row[col["COD_REGIONE"]])
        for role in ("BENEFICIARIO", "ATTUATORE"):
            assert all(
                is_valid_tax_code(c) for c in filter(None, row[col[f"OC_CODFISC_{role}"]].split(":::"))
            )
        assert row[col["DATA_AGGIORNAMENTO"]] == "20250228"
        assert row[col["OC_DESCR_CICLO"]].endswith(("2014-2020", "2021-2027"))


def test_programme_mix(generated):
    _, header, rows = generated
    programmes = Counter(row[header.index("OC_CODICE_PROGRAMMA")] for row in rows)
    assert all(CCI.match(code) for code in programmes)
    demo = sum(n for code, n in programmes.items() if code in DEMO_CCIS) / len(rows)
    assert 0.25 < demo < 0.35
    assert len(set(programmes) - DEMO_CCIS) >= 5


def test_money_dates_and_status_coherence(generated):
    _, header, rows = generated
    col = {name: i for i, name in enumerate(header)}
    statuses = Counter()
    for row in rows:
        funding = as_decimal(row[col["OC_FINANZ_TOT_PUB_NETTO"]])
        commitments = as_decimal(row[col["IMPEGNI"]])
        payments = as_decimal(row[col["TOT_PAGAMENTI"]])
        assert payments <= commitments <= funding
        status = row[col["OC_STATO_PROGETTO"]]
        statuses[status] += 1
        if status == "Non avviato":
            assert payments == 0
        if status == "Liquidato":
            assert payments >= funding * Decimal("0.94")
        for index, name in enumerate(header):
            if (name.startswith(("DATA_", "OC_DATA_"))) and row[index]:
                day = datetime.strptime(row[index], "%Y%m%d")
                if "_EFF" in name:
                    assert day <= datetime(2025, 2, 28)
    assert set(statuses) == {"Concluso", "Liquidato", "In corso", "Non avviato"}


def test_same_seed_same_file_other_seed_differs(tmp_path):
    first, second, third = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate(first, 500, seed=3)
    generate(second, 500, seed=3)
    generate(third, 500, seed=4)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != third.read_bytes()


def test_command_writes_zip(tmp_path):
    out = tmp_path / "progetti_esteso.zip"
    stdout = io.StringIO()
    call_command("generate_opencoesione", str(out), rows=300, seed=1, release="20250430", stdout=stdout)
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["progetti_esteso_20250430.csv"]
        text = archive.read("progetti_esteso_20250430.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == 301
    assert rows[1][-1] == "20250430"
    assert "300" in stdout.getvalue()
