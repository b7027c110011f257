"""Public programme pages: content in Italian and English, filters, and query counts that do not grow."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from officine.programmes.models import Fund, Priority, ProgrammeKind


def _url(name: str, lang: str, *args) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


@pytest.fixture
def partnership(programme, make_org, make_membership, make_rep, region):
    """A small partnership with a gap in category d and an all-male delegation."""
    members = [
        make_org(name="ANCI", cpr_category="a", eccp_subcategory="a.i", territories=[region("Lazio")]),
        make_org(name="CISL", cpr_category="b", eccp_subcategory="b.i"),
        make_org(
            name="Legambiente", cpr_category="c", eccp_subcategory="c.i", civil_society_focus=["environment"]
        ),
    ]
    for org in members:
        make_membership(
            programme,
            org,
            is_committee_member=True,
            selection_url="https://example.org/atto",
            start_date=date(2023, 2, 1),
        )
        make_rep(org, "M")
    Priority.objects.create(
        programme=programme, code="1", title_it="Occupazione", title_en="Employment", order=1
    )
    programme.title_en = "Inclusion and Poverty NP"
    programme.is_demo = True
    programme.save()
    return members


@pytest.mark.parametrize("lang", ["it", "en"])
def test_programme_page_renders_everything(client, programme, partnership, lang):
    response = client.get(_url("portal:programme_detail", lang, programme.cci))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert programme.cci in html
    assert ("Inclusion and Poverty NP" if lang == "en" else "PN Inclusione e lotta alla povertà") in html
    assert ("Employment" if lang == "en" else "Occupazione") in html
    assert "Agenzia per la Coesione Territoriale" in html
    assert programme.managing_authority.get_absolute_url() in html
    for name in ("ANCI", "CISL", "Legambiente"):
        assert name in html
    assert "badge-demo" in html
    # Chart: data passed by json_script, canvas described for assistive technology, no inline script.
    assert '<script id="cpr-chart-data" type="application/json">' in html
    assert 'role="img"' in html
    assert "vendor/chart.js/chart.umd.min.js" in html
    assert "officine/js/charts.js" in html
    assert "<script>" not in html
    assert 'style="' not in html
    # Representativeness: category d missing is said in words, the gender warning shows.
    assert ("CPR Art. 8(1)" if lang == "en" else "art. 8(1)") in html
    assert "bar-fill w-35" in html  # 1 of 3 members: 33 % rounds to the w-35 step
    assert response.context["panel"].missing_cpr_categories[0].code == "d"
    assert response.context["panel"].gender.warning
    assert response.context["nav"] == "programmes"
    # No staff links for visitors.
    assert reverse("programmes:memberships", args=[programme.cci]) not in html


def test_programme_page_shows_staff_links_to_its_staff(client, users, programme):
    client.force_login(users["staff_this"])
    html = client.get(programme.get_absolute_url()).content.decode()
    assert reverse("programmes:programme_edit", args=[programme.cci]) in html
    assert reverse("programmes:memberships", args=[programme.cci]) in html
    assert reverse("programmes:staff", args=[programme.cci]) not in html


def test_unknown_programme_is_404(client, db):
    assert client.get("/it/programmes/2021IT16FFPR999/").status_code == 404


def test_programme_page_with_no_partnership(client, programme):
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 200
    assert "No partnership has been recorded for this programme yet." in response.content.decode()
    assert [c.code for c in response.context["panel"].missing_cpr_categories] == ["a", "b", "c", "d"]


@pytest.mark.parametrize("lang", ["it", "en"])
def test_programme_list_renders(client, programme, other_programme, lang):
    response = client.get(_url("portal:programme_list", lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert programme.cci in html and other_programme.cci in html
    assert response.context["result_count"] == 2
    assert reverse("programmes:programme_create") not in html


def test_programme_list_filters(client, make_programme, region):
    regional = make_programme(
        kind=ProgrammeKind.REGIONAL,
        region=region("Puglia"),
        cci="2021IT16FFPR002",
        title_it="PR Puglia 2021-2027",
    )
    esf = make_programme(
        cci="2021IT05SFPR001", title_it="PN Giovani, donne e lavoro", funds=[Fund.objects.get(code="ESF+")]
    )
    old = make_programme(cci="2014IT16RFOP004", cycle="2014-2020", title_it="POR Abruzzo FESR")

    def found(**params) -> set[str]:
        response = client.get(reverse("portal:programme_list"), params)
        assert response.status_code == 200
        return {p.cci for p in response.context["programmes"]}

    assert found(kind="regional") == {regional.cci}
    assert found(region=region("Puglia").pk) == {regional.cci}
    assert found(fund="ESF+") == {esf.cci}
    assert found(cycle="2014-2020") == {old.cci}
    assert found(q="giovani") == {esf.cci}
    assert found(q="2021it05") == {esf.cci}
    assert found(q="nothing like this") == set()
    # An invalid filter is reported next to its field and ignored.
    response = client.get(reverse("portal:programme_list"), {"cycle": "1990-1999"})
    assert response.context["form"].errors["cycle"]
    assert response.context["result_count"] == 3


def test_trentino_alto_adige_filter_finds_the_autonomous_provinces(client, make_programme):
    from officine.registry.models import Territory

    bolzano = Territory.objects.get(level="province", code="021")
    programme = make_programme(kind=ProgrammeKind.REGIONAL, region=bolzano, cci="2021IT16RFPR012")
    response = client.get(reverse("portal:programme_list"), {"region": bolzano.region_id})
    assert [p.cci for p in response.context["programmes"]] == [programme.cci]


def test_programme_list_shows_add_button_to_admins(client, users):
    client.force_login(users["admin"])
    html = client.get(reverse("portal:programme_list")).content.decode()
    assert reverse("programmes:programme_create") in html


def test_programme_list_paginates_by_25(client, make_programme):
    for _ in range(27):
        make_programme()
    first = client.get(reverse("portal:programme_list"))
    assert len(first.context["programmes"]) == 25
    assert 'aria-label="Pages of results"' in first.content.decode()
    second = client.get(reverse("portal:programme_list"), {"page": 2})
    assert len(second.context["programmes"]) == 2


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _partnership(programme, make_org, make_membership, make_rep, n: int) -> None:
    for i in range(n):
        org = make_org(cpr_category="abcd"[i % 4], eccp_subcategory=["a.i", "b.i", "c.i", "a.ii"][i % 4])
        make_membership(programme, org, selection_url="https://example.org/atto")
        make_rep(org, "FM"[i % 2])


def test_programme_page_query_count_does_not_grow(
    client, programme, other_programme, make_org, make_membership, make_rep
):
    _partnership(programme, make_org, make_membership, make_rep, 3)
    _partnership(other_programme, make_org, make_membership, make_rep, 30)
    small = _count_queries(client, programme.get_absolute_url())
    large = _count_queries(client, other_programme.get_absolute_url())
    assert small == large


def test_programme_list_query_count_does_not_grow(client, make_programme, make_org, make_membership):
    programmes = [make_programme() for _ in range(3)]
    for p in programmes:
        make_membership(p, make_org())
    small = _count_queries(client, reverse("portal:programme_list"))
    for _ in range(27):
        p = make_programme(funds=list(Fund.objects.filter(code__in=["ERDF", "ESF+"])))
        make_membership(p, make_org())
        make_membership(p, make_org())
    large = _count_queries(client, reverse("portal:programme_list"))
    assert small == large


def test_partner_count_counts_current_memberships_only(client, programme, make_org, make_membership):
    make_membership(programme, make_org())
    make_membership(programme, make_org(), end_date=date(2023, 6, 30))
    make_membership(programme, make_org(), start_date=date(2099, 1, 1))
    response = client.get(reverse("portal:programme_list"), {"q": programme.cci})
    (row,) = response.context["programmes"]
    assert row.partner_count == 1
