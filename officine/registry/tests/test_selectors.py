"""Read side: directory search and filters, organisation detail, territory names typed by people."""

from datetime import date

import pytest

from officine.registry.selectors import (
    TerritoryLookupError,
    TerritoryResolver,
    organization_detail,
    region_names,
    search_organizations,
)

pytestmark = pytest.mark.django_db


def names(qs) -> list[str]:
    return [o.name for o in qs]


@pytest.fixture
def directory(make_org, region, municipality, programme, add_member):
    universita = make_org(
        name="Universita degli Studi di Bari",
        cpr_category="d",
        eccp_subcategory="a.ii",
        territorial_level="regional",
        territories=[municipality],
    )
    imprese = make_org(name="Confederazione dell'Impresa Italiana", eccp_subcategory="b.ii")
    ambiente = make_org(
        name="Legambiente Lombardia",
        cpr_category="c",
        eccp_subcategory="c.i",
        territorial_level="regional",
        territories=[region.__class__.objects.get(level="region", name="Lombardia")],
    )
    add_member(programme, universita)
    add_member(programme, ambiente, start=date(2015, 1, 1), end=date(2020, 12, 31))  # past membership
    return universita, imprese, ambiente


def test_empty_search_lists_everybody_by_name(directory, authority):
    assert names(search_organizations()) == sorted(o.name for o in (*directory, authority))


def test_accents_and_stems(directory):
    universita, imprese, _ambiente = directory
    assert list(search_organizations("università")) == [universita]
    assert list(search_organizations("imprese")) == [imprese]
    assert list(search_organizations("bari")) == [universita]  # via its municipality


def test_filters(directory, region, programme):
    universita, imprese, ambiente = directory
    assert list(search_organizations(cpr_category="d")) == [universita]
    assert list(search_organizations(eccp_subcategory="c.i")) == [ambiente]
    assert list(search_organizations(region_id=region.pk)) == [universita]
    assert list(search_organizations(territorial_level="regional", cpr_category="c")) == [ambiente]
    assert list(search_organizations(programme_id=programme.pk)) == [universita]  # past members excluded


def test_rows_carry_the_current_programme_count_and_regions(directory, programme):
    rows = {o.name: o for o in search_organizations()}
    assert rows["Universita degli Studi di Bari"].current_programme_count == 1
    assert rows["Legambiente Lombardia"].current_programme_count == 0
    assert region_names(rows["Universita degli Studi di Bari"]) == ["Puglia"]


def test_inactive_are_hidden_unless_asked(directory):
    from officine.registry import services

    services.set_active(None, directory[1], False)
    assert directory[1] not in search_organizations()
    assert directory[1] in search_organizations(include_inactive=True)


def test_organization_detail_prefetches_public_representatives(
    org, make_representative, django_assert_num_queries
):
    public = make_representative(org, last_name="Pubblica")
    make_representative(org, last_name="Riservata", is_public=False)
    make_representative(
        org, last_name="Scaduta", mandate_date=date(2019, 1, 1), mandate_expires=date(2020, 1, 1)
    )
    detail = organization_detail(org.pk)
    with django_assert_num_queries(0):
        assert detail.public_representatives == [public]
        assert len(detail.all_representatives) == 3
        list(detail.territories.all())
        list(detail.umbrella_networks.all())
        list(detail.network_members.all())


class TestTerritoryResolver:
    def test_codes_of_each_level(self, db):
        resolver = TerritoryResolver()
        assert resolver.resolve("16").name == "Puglia"
        assert resolver.resolve("272").name == "Bari"  # metropolitan city
        assert resolver.resolve("272").level == "province"
        assert resolver.resolve("072006").level == "municipality"
        assert resolver.resolve("72006").code == "072006"  # leading zero lost by a spreadsheet

    def test_names(self, db):
        resolver = TerritoryResolver()
        assert resolver.resolve("puglia").level == "region"
        assert resolver.resolve("Castro (LE)").code == "075096"
        assert resolver.resolve("Comune di Bozen").name == "Bolzano/Bozen"  # either half of a bilingual name
        assert resolver.resolve("Provincia di Lecce").level == "province"
        assert resolver.resolve("Comune di Lecce").level == "municipality"
        assert resolver.resolve("FORLÌ").name == "Forlì"
        assert resolver.resolve("Forli").name == "Forlì"

    def test_ambiguous_names_list_the_options(self, db):
        with pytest.raises(TerritoryLookupError) as exc:
            TerritoryResolver().resolve("Lecce")
        assert "[075]" in str(exc.value) and "[075035]" in str(exc.value)

    def test_municipalities_only(self, db):
        resolver = TerritoryResolver(("municipality",))
        assert resolver.resolve("Lecce").code == "075035"
        assert resolver.resolve("1001").code == "001001"
        with pytest.raises(TerritoryLookupError):
            resolver.resolve("Puglia")

    def test_resolve_many_keeps_order_and_collects_errors(self, db):
        found, errors = TerritoryResolver(("municipality",)).resolve_many(
            "Bari; Castro, Lecce;Bari ,Nowhere", ",;"
        )
        assert [t.label for t in found] == ["Bari (BA)", "Lecce (LE)"]
        assert len(errors) == 2
        assert "Castro" in errors[0] and "Nowhere" in errors[1]


def _tags(markup: str) -> list[tuple[str, list]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, sorted(attrs)))

        def handle_data(self, data):
            if data.strip():
                found.append(("text", [data.strip()]))

    Collector().feed(markup)
    return found


@pytest.mark.parametrize("multiple", [False, True])
def test_fast_select_renders_like_django(multiple):
    from django import forms

    from officine.registry.forms import FastSelect, FastSelectMultiple

    choices = [("", "Any"), ("Group <1>", [(1, "Uno & due"), (2, "Tre")]), (3, 'Quattro "q"')]
    django_widget = (forms.SelectMultiple if multiple else forms.Select)(
        choices=choices, attrs={"class": "x"}
    )
    fast_widget = (FastSelectMultiple if multiple else FastSelect)(choices=choices, attrs={"class": "x"})
    value = [1, 3] if multiple else 3
    expected = _tags(django_widget.render("f", value, attrs={"id": "id_f", "required": True}))
    assert _tags(fast_widget.render("f", value, attrs={"id": "id_f", "required": True})) == expected
