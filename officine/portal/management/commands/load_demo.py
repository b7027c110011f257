"""``manage.py load_demo``: the real 2021-2027 programmes and two demo partnerships. Safe to re-run."""

import time

from django.core.management.base import BaseCommand

from officine.portal.demo.loader import database_has_programmes, load_demo
from officine.portal.demo.partnerships import NATIONAL_DEMO_CCI, REGIONAL_DEMO_CCI


class Command(BaseCommand):
    help = (
        "Load the 2021-2027 Italian programmes (PN and PR, real data) and two demo partnerships "
        "with fictional representatives and demo consultations. Running it again changes nothing."
    )
    # A data command: it must work while pages are being built (system checks import every URLconf).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any programme exists already (used by 'make run').",
        )

    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and database_has_programmes():
            self.stdout.write("Programmes already present: demo data not loaded (--if-empty).")
            return
        started = time.perf_counter()
        stats = load_demo()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{'table':<16} {'created':>8} {'updated':>8} {'unchanged':>10}")
        for table, tally in stats.tallies.items():
            self.stdout.write(f"{table:<16} {tally.created:>8} {tally.updated:>8} {tally.unchanged:>10}")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.2f} s."))
        self.stdout.write(
            "Programmes are real public data; the partnerships of "
            f"{NATIONAL_DEMO_CCI} and {REGIONAL_DEMO_CCI}, "
            "their representatives and selection acts are demo data, and their priorities are illustrative "
            "headings, not the adopted texts. The consultations loaded with them (one with its outcome "
            "published, one open, one co-design procedure scheduled) are demo data too, and so are the "
            "monitoring committee of the national programme (seats, meetings, votes, minutes, written "
            "procedure, recommendations) and the web conference of the partnership laboratory."
        )
        self.stdout.write("No user accounts are created: run 'python manage.py createsuperuser' to sign in.")
