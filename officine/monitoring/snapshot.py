"""The release snapshot on disk: the Parquet files the importer writes and the pages query with DuckDB.

A release folder (``MONITORING_ROOT/releases/<date>-<fingerprint[:12]>/``) holds:

- the typed copies of the files given (``progetti_esteso.parquet`` or ``progetti.parquet``, and
  ``soggetti.parquet`` / ``localizzazioni.parquet`` when given), columns named as in the CSV;
- ``projects.parquet``: the dashboard table, one row per (project, programme code) — a project funded by
  several programmes appears under each, as on OpenCoesione's own programme pages — sorted by ``cci`` so that
  DuckDB reads only the row groups of the programme asked for (row-group min/max statistics). Columns:
  ``cci, project_code, cup, title, status, theme, cycle, region_code, region_name, province_code,
  province_name, public_funding, commitments, payments, start_date, end_date, beneficiary``. A project in
  several regions (or provinces) has ``region_code = 'MULTI'`` and no name, so that sums by region add up to
  the programme's total without counting anything twice;
- ``subjects.parquet``: one row per (programme, project, role, subject) with the project's money, sorted by
  ``cci, tax_code``; columns ``cci, project_code, role, tax_code, ipa_code, name, public_funding, payments``.
  Taken from ``soggetti`` when given (it has IPA codes), otherwise from the ``OC_CODFISC_*``/``OC_DENOM_*``
  columns of progetti_esteso.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from django.conf import settings

from officine.monitoring.schema import (
    LOCALIZZAZIONI,
    MULTI_VALUE_SEPARATOR,
    PROGETTI,
    PROGETTI_ESTESO,
    SOGGETTI,
)

PROJECTS = "projects.parquet"
SUBJECTS = "subjects.parquet"
ROW_GROUP_SIZE = 20_000
#: Rows sorted at once when writing a derived table (see ``_copy_sorted``).
SORT_BATCH_ROWS = 500_000
#: Scratch files of ``_copy_sorted`` are read once and deleted: fast compression rather than small.
_SCRATCH = "COMPRESSION lz4_raw, ROW_GROUP_SIZE 100000"
#: Role code → progetti_esteso column suffix (SOGG_COD_RUOLO values in soggetti).
ROLE_COLUMNS = {"1": "PROGRAMMATORE", "2": "ATTUATORE", "3": "BENEFICIARIO", "4": "REALIZZATORE"}
MULTI = "MULTI"


def root() -> Path:
    """Where snapshots live (``MONITORING_ROOT``, default ``var/monitoring``)."""
    return Path(settings.MONITORING_ROOT)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet(folder: Path, name: str) -> str:
    """``read_parquet('…')`` for a file of a snapshot folder."""
    return f"read_parquet({_lit(str(folder / name))})"


def _columns(connection: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    return {
        row[0]
        for row in connection.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(path))})").fetchall()
    }


def _single(column: str, available: set[str], *, code: bool) -> str:
    """The value of a possibly multi-valued territorial column, or 'MULTI' (code) / NULL (name)."""
    if column not in available:
        return "NULL"
    sep = _lit(MULTI_VALUE_SEPARATOR)
    other = _lit(MULTI) if code else "NULL"
    return f"CASE WHEN contains({_q(column)}, {sep}) THEN {other} ELSE nullif(trim({_q(column)}), '') END"


def _money(column: str, available: set[str]) -> str:
    return f"coalesce({_q(column)}, 0)::DECIMAL(18,2)" if column in available else "0::DECIMAL(18,2)"


def _text(column: str, available: set[str]) -> str:
    return _q(column) if column in available else "NULL::VARCHAR"


def _copy_sorted(
    connection: duckdb.DuckDBPyConnection, select: str, order_by: str, target: Path, batch_rows: int
) -> int:
    """Write ``select`` to ``target`` sorted by ``order_by`` (which starts with ``cci``) in bounded memory.

    Why not one ``COPY (… ORDER BY …)``: DuckDB's sort of the whole table did not stay within the
    connection's memory limit. On the 2M-row generated file the subjects table (5.7M rows) failed with "Out of
    Memory" under 1 GB, and the projects table peaked at 1.38 GB resident. So the rows are written unsorted
    first (streaming), then sorted a few programmes at a time (at most ``batch_rows`` rows per sort, unless
    one programme is larger), and the sorted parts are concatenated in programme order: the result is the
    same file, with a memory peak that does not grow with the release.
    """
    unsorted = target.with_name(f".{target.stem}.unsorted.parquet")
    parts: list[Path] = []
    try:
        connection.execute(f"COPY ({select}) TO {_lit(str(unsorted))} (FORMAT parquet, {_SCRATCH})")
        source = f"read_parquet({_lit(str(unsorted))})"
        batches: list[list[str]] = []
        size = 0
        for cci, n in connection.execute(
            f"SELECT cci, count(*) FROM {source} GROUP BY cci ORDER BY cci"
        ).fetchall():
            if not batches or size + n > batch_rows:
                batches.append([])
                size = 0
            batches[-1].append(cci)
            size += n
        final = f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
        if len(batches) <= 1:  # small enough to sort at once (or empty: still a file with the columns)
            return connection.execute(
                f"COPY (SELECT * FROM {source} ORDER BY {order_by}) TO {_lit(str(target))} {final}"
            ).fetchone()[0]
        for number, ccis in enumerate(batches):
            part = target.with_name(f".{target.stem}.part{number:05d}.parquet")
            parts.append(part)
            between = f"cci >= {_lit(ccis[0])} AND cci <= {_lit(ccis[-1])}"  # cci is never NULL here
            connection.execute(
                f"COPY (SELECT * FROM {source} WHERE {between} ORDER BY {order_by}) TO {_lit(str(part))} "
                f"(FORMAT parquet, {_SCRATCH})"
            )
        # The parts in list order, each already sorted: keeping insertion order makes the concatenation the
        # sorted whole without another sort.
        connection.execute("SET preserve_insertion_order = true")
        files = "[" + ", ".join(_lit(str(p)) for p in parts) + "]"
        return connection.execute(
            f"COPY (SELECT * FROM read_parquet({files})) TO {_lit(str(target))} {final}"
        ).fetchone()[0]
    finally:
        for path in [unsorted, *parts]:
            path.unlink(missing_ok=True)


def build_derived(
    folder: Path, connection: duckdb.DuckDBPyConnection, *, batch_rows: int = SORT_BATCH_ROWS
) -> dict[str, int]:
    """Write ``projects.parquet`` and ``subjects.parquet`` from the converted files in ``folder``.

    Returns row counts. Needs a progetti file; soggetti is optional (the esteso columns stand in for it).
    """
    progetti = next(
        (folder / f"{n}.parquet" for n in (PROGETTI_ESTESO, PROGETTI) if (folder / f"{n}.parquet").exists()),
        None,
    )
    if progetti is None:
        raise FileNotFoundError("a release needs a progetti or progetti_esteso file")
    cols = _columns(connection, progetti)
    sep = _lit(MULTI_VALUE_SEPARATOR)
    # Territory from localizzazioni when progetti lacks it (the base layout has no COD_PROVINCIA).
    source = f"read_parquet({_lit(str(progetti))})"
    funding = "OC_FINANZ_TOT_PUB_NETTO" if "OC_FINANZ_TOT_PUB_NETTO" in cols else "FINANZ_TOTALE_PUBBLICO"
    select = f"""
        trim(programme.cci) AS cci,
        COD_LOCALE_PROGETTO AS project_code,
        {_text("CUP", cols)} AS cup,
        {_text("OC_TITOLO_PROGETTO", cols)} AS title,
        coalesce(nullif(trim({_text("OC_STATO_PROGETTO", cols)}), ''), 'n.d.') AS status,
        coalesce(nullif(trim({_text("OC_TEMA_SINTETICO", cols)}), ''), 'n.d.') AS theme,
        {_text("OC_COD_CICLO", cols)} AS cycle,
        {_single("COD_REGIONE", cols, code=True)} AS region_code,
        {_single("DEN_REGIONE", cols, code=False)} AS region_name,
        {_single("COD_PROVINCIA", cols, code=True)} AS province_code,
        {_single("DEN_PROVINCIA", cols, code=False)} AS province_name,
        {_money(funding, cols)}
            AS public_funding,
        {_money("IMPEGNI", cols)} AS commitments,
        {_money("TOT_PAGAMENTI", cols)} AS payments,
        {"OC_DATA_INIZIO_PROGETTO" if "OC_DATA_INIZIO_PROGETTO" in cols else "NULL::DATE"} AS start_date,
        {"OC_DATA_FINE_PROGETTO_PREVISTA" if "OC_DATA_FINE_PROGETTO_PREVISTA" in cols else "NULL::DATE"}
            AS end_date,
        replace({_text("OC_DENOM_BENEFICIARIO", cols)}, {sep}, '; ') AS beneficiary
    """
    projects = folder / PROJECTS
    projects_rows = _copy_sorted(
        connection,
        f"""SELECT {select}
            FROM {source}, unnest(string_split(coalesce(OC_CODICE_PROGRAMMA, ''), {sep})) AS programme(cci)
            WHERE trim(programme.cci) <> ''""",
        "cci, public_funding DESC, project_code",
        projects,
        batch_rows,
    )

    soggetti = folder / f"{SOGGETTI}.parquet"
    if soggetti.exists():
        ipa = _text("OC_COD_ENTE_IPA", _columns(connection, soggetti))
        subjects_sql = f"""
            SELECT COD_LOCALE_PROGETTO AS project_code, trim(SOGG_COD_RUOLO) AS role,
                   nullif(trim(OC_CODICE_FISCALE_SOGG), '') AS tax_code,
                   nullif(lower(trim({ipa})), '') AS ipa_code,
                   OC_DENOMINAZIONE_SOGG AS name
            FROM read_parquet({_lit(str(soggetti))})"""
    else:
        parts = []
        for role, suffix in ROLE_COLUMNS.items():
            code_col, name_col = f"OC_CODFISC_{suffix}", f"OC_DENOM_{suffix}"
            codes = _text(code_col, cols)
            if code_col not in cols and name_col not in cols:
                continue
            parts.append(
                f"""SELECT COD_LOCALE_PROGETTO AS project_code, '{role}' AS role,
                       nullif(trim(unnest(string_split(coalesce({codes}, ''), {sep}))), '') AS tax_code,
                       NULL::VARCHAR AS ipa_code,
                       trim(unnest(string_split(coalesce({_text(name_col, cols)}, ''), {sep}))) AS name
                    FROM {source}"""
            )
        subjects_sql = " UNION ALL ".join(parts) or (
            "SELECT NULL::VARCHAR project_code, NULL::VARCHAR role, NULL::VARCHAR tax_code, "
            "NULL::VARCHAR ipa_code, NULL::VARCHAR name WHERE false"
        )
    subjects = folder / SUBJECTS
    subjects_rows = _copy_sorted(
        connection,
        f"""SELECT p.cci, s.project_code, s.role, s.tax_code, s.ipa_code,
                   coalesce(nullif(s.name, ''), s.tax_code) AS name,
                   p.public_funding, p.payments
            FROM ({subjects_sql}) s
            JOIN (SELECT cci, project_code, public_funding, payments
                  FROM read_parquet({_lit(str(projects))})) p
              USING (project_code)
            WHERE s.tax_code IS NOT NULL OR s.ipa_code IS NOT NULL OR coalesce(s.name, '') <> ''""",
        "cci, tax_code",
        subjects,
        batch_rows,
    )
    return {"projects": projects_rows, "subjects": subjects_rows}


def connect(memory_limit: str = "512MB") -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB for page queries (cheap to open; not shared between threads)."""
    connection = duckdb.connect(config={"threads": 2, "memory_limit": memory_limit})
    return connection


__all__ = ["LOCALIZZAZIONI", "MULTI", "PROJECTS", "SUBJECTS", "build_derived", "connect", "parquet", "root"]
