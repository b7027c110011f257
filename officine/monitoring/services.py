"""Import an OpenCoesione release: convert, derive, link, then switch to it in one transaction.

The order matters for the guarantees of issue 5: the snapshot is written in a temporary folder and moved into
place only when complete; the database switch (new release current, old one superseded, links replaced) is
one transaction after that; the previous release's folder is kept. So a failed, interrupted or killed import
leaves the previous snapshot in use, and importing the same files again is recognised by their fingerprint
and changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core import audit
from officine.programmes.models import Programme
from officine.registry.models import Organization

from . import reader, snapshot
from .models import BeneficiaryLink, ProgrammeCoverage, Release, ReleaseStatus

#: An import whose heartbeat is older than this is taken as killed (the process died without cleaning up).
STALE_AFTER = timedelta(minutes=10)
KEPT_RELEASES = 2  # the current one and the one before, to go back to by hand if needed
_DATE_IN_NAME = re.compile(r"(20\d{2})(\d{2})(\d{2})")
_HEARTBEAT_EVERY = 1.0


@dataclass
class ImportResult:
    release: Release
    changed: bool  # False: the same files were already the current release
    report: reader.ConversionReport | None = None


@dataclass(frozen=True)
class ImportProgress:
    """What the terminal bar and the staff page show."""

    stage: str
    dataset: str
    bytes_done: int
    bytes_total: int
    rows: int
    elapsed: float

    @property
    def fraction(self) -> float:
        return self.bytes_done / self.bytes_total if self.bytes_total else 0.0

    @property
    def mb_per_second(self) -> float:
        return self.bytes_done / 1e6 / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        speed = self.bytes_done / self.elapsed if self.elapsed > 0 else 0
        return (self.bytes_total - self.bytes_done) / speed if speed and self.bytes_done > 0 else None


OnProgress = Callable[[ImportProgress], None]


def fingerprint(paths: Sequence[Path], chunk: int = 1 << 22) -> str:
    """SHA-256 over the files' names-independent content, in the order of their datasets' names.

    Sorted by content hash so that the same files given in another order are the same release."""
    digests = []
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(chunk):
                digest.update(block)
        digests.append(digest.hexdigest())
    return hashlib.sha256("".join(sorted(digests)).encode()).hexdigest()


def release_date_from_names(paths: Iterable[Path]) -> date | None:
    """The date in OpenCoesione's file names (``progetti_esteso_20250228.zip``), if they carry one."""
    for path in paths:
        match = _DATE_IN_NAME.search(path.name)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


def current_release() -> Release | None:
    return Release.objects.filter(status=ReleaseStatus.CURRENT).first()


def release_folder(release: Release) -> Path:
    return snapshot.root() / "releases" / release.directory


