"""The derived tables sorted a few programmes at a time are the same files as sorted at once.

Real releases (1.6-2.3M rows) go through the batched path of ``snapshot._copy_sorted``; the other tests' small
files fit in one batch, so this one forces tiny batches on a generated file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from officine.monitoring import reader, snapshot

KEYS = {
    snapshot.PROJECTS: ("cci", "public_funding DESC", "project_code"),
    snapshot.SUBJECTS: ("cci", "tax_code"),
}


def _derive(converted: Path, target: Path, batch_rows: int) -> tuple[dict[str, int], int]:
    shutil.copytree(converted, target)
    connection = duckdb.connect(config={"threads": 2, "memory_limit": "256MB"})
    try:
        counts = snapshot.build_derived(target, connection, batch_rows=batch_rows)
    finally:
        connection.close()
    return counts, len(list(target.glob(".*")))


def _file_rows(path: Path) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()


def test_batched_sort_writes_the_same_sorted_tables(generated_file, tmp_path: Path) -> None:
    converted = tmp_path / "converted"
    reader.convert([generated_file(600, seed=3)], converted)
    whole, whole_scratch = _derive(converted, tmp_path / "whole", batch_rows=10**9)
    batched, batched_scratch = _derive(converted, tmp_path / "batched", batch_rows=40)
    assert whole == batched and whole["projects"] >= 600 and whole["subjects"] > 600
    assert whole_scratch == batched_scratch == 0  # scratch files (unsorted copy, parts) removed
    for name, keys in KEYS.items():
        batched_rows = _file_rows(tmp_path / "batched" / name)
        # In file order, each row follows the previous one by the sort keys (ties are in no set order).
        ordered = duckdb.sql(
            f"SELECT * FROM read_parquet('{tmp_path / 'batched' / name}') ORDER BY {', '.join(keys)}"
        ).fetchall()
        columns = [
            c[0]
            for c in duckdb.sql(
                f"DESCRIBE SELECT * FROM read_parquet('{tmp_path / 'whole' / name}')"
            ).fetchall()
        ]
        index = [columns.index(k.split()[0]) for k in keys]
        assert [tuple(r[i] for i in index) for r in batched_rows] == [
            tuple(r[i] for i in index) for r in ordered
        ]
        assert sorted(batched_rows, key=repr) == sorted(_file_rows(tmp_path / "whole" / name), key=repr)
