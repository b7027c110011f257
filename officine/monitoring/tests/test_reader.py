"""The reader on hand-written files with every quirk of the format, and on the real dirty sample."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from django.core.exceptions import ValidationError

from officine.monitoring.reader import convert
from officine.monitoring.schema import (
    LOCALIZZAZIONI,
    PROGETTI_ESTESO,
    SOGGETTI,
    detect_dataset,
    split_values_sql,
)

DATA = Path(__file__).parent / "data"
BOM = "\ufeff"
HEADER = (
    "COD_LOCALE_PROGETTO;CUP;OC_TITOLO_PROGETTO;OC_FINANZ_TOT_PUB_NETTO;TOT_PAGAMENTI;OC_STATO_PROGETTO;"
    "COD_REGIONE;DEN_REGIONE;OC_COD_CICLO;OC_CODICE_PROGRAMMA;OC_DESCRIZIONE_PROGRAMMA;OC_TEMA_SINTETICO;"
    "COD_COMUNE;OC_DATA_INIZIO_PROGETTO;OC_DENOM_BENEFICIARIO;NUOVA_COLONNA"
)


def _row(
    code: str,
    title: str = "Titolo",
    amount: str = "1000000,50",
    day: str = "20240131",
    comune: str = "016072006",
) -> str:
    return (
        f"{code};B11H00000000001;{title};{amount};250,25;In corso;16;PUGLIA;2;2014IT16RFOP009;POR Puglia;"
        f"Trasporti;{comune};{day};ALFA SRL:::BETA SPA;x"
    )


def _write(tmp_path: Path, lines: list[str], name: str = "progetti_esteso_20250228.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((BOM + "\r\n".join(lines) + "\r\n").encode())
    return path


def _rows(path: Path, sql: str = "*") -> list[tuple]:
    return duckdb.sql(f"SELECT {sql} FROM read_parquet('{path}')").fetchall()


def test_quirks_are_read(tmp_path: Path) -> None:
    source = _write(
        tmp_path,
        [
            HEADER,
            _row("1MISE/A 1.2", title='"Strada ""Nuova"" di Bari"'),
            _row("2", title='"Prima riga\r\nseconda; riga"', comune="16072006:::016072007"),
            _row("3", amount="-12,3", day="20241399"),
        ],
    )
    report = convert([source], tmp_path / "out").files[0]
    out = tmp_path / "out" / "progetti_esteso.parquet"
    assert report.dataset == PROGETTI_ESTESO and report.rows_read == report.rows_written == 3
    rows = _rows(
        out,
        "COD_LOCALE_PROGETTO, OC_TITOLO_PROGETTO, OC_FINANZ_TOT_PUB_NETTO, TOT_PAGAMENTI, "
        "OC_DATA_INIZIO_PROGETTO, COD_REGIONE, COD_COMUNE, OC_DENOM_BENEFICIARIO, CUP",
    )
    assert rows[0] == (
        "1MISE/A 1.2",
        'Strada "Nuova" di Bari',
        Decimal("1000000.50"),
        Decimal("250.25"),
        date(2024, 1, 31),
        "016",
        "016072006",
        "ALFA SRL:::BETA SPA",
        "B11H00000000001",
    )
    assert rows[1][1] == "Prima riga\r\nseconda; riga"
    assert rows[1][6] == "016072006:::016072007"  # each value of a ::: list padded
    assert rows[2][2] == Decimal("-12.30") and rows[2][4] is None
    assert report.invalid_dates == {"OC_DATA_INIZIO_PROGETTO": 1}
    assert report.restored_codes == {"COD_REGIONE": 3, "COD_COMUNE": 1}
    assert report.unknown_columns == ["NUOVA_COLONNA"]
    assert report.bad_rows_total == 0
    assert duckdb.sql(
        f"SELECT {split_values_sql('OC_DENOM_BENEFICIARIO')} FROM '{out}' LIMIT 1"
    ).fetchone() == (["ALFA SRL", "BETA SPA"],)
    types = {r[0]: r[1] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{out}'").fetchall()}
    assert types["OC_FINANZ_TOT_PUB_NETTO"] == "DECIMAL(18,2)"
    assert types["OC_DATA_INIZIO_PROGETTO"] == "DATE"
    assert types["COD_REGIONE"] == types["CUP"] == "VARCHAR"


def test_leading_zeros_kept(tmp_path: Path) -> None:
    header = (
        "COD_LOCALE_PROGETTO;COD_REGIONE;DEN_REGIONE;COD_PROVINCIA;COD_COMUNE;DEN_COMUNE;COD_SLL;"
        "OC_TERRITORIO_PROG"
    )
    source = _write(tmp_path, [header, "P1;001;PIEMONTE;001;272;TORINO;0101;C"], "localizzazioni.csv")
    report = convert([source], tmp_path / "out").files[0]
    assert report.dataset == LOCALIZZAZIONI and report.restored_codes == {}
    assert _rows(tmp_path / "out" / "localizzazioni.parquet", "COD_REGIONE, COD_COMUNE, COD_SLL") == [
        ("001", "272", "0101")
    ]


def test_missing_required_column_stops_and_writes_nothing(tmp_path: Path) -> None:
    header = HEADER.replace("CUP;", "").replace("OC_STATO_PROGETTO;", "")
    source = _write(tmp_path, [header, "1;T;1,0;1,0;16;PUGLIA;2;X;Y;Z;016072006;20240101;A;x"])
    with pytest.raises(ValidationError) as error:
        convert([source], tmp_path / "out")
    assert "CUP" in str(error.value) and "OC_STATO_PROGETTO" in str(error.value)
    assert list((tmp_path / "out").iterdir()) == []


def test_unknown_file_is_refused(tmp_path: Path) -> None:
    source = _write(tmp_path, ["A;B", "1;2"], "other.csv")
    with pytest.raises(ValidationError):
        convert([source], tmp_path / "out")


def _dirty(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        [
            HEADER,  # line 1
            _row("1", title='"due\r\nrighe"'),  # lines 2-3
            "2;troppo;poche",  # line 4: missing columns
            _row("3"),  # line 5
            _row("4") + ";extra",  # line 6: too many columns
            _row("5"),  # line 7
        ],
    )


def test_malformed_rows_reported_with_lines(tmp_path: Path) -> None:
    report = convert([_dirty(tmp_path)], tmp_path / "out").files[0]
    assert report.bad_rows_total == 2
    assert [b.line for b in report.bad_rows] == [4, 6]
    assert "MISSING COLUMNS" in report.bad_rows[0].reason and "TOO MANY COLUMNS" in report.bad_rows[1].reason
    assert report.bad_rows[0].text.startswith("2;troppo")
    assert report.rows_written == 3 and report.rows_read == 5


def test_threshold_exceeded_fails_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as error:
        convert([_dirty(tmp_path)], tmp_path / "out", max_bad_rows=1)
    assert error.value.code == "too_many_bad_rows"
    assert list((tmp_path / "out").iterdir()) == []


def test_zip_input_and_progress(tmp_path: Path) -> None:
    source = _write(tmp_path, [HEADER, _row("1")])
    archive = tmp_path / "progetti_esteso.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(source, "progetti_esteso_20250228.csv")
    stages: list[tuple[str, str]] = []
    report = convert([archive], tmp_path / "out", progress=lambda e: stages.append((e.dataset, e.stage)))
    assert report.files[0].rows_written == 1
    assert [s for _d, s in dict.fromkeys(stages)] == ["checking", "writing", "done"]
    assert {d for d, _s in stages} == {PROGETTI_ESTESO}


def test_detect_dataset() -> None:
    assert detect_dataset(["COD_LOCALE_PROGETTO", "SOGG_COD_RUOLO", "OC_CODICE_FISCALE_SOGG"]) == SOGGETTI
    assert detect_dataset(["COD_LOCALE_PROGETTO", "OC_TITOLO_PROGETTO", "CUP"]) == "progetti"
    assert detect_dataset(["X"]) is None


def test_real_dirty_sample_restores_codes(tmp_path: Path) -> None:
    report = convert([DATA / "localizzazioni_sample_xniola.csv"], tmp_path).files[0]
    assert report.rows_read == report.rows_written == 39238
    assert report.bad_rows_total == 0
    assert set(report.restored_codes) == {"COD_REGIONE", "COD_PROVINCIA", "COD_COMUNE", "COD_SLL"}
    assert report.restored_codes["COD_REGIONE"] == 39111  # all but the 127 foreign rows (998)
    out = tmp_path / "localizzazioni.parquet"
    lengths = duckdb.sql(
        f"SELECT DISTINCT length(COD_REGIONE), length(COD_COMUNE) FROM '{out}' WHERE COD_REGIONE IS NOT NULL"
    ).fetchall()
    assert lengths == [(3, 3)]
    assert duckdb.sql(f"SELECT count(*) FROM '{out}' WHERE COD_REGIONE = '006'").fetchone()[0] > 0
    assert duckdb.sql(
        f"SELECT DISTINCT length(COD_SLL) FROM '{out}' WHERE COD_SLL IS NOT NULL"
    ).fetchall() == [(4,)]


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "progetti_esteso_20250228.csv"
    source.write_bytes(
        (BOM + HEADER + "\r\n").encode() + b"1;\xff\xfe broken utf-8;x\r\n" + _row("2").encode()
    )
    with pytest.raises(ValidationError) as error:
        convert([source], tmp_path / "out", max_bad_rows=0)
    assert error.value.code in {"unreadable", "too_many_bad_rows"}
    assert "progetti_esteso_20250228.csv" in " ".join(error.value.messages)
    assert not (tmp_path / "out" / "progetti_esteso.parquet").exists()
