"""Reads for the triage page: the latest run, the latest result and a run's progress.

The result is read in a fixed number of queries whatever the number of groups and contributions: the
groups with their sizes, then (one prefetch) the first ``SHOWN_PER_GROUP`` contributions of each group
with their organisation. The page links to the full list of a group's contributions.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Consultation, Contribution, ContributionGroup, GroupKind, TriageRun, TriageStatus

SHOWN_PER_GROUP = 10
#: The page shows the beginning of each contribution, this many characters.
EXCERPT_CHARS = 200


def latest_run(consultation: Consultation) -> TriageRun | None:
    """The most recent run, whatever its status: its progress is what the page shows first."""
    return TriageRun.objects.filter(consultation=consultation).order_by("-created_at", "-pk").first()


def latest_done_run(consultation: Consultation) -> TriageRun | None:
    return (
        TriageRun.objects.filter(consultation=consultation, status=TriageStatus.DONE)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass
class TriageResultView:
    run: TriageRun
    duplicates: list[ContributionGroup]
    topics: list[ContributionGroup]
    #: Contributions that belong to some near-duplicate group (each group's copies beyond the first
    #: could be answered at once).
    duplicated_contributions: int


def result_of(run: TriageRun) -> TriageResultView:
    """The groups of a finished run; each has ``size`` and ``shown`` (its first contributions)."""
    shown = (
        Contribution.objects.select_related("organization")
        .only(
            "pk",
            "number",
            "body",
            "author_name",
            "organization__name",
        )
        .order_by("number")
    )
    groups = list(
        ContributionGroup.objects.filter(run=run)
        .annotate(size=Count("contributions"))
        .prefetch_related(Prefetch("contributions", queryset=shown[:SHOWN_PER_GROUP], to_attr="shown"))
        .order_by("kind", "pk")
    )
    duplicates = [g for g in groups if g.kind == GroupKind.NEAR_DUPLICATES]
    topics = [g for g in groups if g.kind == GroupKind.TOPIC]
    return TriageResultView(
        run=run,
        duplicates=duplicates,
        topics=topics,
        duplicated_contributions=sum(g.size for g in duplicates),
    )


def progress_payload(run: TriageRun) -> dict:
    """What the progress endpoint returns (and the page renders without JavaScript)."""
    finished = run.status in (TriageStatus.DONE, TriageStatus.FAILED)
    percent = 100 if run.status == TriageStatus.DONE else run.percent
    return {
        "run": run.pk,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "processed": run.processed,
        "total": run.total,
        "percent": percent,
        "finished": finished,
        "error": run.error if run.status == TriageStatus.FAILED else "",
        "message": status_message(run, percent),
        "page": reverse("triage:page", args=[run.consultation_id]),
    }


def status_message(run: TriageRun, percent: int) -> str:
    """One sentence for the live region: screen readers announce it as it changes."""
    if run.status == TriageStatus.QUEUED:
        return _("Waiting for the task worker to start the grouping…")
    if run.status == TriageStatus.RUNNING:
        return _("Grouping the contributions: %(percent)d%% done.") % {"percent": percent}
    if run.status == TriageStatus.DONE:
        return _("Grouping finished.")
    return _("The grouping failed: %(error)s") % {"error": run.error or _("unknown error")}
