"""The meetings' daily jobs, run every morning by ``run_meeting_jobs`` (cron at 06:00 Europe/Rome, just
before ``run_consultation_jobs``, whose digests then include the notices written here).

(a) Written procedures: the seats that have not answered are reminded once, when the deadline is at most
    :data:`REMINDER_WORKING_DAYS` working days away (the audit event of the reminder records it, so a
    second run never reminds again); (b) procedures whose deadline has passed are closed, with silent
    consent where the body's rules allow it, and the body is notified
    (``written_procedures.close_procedure``);
    (c) the secretariat (staff of the programmes and the body's secretariat seat) is reminded when the
    minutes of a held meeting are due within :data:`MINUTES_WORKING_DAYS` working days, and once more when
    they are late (``selectors_minutes.minutes_overdue``), for :data:`OVERDUE_WINDOW_DAYS` days after the
    due date: an old backlog is the compliance page's business, not a burst of mail on the first run.

Every step goes through the services, so the rules and the audit trail are those of a staff member's
click; each record is handled on its own, so one failure never stops the others.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.core.workdays import working_days_between
from officine.notifications.services import Notice, notify
from officine.programmes.models import ProgrammeStaff

from . import selectors_procedures, written_procedures
from .models import Meeting, MeetingKind, MeetingState, MinutesState, WrittenProcedure
from .selectors_minutes import minutes_due_date, minutes_overdue
from .written_procedures import body_extra_holidays

logger = logging.getLogger(__name__)

REMINDER_WORKING_DAYS = 2
MINUTES_WORKING_DAYS = 3
OVERDUE_WINDOW_DAYS = 30
MINUTES_NOTICE_KIND = "meetings_minutes_due"


@dataclass
class JobReport:
    """What one run did, for the command's output (and for tests)."""

    now: datetime
    reminded: list[tuple[WrittenProcedure, int]] = field(default_factory=list)
    closed: list[WrittenProcedure] = field(default_factory=list)
    not_closed: list[tuple[WrittenProcedure, str]] = field(default_factory=list)
    minutes_due: list[tuple[Meeting, date, int]] = field(default_factory=list)
    minutes_late: list[tuple[Meeting, date, int]] = field(default_factory=list)
    unexpected_errors: int = 0

    @property
    def day(self) -> date:
        return timezone.localdate(self.now)


# --- (a) reminders --------------------------------------------------------------------------------------


def procedures_to_remind(today: date) -> list[WrittenProcedure]:
    """Open procedures whose deadline is today or at most two working days away, not yet reminded.

    "At most" rather than "exactly" so that a missed morning (or a deadline after a holiday) still reminds;
    the audit event makes it once only."""
    candidates = (
        selectors_procedures.open_procedures()
        .filter(deadline__gte=today)
        .prefetch_related("body__programmes")
        .order_by("deadline", "pk")
    )
    return [
        procedure
        for procedure in candidates
        if working_days_between(today, procedure.deadline, body_extra_holidays(procedure.body))
        <= REMINDER_WORKING_DAYS
        and not written_procedures.was_reminded_automatically(procedure)
    ]


def remind_procedures(now: datetime, report: JobReport) -> None:
    for procedure in procedures_to_remind(timezone.localdate(now)):
        try:
            count = written_procedures.send_reminder(None, procedure, automatic=True, now=now)
        except ValidationError as error:
            logger.warning("Written procedure %s not reminded: %s", procedure.pk, " ".join(error.messages))
        except Exception:
            logger.exception("Unexpected error reminding about written procedure %s", procedure.pk)
            report.unexpected_errors += 1
        else:
            if count:
                report.reminded.append((procedure, count))


# --- (b) closing ----------------------------------------------------------------------------------------


def close_procedures(now: datetime, report: JobReport) -> None:
    for procedure in selectors_procedures.procedures_to_close(timezone.localdate(now)):
        try:
            report.closed.append(written_procedures.close_procedure(None, procedure, now=now))
        except ValidationError as error:
            procedure.refresh_from_db(fields=["state"])
            if procedure.is_open:
                reason = " ".join(error.messages)
                logger.warning("Written procedure %s not closed: %s", procedure.pk, reason)
                report.not_closed.append((procedure, reason))
        except Exception:
            logger.exception("Unexpected error closing written procedure %s", procedure.pk)
            report.unexpected_errors += 1


