"""``manage.py run_consultation_jobs [--date YYYY-MM-DD]``: the consultations' daily jobs.

Run it once a day, early in the morning, e.g. with cron (``CRON_TZ=Europe/Rome``)::

    0 6 * * *  cd /srv/officine && .venv/bin/python manage.py run_consultation_jobs

It opens and closes consultations on their announced days, reminds partners three working days before
closing, then sends the daily digests. ``--date`` replays the consultation jobs for another day (e.g. after
an outage); digests always use the current time. The exit status is non-zero only for unexpected errors:
a consultation that cannot be opened is a matter for its staff, who get a notice.
"""

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from officine.consultations.scheduling import run_daily_jobs


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "Open and close consultations on their days, send closing reminders, then the daily digests."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", type=iso_date, default=None, help="Day to run for (YYYY-MM-DD).")

    def handle(self, *args, **options) -> None:
        report = run_daily_jobs(options["date"])
        out = self.stdout
        out.write(f"Consultation jobs for {report.day.isoformat()}")
        for consultation in report.opened:
            out.write(self.style.SUCCESS(f"  opened: #{consultation.pk} {consultation.title}"))
        for consultation, reason in report.not_opened:
            self.stderr.write(
                self.style.WARNING(f"  NOT opened: #{consultation.pk} {consultation.title}: {reason}")
            )
        for consultation in report.closed:
            out.write(self.style.SUCCESS(f"  closed: #{consultation.pk} {consultation.title}"))
        for consultation, reason in report.not_closed:
            self.stderr.write(
                self.style.WARNING(f"  NOT closed: #{consultation.pk} {consultation.title}: {reason}")
            )
        for consultation, count in report.reminded:
            if count:
                out.write(f"  closing reminder: #{consultation.pk} {consultation.title} ({count} recipients)")
        reminders = sum(count for _, count in report.reminded)
        out.write(
            f"  opened {len(report.opened)}, not opened {len(report.not_opened)}, "
            f"closed {len(report.closed)}, reminders {reminders}, digests {report.digests}, "
            f"e-mails retried {report.retried}"
        )
        if report.unexpected_errors:
            raise CommandError(f"{report.unexpected_errors} unexpected error(s): see the log.")
