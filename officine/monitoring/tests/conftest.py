"""Fixtures of the monitoring tests: a private snapshot folder and releases imported from generated files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from officine.monitoring.generator import generate
from officine.monitoring.models import Release
from officine.monitoring.services import import_release


@pytest.fixture(autouse=True)
def english_pages():
    """URLs reversed in these tests are the English pages (/en/…), so that assertions on the texts read the
    source strings; the Italian pages are checked by the browser tests."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def monitoring_root(settings, tmp_path: Path) -> Path:
    """Every test gets its own MONITORING_ROOT, so snapshots never leak between tests."""
    settings.MONITORING_ROOT = tmp_path / "monitoring"
    settings.MONITORING_INBOX = tmp_path / "monitoring" / "inbox"
    return settings.MONITORING_ROOT


@pytest.fixture
def generated_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a synthetic progetti_esteso CSV of ``rows`` rows (``seed`` changes the content)."""

    def make(rows: int = 300, *, seed: int = 0, release: str = "20250228") -> Path:
        path = tmp_path / f"progetti_esteso_{release}_{seed}_{rows}.csv"
        if not path.exists():
            generate(path, rows, seed=seed, release=release)
        return path

    return make


@pytest.fixture
def imported_release(generated_file) -> Callable[..., Release]:
    """Import a generated file and return the release now current."""

    def make(rows: int = 300, *, seed: int = 0, release: str = "20250228", synthetic: bool = True) -> Release:
        return import_release([generated_file(rows, seed=seed, release=release)], synthetic=synthetic).release

    return make
