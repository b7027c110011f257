"""``import_opencoesione PATH [PATH ...] [--release-date YYYY-MM-DD] [--max-bad-rows N] [--synthetic]``.

Why a command first: the national release is several GB; on a server it is downloaded next to the
application and imported from the shell (or from the staff page, which runs the same service as a task).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from officine.monitoring.services import ImportProgress, import_release

BAR_WIDTH = 28
STAGES = {
    "fingerprint": "fingerprint",
    "checking": "checking",
    "writing": "writing",
    "done": "written",
    "derive": "dashboards",
    "link": "links",
}


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


def progress_line(progress: ImportProgress) -> str:
    """One terminal line: dataset, stage, bar, percentage, rows, MB/s, ETA."""
    filled = int(BAR_WIDTH * progress.fraction)
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    return (
        f"{progress.dataset or '':16} {STAGES.get(progress.stage, progress.stage):10} [{bar}] "
        f"{100 * progress.fraction:5.1f}%  {progress.rows:>11,} rows  {progress.mb_per_second:6.1f} MB/s  "
        f"ETA {format_eta(progress.eta_seconds)}"
    )


class Command(BaseCommand):
    help = (
        "Import an OpenCoesione release (progetti or progetti_esteso, optionally soggetti and "
        "localizzazioni; "
        "CSV or the published ZIP) and make it the data of the implementation dashboards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files of one release")
        parser.add_argument(
            "--release-date",
            type=date.fromisoformat,
            help="Release date (YYYY-MM-DD) when the file names do not carry it",
        )
        parser.add_argument(
            "--max-bad-rows",
            type=int,
            default=settings.MONITORING_MAX_BAD_ROWS,
            help="Malformed rows tolerated per file before the import stops (default %(default)s)",
        )
        parser.add_argument(
            "--synthetic", action="store_true", help="Label the data as synthetic (demo, tests)"
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, cron)")

    def handle(self, *args: object, **options: object) -> None:
        show = not options["no_progress"] and options["verbosity"] >= 1
        tty = show and sys.stderr.isatty()
        last = {"text": "", "stage": ""}

        def on_progress(progress: ImportProgress) -> None:
            text = progress_line(progress)
            if tty:
                sys.stderr.write("\r" + text)
                sys.stderr.flush()
            elif show and progress.stage != last["stage"]:
                sys.stderr.write(text + "\n")  # one line per stage when not on a terminal
            last["text"], last["stage"] = text, progress.stage

        try:
            result = import_release(
                options["paths"],  # type: ignore[arg-type]
                release_date=options["release_date"],  # type: ignore[arg-type]
                max_bad_rows=options["max_bad_rows"],  # type: ignore[arg-type]
                synthetic=options["synthetic"],  # type: ignore[arg-type]
                on_progress=on_progress if show else None,
            )
        except ValidationError as error:
            if tty:
                sys.stderr.write("\n")
            raise CommandError(" ".join(error.messages)) from error
        except KeyboardInterrupt:
            if tty:
                sys.stderr.write("\n")
            raise CommandError(_("Interrupted: the previous release is still the one in use.")) from None
        if tty:
            sys.stderr.write("\n")
        release = result.release
        if not result.changed:
            self.stdout.write(
                _("These files are already the current release (%(date)s): nothing changed.")
                % {"date": release.release_date.strftime("%d/%m/%Y")}
            )
            return
        for item in release.report.get("files", []):
            self.stdout.write(
                _(
                    "%(source)s (%(dataset)s): %(rows)s rows in %(s).1f s, %(mbs).1f MB/s; "
                    "%(bad)s malformed rows."
                )
                % {
                    "source": item["source"],
                    "dataset": item["dataset"],
                    "rows": f"{item['rows_written']:,}",
                    "s": item["seconds"],
                    "mbs": item["mb_per_second"],
                    "bad": f"{item['bad_rows_total']:,}",
                }
            )
            for bad in item["bad_rows"]:
                self.stdout.write(_("  line %(line)s: %(reason)s") % bad)
            if item["bad_rows_total"] > len(item["bad_rows"]):
                self.stdout.write(
                    _("  … and %(more)s more.")
                    % {"more": f"{item['bad_rows_total'] - len(item['bad_rows']):,}"}
                )
            if item["unknown_columns"]:
                self.stdout.write(
                    _("  columns kept but not known: %(columns)s")
                    % {"columns": ", ".join(item["unknown_columns"])}
                )
            for column, count in item["restored_codes"].items():
                self.stdout.write(
                    self.style.WARNING(
                        _("  %(column)s: leading zeros restored in %(count)s rows")
                        % {"column": column, "count": f"{count:,}"}
                    )
                )
            for label, key in (
                (_("invalid dates"), "invalid_dates"),
                (_("invalid amounts"), "invalid_numbers"),
            ):
                for column, count in item[key].items():
                    self.stdout.write(self.style.WARNING(f"  {column}: {count:,} {label}"))
        self.stdout.write(
            self.style.SUCCESS(
                _("Release of %(date)s in use: %(projects)s projects, %(programmes)s of our programmes.")
                % {
                    "date": release.release_date.strftime("%d/%m/%Y"),
                    "projects": f"{release.project_count:,}",
                    "programmes": release.coverage.count(),
                }
            )
        )
