"""A visitor follows the demo consultations: list, a consultation with its outcome, published
contributions, the outcome report, the comparison of versions, the Q&A and the open consultation.

axe checks every page."""

import pytest
from playwright.sync_api import expect

from officine.consultations.models import Consultation, ConsultationState


@pytest.mark.parametrize("lang", ["it", "en"])
def test_visitor_reads_consultations_and_their_outcome(live_server, page, check_page, demo_site, lang):
    csp_errors: list[str] = []
    page.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    base = live_server.url
    published = Consultation.objects.get(state=ConsultationState.OUTCOME_PUBLISHED)
    open_one = Consultation.objects.get(state=ConsultationState.OPEN)

    def title(consultation: Consultation) -> str:
        return consultation.title_en if lang == "en" and consultation.title_en else consultation.title_it

    page.goto(f"{base}/{lang}/")
    expect(page.locator(f'main a[href="/{lang}/consultations/{open_one.pk}/"]').first).to_be_visible()

    page.goto(f"{base}/{lang}/consultations/")
    expect(page.locator("main article, main .card").first).to_be_visible()
    check_page(f"consultation-list-{lang}")
    page.select_option("#id_state", "outcome_published")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "state=outcome_published" in page.url
    expect(page.locator("main")).to_contain_text(title(published))
    expect(page.locator("main")).not_to_contain_text(title(open_one))

    page.goto(f"{base}/{lang}/consultations/{published.pk}/")
    expect(page.locator("h1")).to_contain_text(title(published))
    check_page(f"consultation-outcome-published-{lang}")

    page.goto(f"{base}/{lang}/consultations/{published.pk}/contributions/")
    check_page(f"consultation-contributions-{lang}")
    page.select_option("#id_disposition", "accepted")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "disposition=accepted" in page.url
    accepted = published.contributions.filter(
        current_disposition__outcome="accepted", objects_to_publication=False
    ).count()
    assert accepted > 0
    expect(page.locator("main").get_by_text(str(accepted)).first).to_be_visible()

    page.goto(f"{base}/{lang}/consultations/{published.pk}/outcome/")
    expect(page.locator("main ins").first).to_be_attached()
    check_page(f"consultation-outcome-report-{lang}")

    document = published.documents.get()
    page.goto(f"{base}/{lang}/documents/{document.pk}/compare/1/2/")
    expect(page.locator("main del").first).to_be_attached()
    check_page(f"document-compare-{lang}")

    page.goto(f"{base}/{lang}/consultations/{published.pk}/questions/")
    check_page(f"consultation-questions-{lang}")

    page.goto(f"{base}/{lang}/consultations/{open_one.pk}/")
    check_page(f"consultation-open-{lang}")
    # Contributing needs an account: the visitor is told how, not shown an error.
    page.goto(f"{base}/{lang}/consultations/{open_one.pk}/contribute/")
    expect(page.locator("main a[href*='/account/login/']").first).to_be_visible()
    check_page(f"consultation-contribute-visitor-{lang}")

    assert not csp_errors, csp_errors
