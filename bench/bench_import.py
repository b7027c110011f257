#!/usr/bin/env python
"""Import benchmark (issue 5, point 6): 1M progetti_esteso rows through the real import, a pandas baseline on
the same file, then the dashboard queries on the imported snapshot.

    .venv/bin/python bench/bench_import.py                    # 1,000,000 rows
    .venv/bin/python bench/bench_import.py --rows 20000       # quick check
    .venv/bin/python bench/bench_import.py --rows 1000000 --json var/bench/import/result.json

Targets on the 2-core development machine: the import under 60 s for 1M rows and at least 5x faster than the
pandas baseline, peak memory under 1.5 GB, every dashboard query p95 under 200 ms. The exit status is 1 when a
target is missed (or could not be measured).

What runs, each measured step in a child process of its own so that its peak RSS (``ru_maxrss``, which counts
DuckDB's and Arrow's native memory too) and its CPU time are its own:

1. the input: ``manage.py generate_opencoesione --rows N`` writes ``var/bench/import/progetti_esteso_N.csv``
   (kept and reused; delete it to regenerate);
2. set-up (not timed): a throw-away database. The children use ``officine.settings.test`` with
   ``OFFICINE_VAR_DIR`` pointing at a new temporary folder, so the SQLite file and ``MONITORING_ROOT`` (the
   snapshot) are private to this run and the developer's ``var/officine.sqlite3`` is never touched; it runs
   ``migrate`` and ``load_demo`` there (the real 2021-2027 programmes, so that the coverage rows and the
   dashboards have programmes to join), and gives the demo organisations tax codes found in the file, so that
   the link step really matches organisations as it would on a populated registry;
3. the import: ``officine.monitoring.services.import_release`` as the command and the staff page run it
   (fingerprint, check and write passes of the reader, derived tables, links, switch), with the stages timed
   through its progress callback;
4. the baseline: pandas ``read_csv`` in chunks of 100,000 rows with every column as text (``dtype=str``),
   each chunk written with ``to_parquet`` (pandas' defaults: pyarrow engine, snappy) into a folder of parts;
5. the dashboards: the selectors of ``officine.monitoring.selectors`` on the imported snapshot, one warm-up
   call then ``--repeat`` timed calls each, p50 and p95.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_IMPORT_SECONDS = 60.0  # for 1M rows; scaled to the row count for smaller runs
TARGET_SPEEDUP = 5.0
TARGET_PEAK_MB = 1500.0
TARGET_P95_MS = 200.0
RELEASE_DATE = "2025-02-28"
PANDAS_CHUNK = 100_000
#: Environment variables that would point a child at a real database or snapshot folder.
PRIVATE_ENV = ("DATABASE_URL", "MONITORING_ROOT", "MONITORING_INBOX", "CACHE_URL")


# --- children ---------------------------------------------------------------------------------------------


def _usage() -> dict[str, float]:
    """Peak RSS (MB) and CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}


def _django() -> None:
    import django

    django.setup()


def child_setup(csv_path: Path) -> dict:
    """Migrate the throw-away database, load the programmes, give organisations codes present in the file."""
    import csv

    _django()
    from django.core.management import call_command

    from officine.registry.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    codes: list[str] = []
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            for code in (row.get("OC_CODFISC_BENEFICIARIO") or "").split(":::"):
                if code and code not in codes:
                    codes.append(code)
            if len(codes) >= 500 or reader.line_num > 20_000:
                break
    organisations = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    for pk, code in zip(organisations, codes, strict=False):
        Organization.objects.filter(pk=pk).update(tax_code=code)
    return {"organisations_with_codes": min(len(organisations), len(codes))}


