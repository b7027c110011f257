"""Imports started from the staff page: files uploaded or chosen in the server's inbox, run as a task.

A national release is several GB: it is usually copied to the server's inbox folder (``MONITORING_INBOX``)
with scp or wget and chosen from the list; uploading through the browser is there for the regional files
and the ZIPs, up to ``MONITORING_UPLOAD_MAX_MB``.
"""

from __future__ import annotations

import shutil
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from . import services
from .models import Release
from .reader import read_header
from .schema import detect_dataset

ALLOWED_SUFFIXES = (".csv", ".zip")
UPLOADS = "uploads"


@dataclass(frozen=True)
class InboxFile:
    """A release file waiting on the server."""

    name: str  # relative to the inbox
    size: int
    dataset: str | None


def inbox() -> Path:
    return Path(settings.MONITORING_INBOX)


def inbox_files() -> list[InboxFile]:
    """CSV and ZIP files in the inbox (and in its uploads folder), newest first, with their dataset."""
    root = inbox()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*"), key=lambda p: p.stat().st_mtime, reverse=True):
        if path.is_file() and path.suffix.lower() in ALLOWED_SUFFIXES and not path.name.startswith("."):
            found.append(InboxFile(str(path.relative_to(root)), path.stat().st_size, _dataset_of(path)))
    return found


def _dataset_of(path: Path) -> str | None:
    """The dataset a file holds, from its header (None: not an OpenCoesione file)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
                if len(members) != 1:
                    return None
                with archive.open(members[0]) as handle:
                    first = handle.readline(1 << 20).decode("utf-8-sig", errors="replace")
                return detect_dataset([c.strip().strip('"') for c in first.rstrip("\r\n").split(";")])
        return detect_dataset(read_header(path))
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, StopIteration):
        return None


def resolve_inbox(names: list[str]) -> list[Path]:
    """Inbox names chosen in the form → paths, refusing anything outside the inbox."""
    root = inbox().resolve()
    paths = []
    for name in names:
        path = (root / name).resolve()
        if root not in path.parents or not path.is_file():
            raise ValidationError(
                _("%(file)s is not in the import folder."), code="not_in_inbox", params={"file": name}
            )
        paths.append(path)
    return paths


def save_uploads(files: list[UploadedFile]) -> list[Path]:
    """Check each uploaded file (size, CSV or ZIP by content, a known dataset) and move it to the inbox."""
    limit = settings.MONITORING_UPLOAD_MAX_MB * 1024 * 1024
    for upload in files:
        if upload.size > limit:
            raise ValidationError(
                _("%(file)s is larger than %(limit)d MB: copy it to the server's import folder instead."),
                code="too_large",
                params={"file": upload.name, "limit": settings.MONITORING_UPLOAD_MAX_MB},
            )
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise ValidationError(
                _("%(file)s is not a CSV or ZIP file."), code="file_type", params={"file": upload.name}
            )
    target = inbox() / UPLOADS / uuid.uuid4().hex[:12]
    target.mkdir(parents=True, exist_ok=True)
    saved = []
    try:
        for upload in files:
            path = target / Path(upload.name).name
            with path.open("wb") as out:
                for chunk in upload.chunks(1 << 20):
                    out.write(chunk)
            if _dataset_of(path) is None:
                raise ValidationError(
                    _(
                        "%(file)s is not an OpenCoesione progetti, soggetti or localizzazioni file "
                        "(CSV or ZIP)."
                    ),
                    code="file_type",
                    params={"file": upload.name},
                )
            saved.append(path)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return saved


def start_import(
    user, paths: list[Path], *, release_date: date | None = None, max_bad_rows: int | None = None
) -> Release:
    """Queue the import and hand it to the task worker (run at once by the test backend)."""
    from .tasks import run_import

    if not any(_dataset_of(p) in ("progetti", "progetti_esteso") for p in paths):
        raise ValidationError(
            _("Choose a progetti (or progetti_esteso) file: the other files complete it."), code="no_projects"
        )
    if release_date is None and services.release_date_from_names(paths) is None:
        raise ValidationError(
            {
                "release_date": ValidationError(
                    _("The file names carry no date: give the release's reference date."),
                    code="release_date",
                )
            }
        )
    with transaction.atomic():
        release = services.queue_release(paths, user=user, release_date=release_date)
        release.report = {"options": {"max_bad_rows": max_bad_rows, "release_date_given": bool(release_date)}}
        release.save(update_fields=["report"])
    transaction.on_commit(lambda: run_import.enqueue(release.pk))
    return release


def run_queued_import(release_id: int) -> Release:
    """What the task does: run the service on the queued release's files, then tidy uploaded files."""
    release = Release.objects.get(pk=release_id)
    options = release.report.get("options", {})
    paths = [Path(p) for p in release.sources]
    try:
        services.import_release(
            paths,
            release_date=release.release_date if options.get("release_date_given") else None,
            max_bad_rows=options.get("max_bad_rows"),
            user=release.started_by,
            release=release,
        )
    finally:
        release.refresh_from_db()
    uploads = (inbox() / UPLOADS).resolve()
    if release.status in ("current", "unchanged"):
        for folder in {p.resolve().parent for p in paths if uploads in p.resolve().parents}:
            shutil.rmtree(folder, ignore_errors=True)
    return release
