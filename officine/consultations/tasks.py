"""Background tasks of the consultations app (django-tasks; ``manage.py db_worker`` runs them)."""

from django_tasks import task


@task()
def run_triage(run_id: int) -> None:
    """Group the contributions of one :class:`~officine.consultations.models.TriageRun`.

    Takes the run's id, not the run: task arguments must be JSON, and the worker reads the current row.
    """
    from .triage_runs import execute_run

    execute_run(run_id)
