"""Triage runs: group a consultation's contributions in the background and keep the result (issue 3.7).

``start_triage`` (staff, from a request) records a queued :class:`TriageRun` and enqueues the task;
``execute_run`` (in the task worker) loads the submitted contributions, calls the pure algorithm in
``triage.py`` while reporting progress into the run, and stores the groups in one transaction at the end,
so the page never shows half a result. Runs are kept as history; the page shows the latest finished one.
"""

import logging
import time
from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.audit import record

from . import triage
from .models import (
    Consultation,
    Contribution,
    ContributionGroup,
    ContributionState,
    GroupKind,
    TriageRun,
    TriageStatus,
)

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (TriageStatus.QUEUED, TriageStatus.RUNNING)
#: A queued or running run that has not moved for this long is taken as abandoned (a worker that died,
#: or none running), so that it does not block new runs for ever. A 5,000-contribution run writes its
#: progress every few seconds and finishes in about a minute.
STALE_AFTER = timedelta(minutes=15)
#: Progress is written at most this often (seconds), and always at the end.
PROGRESS_INTERVAL = 0.5
MIN_CONTRIBUTIONS = 2


def contributions_to_group(consultation: Consultation):
    """The contributions a run groups: submitted ones (withdrawn texts are no longer the author's)."""
    return Contribution.objects.filter(consultation=consultation, state=ContributionState.SUBMITTED)


def triage_text(body: str, proposed_wording: str) -> str:
    """What is compared: the contribution and the wording it proposes (often the clearest part)."""
    return f"{body}\n\n{proposed_wording}".strip()


def active_run(consultation: Consultation) -> TriageRun | None:
    """The consultation's queued or running run, unless it has gone stale."""
    cutoff = timezone.now() - STALE_AFTER
    return (
        TriageRun.objects.filter(
            consultation=consultation, status__in=ACTIVE_STATUSES, updated_at__gte=cutoff
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def start_triage(actor, consultation: Consultation) -> TriageRun:
    """Queue a grouping of ``consultation``'s contributions and return the run.

    Only the consultation's staff (or a platform admin) may start one; it is refused while another run
    of the same consultation is queued or running, and when there is nothing to group. The task is
    enqueued inside the transaction that creates the run: with the database backend both rows commit
    together, so a worker never picks up a run that does not exist, and a failed enqueue leaves no
    orphan run. (In tests the immediate backend runs the task right here.)
    """
    if not actor.has_perm("consultations.manage_consultation", consultation):
        raise PermissionDenied
    from .tasks import run_triage

    with transaction.atomic():
        # Serialise concurrent starts for the same consultation (a no-op on SQLite, whose writes are
        # serialised anyway).
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        _abandon_stale_runs(consultation)
        if active_run(consultation) is not None:
            raise ValidationError(
                _("Contributions are already being grouped: wait for that run to finish."), code="running"
            )
        count = contributions_to_group(consultation).count()
        if count < MIN_CONTRIBUTIONS:
            raise ValidationError(
                _("At least %(minimum)d submitted contributions are needed to group them.")
                % {"minimum": MIN_CONTRIBUTIONS},
                code="too_few",
            )
        run = TriageRun.objects.create(consultation=consultation, requested_by=actor, total=count)
        record(actor, "consultations.triage.started", run, {"contributions": [None, count]})
        result = run_triage.enqueue(run.pk)
        TriageRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    run.refresh_from_db()
    return run


def _abandon_stale_runs(consultation: Consultation) -> None:
    cutoff = timezone.now() - STALE_AFTER
    stale = TriageRun.objects.filter(
        consultation=consultation, status__in=ACTIVE_STATUSES, updated_at__lt=cutoff
    )
    for run in stale:
        logger.warning("Triage run %s abandoned: no progress since %s", run.pk, run.updated_at)
    stale.update(
        status=TriageStatus.FAILED,
        error=_("Abandoned: no progress for %(minutes)d minutes. Is the task worker running?")
        % {"minutes": int(STALE_AFTER.total_seconds() // 60)},
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def execute_run(run_id: int) -> None:
    """Run one triage (called by the task). Marks the run done, or failed with the error (logged)."""
    claimed = TriageRun.objects.filter(pk=run_id, status=TriageStatus.QUEUED).update(
        status=TriageStatus.RUNNING, processed=0, updated_at=timezone.now()
    )
    if not claimed:
        logger.warning("Triage run %s is not queued (any more): nothing to do", run_id)
        return
    run = TriageRun.objects.select_related("consultation").get(pk=run_id)
    try:
        rows = list(
            contributions_to_group(run.consultation)
            .order_by("number")
            .values_list("pk", "body", "proposed_wording")
        )
        ids = [pk for pk, _body, _wording in rows]
        texts = [triage_text(body, wording) for _pk, body, wording in rows]
        result = triage.group_contributions(texts, progress=_progress_writer(run_id))
        _store(run_id, ids, result)
    except Exception as exc:
        logger.exception("Triage run %s of consultation %s failed", run_id, run.consultation_id)
        now = timezone.now()
        TriageRun.objects.filter(pk=run_id).update(
            status=TriageStatus.FAILED,
            error=(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:2000],
            finished_at=now,
            updated_at=now,
        )
        raise


def _progress_writer(run_id: int):
    """A progress callback that writes ``processed``/``total`` at most every ``PROGRESS_INTERVAL`` s."""
    last = [0.0]

    def write(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        TriageRun.objects.filter(pk=run_id).update(processed=done, total=total, updated_at=timezone.now())

    return write


@transaction.atomic
def _store(run_id: int, contribution_ids: Sequence[int], result: triage.TriageResult) -> None:
    """Save every group and mark the run done, all at once."""
    groups = [
        ContributionGroup(run_id=run_id, kind=kind, key_terms=list(group.key_terms))
        for kind, found in ((GroupKind.NEAR_DUPLICATES, result.duplicates), (GroupKind.TOPIC, result.topics))
        for group in found
    ]
    ContributionGroup.objects.bulk_create(groups)  # primary keys come back on SQLite ≥ 3.35 and PostgreSQL
    members = [
        group.members
        for found in (result.duplicates, result.topics)
        for group in found  # same order as ``groups``
    ]
    through = ContributionGroup.contributions.through
    through.objects.bulk_create(
        [
            through(contributiongroup_id=saved.pk, contribution_id=contribution_ids[index])
            for saved, indices in zip(groups, members, strict=True)
            for index in indices
        ],
        batch_size=2000,
    )
    now = timezone.now()
    # Done even if meanwhile declared abandoned: the groups are complete and valid.
    TriageRun.objects.filter(pk=run_id).update(
        status=TriageStatus.DONE, error="", finished_at=now, updated_at=now
    )
