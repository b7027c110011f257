"""``generate_opencoesione --rows N [--seed S] [--release YYYYMMDD] OUT.csv|OUT.zip``.

Why: import tests and the 1M-row benchmark need a realistic progetti_esteso file without downloading 4 GB.
"""

import re
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from officine.monitoring.generator import DEFAULT_RELEASE, generate


class Command(BaseCommand):
    help = "Write a synthetic OpenCoesione progetti_esteso file (CSV, or ZIP when OUT ends in .zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="Output path, .csv or .zip")
        parser.add_argument("--rows", type=int, required=True, help="Number of data rows")
        parser.add_argument("--seed", type=int, default=0, help="Random seed: same seed, same file")
        parser.add_argument(
            "--release", default=DEFAULT_RELEASE, help="Release date YYYYMMDD (DATA_AGGIORNAMENTO)"
        )

    def handle(self, *args: object, **options: object) -> None:
        out: Path = options["out"]  # type: ignore[assignment]
        rows: int = options["rows"]  # type: ignore[assignment]
        release: str = options["release"]  # type: ignore[assignment]
        if rows < 0:
            raise CommandError(_("--rows must be zero or more."))
        if not re.fullmatch(r"\d{8}", release):
            raise CommandError(_("--release must be a date written YYYYMMDD."))
        try:
            date(int(release[:4]), int(release[4:6]), int(release[6:]))
        except ValueError as error:
            raise CommandError(_("--release is not a valid date: %(error)s") % {"error": error}) from error
        if not out.parent.is_dir():
            raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": out.parent})
        result = generate(out, rows, seed=options["seed"], release=release)  # type: ignore[arg-type]
        self.stdout.write(
            _(
                "%(rows)d rows, %(mb).1f MB of CSV written to %(out)s in %(s).1f s "
                "(%(rps).0f rows/s, %(mbps).1f MB/s)."
            )
            % {
                "rows": result.rows,
                "mb": result.bytes_written / 1_000_000,
                "out": out,
                "s": result.seconds,
                "rps": result.rows_per_second,
                "mbps": result.megabytes_per_second,
            }
        )