# --- (c) minutes ----------------------------------------------------------------------------------------


def meetings_with_minutes_pending(today: date) -> list[Meeting]:
    """Held body meetings whose minutes are not published, recent enough to be due soon or newly late."""
    since = today - timedelta(days=OVERDUE_WINDOW_DAYS + 120)
    return list(
        Meeting.objects.filter(
            kind=MeetingKind.BODY_MEETING, state=MeetingState.HELD, starts_at__date__gte=since
        )
        .exclude(minutes__state=MinutesState.PUBLISHED)
        .select_related("programme", "body", "minutes")
        .prefetch_related("body__programmes")
        .order_by("starts_at", "pk")
    )


def minutes_recipients(meeting: Meeting, today: date):
    """The secretariat of the meeting: staff of its programme and of the programmes its body serves, and
    the accounts linked to the body's secretariat seat."""
    programme_ids = {p.pk for p in meeting.body.programmes.all()}
    if meeting.programme_id:
        programme_ids.add(meeting.programme_id)
    seats = selectors_procedures.secretariat_seats(meeting.body, today)
    return get_user_model().objects.filter(
        Q(pk__in=ProgrammeStaff.objects.filter(programme_id__in=programme_ids).values("user_id"))
        | Q(pk__in=seats.values("member_user_id"))
        | Q(pk__in=seats.values("substitute_user_id")),
        is_active=True,
    )


def _minutes_notice(meeting: Meeting, due: date, *, late: bool) -> Notice:
    values = {
        "meeting": meeting.title_it,
        "date": date_format(meeting.day, "DATE_FORMAT"),
        "due": date_format(due, "DATE_FORMAT"),
    }
    if late:
        return Notice(
            kind=MINUTES_NOTICE_KIND,
            key=f"meetings.minutes.{meeting.pk}.overdue",
            subject=_("Minutes late: %(meeting)s") % values,
            body=_(
                "The minutes of the meeting “%(meeting)s” of %(date)s were due by %(due)s and are not "
                "published yet."
            )
            % values,
            url=reverse("manage_minutes:edit", args=[meeting.pk]),
        )
    return Notice(
        kind=MINUTES_NOTICE_KIND,
        key=f"meetings.minutes.{meeting.pk}.due_soon",
        subject=_("Minutes due by %(due)s: %(meeting)s") % values,
        body=_("The minutes of the meeting “%(meeting)s” of %(date)s must be published by %(due)s.") % values,
        url=reverse("manage_minutes:edit", args=[meeting.pk]),
    )


def remind_minutes(now: datetime, report: JobReport) -> None:
    today = timezone.localdate(now)
    for meeting in meetings_with_minutes_pending(today):
        try:
            due = minutes_due_date(meeting)
            if due is None:
                continue
            late = minutes_overdue(meeting, today) is not None
            if late and (today - due).days > OVERDUE_WINDOW_DAYS:
                continue
            holidays = body_extra_holidays(meeting.body)
            if not late and working_days_between(today, due, holidays) > MINUTES_WORKING_DAYS:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                notice = _minutes_notice(meeting, due, late=late)
                count = len(notify(minutes_recipients(meeting, today), notice))
            if count:
                (report.minutes_late if late else report.minutes_due).append((meeting, due, count))
        except Exception:
            logger.exception("Unexpected error reminding about the minutes of meeting %s", meeting.pk)
            report.unexpected_errors += 1


def run_daily_jobs(now: datetime | None = None) -> JobReport:
    """Run (a) reminders, (b) closing, (c) minutes reminders, in this order: a procedure whose deadline was
    yesterday is closed, not reminded."""
    now = now or timezone.now()
    report = JobReport(now=now)
    remind_procedures(now, report)
    close_procedures(now, report)
    remind_minutes(now, report)
    return report
