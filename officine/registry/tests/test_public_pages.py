"""Public directory and organisation page (portal.views_partners)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officine.registry import services

pytestmark = pytest.mark.django_db


def directory_url() -> str:
    return reverse("portal:directory")


def rows_of(response) -> list[str]:
    return [o.name for o in response.context["page"].object_list]


def test_directory_lists_everybody(client, org, other_org):
    response = client.get(directory_url())
    assert response.status_code == 200
    assert set(rows_of(response)) >= {org.name, other_org.name}
    assert response.context["nav"] == "partners"
    assert response.context["breadcrumbs"][-1][1] is None
    html = response.content.decode()
    assert "Add organisation" not in html
    assert "registry/export" not in html and "/export/" not in html


def test_search_matches_accents_and_stems(client, make_org):
    make_org(name="Universita Popolare di Torino")
    make_org(name="Associazione Nazionale Piccola Impresa", eccp_subcategory="b.ii")
    make_org(name="Club Alpino")
    assert rows_of(client.get(directory_url(), {"q": "università"})) == ["Universita Popolare di Torino"]
    assert rows_of(client.get(directory_url(), {"q": "imprese"})) == [
        "Associazione Nazionale Piccola Impresa"
    ]


def test_filters_and_bad_values(client, org, other_org, programme, add_member, region, municipality):
    services.update_organization(None, other_org, {"territories": [municipality]})
    add_member(programme, org)
    assert rows_of(client.get(directory_url(), {"cpr_category": "c"})) == [other_org.name]
    assert rows_of(client.get(directory_url(), {"eccp_subcategory": "b.i"})) == [org.name]
    assert rows_of(client.get(directory_url(), {"region": region.pk})) == [other_org.name]
    assert rows_of(client.get(directory_url(), {"programme": programme.pk})) == [org.name]
    assert rows_of(client.get(directory_url(), {"territorial_level": "local"})) == []
    response = client.get(directory_url(), {"region": "abc", "cpr_category": "zz", "page": "999"})
    assert response.status_code == 200  # bad values are ignored, the last page is shown


def test_no_results_state(client, org):
    response = client.get(directory_url(), {"q": "zzzzzz"})
    html = response.content.decode()
    assert "No organisation matches your search" in html
    assert "Show all partners" in html


def test_pagination_keeps_filters(client, make_org):
    for n in range(30):
        make_org(name=f"Cooperativa {n:02d}")
    response = client.get(directory_url(), {"q": "cooperativa"})
    assert response.context["paginator"].count == 30
    assert len(rows_of(response)) == 25
    html = response.content.decode()
    assert 'aria-label="Pages of results"' in html
    assert "?page=2&amp;q=cooperativa" in html
    second = client.get(directory_url(), {"q": "cooperativa", "page": 2})
    assert len(rows_of(second)) == 5


@pytest.mark.parametrize(
    ("role", "add", "export"),
    [("plain", False, False), ("observer", False, True), ("staff", True, True), ("admin", True, True)],
)
def test_staff_links_follow_permissions(client, users, role, add, export):
    client.force_login(users[role])
    html = client.get(directory_url(), {"cpr_category": "b"}).content.decode()
    assert (reverse("registry:organization_create") in html) is add
    assert (reverse("registry:import_upload") in html) is add
    assert (reverse("registry:export_download", args=["xlsx"]) + "?cpr_category=b" in html) is export


def _directory_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(directory_url()).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_directory_query_count_is_constant(
    client, users, role, make_org, municipality, programme, add_member
):
    if role != "anonymous":
        client.force_login(users[role])

    def grow(n: int) -> None:
        for _ in range(n):
            organization = make_org(territories=[municipality])
            add_member(programme, organization)

    grow(3)
    few = _directory_queries(client)
    grow(27)
    assert _directory_queries(client) == few


# --- Organisation page --------------------------------------------------------------------------------------


@pytest.fixture
def full_org(
    org, other_org, make_org, make_representative, programme, make_programme, add_member, municipality
):
    network = make_org(name="Forum del Terzo Settore", is_umbrella=True)
    services.update_organization(None, org, {"umbrella_networks": [network], "territories": [municipality]})
    make_representative(org, first_name="Mario", last_name="Pubblico", email="mario@example.org")
    make_representative(org, first_name="Nascosto", last_name="Riservato", is_public=False)
    make_representative(org, first_name="Ex", last_name="Scaduto", mandate_date=date(2019, 1, 1),
                        mandate_expires=date(2020, 1, 1))  # fmt: skip
    add_member(programme, org)
    old = make_programme("2014IT05SFOP001", "PON Inclusione 2014-2020")
    add_member(old, org, start=date(2016, 1, 1), end=date(2020, 12, 31))
    return org


def test_organization_page_for_visitors(client, full_org, programme):
    response = client.get(full_org.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert full_org.name in html and full_org.tax_code in html
    assert "b.i – Social partners" in html and "Economic and social partners" in html
    assert "Bari (BA)" in html
    assert "Forum del Terzo Settore" in html
    assert programme.title_it in html and "PON Inclusione 2014-2020" in html
    assert "current" in html and "ended" in html
    assert "Mario Pubblico" in html
    assert "Riservato" not in html and "Scaduto" not in html
    assert "mario@example.org" not in html and "+39 06 1234567" not in html
    assert reverse("registry:organization_edit", args=[full_org.pk]) not in html
    assert response.context["breadcrumbs"] == [("Partners", directory_url()), (full_org.name, None)]


def test_network_page_lists_members(client, full_org):
    from officine.registry.models import Organization

    network = Organization.objects.get(name="Forum del Terzo Settore")
    html = client.get(network.get_absolute_url()).content.decode()
    assert full_org.name in html


def test_staff_see_contacts_all_representatives_and_edit_links(client, users, full_org):
    client.force_login(users["staff"])
    html = client.get(full_org.get_absolute_url()).content.decode()
    assert "mario@example.org" in html
    assert "Riservato" in html and "Scaduto" in html
    assert reverse("registry:organization_edit", args=[full_org.pk]) in html


def test_a_representative_sees_only_their_own_contacts(client, users, org, make_representative):
    make_representative(org, first_name="Collega", last_name="Pubblica", email="collega@example.org")
    client.force_login(users["representative"])
    html = client.get(org.get_absolute_url()).content.decode()
    assert "g.bianchi@example.org" in html
    assert "collega@example.org" not in html


def test_demo_badge(client, org):
    from officine.registry.models import Organization

    Organization.objects.filter(pk=org.pk).update(is_demo=True)
    html = client.get(org.get_absolute_url()).content.decode()
    assert 'class="badge badge-demo"' in html


def test_withdrawn_organisation_is_hidden_from_visitors_not_staff(client, users, org):
    services.set_active(None, org, False)
    assert client.get(org.get_absolute_url()).status_code == 404
    client.force_login(users["staff"])
    assert client.get(org.get_absolute_url()).status_code == 200


def test_organization_page_query_count_is_constant(
    client, org, make_representative, make_programme, add_member
):
    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            make_representative(org, last_name=f"Rappresentante {i}")
            add_member(make_programme(f"2021IT16FFPR{i:03d}", f"PR {i}"), org)

    grow(1, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(org.get_absolute_url())
    grow(4, 27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(org.get_absolute_url())
    assert len(response.context["current_memberships"]) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_italian_pages(client, org):
    from django.utils import translation

    with translation.override("it"):
        urls = [org.get_absolute_url(), reverse("portal:directory")]
    for url in urls:
        assert url.startswith("/it/")
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["LANGUAGE_CODE"] == "it"


def test_personal_tax_code_is_not_published(client, make_org):
    org = make_org(name="Ditta individuale Rossi", tax_code="RSSMRA85T10A562S", legal_form="company")
    html = client.get(f"/en/partners/{org.pk}/").content.decode()
    assert "RSSMRA85T10A562S" not in html
    assert "personal tax code, not published" in html


def test_personal_tax_code_is_not_searchable(client, db):
    from officine.registry.models import Organization
    from officine.registry.services import organization_search_document

    person = Organization(name="Ditta individuale Rossi", tax_code="RSSMRA85T10A562S")
    body = Organization(name="Ente pubblico", tax_code="06363391001")
    assert "rssmra85t10a562s" not in organization_search_document(person, [])
    assert "06363391001" in organization_search_document(body, [])


def test_runts_number_is_shown_for_third_sector_bodies(client, org):
    page = client.get(org.get_absolute_url().replace("/it/", "/en/"))
    assert "RUNTS registration number" not in page.content.decode()
    org.runts_number = "RUNTS-12345"
    org.save(update_fields=["runts_number"])
    page = client.get(org.get_absolute_url().replace("/it/", "/en/")).content.decode()
    assert "RUNTS registration number" in page and "RUNTS-12345" in page
