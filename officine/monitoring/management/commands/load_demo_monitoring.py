"""``load_demo_monitoring [--rows N] [--if-empty]``: synthetic implementation data for the demo programmes.

Why a separate command from ``load_demo``: generating and importing a release takes a few seconds, which the
many tests that load the demo do not need; ``make run`` calls both. The release is flagged synthetic, so
every page showing it says these are not OpenCoesione's figures until a real release is imported.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from officine.monitoring import services, snapshot
from officine.monitoring.generator import generate

DEMO_RELEASE = "20250228"
DEMO_SEED = 2025


class Command(BaseCommand):
    help = "Generate a synthetic OpenCoesione release and import it as demo data (labelled synthetic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=20_000, help="Projects to generate (default 20,000)")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if a release is already in use (make run)"
        )

    def handle(self, *args: object, rows: int = 20_000, if_empty: bool = False, **options: object) -> None:
        current = services.current_release()
        if if_empty and current is not None:
            self.stdout.write(
                f"Implementation data already in use (release of {current.release_date:%d/%m/%Y})."
            )
            return
        folder = snapshot.root() / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"progetti_esteso_{DEMO_RELEASE}_synthetic_{rows}.csv"
        if not path.exists():
            generate(path, rows, seed=DEMO_SEED, release=DEMO_RELEASE)
        result = services.import_release([path], synthetic=True)
        release = result.release
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic implementation data in use: {release.project_count:,} generated projects, "
                f"{release.coverage.count()} of the platform's programmes. "
                "They are not OpenCoesione's figures: import a real release with "
                "'manage.py import_opencoesione' (see README)."
            )
        )
