"""A visitor opens a programme's implementation dashboard from its page, searches its projects and compares
the programmes of the cycle; axe checks each page, the charts draw, and the synthetic data are announced.

The live server shares the test's database and settings, so the release is imported here (a generated
file, marked synthetic) into a private MONITORING_ROOT before the browser starts.
"""

import pytest
from playwright.sync_api import expect

from officine.monitoring.generator import generate
from officine.monitoring.services import import_release

DEMO_CCI = "2021IT05FFPR003"


@pytest.fixture
def synthetic_release(demo_site, settings, tmp_path):
    settings.MONITORING_ROOT = tmp_path / "monitoring"
    source = tmp_path / "progetti_esteso_20250228.csv"
    generate(source, 3000, seed=4)
    return import_release([source], synthetic=True).release


def test_visitor_reads_the_implementation_dashboard(live_server, page, check_page, synthetic_release):
    csp_errors: list[str] = []
    page.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    base = live_server.url
    page.emulate_media(reduced_motion="reduce")  # charts drawn at once: the screenshots show them whole

    page.goto(f"{base}/it/programmes/{DEMO_CCI}/")
    summary = page.locator("#implementation-title").locator("xpath=..")
    expect(summary).to_contain_text("28 febbraio 2025")
    check_page("monitoring-programme-summary-it")
    summary.get_by_role("link").click()
    page.wait_for_url(f"**/it/implementation/programmes/{DEMO_CCI}/")

    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".callout.warning")).to_be_visible()  # synthetic demonstration data
    expect(page.locator("canvas[role=img]")).to_have_count(3)
    for name in ("status", "theme", "region"):  # Chart.js drew on each canvas (it sets their size)
        page.wait_for_function(f"document.getElementById('chart-{name}').width > 0")
    statuses = page.locator("#status-title").locator("xpath=../..").locator("tbody th")
    expect(statuses).to_have_text(["Non avviato", "In corso", "Liquidato", "Concluso"])
    with page.expect_download() as download:
        page.locator(f"a[href$='/{DEMO_CCI}/status.csv']").click()
    assert "20250228" in download.value.suggested_filename
    check_page("monitoring-dashboard-it")

    page.get_by_role("link", name="Browse and search the projects").or_(
        page.get_by_role("link", name="Consulta e cerca i progetti")
    ).click()
    page.wait_for_url("**/projects/")
    total = int(page.locator("#result-count").inner_text().split()[0].replace(".", ""))
    page.select_option("#id_status", "In corso")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url("**status=In+corso**")
    filtered = int(page.locator("#result-count").inner_text().split()[0].replace(".", ""))
    assert 0 < filtered < total
    expect(page.locator("main table tbody tr").first).to_contain_text("In corso")
    check_page("monitoring-projects-it")

    page.goto(f"{base}/it/implementation/compare/2021-2027/")
    expect(page.locator("canvas[role=img]")).to_have_count(1)
    expect(page.locator("main table")).to_contain_text(DEMO_CCI)
    check_page("monitoring-compare-it")

    assert not csp_errors, csp_errors
