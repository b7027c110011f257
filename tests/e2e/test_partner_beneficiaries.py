"""Partners as beneficiaries in a real browser: the organisation page's projects (with their own pagination)
and the programme staff's check reached from the programme page; axe on both, screenshots for review."""

from datetime import date

import pytest
from playwright.sync_api import expect

from officine.conftest import enrol_totp, make_programme_staff
from officine.monitoring import services
from officine.monitoring.tests.test_partners import PN, PR, ROWS, A, _join, _org, _row, _write
from officine.programmes.models import Programme

from .test_staff import log_in_with_totp


@pytest.fixture
def partners_release(reference_data, settings, tmp_path):
    """PN Inclusione with four partners in every state of the check, and a release naming them."""
    settings.MONITORING_ROOT = tmp_path / "monitoring"
    staff = make_programme_staff("segreteria@example.org", full_name="Segreteria Tecnica")
    staff.totp_secret = enrol_totp(staff)
    pn = Programme.objects.get(cci=PN)
    Programme.objects.create(
        cci=PR,
        cycle="2021-2027",
        kind="regional",
        title_it="PR FSE+ Emilia-Romagna",
        managing_authority=pn.managing_authority,
    )
    alfa = _org("Alfa Cooperativa Sociale", tax_code=A)
    for organization in (
        alfa,
        _org("Gamma Formazione", tax_code="03456789012"),
        _org("Epsilon Onlus", tax_code="09876543210"),
        _org("Comitato senza codici"),
    ):
        _join(pn, organization, is_committee_member=True)
    # enough projects for a second page of the organisation's list
    extra = [
        _row(f"Q{n:03d}", f"Servizio territoriale {n:03d}", f"{90 - n},00", "10,00", "In corso", PN, A)
        for n in range(25)
    ]
    services.import_release(
        [_write(tmp_path / "in", ROWS + extra)], release_date=date(2025, 2, 28), synthetic=True
    )
    return {"staff": staff, "alfa": alfa}


def test_organisation_projects_and_staff_check(live_server, page, check_page, partners_release):
    base = live_server.url
    alfa = partners_release["alfa"]
    page.goto(f"{base}/it/partners/{alfa.pk}/")
    section = page.locator("#funded-projects")
    expect(section).to_contain_text("Centro servizi per la famiglia")
    expect(section.locator(".callout")).to_be_visible()  # synthetic data
    check_page("partner-organisation-projects-it")
    section.locator(".pagination a.page-link", has_text="2").first.click()
    page.wait_for_url("**projects_page=2**")
    expect(section.locator("tbody tr")).to_have_count(8)  # 28 projects, 20 a page
    check_page("partner-organisation-projects-page2-it")

    log_in_with_totp(page, base, partners_release["staff"], lang="it")
    page.goto(f"{base}/it/programmes/{PN}/")
    page.get_by_role("link", name="Partner beneficiari").click()
    page.wait_for_url(f"**/manage/programmes/{PN}/partner-beneficiaries/")
    expect(page.locator("h1")).to_contain_text("Partner beneficiari")
    expect(page.locator("tbody tr").first).to_contain_text("Alfa Cooperativa Sociale")
    check_page("partner-beneficiaries-staff-it")
    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica CSV").click()
    assert download.value.suggested_filename.startswith(f"partner-beneficiaries-{PN}-")
