"""Reads for the staff pages of the imports: the release list, one release's report, its progress."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Release, ReleaseStatus

STAGE_LABELS = {
    "fingerprint": gettext_lazy("checking whether these files were already imported"),
    "checking": gettext_lazy("reading and checking"),
    "writing": gettext_lazy("writing the snapshot"),
    "done": gettext_lazy("file converted"),
    "derive": gettext_lazy("preparing the dashboards"),
    "link": gettext_lazy("linking programmes and organisations"),
}


def releases() -> QuerySet[Release]:
    return Release.objects.select_related("started_by").order_by("-created_at", "-pk")


def stage_label(release: Release) -> str:
    stage, _sep, dataset = release.stage.partition(":")
    label = str(STAGE_LABELS.get(stage, stage))
    return f"{dataset}: {label}" if dataset else label


def progress_payload(release: Release) -> dict:
    """What the progress endpoint returns (and the page renders without JavaScript)."""
    finished = not release.is_active
    percent = 100 if release.status == ReleaseStatus.CURRENT else release.percent
    elapsed = (
        (release.heartbeat_at - release.started_at).total_seconds()
        if release.started_at and release.heartbeat_at
        else 0
    )
    speed = release.bytes_done / 1e6 / elapsed if elapsed > 0 else 0.0
    remaining = (release.bytes_total - release.bytes_done) / 1e6 / speed if speed else None
    if release.status == ReleaseStatus.QUEUED:
        message = _("Waiting for the task worker to start the import…")
    elif release.status == ReleaseStatus.RUNNING:
        message = _("Importing (%(stage)s): %(percent)d%% done.") % {
            "stage": stage_label(release),
            "percent": percent,
        }
    elif release.status == ReleaseStatus.FAILED:
        message = _("The import failed: the data in use have not changed.")
    else:
        message = _("Import finished.")
    detail = ""
    if release.status == ReleaseStatus.RUNNING:
        detail = _("%(rows)s rows · %(speed)s MB/s · about %(minutes)s min left") % {
            "rows": number_format(release.rows_done, force_grouping=True),
            "speed": number_format(speed, 1),
            "minutes": max(1, round(remaining / 60)) if remaining is not None else "?",
        }
    return {
        "release": release.pk,
        "status": release.status,
        "status_label": str(release.get_status_display()),
        "percent": percent,
        "rows": release.rows_done,
        "mb_per_second": round(speed, 1),
        "eta_seconds": round(remaining) if remaining is not None else None,
        "finished": finished,
        "error": release.error if release.status == ReleaseStatus.FAILED else "",
        "message": message,
        "detail": detail,
        "page": reverse("manage_monitoring:release", args=[release.pk]),
    }
