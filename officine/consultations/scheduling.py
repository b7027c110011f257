"""The consultations' daily jobs, run every morning by ``run_consultation_jobs`` (cron at 06:00 Europe/Rome).

Consultations open and close on the days their timetable announces, without anyone having to press a
button; partners are reminded three working days before closing; the daily digests go out last, so they
include what the jobs have just announced. Every step goes through the lifecycle services, so the rules
(published documents, no early closing) and the audit trail are the same as for a staff member's click.
Each consultation is handled on its own: one that cannot be opened never stops the others.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from officine.core.workdays import working_days_between
from officine.notifications.services import retry_unsent_immediate, send_digests

from . import lifecycle, notices
from .models import Consultation, ConsultationState

logger = logging.getLogger(__name__)

REMINDER_WORKING_DAYS = 3


@dataclass
class JobReport:
    """What one run did, for the command's output (and for tests)."""

    day: date
    opened: list[Consultation] = field(default_factory=list)
    not_opened: list[tuple[Consultation, str]] = field(default_factory=list)
    closed: list[Consultation] = field(default_factory=list)
    not_closed: list[tuple[Consultation, str]] = field(default_factory=list)
    reminded: list[tuple[Consultation, int]] = field(default_factory=list)
    digests: int = 0
    retried: int = 0
    unexpected_errors: int = 0


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def due_to_open(today: date) -> QuerySet[Consultation]:
    return Consultation.objects.filter(state=ConsultationState.SCHEDULED, opens_on__lte=today).select_related(
        "programme"
    )


def due_to_close(today: date) -> QuerySet[Consultation]:
    return Consultation.objects.filter(state=ConsultationState.OPEN, closes_on__lt=today).select_related(
        "programme"
    )


def closing_soon(today: date) -> list[Consultation]:
    """Open consultations whose last day is at most three working days away (Italian calendar plus the
    programme's own holiday).

    "At most" rather than "exactly" so that a job that missed a morning (or a closing day that falls on a
    holiday, which is never exactly N working days away) still reminds; the notice's key makes it once only.
    """
    candidates = Consultation.objects.filter(
        state=ConsultationState.OPEN, closes_on__gte=today
    ).select_related("programme")
    return [
        consultation
        for consultation in candidates
        if working_days_between(today, consultation.closes_on, consultation.programme.extra_holidays)
        <= REMINDER_WORKING_DAYS
    ]


def open_due(today: date, report: JobReport) -> None:
    """(a) Open every scheduled consultation whose day has come; tell staff when a rule forbids it."""
    for consultation in due_to_open(today):
        try:
            report.opened.append(lifecycle.open_consultation(None, consultation, today=today))
        except ValidationError as error:
            consultation.refresh_from_db(fields=["state"])
            if consultation.state != ConsultationState.SCHEDULED:
                continue  # opened (or put back to draft) by someone else meanwhile: nothing to report
            reason = _messages(error)
            logger.warning("Consultation %s not opened: %s", consultation.pk, reason)
            report.not_opened.append((consultation, reason))
            notices.notify_opening_failed(consultation, reason, today)
        except Exception:
            logger.exception("Unexpected error opening consultation %s", consultation.pk)
            report.unexpected_errors += 1


def close_due(today: date, report: JobReport) -> None:
    """(b) Close every open consultation whose last day has passed."""
    for consultation in due_to_close(today):
        try:
            report.closed.append(lifecycle.close_consultation(None, consultation, today=today))
        except ValidationError as error:
            consultation.refresh_from_db(fields=["state"])
            if consultation.state != ConsultationState.OPEN:
                continue
            reason = _messages(error)
            logger.warning("Consultation %s not closed: %s", consultation.pk, reason)
            report.not_closed.append((consultation, reason))
        except Exception:
            logger.exception("Unexpected error closing consultation %s", consultation.pk)
            report.unexpected_errors += 1


def remind_closing(today: date, report: JobReport, skip: Collection[int] = ()) -> None:
    """(c) Remind invited partners three working days before closing (once per consultation).

    ``skip`` holds consultations opened by this very run: their opening notice already gives the last day.
    """
    for consultation in closing_soon(today):
        if consultation.pk in skip:
            continue
        try:
            report.reminded.append((consultation, notices.notify_closing_soon(consultation, today)))
        except Exception:
            logger.exception("Unexpected error reminding about consultation %s", consultation.pk)
            report.unexpected_errors += 1


def run_daily_jobs(today: date | None = None) -> JobReport:
    """Run (a) opening, (b) closing, (c) reminders, (d) digests and retries of failed e-mails, in order."""
    today = today or timezone.localdate()
    report = JobReport(day=today)
    open_due(today, report)
    close_due(today, report)
    remind_closing(today, report, skip={c.pk for c in report.opened})
    report.retried = retry_unsent_immediate()
    report.digests = send_digests()
    return report
