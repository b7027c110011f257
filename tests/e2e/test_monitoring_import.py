"""An administrator imports an OpenCoesione release from the import folder and reads the report."""

import shutil

import pytest
from playwright.sync_api import expect

from officine.conftest import enrol_totp, make_user
from officine.monitoring.generator import generate
from officine.monitoring.models import Release

from .test_staff import log_in_with_totp


@pytest.fixture
def admin(reference_data):
    user = make_user(
        "amministrazione@example.org", full_name="Amministrazione", is_superuser=True, is_staff=True
    )
    user.totp_secret = enrol_totp(user)
    return user


@pytest.fixture
def inbox(settings, tmp_path):
    settings.MONITORING_ROOT = tmp_path / "monitoring"
    settings.MONITORING_INBOX = tmp_path / "monitoring" / "inbox"
    settings.MONITORING_INBOX.mkdir(parents=True)
    return settings.MONITORING_INBOX


def test_admin_imports_a_release_and_reads_the_report(live_server, page, check_page, admin, inbox, tmp_path):
    source = tmp_path / "progetti_esteso_20250228.csv"
    generate(source, 500, seed=3)
    lines = source.read_bytes().split(b"\r\n", 1)
    (inbox / source.name).write_bytes(lines[0] + b"\r\nriga;rotta\r\n" + lines[1])  # one malformed row
    shutil.copy(source, inbox / "copia_non_datata.csv")
    base = live_server.url
    log_in_with_totp(page, base, admin, lang="it")
    page.goto(f"{base}/it/manage/monitoring/")
    expect(page.get_by_role("heading", name="Dati di attuazione", level=1)).to_be_visible()
    check_page("monitoring-releases-empty-it")
    page.locator("label", has_text="progetti_esteso_20250228.csv").click()  # Bootstrap Italia's label
    expect(page.get_by_label("progetti_esteso_20250228.csv", exact=False)).to_be_checked()
    page.get_by_role("button", name="Avvia l'importazione").click()
    page.wait_for_url("**/manage/monitoring/*/")
    release = Release.objects.get()
    assert release.status == "current" and release.project_count == 500
    expect(page.get_by_text("Riga", exact=True).first).to_be_visible()  # the malformed row's table
    expect(page.locator("table").first).to_contain_text("2")  # its physical line number
    check_page("monitoring-release-report-it")
    page.goto(f"{base}/it/manage/monitoring/")
    expect(page.get_by_text("500").first).to_be_visible()
    check_page("monitoring-releases-it")
