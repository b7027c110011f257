"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Playwright's own browser download needs the internet, so we point it at the system Chromium
(installed by ``scripts/ensure-chromium.sh``). Screenshots of every page visited land in
``artifacts/screenshots/`` for review (kept as CI artefacts, not committed).
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not executable:
        pytest.exit(
            "Chromium not found: run `make test` (it installs Debian's chromium) or set CHROMIUM_PATH.", 2
        )
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "it-IT"}


@pytest.fixture
def reference_data(transactional_db):
    """Reload the rows data migrations create: live-server tests flush the database after each test."""
    from officine.registry.istat import load_territories

    load_territories(django_apps.get_model("registry", "Territory"))
    importlib.import_module("officine.programmes.migrations.0002_funds").load(django_apps, None)


@pytest.fixture
def demo_site(reference_data):
    """The demo programmes, partnerships and consultations, as `make run` loads them."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def check_page(page, axe):
    """Run axe on the current page, save a full-page screenshot, and fail on serious/critical violations."""

    def _check(name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        summary = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in blocking
        )
        assert not blocking, f"axe found serious/critical violations on {name}:\n{summary}"

    return _check


# --- Journeys with several people (consultation journey): check any page, not only the ``page`` fixture ---


@pytest.fixture
def audit_page(axe):
    """Screenshot any page (of any browser context) and return axe's serious/critical violations on it.

    A long journey collects them page by page and fails once at the end, so that one run lists every page
    with problems instead of stopping at the first.
    """

    def _audit(page, name: str) -> list[str]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        results = axe.run(page)
        return [
            f"{name}: {v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in BLOCKING_IMPACTS
        ]

    return _audit


@pytest.fixture
def new_person(browser, browser_context_args):
    """Open a separate browser context (own cookies: another person) and return its first page."""
    contexts = []

    def _open():
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
