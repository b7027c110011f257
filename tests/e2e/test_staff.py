"""Staff log in with TOTP, create an organisation (fixing a wrong tax code) and import a CSV."""

import pytest
from playwright.sync_api import expect

from officine.conftest import TEST_PASSWORD, current_totp_code, enrol_totp, make_programme_staff
from officine.registry.models import Organization

VALID_TAX_CODE = "06363391001"  # Agenzia delle Entrate, a public identifier
WRONG_TAX_CODE = "06363391002"


@pytest.fixture
def staff_user(reference_data):
    user = make_programme_staff("segreteria@example.org", full_name="Segreteria Tecnica")
    user.totp_secret = enrol_totp(user)
    return user


def log_in_with_totp(page, base: str, user, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/account/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/2fa/authenticate/**")
    page.fill("#id_code", current_totp_code(user.totp_secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/2fa/" not in url)


def test_staff_logs_in_with_totp_and_fixes_a_wrong_tax_code(live_server, page, check_page, staff_user):
    base = live_server.url
    log_in_with_totp(page, base, staff_user)
    page.goto(f"{base}/en/manage/partners/organisations/new/")
    page.fill("#id_name", "Associazione Esempio per l'Inclusione")
    page.fill("#id_acronym", "AEI")
    page.select_option("#id_legal_form", "association")
    page.fill("#id_tax_code", WRONG_TAX_CODE)
    page.select_option("#id_eccp_subcategory", "c.i")
    page.select_option("#id_cpr_category", "c")
    page.select_option("#id_territorial_level", "national")
    page.locator("main form button[type=submit]", has_text="Save").click()

    error = page.locator("#id_tax_code-errors")
    expect(error).to_be_visible()
    expect(error).to_contain_text("check")
    # Nothing typed is lost.
    expect(page.locator("#id_name")).to_have_value("Associazione Esempio per l'Inclusione")
    expect(page.locator("#id_tax_code")).to_have_value(WRONG_TAX_CODE)
    expect(page.locator("#id_eccp_subcategory")).to_have_value("c.i")
    check_page("staff-organisation-error-en")
    assert not Organization.objects.filter(acronym="AEI").exists()

    page.fill("#id_tax_code", VALID_TAX_CODE)
    page.locator("main form button[type=submit]", has_text="Save").click()
    page.wait_for_load_state()
    created = Organization.objects.get(acronym="AEI")
    assert created.tax_code == VALID_TAX_CODE
    expect(page.locator("h1")).to_contain_text("Associazione Esempio")


BAD_CSV = (
    "denominazione;forma_giuridica;codice_fiscale;categoria_eccp;categoria_cpr;livello_territoriale\n"
    "Forum Esempio del Terzo Settore;association;06363391001;c.i;c;national\n"
    "Consorzio Sbagliato;cooperative;12345678901;b.ii;b;regional\n"
    "Università Esempio;university;80209930587;a.ii;z;national\n"
)
GOOD_CSV = (
    "denominazione;forma_giuridica;codice_fiscale;categoria_eccp;categoria_cpr;livello_territoriale\n"
    "Forum Esempio del Terzo Settore;association;06363391001;c.i;c;national\n"
    "Università Esempio;university;80209930587;a.ii;d;national\n"
)


def test_staff_imports_csv_with_errors_then_a_good_one(live_server, page, check_page, staff_user, tmp_path):
    base = live_server.url
    log_in_with_totp(page, base, staff_user)
    before = Organization.objects.count()

    bad = tmp_path / "partner_errati.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.goto(f"{base}/en/manage/partners/import/")
    page.set_input_files("#id_file", str(bad))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/import/*/")
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("3")  # line 3: wrong check digit
    expect(errors.nth(1)).to_contain_text("4")  # line 4: unknown CPR category
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    check_page("staff-import-errors-en")
    assert Organization.objects.count() == before

    good = tmp_path / "partner.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    page.goto(f"{base}/en/manage/partners/import/")
    page.set_input_files("#id_file", str(good))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/import/*/")
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_load_state()
    assert Organization.objects.count() == before + 2
    assert Organization.objects.filter(name="Università Esempio", cpr_category="d").exists()


def test_new_staff_member_enrols_totp_then_reaches_staff_pages(live_server, page, check_page, reference_data):
    make_programme_staff("nuovo@example.org", full_name="Nuovo Funzionario")
    base = live_server.url
    page.goto(f"{base}/it/account/login/")
    page.fill("#id_login", "nuovo@example.org")
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    # Staff must enrol an authenticator before anything else.
    page.wait_for_url("**/2fa/totp/activate/**")
    check_page("staff-totp-activate-it")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("#id_code", current_totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/it/staff/")
    expect(page.locator("h1")).to_have_text("Area riservata")
    check_page("staff-home-it")
    page.goto(f"{base}/it/manage/programmes/2021IT05FFPR003/partnership/")
    expect(page.locator("h1")).to_be_visible()
    check_page("staff-partnership-it")
    page.goto(f"{base}/it/account/profile/")
    check_page("profile-it")
