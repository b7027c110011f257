"""Dashboard selectors: every figure checked against sums recomputed from the CSV with the csv module.

See ``dashboard_data.py``: the file has multi-programme projects (counted under each programme), projects
in several regions and provinces (grouped under one label so that sums add up), a blank status and a
beneficiary listed twice on one project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from officine.monitoring import selectors
from officine.monitoring.models import Release
from officine.monitoring.services import import_release
from officine.programmes.models import Programme
from officine.registry.models import Organization

from .dashboard_data import PN_INCLUSIONE, PR_FSE_ER, Expected, edit_generated, make_programmes, read_csv

ROWS = 1500


@pytest.fixture
def programmes(db) -> dict[str, Programme]:
    return make_programmes()


@pytest.fixture(scope="session")
def source(tmp_path_factory) -> Path:
    """Generated once for the module: the file is only read (each test imports it into its own folder)."""
    return edit_generated(tmp_path_factory.mktemp("dashboard"), ROWS, seed=7)


@pytest.fixture
def release(programmes, source) -> Release:
    return import_release([source], synthetic=True).release


def _sums(group) -> tuple:
    return (group.projects, group.public_funding, group.commitments, group.payments)


def _expected(sums) -> tuple:
    return (sums.projects, sums.funding, sums.commitments, sums.payments)


@pytest.mark.django_db
@pytest.mark.parametrize("cci", [PN_INCLUSIONE, PR_FSE_ER])
def test_dashboard_figures_match_the_csv(release, programmes, source, cci) -> None:
    expected = Expected.of(source, cci)
    dashboard = selectors.programme_dashboard(programmes[cci])
    assert dashboard.release == release
    assert _sums(dashboard.totals) == _expected(expected.totals)
    assert dashboard.totals.payment_rate == pytest.approx(
        float(expected.totals.payments / expected.totals.funding)
    )
    by_status = {g.code: _sums(g) for g in dashboard.by_status}
    assert by_status == {k: _expected(v) for k, v in expected.status.items()}
    assert {g.code: _sums(g) for g in dashboard.by_theme} == {
        k: _expected(v) for k, v in expected.theme.items()
    }
    assert {g.code or None: _sums(g) for g in dashboard.by_region} == {
        k: _expected(v) for k, v in expected.region.items()
    }
    assert {g.code or None: _sums(g) for g in dashboard.by_province} == {
        k: _expected(v) for k, v in expected.province.items()
    }
    # every breakdown adds up to the total: nothing counted twice, nothing lost
    for groups in (dashboard.by_status, dashboard.by_theme, dashboard.by_region, dashboard.by_province):
        assert sum(g.projects for g in groups) == dashboard.totals.projects
        assert sum(g.public_funding for g in groups) == dashboard.totals.public_funding


@pytest.mark.django_db
def test_multi_programme_projects_count_under_each_programme(release, programmes, source) -> None:
    _header, rows = read_csv(source)
    shared = [r for r in rows if ":::" in r["OC_CODICE_PROGRAMMA"]]
    assert len(shared) == 2
    codes = {r["COD_LOCALE_PROGETTO"] for r in shared}
    for cci in (PN_INCLUSIONE, PR_FSE_ER):
        page = selectors.programme_projects(programmes[cci], per_page=100, q=next(iter(codes)))
        assert page.total == 1
    inclusion = selectors.programme_dashboard(programmes[PN_INCLUSIONE]).totals.projects
    regional = selectors.programme_dashboard(programmes[PR_FSE_ER]).totals.projects
    single = sum(1 for r in rows if r["OC_CODICE_PROGRAMMA"] in (PN_INCLUSIONE, PR_FSE_ER))
    assert inclusion + regional == single + 2 * len(shared)


@pytest.mark.django_db
def test_statuses_always_in_order_with_zeros_and_others_after(release, programmes) -> None:
    dashboard = selectors.programme_dashboard(programmes[PN_INCLUSIONE])
    codes = [g.code for g in dashboard.by_status]
    assert codes[:4] == ["Non avviato", "In corso", "Liquidato", "Concluso"]
    assert codes[4:] == ["n.d."]  # the blank status of dashboard_data, after the four
    assert str(dashboard.by_status[4].label) == "Not available"
    empty = selectors.programme_dashboard(programmes["none"])
    assert [g.code for g in empty.by_status] == ["Non avviato", "In corso", "Liquidato", "Concluso"]
    assert all(g.projects == 0 for g in empty.by_status)
    assert empty.totals.projects == 0 and empty.totals.payment_rate is None
    assert empty.by_region == [] and empty.top_beneficiaries == []


@pytest.mark.django_db
def test_several_regions_and_provinces_have_one_translated_label(release, programmes) -> None:
    dashboard = selectors.programme_dashboard(programmes[PN_INCLUSIONE])
    multi_region = next(g for g in dashboard.by_region if g.code == "MULTI")
    multi_province = next(g for g in dashboard.by_province if g.code == "MULTI")
    assert multi_region.label == "Several regions" and multi_region.projects >= 2
    assert multi_province.label == "Several provinces"
    assert any(g.label == "Emilia-Romagna" for g in dashboard.by_region)  # names as names, not capitals


@pytest.mark.django_db
def test_top_beneficiaries_match_the_csv_and_link_our_organisations(programmes, source) -> None:
    expected = Expected.of(source, PN_INCLUSIONE)
    top_code = expected.top_beneficiaries(1)[0][0]
    assert top_code  # the seed gives the top beneficiary a tax code
    ours = Organization.objects.create(
        name="Beneficiario nostro",
        legal_form="association",
        eccp_subcategory="c.ii",
        cpr_category="c",
        territorial_level="national",
        tax_code=top_code,
    )
    import_release([source], synthetic=True)
    top = selectors.programme_dashboard(programmes[PN_INCLUSIONE]).top_beneficiaries
    assert len(top) == 10
    assert [(b.tax_code, b.projects, b.public_funding) for b in top] == expected.top_beneficiaries(10)
    assert top[0].organization_id == ours.pk
    assert all(b.organization_id is None for b in top[1:])
    # a beneficiary listed twice on one project counts that project once
    twice = expected.beneficiaries["80000010001"]
    assert twice[0] == 1


@pytest.mark.django_db
def test_project_list_filters_search_and_pages(release, programmes, source) -> None:
    programme = programmes[PN_INCLUSIONE]
    expected = Expected.of(source, PN_INCLUSIONE)
    first = selectors.programme_projects(programme, per_page=10)
    assert first.total == expected.totals.projects
    assert len(first.rows) == 10 and first.page == 1 and first.has_next and not first.has_previous
    funding = [r.public_funding for r in first.rows]
    assert funding == sorted(funding, reverse=True)
    last = selectors.programme_projects(programme, per_page=10, page=10_000)  # past the end: the last page
    assert last.page == last.num_pages and not last.has_next
    assert len(last.rows) == expected.totals.projects - 10 * (last.num_pages - 1)
    # all pages together are every project once
    seen = set()
    for number in range(1, first.num_pages + 1):
        seen |= {
            r.project_code for r in selectors.programme_projects(programme, per_page=10, page=number).rows
        }
    assert seen == {r["COD_LOCALE_PROGETTO"] for r in expected.rows}

    status = selectors.programme_projects(programme, status="In corso", per_page=100)
    assert status.total == expected.status["In corso"].projects
    assert {r.status for r in status.rows} == {"In corso"}
    theme = next(iter(expected.theme))
    assert selectors.programme_projects(programme, theme=theme).total == expected.theme[theme].projects
    assert selectors.programme_projects(programme, region="MULTI").total == expected.region["MULTI"].projects
    both = selectors.programme_projects(programme, status="Concluso", region="008")
    assert both.total == sum(
        1 for r in expected.rows if r["OC_STATO_PROGETTO"] == "Concluso" and r["COD_REGIONE"].strip() == "008"
    )
    # options cover the whole programme whatever the filters, the statuses in their order
    assert [o.value for o in both.statuses][:4] == ["Non avviato", "In corso", "Liquidato", "Concluso"]
    assert {o.value: o.projects for o in both.regions}["MULTI"] == expected.region["MULTI"].projects


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["zafferanoblu", "ZafferanoBlu", "  ZAFFERANOBLU "])
def test_search_is_case_insensitive_on_title_and_beneficiary(release, programmes, q) -> None:
    page = selectors.programme_projects(programmes[PN_INCLUSIONE], q=q)
    assert page.total == 2  # one by title, one by beneficiary (dashboard_data)


@pytest.mark.django_db
def test_search_by_cup_and_project_code(release, programmes, source) -> None:
    row = Expected.of(source, PN_INCLUSIONE).rows[10]
    programme = programmes[PN_INCLUSIONE]
    assert [r.cup for r in selectors.programme_projects(programme, q=row["CUP"].lower()).rows] == [row["CUP"]]
    code = row["COD_LOCALE_PROGETTO"]
    assert code in {r.project_code for r in selectors.programme_projects(programme, q=code.lower()).rows}


@pytest.mark.django_db
def test_user_input_is_bound_not_formatted(release, programmes) -> None:
    """Quotes and SQL in the filters are searched for as text: no error, no rows, nothing executed."""
    programme = programmes[PN_INCLUSIONE]
    for text in ("'; DROP TABLE x; --", "it's", '"', "%", "_"):
        page = selectors.programme_projects(programme, q=text, status=text, theme=text, region=text)
        assert page.total == 0 and page.rows == []


@pytest.mark.django_db
def test_csv_rows_are_every_filtered_project(release, programmes, source) -> None:
    programme = programmes[PN_INCLUSIONE]
    expected = Expected.of(source, PN_INCLUSIONE)
    everything = list(selectors.iter_programme_projects(programme, release))
    assert len(everything) == expected.totals.projects
    assert sum(r.public_funding for r in everything) == expected.totals.funding
    in_progress = list(selectors.iter_programme_projects(programme, release, status="In corso"))
    assert len(in_progress) == expected.status["In corso"].projects


@pytest.mark.django_db
def test_cycle_comparison_lists_every_programme_of_the_cycle(release, programmes, source) -> None:
    rows = selectors.cycle_comparison("2021-2027")
    assert [r.cci for r in rows][-1] == "2021IT05FFPR001"  # no data: last, shown as such
    by_cci = {r.cci: r for r in rows}
    assert set(by_cci) == {PN_INCLUSIONE, PR_FSE_ER, "2021IT05FFPR001"}  # not the 2014-2020 one
    assert not by_cci["2021IT05FFPR001"].has_data and by_cci["2021IT05FFPR001"].payment_rate is None
    for cci in (PN_INCLUSIONE, PR_FSE_ER):
        expected = Expected.of(source, cci)
        row = by_cci[cci]
        assert (row.projects, row.public_funding, row.commitments, row.payments) == _expected(expected.totals)
    totals = selectors.comparison_totals(rows)
    assert totals.public_funding == by_cci[PN_INCLUSIONE].public_funding + by_cci[PR_FSE_ER].public_funding
    assert [r.cci for r in selectors.cycle_comparison("2014-2020")] == ["2014IT05SFOP001"]


@pytest.mark.django_db
def test_without_a_release_selectors_say_so(programmes) -> None:
    programme = programmes[PN_INCLUSIONE]
    assert selectors.programme_dashboard(programme) is None
    assert selectors.programme_projects(programme) is None
    rows = selectors.cycle_comparison("2021-2027")
    assert len(rows) == 3 and not any(r.has_data for r in rows)
    summary = selectors.programme_summary(programme)
    assert summary.release is None and summary.coverage is None


@pytest.mark.django_db
def test_programme_summary_reads_the_coverage(release, programmes, source) -> None:
    summary = selectors.programme_summary(programmes[PN_INCLUSIONE])
    expected = Expected.of(source, PN_INCLUSIONE).totals
    assert summary.release == release
    assert summary.coverage.project_count == expected.projects
    assert summary.coverage.public_funding == expected.funding
    assert summary.coverage.payment_rate == pytest.approx(float(expected.payments / expected.funding))
    none = selectors.programme_summary(programmes["none"])
    assert none.release == release and none.coverage is None


@pytest.mark.parametrize(
    ("capitals", "name"),
    [
        ("VALLE D'AOSTA/VALLÉE D'AOSTE", "Valle d'Aosta/Vallée d'Aoste"),
        ("REGGIO NELL'EMILIA", "Reggio nell'Emilia"),
        ("L'AQUILA", "L'Aquila"),
        ("EMILIA-ROMAGNA", "Emilia-Romagna"),
        (None, ""),
    ],
)
def test_places_are_written_as_names(capitals, name) -> None:
    assert selectors._place(capitals) == name
