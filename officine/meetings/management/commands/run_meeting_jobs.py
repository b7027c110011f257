"""``manage.py run_meeting_jobs [--now YYYY-MM-DD[THH:MM]]``: the meetings' daily jobs.

Run it once a day, early in the morning and before ``run_consultation_jobs`` (which sends the e-mail
digests), e.g. with cron (``CRON_TZ=Europe/Rome``)::

    0 6 * * *  cd /srv/officine && .venv/bin/python manage.py run_meeting_jobs && \
               .venv/bin/python manage.py run_consultation_jobs

It reminds the members who have not answered a written procedure two working days before its deadline
(once), closes the procedures whose deadline has passed (silent consent where the body's rules allow it)
and notifies the body, then reminds the secretariat of minutes due soon or late. ``--now`` runs the jobs as
at another moment (a day means 06:00 of that day, Europe/Rome), e.g. after an outage or in tests. The exit
status is non-zero only for unexpected errors.
"""

import argparse
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from officine.meetings.jobs import run_daily_jobs


def moment(value: str) -> datetime:
    """A date (06:00 that day) or a date and time, in Europe/Rome unless an offset is given."""
    try:
        if len(value) == 10:
            parsed = datetime.combine(datetime.fromisoformat(value).date(), time(6, 0))
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"invalid moment {value!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from error
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = (
        "Remind members of written procedures about to close, close those past their deadline, and remind "
        "the secretariat of minutes due."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now", type=moment, default=None, help="Moment to run as (YYYY-MM-DD or YYYY-MM-DDTHH:MM)."
        )

    def handle(self, *args, **options) -> None:
        report = run_daily_jobs(options["now"])
        out = self.stdout
        out.write(f"Meeting jobs for {report.day.isoformat()}")
        for procedure, count in report.reminded:
            out.write(f"  reminded: written procedure #{procedure.pk} {procedure.title} ({count} recipients)")
        for procedure in report.closed:
            silent = " (silent consent applied)" if procedure.silent_consent_applied else ""
            out.write(
                self.style.SUCCESS(
                    f"  closed: written procedure #{procedure.pk} {procedure.title}: "
                    f"{procedure.result}{silent}"
                )
            )
        for procedure, reason in report.not_closed:
            self.stderr.write(
                self.style.WARNING(
                    f"  NOT closed: written procedure #{procedure.pk} {procedure.title}: {reason}"
                )
            )
        for meeting, due, count in report.minutes_due:
            out.write(
                f"  minutes due by {due.isoformat()}: meeting #{meeting.pk} {meeting.title} "
                f"({count} recipients)"
            )
        for meeting, due, count in report.minutes_late:
            out.write(
                self.style.WARNING(
                    f"  minutes late since {due.isoformat()}: meeting #{meeting.pk} {meeting.title} "
                    f"({count} recipients)"
                )
            )
        out.write(
            f"  reminded {len(report.reminded)}, closed {len(report.closed)}, "
            f"not closed {len(report.not_closed)}, "
            f"minutes reminders {len(report.minutes_due) + len(report.minutes_late)}"
        )
        if report.unexpected_errors:
            raise CommandError(f"{report.unexpected_errors} unexpected error(s): see the log.")