def mark_stale_imports(now: datetime | None = None) -> int:
    """Mark as failed the imports whose process stopped beating (killed, machine restarted)."""
    now = now or timezone.now()
    stale = Release.objects.filter(status=ReleaseStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    return stale.update(
        status=ReleaseStatus.FAILED, error=_("The import stopped without finishing."), finished_at=now
    )


def queue_release(
    paths: Sequence[Path], *, user=None, release_date: date | None = None, synthetic: bool = False
) -> Release:
    """Create the release row for an import started from the staff page (the task fills it in)."""
    _check_no_running_import()
    files = [Path(p) for p in paths]
    release = Release.objects.create(
        release_date=release_date or release_date_from_names(files) or timezone.localdate(),
        fingerprint="",
        status=ReleaseStatus.QUEUED,
        is_synthetic=synthetic,
        sources=[str(p) for p in files],
        bytes_total=sum(p.stat().st_size for p in files),
        heartbeat_at=timezone.now(),
        started_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit.record(user, "monitoring.release_queued", release, {"sources": [p.name for p in files]})
    return release


def _check_no_running_import(exclude: int | None = None) -> None:
    mark_stale_imports()
    running = Release.objects.filter(status=ReleaseStatus.RUNNING).exclude(pk=exclude)
    if running.exists():
        raise ValidationError(
            _("Another import is running (started %(when)s); wait for it to finish."),
            code="import_running",
            params={"when": timezone.localtime(running.first().started_at).strftime("%d/%m/%Y %H:%M")},
        )


def import_release(
    paths: Sequence[str | os.PathLike[str]],
    *,
    release_date: date | None = None,
    max_bad_rows: int | None = None,
    synthetic: bool = False,
    user=None,
    release: Release | None = None,
    on_progress: OnProgress | None = None,
) -> ImportResult:
    """Import the files of one release (a progetti or progetti_esteso file, optionally soggetti and
    localizzazioni) and make it the current release.

    ``release`` is the row created by :func:`queue_release` when the import runs as a background task.
    Raises ValidationError (translated) on bad input; the previous release stays current on any error."""
    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise ValidationError(
                _("%(file)s does not exist."), code="missing_file", params={"file": str(path)}
            )
    max_bad_rows = settings.MONITORING_MAX_BAD_ROWS if max_bad_rows is None else max_bad_rows
    started = time.monotonic()
    total = sum(p.stat().st_size for p in files)
    tracker = _Tracker(release, on_progress, total, started)
    try:
        tracker.stage("fingerprint", "")
        print_ = fingerprint(files)
        current = current_release()
        if current is not None and current.fingerprint == print_:
            if release is not None:  # the staff page follows this row: say why nothing happened
                Release.objects.filter(pk=release.pk).update(
                    status=ReleaseStatus.UNCHANGED, fingerprint=print_, finished_at=timezone.now()
                )
            return ImportResult(current, changed=False)
        on_date = release_date or release_date_from_names(files)
        if on_date is None:
            raise ValidationError(
                _("The release date is not in the file names: give it (YYYY-MM-DD)."), code="release_date"
            )
        _check_no_running_import(exclude=release.pk if release else None)
        if release is None:
            release = Release(started_by=user if getattr(user, "is_authenticated", False) else None)
        release.release_date = on_date
        release.fingerprint = print_
        release.is_synthetic = synthetic or release.is_synthetic
        release.sources = [str(p) for p in files]
        release.status = ReleaseStatus.RUNNING
        release.bytes_total = total
        release.started_at = timezone.now()
        release.heartbeat_at = timezone.now()
        release.error = ""
        release.save()
        tracker.release = release
    except BaseException as error:
        if release is not None and release.pk:
            _fail(release, error)
        raise

    base = snapshot.root() / "releases"
    base.mkdir(parents=True, exist_ok=True)
    work = base / f".tmp-{release.pk}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        conversion = reader.convert(files, work, max_bad_rows=max_bad_rows, progress=tracker.file_progress)
        if not any(f.dataset in ("progetti", "progetti_esteso") for f in conversion.files):
            raise ValidationError(
                _("A release needs the progetti (or progetti_esteso) file; only %(datasets)s given."),
                code="no_projects",
                params={"datasets": ", ".join(f.dataset for f in conversion.files)},
            )
        tracker.stage("derive", "")
        connection = duckdb.connect(config={"threads": reader.THREADS, "memory_limit": reader.MEMORY_LIMIT})
        try:
            connection.execute(f"SET temp_directory = '{work / 'spill'}'")
            counts = snapshot.build_derived(work, connection)
            tracker.stage("link", "")
            coverage, links, distinct = _compute_links(work, connection)
        finally:
            connection.close()
        shutil.rmtree(work / "spill", ignore_errors=True)
        directory = f"{release.release_date:%Y%m%d}-{print_[:12]}-{release.pk}"
        final = base / directory
        os.replace(work, final)
        release.directory = directory
        release.report = _report_json(conversion, counts)
        release.project_count = distinct
        _switch(release, coverage, links, user)
    except BaseException as error:
        shutil.rmtree(work, ignore_errors=True)
        _fail(release, error)
        raise
    _prune_old_releases()
    release.refresh_from_db()
    return ImportResult(release, changed=True, report=conversion)


class _Tracker:
    """Turns the reader's per-file events into overall progress; saves it to the release row (throttled)."""

    def __init__(self, release: Release | None, on_progress: OnProgress | None, total: int, started: float):
        self.release, self.on_progress, self.total, self.started = release, on_progress, total, started
        self.done_before = 0  # bytes of the files already converted
        self.current_source = ""
        self.last_save = 0.0
        self.rows = 0
        self.dataset = ""
        self.stage_name = ""

    def stage(self, stage: str, dataset: str, bytes_done: int | None = None) -> None:
        self.stage_name, self.dataset = stage, dataset
        self._emit(self.done_before if bytes_done is None else bytes_done, force=True)

    def file_progress(self, event: reader.ProgressEvent) -> None:
        if event.source != self.current_source:
            self.current_source = event.source
        self.stage_name, self.dataset, self.rows = event.stage, event.dataset, event.rows
        done = self.done_before + int(event.file_bytes * event.fraction)
        if event.stage == "done":
            self.done_before += event.file_bytes
        self._emit(done, force=event.stage == "done")

    def _emit(self, done: int, *, force: bool) -> None:
        progress = ImportProgress(
            self.stage_name,
            self.dataset,
            min(done, self.total),
            self.total,
            self.rows,
            time.monotonic() - self.started,
        )
        if self.on_progress is not None:
            self.on_progress(progress)
        now = time.monotonic()
        if (
            self.release is not None
            and self.release.pk
            and (force or now - self.last_save >= _HEARTBEAT_EVERY)
        ):
            self.last_save = now
            Release.objects.filter(pk=self.release.pk).update(
                stage=f"{progress.stage}:{progress.dataset}".rstrip(":"),
                bytes_done=progress.bytes_done,
                rows_done=progress.rows,
                heartbeat_at=timezone.now(),
            )


def _fail(release: Release, error: BaseException) -> None:
    if isinstance(error, ValidationError):
        message = " ".join(error.messages)
    elif isinstance(error, KeyboardInterrupt):
        message = _("The import was interrupted.")
    else:
        message = f"{type(error).__name__}: {error}"
    Release.objects.filter(pk=release.pk).update(
        status=ReleaseStatus.FAILED, error=message, finished_at=timezone.now()
    )
    release.status, release.error = ReleaseStatus.FAILED, message


def _report_json(conversion: reader.ConversionReport, counts: dict[str, int]) -> dict:
    return {
        "files": [
            {
                "source": Path(f.source).name,
                "dataset": f.dataset,
                "rows_read": f.rows_read,
                "rows_written": f.rows_written,
                "bad_rows_total": f.bad_rows_total,
                "bad_rows": [{"line": b.line, "reason": b.reason, "text": b.text} for b in f.bad_rows],
                "unknown_columns": f.unknown_columns,
                "restored_codes": f.restored_codes,
                "invalid_dates": f.invalid_dates,
                "invalid_numbers": f.invalid_numbers,
                "seconds": round(f.seconds, 2),
                "mb_per_second": round(f.mb_per_second, 1),
            }
            for f in conversion.files
        ],
        "derived": counts,
    }


def _compute_links(folder: Path, connection: duckdb.DuckDBPyConnection) -> tuple[list[dict], list[dict], int]:
    """Sums per programme of ours, the organisations of ours found among the subjects, distinct projects."""
    programmes = dict(Programme.objects.values_list("cci", "pk"))
    projects = snapshot.parquet(folder, snapshot.PROJECTS)
    subjects = snapshot.parquet(folder, snapshot.SUBJECTS)
    counts = connection.execute(f"SELECT count(DISTINCT project_code) FROM {projects}").fetchone()
    coverage = []
    for cci, n, funding, commitments, payments in connection.execute(
        f"""SELECT cci, count(*), sum(public_funding), sum(commitments), sum(payments)
            FROM {projects} GROUP BY cci"""
    ).fetchall():
        if cci in programmes:
            coverage.append(
                {
                    "programme_id": programmes[cci],
                    "project_count": n,
                    "public_funding": funding or 0,
                    "commitments": commitments or 0,
                    "payments": payments or 0,
                }
            )
    by_tax = {}
    by_ipa = {}
    for pk, tax_code, ipa_code in Organization.objects.values_list("pk", "tax_code", "ipa_code"):
        if tax_code:
            by_tax[tax_code.upper()] = pk
        if ipa_code:
            by_ipa[ipa_code.lower()] = pk
    links: list[dict] = []
    if by_tax or by_ipa:
        connection.execute("CREATE TEMP TABLE our_codes (kind VARCHAR, code VARCHAR, organization_id BIGINT)")
        rows = [("tax_code", c, pk) for c, pk in by_tax.items()] + [
            ("ipa", c, pk) for c, pk in by_ipa.items()
        ]
        connection.executemany("INSERT INTO our_codes VALUES (?, ?, ?)", rows)
        # IPA first: when both codes match the same organisation, the tax-code row is the one kept.
        for organization_id, matched_on, role, cci, n, funding in connection.execute(
            f"""WITH matched AS (
                    SELECT o.organization_id, o.kind AS matched_on, s.role, s.cci, s.project_code,
                           s.public_funding
                    FROM {subjects} s JOIN our_codes o ON o.kind = 'tax_code' AND upper(s.tax_code) = o.code
                    UNION ALL
                    SELECT o.organization_id, o.kind, s.role, s.cci, s.project_code, s.public_funding
                    FROM {subjects} s JOIN our_codes o ON o.kind = 'ipa' AND s.ipa_code = o.code
                )
                SELECT organization_id, min(matched_on), role, cci, count(DISTINCT project_code),
                       sum(public_funding) FILTER (WHERE rn = 1)
                FROM (SELECT *, row_number() OVER (PARTITION BY organization_id, role, cci, project_code) rn
                      FROM matched)
                GROUP BY organization_id, role, cci"""
        ).fetchall():
            links.append(
                {
                    "organization_id": organization_id,
                    "matched_on": "tax_code" if matched_on == "tax_code" else "ipa",
                    "role": role if role in {"1", "2", "3", "4"} else "3",
                    "programme_id": programmes.get(cci),
                    "programme_code": cci,
                    "project_count": n,
                    "public_funding": funding or 0,
                }
            )
    return coverage, links, counts[0] if counts else 0


@transaction.atomic
def _switch(release: Release, coverage: list[dict], links: list[dict], user) -> None:
    """Make ``release`` the current one: one transaction, so readers see the old or the new, never half."""
    previous = list(Release.objects.select_for_update().filter(status=ReleaseStatus.CURRENT))
    Release.objects.filter(status=ReleaseStatus.CURRENT).update(status=ReleaseStatus.SUPERSEDED)
    release.status = ReleaseStatus.CURRENT
    release.finished_at = timezone.now()
    release.heartbeat_at = timezone.now()
    release.stage = "done"
    release.bytes_done = release.bytes_total
    release.save()
    ProgrammeCoverage.objects.bulk_create([ProgrammeCoverage(release=release, **c) for c in coverage])
    BeneficiaryLink.objects.bulk_create(
        [BeneficiaryLink(release=release, **link) for link in links], batch_size=1000
    )
    audit.record(
        user,
        "monitoring.release_imported",
        release,
        {
            "release_date": release.release_date.isoformat(),
            "projects": release.project_count,
            "replaces": [p.pk for p in previous],
            "synthetic": release.is_synthetic,
        },
    )


def _prune_old_releases() -> None:
    """Delete the snapshot folders of all but the newest KEPT_RELEASES releases, and leftovers of killed
    imports (their ``.tmp-`` folders)."""
    base = snapshot.root() / "releases"
    keep = list(
        Release.objects.filter(status__in=[ReleaseStatus.CURRENT, ReleaseStatus.SUPERSEDED])
        .order_by("-finished_at", "-pk")
        .values_list("pk", "directory")[:KEPT_RELEASES]
    )
    kept_dirs = {d for _pk, d in keep}
    running = {
        f".tmp-{pk}"
        for pk in Release.objects.filter(status=ReleaseStatus.RUNNING).values_list("pk", flat=True)
    }
    for folder in base.iterdir() if base.exists() else []:
        if folder.name in kept_dirs or folder.name in running:
            continue
        shutil.rmtree(folder, ignore_errors=True)
    old = Release.objects.filter(status=ReleaseStatus.SUPERSEDED).exclude(pk__in=[pk for pk, _d in keep])
    BeneficiaryLink.objects.filter(release__in=old).delete()
    ProgrammeCoverage.objects.filter(release__in=old).delete()
    old.update(directory="")
