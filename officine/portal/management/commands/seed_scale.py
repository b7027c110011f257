"""``manage.py seed_scale``: synthetic organisations, programmes, memberships and representatives in bulk,
with ``--contributions N`` one closed consultation with N contributions and their dispositions, and with
``--bodies N --meetings M`` N bodies and M meetings with their seats, agendas, documents and minutes."""

import time

from django.core.management.base import BaseCommand, CommandError

from officine.portal.demo.synthetic import MAX_PROGRAMMES, clear_synthetic, seed_scale, synthetic_counts


class Command(BaseCommand):
    help = (
        "Build synthetic data for load tests and benchmarks (clearly named, is_demo, "
        "CCI codes 2021XX16FFPR###). Reports rows per second per table."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organisations", type=int, default=10_000)
        parser.add_argument("--programmes", type=int, default=50, help=f"At most {MAX_PROGRAMMES}.")
        parser.add_argument("--representatives", type=int, default=30_000)
        parser.add_argument(
            "--contributions",
            type=int,
            default=0,
            help="Also one closed consultation, in the first synthetic programme, with N contributions "
            "from the synthetic organisations and dispositions on most of them (default 0: none).",
        )
        parser.add_argument(
            "--bodies",
            type=int,
            default=0,
            help="Also N bodies (a monitoring committee per synthetic programme, then partnership tables and "
            "working groups) with their seats held by the synthetic organisations (default 0: none).",
        )
        parser.add_argument(
            "--meetings",
            type=int,
            default=0,
            help="Also M meetings of those bodies and public events, from two years ago to six months "
            "ahead, with agenda items, documents, attendance, votes, minutes and registrations (default 0).",
        )
        parser.add_argument("--clear", action="store_true", help="Delete earlier synthetic data first.")
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (same seed, same data).")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        if options["clear"]:
            deleted = clear_synthetic()
            self.stdout.write(
                "Cleared synthetic data: " + ", ".join(f"{n} {table}" for table, n in deleted.items()) + "."
            )
        else:
            existing = synthetic_counts()
            if existing["organisations"] or existing["programmes"]:
                raise CommandError(
                    f"Synthetic data is already present ({existing['organisations']} organisations, "
                    f"{existing['programmes']} programmes). Pass --clear to replace it."
                )
        try:
            report = seed_scale(
                options["organisations"],
                options["programmes"],
                options["representatives"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=self._progress,
                contributions=options["contributions"],
                bodies=options["bodies"],
                meetings=options["meetings"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        rate = report.total_rows / report.total_seconds if report.total_seconds else 0.0
        self.stdout.write(
            self.style.SUCCESS(
                f"{'total':<16} {report.total_rows:>8} rows in {report.total_seconds:6.2f} s "
                f"({rate:,.0f} rows/s); {elapsed:.2f} s with clearing and commit."
            )
        )

    def _progress(self, table: str, rows: int, seconds: float) -> None:
        rate = rows / seconds if seconds else 0.0
        self.stdout.write(f"{table:<16} {rows:>8} rows in {seconds:6.2f} s ({rate:,.0f} rows/s)")
