"""Benchmark of the OpenCoesione reader: 1M progetti_esteso rows, CSV → Parquet, time, MB/s and peak memory.

Issue 5 targets 1M rows in < 60 s on 2 cores with peak memory < 1.5 GB, and ≥ 5× a pandas chunked
read_csv → to_parquet baseline (run only where pandas is installed; it is not a dependency). The input is
written by ``generate_opencoesione`` (``officine.monitoring.generator``) and kept in ``var/bench/import/``;
delete it to regenerate.
Each measured run is a child process so that its peak RSS (ru_maxrss) is its own.

    .venv/bin/python bench/bench_import.py --rows 1000000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officine.settings.test")


def _columns() -> list[str]:
    import csv

    with (ROOT / "officine/monitoring/data/progetti_esteso_20250228_columns.csv").open(encoding="utf-8") as f:
        return [r["column"] for r in csv.DictReader(f, delimiter=";")]


def _value(column: str, index: int) -> str:
    """A plausible value per column kind, so that the row is about the real file's width (~2.7 kB)."""
    if column == "COD_LOCALE_PROGETTO":
        return f"1PUBA/{index:08d} 1.2"
    if column == "CUP":
        return f"B{index:014d}"
    if column == "OC_TITOLO_PROGETTO":
        return (
            '"Riqualificazione ""Piazza"" e\r\nstrade comunali"'
            if index % 50 == 0
            else "Riqualificazione strade"
        )
    if column == "OC_SINTESI_PROGETTO":
        return "Intervento di riqualificazione urbana con opere di viabilita e illuminazione pubblica " * 3
    if column.startswith(
        ("FINANZ_", "OC_FINANZ_", "IMPEGNI", "OC_IMPEGNI", "TOT_PAG", "OC_TOT_PAG", "ECONOMIE")
    ):
        return f"{(index * 7919) % 9_000_000},{index % 100:02d}"
    if column.startswith(("DATA_", "OC_DATA_")):
        return "" if index % 3 else "20230115"
    if column == "COD_REGIONE":
        return "16"  # lost zero, restored by the reader
    if column == "COD_COMUNE":
        return "016072006:::016072007" if index % 10 == 0 else "016072006"
    if column == "OC_CODICE_PROGRAMMA":
        return "2014IT16RFOP009"
    if column.startswith("OC_DENOM_"):
        return "COMUNE DI BARI:::REGIONE PUGLIA"
    if column.startswith("DESCR") or column.startswith("OC_DESCR"):
        return "Descrizione della voce di classificazione"
    return "X1"


def build_file(path: Path, rows: int) -> None:
    """Write the bench file (generator of helper I if importable, else the hand-written row repeated)."""
    if importlib.util.find_spec("officine.monitoring.generator") is not None:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "generate_opencoesione",
                "--rows",
                str(rows),
                str(path),
            ],
            check=True,
        )
        return
    columns = _columns()
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(";".join(columns) + "\r\n")
        for index in range(rows):
            out.write(";".join(_value(c, index) for c in columns) + "\r\n")


def _child_convert(csv_path: str, out_dir: str) -> None:
    import django

    django.setup()
    from officine.monitoring.reader import convert

    report = convert([csv_path], out_dir, dataset="progetti_esteso").files[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": report.rows_written,
                "bad": report.bad_rows_total,
                "seconds": report.seconds,
                "mb_s": report.mb_per_second,
                "peak_mb": peak,
                "restored": report.restored_codes,
            }
        )
    )


def _child_pandas(csv_path: str, out_dir: str) -> None:
    import pandas as pd  # noqa: PLC0415 - optional, the baseline only
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    writer = None
    rows = 0
    for chunk in pd.read_csv(
        csv_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=100_000
    ):
        table = pa.Table.from_pandas(chunk, preserve_index=False)
        writer = writer or pq.ParquetWriter(
            Path(out_dir) / "pandas.parquet", table.schema, compression="zstd"
        )
        writer.write_table(table)
        rows += len(chunk)
    if writer:
        writer.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench" / "import"))
    parser.add_argument("--child", choices=["convert", "pandas"])
    args = parser.parse_args()
    work = Path(args.dir)
    csv_path = work / f"progetti_esteso_{args.rows}.csv"
    if args.child == "convert":
        return _child_convert(str(csv_path), str(work / "out"))
    if args.child == "pandas":
        return _child_pandas(str(csv_path), str(work / "out"))
    work.mkdir(parents=True, exist_ok=True)
    if not csv_path.exists():
        started = time.perf_counter()
        build_file(csv_path, args.rows)
        print(f"built {csv_path} in {time.perf_counter() - started:.1f} s")
    size_mb = csv_path.stat().st_size / 1e6
    print(f"file: {args.rows:,} rows, {size_mb:,.0f} MB")
    base = [sys.executable, __file__, "--rows", str(args.rows), "--dir", str(work), "--child"]
    result = json.loads(subprocess.run([*base, "convert"], check=True, capture_output=True, text=True).stdout)
    print(
        f"duckdb reader: {result['seconds']:.1f} s, {result['rows'] / result['seconds']:,.0f} rows/s, "
        f"{result['mb_s']:.0f} MB/s, peak RSS {result['peak_mb']:,.0f} MB, rows {result['rows']:,}, "
        f"bad {result['bad']}, restored {result['restored']}"
    )
    if importlib.util.find_spec("pandas") is None:
        print("pandas baseline: pandas is not installed in this environment (not added: not a dependency)")
        return None
    pandas = json.loads(subprocess.run([*base, "pandas"], check=True, capture_output=True, text=True).stdout)
    print(
        f"pandas baseline: {pandas['seconds']:.1f} s, {pandas['rows'] / pandas['seconds']:,.0f} rows/s, "
        f"peak RSS {pandas['peak_mb']:,.0f} MB; speed-up {pandas['seconds'] / result['seconds']:.1f}x"
    )
    return None


if __name__ == "__main__":
    main()
