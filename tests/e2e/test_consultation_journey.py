"""The consultation journey of issue 3, through the browser, with axe on every page it visits.

Staff publish a document and open a consultation on it; a partner's representative contributes on section 3,
first with an attachment that is too big (refused, the text kept, nothing saved) and then with a valid one;
after closing, staff publish a new version that changes section 3, accept the contribution linking it to that
change, and publish the outcome; a visitor reads the outcome report with the diff, the comparison of the two
versions and the PDF, in English and in Italian.

Everything is done by clicking, except what a browser cannot do: the set-up of the partnership, and moving
the calendar past the closing day (the dates are moved in the database, as if the weeks had passed).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from officine.conftest import TEST_PASSWORD, enrol_totp, make_programme_staff
from officine.consultations.models import (
    Consultation,
    ConsultationState,
    Contribution,
    DispositionOutcome,
    Document,
    Section,
    VersionStatus,
)
from officine.consultations.tests.contribution_world import make_member, make_org, make_representative
from officine.core.workdays import add_working_days
from officine.programmes.models import Programme

from .conftest import ARTIFACTS
from .test_staff import log_in_with_totp

ATTACHMENT_LIMIT = 200 * 1024  # 0.2 MB: a small generated file can be "too big"
PDF_HEAD = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n"

DOCUMENT_TITLE = "Bozza del Programma Inclusione 2021-2027"
DOCUMENT_TEXT = """# Obiettivi
Il programma sostiene l'inclusione attiva delle persone più fragili.

# Priorità
Tre priorità: lavoro, casa, servizi sociali di prossimità.

# Dotazione finanziaria
La dotazione complessiva è di 4 miliardi di euro, ripartiti tra le priorità.

# Governance
Il comitato di sorveglianza verifica l'attuazione ogni anno.
"""
OLD_FUNDING = "La dotazione complessiva è di 4 miliardi di euro, ripartiti tra le priorità."
NEW_FUNDING = (
    "La dotazione complessiva è di 4 miliardi di euro, con una riserva del 10% per i servizi di prossimità."
)
CONTRIBUTION_TEXT = "Chiediamo di riservare una quota della dotazione ai servizi di prossimità."
REASON = "Accolto: la nuova versione riserva il 10% della dotazione ai servizi di prossimità."
OUTCOME_SUMMARY = "Abbiamo accolto la proposta sulla dotazione: la sezione 3 prevede ora una riserva."


def pdf_file(name: str, size: int) -> dict:
    """A PDF of exactly ``size`` bytes, as Playwright uploads it."""
    content = PDF_HEAD + b"0" * (size - len(PDF_HEAD) - 6) + b"\n%%EOF"
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


@pytest.fixture
def partnership(reference_data, settings):
    """A programme's staff member (TOTP enrolled) and a member organisation's representative."""
    settings.OFFICINE_ATTACHMENT_MAX_BYTES = ATTACHMENT_LIMIT
    staff = make_programme_staff("segreteria@example.org", full_name="Giulia Segreteria")
    staff.totp_secret = enrol_totp(staff)
    programme = Programme.objects.get(cci="2021IT05FFPR003")
    organisation = make_org(name="Forum del Terzo Settore regionale")
    make_member(programme, organisation)  # consultee membership in force, mandate given in 2023
    partner = make_representative(organisation, "delegata@example.org", "Anna Bianchi")
    return staff, partner


def log_in(page, base: str, user, lang: str = "en") -> None:
    """Password login for people who are not staff (representatives need no second factor)."""
    page.goto(f"{base}/{lang}/account/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def tick(page, label: str) -> None:
    """Tick a checkbox or radio by clicking its label, as people do (Bootstrap Italia draws the box on it)."""
    page.locator("main label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()
    expect(page.get_by_label(label, exact=True)).to_be_checked()


def submit(page, label: str) -> None:
    """Press a form's button and wait for the page the server answers with (so the database is up to date)."""
    with page.expect_navigation():
        page.locator("main form button[type=submit]", has_text=label).click()


def follow(page, link) -> None:
    with page.expect_navigation():
        link.click()


