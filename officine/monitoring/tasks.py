"""Background task of the monitoring app (django-tasks; ``manage.py db_worker`` runs it)."""

from django_tasks import task


@task()
def run_import(release_id: int) -> None:
    """Import the files of a queued :class:`~officine.monitoring.models.Release`.

    Errors are recorded on the release (its page shows them); they are not re-raised, because the worker
    would only log them again."""
    from contextlib import suppress

    from django.core.exceptions import ValidationError

    from .services_staff import run_queued_import

    with suppress(ValidationError):
        run_queued_import(release_id)
