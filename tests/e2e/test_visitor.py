"""A visitor browses programmes and partners in Italian and in English; axe checks every public page."""

import pytest
from playwright.sync_api import expect

from officine.programmes.models import Programme

DEMO_CCI = "2021IT05FFPR003"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_visitor_browses_programmes_and_partners(live_server, page, check_page, demo_site, lang):
    csp_errors: list[str] = []
    page.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    base = live_server.url

    page.goto(f"{base}/{lang}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_be_visible()
    check_page(f"home-{lang}")

    page.goto(f"{base}/{lang}/programmes/")
    check_page(f"programme-list-{lang}")
    programmes_total = Programme.objects.filter(cycle="2021-2027").count()
    assert programmes_total >= 15

    # Filter by type: regional programmes only.
    page.select_option("#id_kind", "regional")
    page.locator("form[role=search] button[type=submit], main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "kind=regional" in page.url
    assert DEMO_CCI not in page.content()

    page.goto(f"{base}/{lang}/programmes/{DEMO_CCI}/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_text(DEMO_CCI).first).to_be_visible()
    expect(page.locator("canvas[role=img]")).to_have_count(1)
    assert page.locator("table").count() >= 2  # composition table and the chart's data table
    check_page(f"programme-detail-{lang}")

    page.goto(f"{base}/{lang}/partners/")
    check_page(f"directory-{lang}")
    page.fill("#id_q", "università")
    page.locator("main form[role=search] button[type=submit]").click()
    assert "q=" in page.url
    first = page.locator("main table tbody tr th a").first
    expect(first).to_be_visible()
    first.click()
    expect(page.locator("h1")).to_be_visible()
    check_page(f"organisation-{lang}")

    for path, name in [
        ("privacy/", "privacy"),
        ("legal-notes/", "legal"),
        ("accessibility/feedback/", "feedback"),
        ("account/login/", "login"),
    ]:
        page.goto(f"{base}/{lang}/{path}")
        check_page(f"{name}-{lang}")

    assert not csp_errors, csp_errors


def test_language_switch_keeps_the_page(live_server, page, demo_site):
    page.goto(f"{live_server.url}/it/programmes/{DEMO_CCI}/")
    page.locator("a[hreflang=en]").click()
    assert page.url.endswith(f"/en/programmes/{DEMO_CCI}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