def _rss_mb() -> float:
    """Current resident memory of this process (Linux), to find which stage sets the peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child_import(csv_path: Path) -> dict:
    """The full import, stages timed by the first progress event of each; resident memory sampled every
    0.1 s to attribute the peak to a stage."""
    import threading
    from datetime import date

    _django()
    from officine.monitoring.services import ImportProgress, import_release, release_folder

    marks: dict[str, float] = {}
    stage_peaks: dict[str, float] = {}
    current = ["start"]
    started = time.perf_counter()
    stop = threading.Event()

    def on_progress(progress: ImportProgress) -> None:
        marks.setdefault(progress.stage, time.perf_counter() - started)
        if progress.stage != "done":
            current[0] = progress.stage

    def sample() -> None:
        while not stop.wait(0.1):
            stage = current[0]
            stage_peaks[stage] = max(stage_peaks.get(stage, 0.0), _rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = import_release(
            [csv_path], release_date=date.fromisoformat(RELEASE_DATE), synthetic=True, on_progress=on_progress
        )
    finally:
        stop.set()
        sampler.join()
    seconds = time.perf_counter() - started
    release = result.release
    report = release.report
    files = report["files"]
    order = ["fingerprint", "checking", "writing", "derive", "link"]
    starts = [marks.get(stage) for stage in order] + [seconds]
    stages = {
        stage: (starts[i + 1] - starts[i]) if starts[i] is not None and starts[i + 1] is not None else None
        for i, stage in enumerate(order)
    }
    stages["link"] = seconds - marks["link"] if "link" in marks else None  # links, switch and pruning
    snapshot_mb = sum(p.stat().st_size for p in release_folder(release).glob("*.parquet")) / 1e6
    return {
        "seconds": seconds,
        "stages": stages,
        "conversion_seconds": sum(f["seconds"] for f in files),
        "rows": sum(f["rows_written"] for f in files),
        "bad_rows": sum(f["bad_rows_total"] for f in files),
        "derived": report["derived"],
        "projects": release.project_count,
        "coverage_rows": release.coverage.count(),
        "links": release.beneficiary_links.count(),
        "snapshot_mb": snapshot_mb,
        "stage_peak_mb": stage_peaks,
        **_usage(),
    }


def child_pandas(csv_path: Path, out_dir: Path) -> dict:
    """The baseline of the issue: ``read_csv`` in chunks, every column as text, then ``to_parquet``."""
    import pandas as pd

    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    started = time.perf_counter()
    rows = 0
    chunks = pd.read_csv(
        csv_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=PANDAS_CHUNK
    )
    for number, chunk in enumerate(chunks):
        chunk.to_parquet(out_dir / f"part-{number:05d}.parquet", index=False)
        rows += len(chunk)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out_dir.iterdir()) / 1e6
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"seconds": seconds, "rows": rows, "parquet_mb": size, "pandas": pd.__version__, **_usage()}


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: with 30 runs, p95 is the 29th fastest (one slow outlier does not count)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil
    return ordered[int(rank) - 1]


def child_dashboards(repeat: int) -> dict:
    """Time each dashboard selector on the current (just imported) release."""
    _django()
    import duckdb
    from django.core.cache import cache

    from officine.monitoring import selectors, snapshot
    from officine.monitoring.models import ProgrammeCoverage
    from officine.monitoring.services import current_release, release_folder
    from officine.programmes.models import Programme

    release = current_release()
    biggest = ProgrammeCoverage.objects.filter(release=release).order_by("-project_count").first()
    if biggest is None:
        return {"error": "no programme of the database is covered by the release"}
    programme = Programme.objects.get(pk=biggest.programme_id)
    projects = snapshot.parquet(release_folder(release), snapshot.PROJECTS)
    with duckdb.connect() as connection:
        region = connection.execute(
            f"""SELECT region_code FROM {projects}
                WHERE cci = ? AND status = 'In corso' AND region_code <> 'MULTI'
                GROUP BY region_code ORDER BY count(*) DESC LIMIT 1""",
            [programme.cci],
        ).fetchone()
    region_code = region[0] if region else ""
    cases: list[tuple[str, Callable[[], object]]] = [
        ("programme_dashboard(programme)", lambda: selectors.programme_dashboard(programme)),
        ("programme_projects(programme, page=1)", lambda: selectors.programme_projects(programme, page=1)),
        (
            'programme_projects(programme, q="scuola", page=3)',
            lambda: selectors.programme_projects(programme, q="scuola", page=3),
        ),
        (
            f'programme_projects(programme, status="In corso", region="{region_code}")',
            lambda: selectors.programme_projects(programme, status="In corso", region=region_code),
        ),
        ('cycle_comparison("2021-2027")', lambda: selectors.cycle_comparison("2021-2027")),
    ]
    results = []
    for label, call in cases:
        cache.clear()  # each timed call does the work a first visitor's request would
        call()  # warm-up: imports, DuckDB's first open of the files, the OS page cache
        times = []
        for _run in range(repeat):
            cache.clear()
            began = time.perf_counter()
            call()
            times.append((time.perf_counter() - began) * 1000)
        results.append(
            {
                "selector": label,
                "p50_ms": statistics.median(times),
                "p95_ms": _percentile(times, 0.95),
                "max_ms": max(times),
            }
        )
    return {
        "programme": programme.cci,
        "programme_rows": biggest.project_count,
        "region": region_code,
        "selectors": results,
        **_usage(),
    }


# --- parent -----------------------------------------------------------------------------------------------


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"load average: {_load()}"


def build_file(path: Path, rows: int, seed: int) -> None:
    """Write the input with the project's own generator (to a partial name first: a killed run leaves no
    truncated file to be reused)."""
    partial = path.with_name(path.name + ".partial")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "generate_opencoesione",
            "--rows",
            str(rows),
            "--seed",
            str(seed),
            str(partial),
        ],
        check=True,
    )
    os.replace(partial, path)


def run_child(kind: str, args: argparse.Namespace, env: dict[str, str]) -> dict:
    """Run one measured step in a fresh interpreter and return the JSON it prints last."""
    command = [sys.executable, __file__, "--child", kind, "--rows", str(args.rows), "--dir", args.dir]
    command += ["--seed", str(args.seed), "--repeat", str(args.repeat)]
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"the {kind} step failed (exit status {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("PASS" if ok else "FAIL")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated file")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per dashboard selector")
    parser.add_argument(
        "--dir", default=str(ROOT / "var" / "bench" / "import"), help="where the input is kept"
    )
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away database and snapshot")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--child", choices=["setup", "import", "pandas", "dashboards"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    work = Path(args.dir)
    suffix = f"_seed{args.seed}" if args.seed else ""
    csv_path = work / f"progetti_esteso_{args.rows}{suffix}.csv"

    if args.child:
        result = {
            "setup": lambda: child_setup(csv_path),
            "import": lambda: child_import(csv_path),
            "pandas": lambda: child_pandas(csv_path, Path(os.environ["OFFICINE_VAR_DIR"]) / "pandas"),
            "dashboards": lambda: child_dashboards(args.repeat),
        }[args.child]()
        print(json.dumps(result))
        return 0

    print(f"started {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} cores; uptime: {_uptime()}")
    work.mkdir(parents=True, exist_ok=True)
    if not csv_path.exists():
        began = time.perf_counter()
        build_file(csv_path, args.rows, args.seed)
        print(f"generated {csv_path} in {time.perf_counter() - began:.1f} s")
    size_mb = csv_path.stat().st_size / 1e6
    print(f"input: {csv_path.name}, {args.rows:,} rows, {size_mb:,.0f} MB")

    var_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE_ENV}
    env |= {"DJANGO_SETTINGS_MODULE": "officine.settings.test", "OFFICINE_VAR_DIR": str(var_dir)}
    figures: dict = {"rows": args.rows, "csv_mb": size_mb, "date": time.strftime("%Y-%m-%d")}
    try:
        began = time.perf_counter()
        figures["setup"] = run_child("setup", args, env)
        print(
            f"throw-away database in {var_dir}: migrated, programmes loaded, "
            f"{figures['setup']['organisations_with_codes']} organisations given tax codes from the file "
            f"({time.perf_counter() - began:.1f} s, not timed)"
        )

        print(f"import_release … (uptime: {_uptime()})")
        imp = figures["import"] = run_child("import", args, env)
        stages = ", ".join(f"{k} {v:.1f}" for k, v in imp["stages"].items() if v is not None)
        print(
            f"import: {imp['seconds']:.1f} s, {imp['rows'] / imp['seconds']:,.0f} rows/s, "
            f"{size_mb / imp['seconds']:.0f} MB/s, peak RSS {imp['peak_mb']:,.0f} MB, "
            f"CPU {imp['cpu_s']:.0f} s\n"
            f"  stages (s): {stages}\n"
            f"  peak RSS by stage (MB, sampled every 0.1 s): "
            f"{', '.join(f'{k} {v:,.0f}' for k, v in imp['stage_peak_mb'].items())}\n"
            f"  conversion (reader, check + write) {imp['conversion_seconds']:.1f} s; derived tables + links "
            f"+ switch {imp['stages']['derive'] + imp['stages']['link']:.1f} s\n"
            f"  rows {imp['rows']:,} (bad {imp['bad_rows']}), derived {imp['derived']}, "
            f"distinct projects {imp['projects']:,}, links {imp['links']}, "
            f"snapshot {imp['snapshot_mb']:.0f} MB"
        )

        pandas = None
        if args.no_pandas:
            print("pandas baseline: skipped (--no-pandas)")
        else:
            try:
                import pandas as _pd  # noqa: F401 - only to say clearly that it is missing
            except ImportError:
                print("pandas baseline: pandas is not installed (pip install -r requirements-bench.lock)")
            else:
                print(f"pandas baseline … (uptime: {_uptime()})")
                pandas = figures["pandas"] = run_child("pandas", args, env)
                print(
                    f"pandas {pandas['pandas']} baseline: {pandas['seconds']:.1f} s, "
                    f"{pandas['rows'] / pandas['seconds']:,.0f} rows/s, "
                    f"{size_mb / pandas['seconds']:.0f} MB/s, "
                    f"peak RSS {pandas['peak_mb']:,.0f} MB, CPU {pandas['cpu_s']:.0f} s, "
                    f"Parquet {pandas['parquet_mb']:.0f} MB\n"
                    f"  ratio: pandas / full import = {pandas['seconds'] / imp['seconds']:.2f}x; "
                    f"pandas / conversion alone = {pandas['seconds'] / imp['conversion_seconds']:.2f}x"
                )

        dash = None
        if importlib.util.find_spec("officine.monitoring.selectors") is None:
            print("dashboards: officine.monitoring.selectors does not exist yet")
        else:
            print(f"dashboards … (uptime: {_uptime()})")
            dash = figures["dashboards"] = run_child("dashboards", args, env)
            if "error" in dash:
                print(f"dashboards: {dash['error']}")
                dash = None
            else:
                print(
                    f"dashboards on {dash['programme']} ({dash['programme_rows']:,} projects), "
                    f"{args.repeat} runs each after a warm-up, cache cleared before each call:"
                )
                for row in dash["selectors"]:
                    print(
                        f"  {row['selector']:<70} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms"
                        f"  max {row['max_ms']:7.1f} ms"
                    )
    finally:
        if args.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
    print(f"finished; uptime: {_uptime()}")

    limit = TARGET_IMPORT_SECONDS * args.rows / 1_000_000
    checks = [
        (
            f"import under {limit:g} s ({args.rows:,} rows)",
            f"{imp['seconds']:.1f} s",
            imp["seconds"] < limit,
        ),
        (
            f"import >= {TARGET_SPEEDUP:.0f}x faster than pandas",
            f"{pandas['seconds'] / imp['seconds']:.2f}x" if pandas else "-",
            pandas["seconds"] / imp["seconds"] >= TARGET_SPEEDUP if pandas else None,
        ),
        (
            f"import peak RSS under {TARGET_PEAK_MB:,.0f} MB",
            f"{imp['peak_mb']:,.0f} MB",
            imp["peak_mb"] < TARGET_PEAK_MB,
        ),
    ]
    if dash:
        checks += [
            (
                f"p95 < {TARGET_P95_MS:.0f} ms: {row['selector']}",
                f"{row['p95_ms']:.1f} ms",
                row["p95_ms"] < TARGET_P95_MS,
            )
            for row in dash["selectors"]
        ]
    else:
        checks.append((f"dashboard queries p95 < {TARGET_P95_MS:.0f} ms", "-", None))
    width = max(len(c[0]) for c in checks)
    print(f"\n{'target':<{width}}  {'measured':>12}  verdict")
    for name, measured, ok in checks:
        print(f"{name:<{width}}  {measured:>12}  {verdict(ok)}")
    figures["targets"] = [{"target": n, "measured": m, "ok": ok} for n, m, ok in checks]
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0 if all(ok for _n, _m, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