def test_consultation_journey(live_server, page, new_person, audit_page, partnership):
    violations: list[str] = []

    def check_any_page(some_page, name: str) -> None:
        violations.extend(audit_page(some_page, name))

    staff, partner = partnership
    base = live_server.url
    today = timezone.localdate()
    closes_on = add_working_days(today, 14)

    # --- 1. Staff write and publish the document --------------------------------------------------------
    log_in_with_totp(page, base, staff)
    page.goto(f"{base}/en/manage/consultations/documents/new/")
    check_any_page(page, "journey-01-staff-document-create-en")
    page.fill("#id_title_it", DOCUMENT_TITLE)
    page.fill("#id_text", DOCUMENT_TEXT)
    submit(page, "Create the document")
    document = Document.objects.get(title_it=DOCUMENT_TITLE)
    expect(page.locator("h1")).to_have_text(DOCUMENT_TITLE)
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(4)
    check_any_page(page, "journey-02-staff-document-draft-en")

    follow(page, page.get_by_role("link", name="Publish version 1"))
    check_any_page(page, "journey-03-staff-document-publish-en")
    submit(page, "Publish")
    assert document.versions.get(number=1).status == VersionStatus.PUBLISHED
    expect(page.locator("main .alert-success")).to_contain_text("Version 1 has been published")
    section3 = Section.objects.get(version__document=document, version__number=1, order=3)
    assert section3.heading == "Dotazione finanziaria"

    # --- 2. Staff create the consultation, schedule it and open it ----------------------------------------
    page.goto(f"{base}/en/manage/consultations/new/")
    page.select_option("#id_phase", "preparation")
    page.fill("#id_title_it", "Consultazione sulla bozza del Programma Inclusione")
    page.fill("#id_summary_it", "Diteci che cosa cambiereste nella bozza del programma.")
    tick(page, f"{DOCUMENT_TITLE} (published version 1)")
    page.select_option("#id_audience", "partners")
    page.fill("#id_opens_on", today.isoformat())
    page.fill("#id_closes_on", closes_on.isoformat())
    check_any_page(page, "journey-04-staff-consultation-form-en")
    submit(page, "Save")
    consultation = Consultation.objects.get(title_it__startswith="Consultazione sulla bozza")
    assert list(consultation.documents.all()) == [document]
    page.wait_for_url(f"**/manage/consultations/{consultation.pk}/")
    check_any_page(page, "journey-05-staff-consultation-draft-en")

    submit(page, "Schedule")
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.SCHEDULED
    submit(page, "Open")
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.OPEN, page.locator("main").inner_text()
    expect(page.locator("main")).to_contain_text("The consultation is now")
    check_any_page(page, "journey-06-staff-consultation-open-en")

    # --- 3. A partner contributes on section 3 ---------------------------------------------------------
    partner_page = new_person()
    log_in(partner_page, base, partner)
    partner_page.goto(f"{base}/en/consultations/{consultation.pk}/")
    expect(partner_page.locator("h1")).to_contain_text("Consultazione sulla bozza")
    check_any_page(partner_page, "journey-07-partner-consultation-open-en")
    follow(partner_page, partner_page.get_by_role("link", name="Comment on section 3"))
    assert f"section={section3.pk}" in partner_page.url
    expect(partner_page.locator("#id_target")).to_have_value(f"sec-{section3.pk}")

    partner_page.fill("#id_body", CONTRIBUTION_TEXT)
    partner_page.set_input_files(
        "#id_attachments", [pdf_file("studio-completo.pdf", 3 * ATTACHMENT_LIMIT // 2)]
    )
    submit(partner_page, "Send contribution")
    error = partner_page.locator("#id_attachments-errors")
    expect(error).to_be_visible()
    expect(error).to_contain_text("studio-completo.pdf")
    expect(error).to_contain_text("0.2 MB")
    expect(partner_page.locator("#id_attachments")).to_have_attribute("aria-invalid", "true")
    # The text and the chosen section are kept; nothing was saved.
    expect(partner_page.locator("#id_body")).to_have_value(CONTRIBUTION_TEXT)
    expect(partner_page.locator("#id_target")).to_have_value(f"sec-{section3.pk}")
    assert not Contribution.objects.filter(consultation=consultation).exists()
    check_any_page(partner_page, "journey-08-partner-attachment-too-big-en")

    partner_page.set_input_files("#id_attachments", [pdf_file("sintesi.pdf", ATTACHMENT_LIMIT // 4)])
    submit(partner_page, "Send contribution")
    contribution = Contribution.objects.get(consultation=consultation)
    assert contribution.section_id == section3.pk
    assert contribution.organization.name == "Forum del Terzo Settore regionale"
    assert [a.original_name for a in contribution.attachments.all()] == ["sintesi.pdf"]
    partner_page.wait_for_url(f"**/contributions/{contribution.pk}/")
    expect(partner_page.locator("h1")).to_have_text(f"Contribution #{contribution.number}")
    expect(partner_page.locator("main")).to_contain_text(CONTRIBUTION_TEXT)
    expect(partner_page.locator("main")).to_contain_text("3. Dotazione finanziaria")
    expect(partner_page.get_by_role("link", name="sintesi.pdf")).to_be_visible()
    check_any_page(partner_page, "journey-09-partner-contribution-en")

    # --- 4. The weeks pass: the last day is behind us; staff close the consultation ----------------------
    last_day = today - timedelta(days=1)
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_on=add_working_days(last_day, -14), closes_on=last_day
    )
    page.goto(f"{base}/en/manage/consultations/{consultation.pk}/")
    submit(page, "Close")
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.CLOSED, page.locator("main").inner_text()
    check_any_page(page, "journey-10-staff-consultation-closed-en")

    # --- 5. Staff publish version 2, dispose of the contribution and publish the outcome ------------------
    page.goto(f"{base}/en/manage/consultations/documents/{document.pk}/")
    submit(page, "Start a new version")
    page.wait_for_url(f"**/documents/{document.pk}/edit/")
    text = page.locator("#id_text").input_value()
    assert OLD_FUNDING in text
    page.fill("#id_text", text.replace(OLD_FUNDING, NEW_FUNDING))
    check_any_page(page, "journey-11-staff-new-version-edit-en")
    submit(page, "Save the draft")
    expect(page.locator("main")).to_contain_text("1 modified")
    follow(page, page.get_by_role("link", name="Publish version 2"))
    page.fill("#id_change_note", "Sezione 3: riserva per i servizi di prossimità (contributo n. 1).")
    check_any_page(page, "journey-12-staff-version-2-publish-en")
    submit(page, "Publish")
    version2 = document.versions.get(number=2)
    assert version2.status == VersionStatus.PUBLISHED
    changed = version2.sections.get(order=3)
    assert changed.change == "modified"

    page.goto(f"{base}/en/manage/consultations/{consultation.pk}/contributions/")
    check_any_page(page, "journey-13-staff-contributions-en")
    page.get_by_role("link", name=f"#{contribution.number}", exact=True).click()
    page.wait_for_url(f"**/contributions/{contribution.pk}/disposition/")
    tick(page, "Accepted")
    page.fill("#id_reason", REASON)
    tick(page, "Version 2, section 3: Dotazione finanziaria (modified)")
    check_any_page(page, "journey-14-staff-dispose-en")
    submit(page, "Save and go back to the list")
    disposition = Contribution.objects.get(pk=contribution.pk).current_disposition
    assert disposition.outcome == DispositionOutcome.ACCEPTED
    assert list(disposition.changed_sections.all()) == [changed]
    expect(page.locator("main table").first).to_contain_text("Accepted")

    page.goto(f"{base}/en/manage/consultations/{consultation.pk}/outcome/")
    page.fill("#id_summary_it", OUTCOME_SUMMARY)
    check_any_page(page, "journey-15-staff-publish-outcome-en")
    submit(page, "Publish the outcome")
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.OUTCOME_PUBLISHED
    page.wait_for_url(f"**/consultations/{consultation.pk}/outcome/")

    # --- 6. A visitor reads the outcome, the diff and the PDF, in English and in Italian -----------------
    visitor = new_person()
    for lang in ("en", "it"):
        visitor.goto(f"{base}/{lang}/consultations/{consultation.pk}/outcome/")
        main = visitor.locator("main")
        expect(main).to_contain_text(OUTCOME_SUMMARY)
        expect(main).to_contain_text(CONTRIBUTION_TEXT)
        expect(main).to_contain_text(REASON)
        if lang == "en":
            expect(main).to_contain_text("Accepted")
        expect(main.locator("ins", has_text="riserva").first).to_be_visible()
        expect(main.locator("del", has_text="ripartiti").first).to_be_visible()
        check_any_page(visitor, f"journey-16-visitor-outcome-{lang}")

        pdf = visitor.request.get(f"{base}/{lang}/consultations/{consultation.pk}/outcome.pdf")
        assert pdf.ok
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        (ARTIFACTS / f"journey-16-visitor-outcome-{lang}.pdf").write_bytes(pdf.body())  # for review

        visitor.goto(f"{base}/{lang}/documents/{document.pk}/compare/1/2/")
        diff = visitor.locator(f"section.diff-section:has(h2:has-text('{changed.heading}'))")
        expect(diff.locator(".diff-text ins", has_text="riserva").first).to_be_visible()
        expect(diff.locator(".diff-text del", has_text="ripartiti").first).to_be_visible()
        check_any_page(visitor, f"journey-17-visitor-compare-{lang}")

        visitor.goto(f"{base}/{lang}/consultations/{consultation.pk}/")
        expect(visitor.locator("h1")).to_contain_text("Consultazione sulla bozza")
        check_any_page(visitor, f"journey-18-visitor-consultation-{lang}")

        visitor.goto(f"{base}/{lang}/consultations/contributions/{contribution.pk}/")
        expect(visitor.locator("main")).to_contain_text(REASON)
        check_any_page(visitor, f"journey-19-visitor-contribution-{lang}")

    assert not violations, "axe found serious/critical violations:\n" + "\n".join(violations)
