"""Implementation pages: dashboard, project list, CSV downloads, comparison, programme page summary.

Figures on the pages and in the CSV files are checked against sums recomputed from the CSV
(``dashboard_data``); query counts (web database and DuckDB) are compared at two release sizes.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse as django_reverse
from django.utils import translation

from officine.conftest import enrol_totp
from officine.monitoring import selectors
from officine.monitoring.services import import_release
from officine.programmes.models import Programme

from .dashboard_data import PN_INCLUSIONE, PR_FSE_ER, Expected, edit_generated, euro_it, make_programmes

DASHBOARD = "monitoring:programme_dashboard"
PROJECTS = "monitoring:programme_projects"
CSV = "monitoring:programme_csv"


def _says(english: str, html: str) -> bool:
    """The page says ``english`` in English or in its Italian translation (pages are Italian first)."""
    from django.utils.html import escape
    from django.utils.translation import gettext, override

    with override("it"):
        italian = gettext(english)
    return any(text in html or escape(text) in html for text in (english, italian))


@pytest.fixture
def programmes(db) -> dict[str, Programme]:
    return make_programmes()


@pytest.fixture(scope="session")
def source(tmp_path_factory) -> Path:
    return edit_generated(tmp_path_factory.mktemp("views"), 1200, seed=11)


@pytest.fixture
def release(programmes, source):
    return import_release([source], synthetic=True).release


def reverse(name: str, args: list | None = None, lang: str = "it") -> str:
    """URLs of the Italian site (the default language; tests run with English active outside requests)."""
    with translation.override(lang):
        return django_reverse(name, args=args)


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- without a release ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_without_a_release_say_so_and_how_to_get_one(client, programmes, admin_user) -> None:
    for url in (
        reverse(DASHBOARD, args=[PN_INCLUSIONE]),
        reverse(PROJECTS, args=[PN_INCLUSIONE]),
        reverse("monitoring:compare", args=["2021-2027"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _says("No implementation data yet", response.content.decode())
        assert reverse("manage_monitoring:releases") not in response.content.decode()  # visitors: no link
    assert client.get(reverse(CSV, args=[PN_INCLUSIONE, "status"])).status_code == 404
    assert client.get(reverse("monitoring:compare_csv", args=["2021-2027"])).status_code == 404
    enrol_totp(admin_user)
    client.force_login(admin_user)
    html = client.get(reverse(DASHBOARD, args=[PN_INCLUSIONE])).content.decode()
    assert reverse("manage_monitoring:releases") in html  # administrators: the way to the imports
    page = client.get(reverse("portal:programme_detail", args=[PN_INCLUSIONE])).content.decode()
    assert (
        "No OpenCoesione data have been imported" in page
        or "non sono ancora stati importati dati OpenCoesione" in page
    )


@pytest.mark.django_db
def test_unknown_programme_cycle_or_table_is_404(client, release) -> None:
    assert client.get(reverse(DASHBOARD, args=["2021IT99XXPR999"])).status_code == 404
    assert client.get(reverse(CSV, args=[PN_INCLUSIONE, "secrets"])).status_code == 404
    assert client.get(reverse("monitoring:compare", args=["1999-2005"])).status_code == 404


# --- the dashboard ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_shows_the_figures_in_italian_with_the_synthetic_callout(client, release, source) -> None:
    expected = Expected.of(source, PN_INCLUSIONE)
    response = client.get(reverse(DASHBOARD, args=[PN_INCLUSIONE]))
    assert response.status_code == 200
    html = _text(response)
    assert "28 febbraio 2025" in html  # the release date
    assert "Synthetic data" in html or "Dati sintetici" in html
    # key figures rounded to the euro, table totals to the cent, Italian style
    assert euro_it(expected.totals.funding) in html
    assert euro_it(expected.totals.payments) in html
    rounded = euro_it(expected.totals.funding.quantize(Decimal("1")))[:-3]
    assert rounded in html
    rate = f"{float(expected.totals.payments / expected.totals.funding) * 100:.1f}".replace(".", ",")
    assert f"{rate} %" in html
    for status in ("Non avviato", "In corso", "Liquidato", "Concluso"):
        assert status in html
    assert "Several regions" in html or "Più regioni" in html
    for table in ("status", "theme", "region", "province", "beneficiaries"):
        assert reverse(CSV, args=[PN_INCLUSIONE, table]) in html
    # charts read their data from json_script, and a table sits beside each
    assert 'id="chart-status-data"' in html and 'data-chart-source="chart-theme-data"' in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # no inline script


@pytest.mark.django_db
def test_real_release_has_no_synthetic_callout(client, programmes, source) -> None:
    import_release([source], synthetic=False)
    html = client.get(reverse(DASHBOARD, args=[PN_INCLUSIONE])).content.decode()
    assert "Synthetic data" not in html
    assert "synthetic demonstration data" not in html
    response = client.get(reverse(CSV, args=[PN_INCLUSIONE, "status"], lang="en"))
    assert response["Content-Disposition"].endswith('-20250228.csv"')  # no "synthetic" in the name


@pytest.mark.django_db
def test_dashboard_of_a_programme_not_in_the_release(client, release) -> None:
    html = client.get(reverse(DASHBOARD, args=["2021IT05FFPR001"])).content.decode()
    assert _says("No project in this release", html)
    assert _says("Synthetic data", html)  # still said: the page names the release


@pytest.mark.django_db
def test_english_dashboard_formats_amounts_the_english_way(client, release, source) -> None:
    expected = Expected.of(source, PN_INCLUSIONE)
    html = client.get(reverse(DASHBOARD, args=[PN_INCLUSIONE]).replace("/it/", "/en/", 1)).content.decode()
    whole, cents = f"{expected.totals.funding:.2f}".split(".")
    assert f"€{int(whole):,}.{cents}" in html


# --- CSV downloads ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "attribute", "column"), [("status", "status", "OC_STATO_PROGETTO")])
def test_breakdown_csv_matches_the_source(client, release, source, table, attribute, column) -> None:
    expected = Expected.of(source, PN_INCLUSIONE)
    response = client.get(reverse(CSV, args=[PN_INCLUSIONE, table], lang="en"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert f"{PN_INCLUSIONE}-" in disposition and disposition.endswith('20250228-synthetic.csv"')
    rows = _csv(response)
    by_code = {r["Code"]: r for r in rows}
    assert [r["Code"] for r in rows][:4] == ["Non avviato", "In corso", "Liquidato", "Concluso"]
    for code, sums in getattr(expected, attribute).items():
        assert int(by_code[code]["Projects"]) == sums.projects
        assert Decimal(by_code[code]["Public funding (€)"]) == sums.funding
        assert Decimal(by_code[code]["Payments (€)"]) == sums.payments


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["theme", "region", "province"])
def test_every_breakdown_csv_adds_up_to_the_total(client, release, source, table) -> None:
    expected = Expected.of(source, PN_INCLUSIONE)
    rows = _csv(client.get(reverse(CSV, args=[PN_INCLUSIONE, table], lang="en")))
    assert sum(int(r["Projects"]) for r in rows) == expected.totals.projects
    assert sum(Decimal(r["Public funding (€)"]) for r in rows) == expected.totals.funding
    assert sum(Decimal(r["Commitments (€)"]) for r in rows) == expected.totals.commitments


@pytest.mark.django_db
def test_beneficiaries_csv(client, release, source) -> None:
    expected = Expected.of(source, PN_INCLUSIONE).top_beneficiaries(10)
    rows = _csv(client.get(reverse(CSV, args=[PN_INCLUSIONE, "beneficiaries"], lang="en")))
    assert [(r["Tax code"], int(r["Projects"]), Decimal(r["Public funding (€)"])) for r in rows] == expected


@pytest.mark.django_db
def test_projects_csv_follows_the_filters(client, release, source) -> None:
    expected = Expected.of(source, PN_INCLUSIONE)
    url = reverse(CSV, args=[PN_INCLUSIONE, "projects"], lang="en")
    everything = _csv(client.get(url))
    assert len(everything) == expected.totals.projects
    assert sum(Decimal(r["Public funding (€)"]) for r in everything) == expected.totals.funding
    assert {r["Project code"] for r in everything} == {r["COD_LOCALE_PROGETTO"] for r in expected.rows}
    filtered = _csv(client.get(url, {"status": "In corso", "region": "MULTI"}))
    wanted = [r for r in expected.rows if r["OC_STATO_PROGETTO"] == "In corso" and ":::" in r["COD_REGIONE"]]
    assert len(filtered) == len(wanted)
    searched = _csv(client.get(url, {"q": "zafferanoblu"}))
    assert len(searched) == 2


@pytest.mark.django_db
def test_csv_cells_cannot_become_formulas(client, programmes, tmp_path, source) -> None:
    from .dashboard_data import read_csv, write_csv

    header, rows = read_csv(source)
    target = next(r for r in rows if r["OC_CODICE_PROGRAMMA"] == PN_INCLUSIONE)
    target["OC_TITOLO_PROGETTO"] = '=HYPERLINK("http://example.org")'
    path = tmp_path / "progetti_esteso_20250228_formula.csv"
    write_csv(path, header, rows)
    import_release([path], synthetic=True)
    rows = _csv(client.get(reverse(CSV, args=[PN_INCLUSIONE, "projects"], lang="en")))
    titles = [r["Title"] for r in rows if "HYPERLINK" in r["Title"]]
    assert titles == ['\'=HYPERLINK("http://example.org")']


# --- the project list -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_project_list_filters_and_pages(client, release, source) -> None:
    expected = Expected.of(source, PN_INCLUSIONE)
    url = reverse(PROJECTS, args=[PN_INCLUSIONE])
    response = client.get(url)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.total == expected.totals.projects and len(result.rows) == 25
    second = client.get(url, {"status": "Concluso", "page": "2"})
    result = second.context["result"]
    assert result.total == expected.status["Concluso"].projects and result.page == 2
    assert {r.status for r in result.rows} == {"Concluso"}
    html = second.content.decode()
    assert "page=3" in html and "status=Concluso" in html  # the pagination keeps the filters
    assert f"{reverse(CSV, args=[PN_INCLUSIONE, 'projects'])}?status=Concluso" in html  # so does the CSV
    assert client.get(url, {"page": "abc"}).context["result"].page == 1
    last = client.get(url, {"page": "99999"}).context["result"]
    assert last.page == last.num_pages
    found = client.get(url, {"q": "ZafferanoBlu"})
    assert found.context["result"].total == 2
    nothing = client.get(url, {"q": "nessun progetto si chiama così"})
    assert nothing.context["result"].total == 0 and _says("No project found", nothing.content.decode())
    # a value no project has is reported on its field, not an error page
    odd = client.get(url, {"status": "Sospeso"})
    assert odd.status_code == 200 and odd.context["form"].errors.get("status")


# --- the comparison ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_comparison_page_and_csv(client, release, source) -> None:
    response = client.get(reverse("monitoring:compare", args=["2021-2027"]))
    assert response.status_code == 200
    html = _text(response)
    assert "PN Senza dati" in html and _says("No project in this release", html)
    assert euro_it(Expected.of(source, PR_FSE_ER).totals.funding.quantize(Decimal("1")))[:-3] in html
    assert "PON Inclusione" not in html  # 2014-2020
    rows = _csv(client.get(reverse("monitoring:compare_csv", args=["2021-2027"], lang="en")))
    by_cci = {r["CCI code"]: r for r in rows}
    assert set(by_cci) == {PN_INCLUSIONE, PR_FSE_ER, "2021IT05FFPR001"}
    for cci in (PN_INCLUSIONE, PR_FSE_ER):
        sums = Expected.of(source, cci).totals
        assert int(by_cci[cci]["Projects"]) == sums.projects
        assert Decimal(by_cci[cci]["Public funding (€)"]) == sums.funding
    assert by_cci["2021IT05FFPR001"]["Projects"] == "" and by_cci["2021IT05FFPR001"]["In the release"] == "no"


# --- the programme page -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_programme_page_shows_the_implementation_summary(client, release, source) -> None:
    expected = Expected.of(source, PN_INCLUSIONE).totals
    html = _text(client.get(reverse("portal:programme_detail", args=[PN_INCLUSIONE])))
    assert reverse(DASHBOARD, args=[PN_INCLUSIONE]) in html
    assert euro_it(expected.funding.quantize(Decimal("1")))[:-3] in html
    assert "28 febbraio 2025" in html
    assert "Synthetic data:" in html or "Dati sintetici:" in html
    other = _text(client.get(reverse("portal:programme_detail", args=["2021IT05FFPR001"])))
    assert "holds no project of this programme" in other or "non contiene progetti di questo" in other
    assert reverse(DASHBOARD, args=["2021IT05FFPR001"]) not in other


# --- query counts -----------------------------------------------------------------------------------------


def _count(client, url: str, monkeypatch) -> tuple[int, int]:
    """(web database queries, DuckDB queries) of one request."""
    duck = []
    original = selectors._query
    monkeypatch.setattr(selectors, "_query", lambda sql, params: duck.append(sql) or original(sql, params))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured.captured_queries), len(duck)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_release(client, programmes, tmp_path, monkeypatch) -> None:
    urls = [
        reverse(DASHBOARD, args=[PN_INCLUSIONE]),
        reverse(PROJECTS, args=[PN_INCLUSIONE]),
        reverse(PROJECTS, args=[PN_INCLUSIONE]) + "?q=a&status=Concluso&page=2",
        reverse(CSV, args=[PN_INCLUSIONE, "province"]),
        reverse("monitoring:compare", args=["2021-2027"]),
        reverse("portal:programme_detail", args=[PN_INCLUSIONE]),
    ]
    import_release([edit_generated(tmp_path, 400, seed=1)], synthetic=True)
    client.get(urls[0])  # warm caches (sessions, site settings) before counting
    small = [_count(client, url, monkeypatch) for url in urls]
    import_release([edit_generated(tmp_path, 3000, seed=2)], synthetic=True)
    large = [_count(client, url, monkeypatch) for url in urls]
    assert small == large
    assert small[0][1] == 2 and small[1][1] == 2  # the dashboard and the list: two DuckDB queries each
    assert small[4][1] == 0 and small[5][1] == 0  # comparison and programme page: web database only
