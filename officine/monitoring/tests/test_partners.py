"""Partners as beneficiaries: matching by tax code and IPA code, the organisation page's section, the
programme staff's check (permissions, content, CSV) and query counts that do not grow with the data.

The release is written by hand so every expected figure can be read off the rows below."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officine.conftest import enrol_totp
from officine.core.models import AuditEvent
from officine.monitoring import selectors_partners, services, snapshot
from officine.monitoring.models import BeneficiaryLink, Release, ReleaseStatus
from officine.monitoring.selectors_partners import (
    PartnerState,
    ProjectsState,
    organization_projects,
    partners_as_beneficiaries,
)
from officine.programmes.models import Membership, Programme, ProgrammeStaff
from officine.registry.models import Organization, Representative

PN = "2021IT05FFPR003"  # ours: the programme checked
PR = "2021IT05SFPR004"  # ours: another programme
OLD = "2014IT16RFOP009"  # not ours
A, B, C, E = "01234567890", "02345678901", "03456789012", "09876543210"
BIG = "04567890123"  # beneficiary of many projects, for the query counts
HEADER = (
    "COD_LOCALE_PROGETTO;CUP;OC_TITOLO_PROGETTO;OC_FINANZ_TOT_PUB_NETTO;TOT_PAGAMENTI;OC_STATO_PROGETTO;"
    "COD_REGIONE;DEN_REGIONE;OC_COD_CICLO;OC_CODICE_PROGRAMMA;OC_DESCRIZIONE_PROGRAMMA;OC_TEMA_SINTETICO;"
    "OC_CODFISC_BENEFICIARIO;OC_DENOM_BENEFICIARIO;OC_CODFISC_ATTUATORE;OC_DENOM_ATTUATORE"
)


def _row(code, title, funding, paid, status, programmes, beneficiaries="", implementers="") -> str:
    names = ":::".join(f"SOGGETTO {c}" for c in beneficiaries.split(":::") if c)
    impl_names = ":::".join(f"SOGGETTO {c}" for c in implementers.split(":::") if c)
    return (
        f"{code};B11H00000000001;{title};{funding};{paid};{status};16;PUGLIA;3;{programmes};Programma;"
        f"Inclusione sociale;{beneficiaries};{names};{implementers};{impl_names}"
    )


ROWS = [
    # A: beneficiary and implementer of P1, beneficiary of P2 (two programmes) and of P3 (not ours)
    _row("P1", "Centro servizi per la famiglia", "1000,00", "100,00", "In corso", PN, A, A),
    _row("P2", "Mensa sociale", "500,00", "50,00", "Concluso", f"{PN}:::{PR}", A),
    _row("P3", "Scuola vecchio ciclo", "200,00", "20,00", "Liquidato", OLD, f"{A}:::{B}"),
    # C implements a project of the other programme only
    _row("P4", "Formazione digitale", "300,00", "0", "Non avviato", PR, B, C),
    _row("P5", "Progetto di altri", "50,00", "0", "In corso", PN, "07777777777"),
]


def _write(folder: Path, rows: list[str], name: str = "progetti_esteso_20250228.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode())
    return path


def _org(name: str, **codes) -> Organization:
    return Organization.objects.create(
        name=name,
        legal_form="association",
        country="IT",
        eccp_subcategory="b.i",
        cpr_category="b",
        territorial_level="national",
        **codes,
    )


def _join(programme: Programme, organization: Organization, **fields) -> Membership:
    defaults = {
        "start_date": date(2023, 1, 1),
        "selection_act_number": "DD 12/2023",
        "selection_act_date": date(2022, 12, 1),
    }
    return Membership.objects.create(programme=programme, organization=organization, **{**defaults, **fields})


@pytest.fixture
def programmes(db) -> dict[str, Programme]:
    authority = _org("Ministero del Lavoro", tax_code="80237250586")
    make = {
        PN: "PN Inclusione e lotta alla povertà",
        PR: "PR FSE+ Emilia-Romagna",
    }
    return {
        cci: Programme.objects.create(
            cci=cci, cycle="2021-2027", kind="national", title_it=title, managing_authority=authority
        )
        for cci, title in make.items()
    }


@pytest.fixture
def orgs(programmes) -> dict[str, Organization]:
    """Partners of PN in every state the check knows, created before the import (so links exist)."""
    orgs = {
        "a": _org("Alfa Cooperativa Sociale", tax_code=A),
        "c": _org("Gamma Formazione", tax_code=C),
        "e": _org("Epsilon Onlus", tax_code=E),
        "nocode": _org("Comitato senza codici"),
        "ended": _org("Beta Associazione", tax_code=B),
    }
    for key in ("a", "c", "e", "nocode"):
        _join(programmes[PN], orgs[key])
    # B's partnership ended: it is not a current partner, so the check leaves it out
    _join(programmes[PN], orgs["ended"], end_date=date(2024, 1, 1))
    return orgs


@pytest.fixture
def release(orgs, tmp_path) -> Release:
    return services.import_release([_write(tmp_path / "in", ROWS)], synthetic=True).release


# --- Matching -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_projects_matched_by_tax_code_with_totals_and_programme_links(release, orgs, programmes) -> None:
    result = organization_projects(orgs["a"])
    assert result.state == ProjectsState.FOUND and result.release == release
    assert (result.project_count, result.beneficiary_count, result.implementer_count) == (3, 3, 1)
    assert result.public_funding == Decimal("1700.00") and result.payments == Decimal("170.00")
    rows = result.page.object_list
    assert [r.project_code for r in rows] == ["P1", "P2", "P3"]  # largest funding first
    p1, p2, p3 = rows
    assert p1.title == "Centro servizi per la famiglia" and p1.status == "In corso"
    assert p1.roles == ("Beneficiary", "Implementer")
    assert p1.public_funding == Decimal("1000.00") and p1.payments == Decimal("100.00")
    # a project of two programmes is listed once, under both; ours link to the programme, others do not
    assert [p.code for p in p2.programmes] == [PN, PR]
    assert all(p.url for p in p2.programmes)
    assert p2.programmes[0].title == "PN Inclusione e lotta alla povertà"
    expected = selectors_partners.dashboard_url(PN) or programmes[PN].get_absolute_url()
    assert p2.programmes[0].url == expected
    assert p3.programmes == (selectors_partners.ProgrammeRef(OLD),)


@pytest.mark.django_db
def test_projects_paginated(release, orgs) -> None:
    second = organization_projects(orgs["a"], page="2", per_page=2)
    assert [r.project_code for r in second.page.object_list] == ["P3"]
    assert second.page.paginator.num_pages == 2 and second.project_count == 3
    assert organization_projects(orgs["a"], page="nonsense", per_page=2).page.number == 1
    assert organization_projects(orgs["a"], page="99", per_page=2).page.number == 2


@pytest.mark.django_db
def test_projects_matched_by_ipa_code_from_soggetti(programmes, tmp_path) -> None:
    # an IPA code only in the registry (typed in capitals): OpenCoesione's soggetti file carries it
    comune = _org("Comune di Zeta", ipa_code="C_Z001")
    progetti = _write(tmp_path / "in", ROWS)
    soggetti = tmp_path / "in" / "soggetti_20250228.csv"
    soggetti.write_text(
        "\ufeffCOD_LOCALE_PROGETTO;SOGG_COD_RUOLO;OC_CODICE_FISCALE_SOGG;OC_DENOMINAZIONE_SOGG;OC_COD_ENTE_IPA\r\n"
        f"P1;3;{A};ALFA;\r\n"
        "P4;2;00111111111;COMUNE DI ZETA;c_z001\r\n"
        "P5;3;00111111111;COMUNE DI ZETA;C_Z001\r\n"
        "P3;1;00111111111;COMUNE DI ZETA;c_z001\r\n",  # programming authority: not a beneficiary
        encoding="utf-8",
    )
    services.import_release([progetti, soggetti])
    result = organization_projects(comune)
    assert result.state == ProjectsState.FOUND
    assert [(r.project_code, r.roles) for r in result.page.object_list] == [
        ("P4", ("Implementer",)),
        ("P5", ("Beneficiary",)),
    ]
    assert result.public_funding == Decimal("350.00")
    link = BeneficiaryLink.objects.get(organization=comune, programme=programmes[PN])
    assert link.matched_on == "ipa" and link.role == "3"


@pytest.mark.django_db
def test_empty_states(programmes, orgs, tmp_path) -> None:
    assert organization_projects(orgs["a"]).state == ProjectsState.NO_RELEASE
    services.import_release([_write(tmp_path / "in", ROWS)])
    assert organization_projects(orgs["nocode"]).state == ProjectsState.NO_CODE
    assert organization_projects(orgs["e"]).state == ProjectsState.NO_PROJECTS


@pytest.mark.django_db
def test_a_missing_snapshot_does_not_break_the_page(client, release, orgs) -> None:
    shutil.rmtree(services.release_folder(release))
    assert organization_projects(orgs["a"]).state == ProjectsState.UNAVAILABLE
    response = client.get(orgs["a"].get_absolute_url().replace("/it/", "/en/"))
    assert response.status_code == 200
    assert "The implementation data cannot be read at the moment" in response.content.decode()


@pytest.mark.django_db
def test_no_link_means_no_snapshot_read_unless_the_record_changed_after_the_import(
    release, orgs, monkeypatch
) -> None:
    opened = []
    real_connect = snapshot.connect
    monkeypatch.setattr(snapshot, "connect", lambda *a, **k: opened.append(1) or real_connect(*a, **k))
    assert organization_projects(orgs["e"]).state == ProjectsState.NO_PROJECTS
    assert opened == []  # the import's links already said there is nothing
    # a tax code corrected after the import has no links yet: it is looked up in the snapshot
    orgs["e"].tax_code = "07777777777"
    orgs["e"].save()
    result = organization_projects(orgs["e"])
    assert opened and result.state == ProjectsState.FOUND
    assert [r.project_code for r in result.page.object_list] == ["P5"]


# --- The staff check ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_partners_as_beneficiaries_states_and_figures(release, orgs, programmes) -> None:
    report = partners_as_beneficiaries(programmes[PN])
    assert report.release == release and report.programme_in_release
    by_name = {r.organization.name: r for r in report.rows}
    assert set(by_name) == {
        "Alfa Cooperativa Sociale",
        "Gamma Formazione",
        "Epsilon Onlus",
        "Comitato senza codici",
    }
    assert [r.state for r in report.rows] == [
        PartnerState.BENEFITS,
        PartnerState.ELSEWHERE,
        PartnerState.NOT_FOUND,
        PartnerState.CANNOT_CHECK,
    ]
    alfa = by_name["Alfa Cooperativa Sociale"]
    assert [(f.role, f.project_count, f.public_funding) for f in alfa.in_programme] == [
        ("3", 2, Decimal("1500.00")),
        ("2", 1, Decimal("1000.00")),
    ]
    assert alfa.matched_on == "tax code"
    assert {(o.code, o.project_count) for o in alfa.elsewhere} == {(PR, 1), (OLD, 1)}
    assert {o.code: o.title for o in alfa.elsewhere}[PR] == "PR FSE+ Emilia-Romagna"
    gamma = by_name["Gamma Formazione"]
    assert gamma.in_programme == () and [(o.code, o.roles[0].role) for o in gamma.elsewhere] == [(PR, "2")]
    assert not any(r.edited_after_import for r in report.rows)
    assert report.benefits_count == report.elsewhere_count == 1
    assert report.not_found_count == report.cannot_check_count == 1


@pytest.mark.django_db
def test_partners_without_release(orgs, programmes) -> None:
    report = partners_as_beneficiaries(programmes[PN])
    assert report.release is None and {r.state for r in report.rows} == {PartnerState.NO_RELEASE}


@pytest.mark.django_db
def test_partners_check_query_count_does_not_grow(
    release, orgs, programmes, django_assert_num_queries
) -> None:
    with CaptureQueriesContext(connection) as few:
        partners_as_beneficiaries(programmes[PN])
    for n in range(15):
        _join(programmes[PN], _org(f"Partner {n:02d}", tax_code=f"1{n:010d}"))
        BeneficiaryLink.objects.create(
            release=release,
            organization=Organization.objects.get(tax_code=f"1{n:010d}"),
            role="3",
            matched_on="tax_code",
            programme=programmes[PR] if n % 2 else None,
            programme_code=PR if n % 2 else OLD,
            project_count=1,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        report = partners_as_beneficiaries(programmes[PN])
    assert len(report.rows) == 19 and report.elsewhere_count == 16


# --- Pages ------------------------------------------------------------------------------------------------


def _users(programmes, orgs) -> dict:
    User = get_user_model()
    partner = User.objects.create_user(email="partner@example.org", password="a-long-password-123")
    Representative.objects.create(
        organization=orgs["a"],
        user=partner,
        first_name="Paola",
        last_name="Partner",
        role="delegate",
        mandate_issuer="Presidente",
        mandate_date=date(2023, 1, 1),
    )
    this_staff = User.objects.create_user(email="staff@example.org", password="a-long-password-123")
    ProgrammeStaff.objects.create(programme=programmes[PN], user=this_staff)
    other_staff = User.objects.create_user(email="altro@example.org", password="a-long-password-123")
    ProgrammeStaff.objects.create(programme=programmes[PR], user=other_staff)
    admin = User.objects.create_superuser(email="admin@example.org", password="a-long-password-123")
    for user in (this_staff, other_staff, admin):
        enrol_totp(user)
    return {"partner": partner, "other_staff": other_staff, "this_staff": this_staff, "admin": admin}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("partner", 403), ("other_staff", 403), ("this_staff", 200), ("admin", 200)],
)
def test_staff_page_permission_matrix(client, release, orgs, programmes, who, status) -> None:
    users = _users(programmes, orgs)
    if who != "anonymous":
        client.force_login(users[who])
    for name in ("beneficiaries", "beneficiaries_csv"):
        response = client.get(reverse(f"monitoring_partners:{name}", args=[PN]))
        assert response.status_code == status, name
        if status == 302:
            assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_staff_page_content_and_link_from_programme_page(client, release, orgs, programmes) -> None:
    users = _users(programmes, orgs)
    client.force_login(users["this_staff"])
    url = reverse("monitoring_partners:beneficiaries", args=[PN]).replace("/it/", "/en/")
    html = client.get(url).content.decode()
    assert "ECCP, Art. 12-13" in html and "Synthetic data" in html and "28 February 2025" in html
    names = ("Alfa Cooperativa Sociale", "Gamma Formazione", "Epsilon Onlus")
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions)  # those to look at first at the top
    assert "Cannot be checked: no tax code or IPA code" in html
    assert "Beta Associazione" not in html  # an ended partnership
    assert "€1,500" in html and "€1,000" in html
    programme_page = client.get(programmes[PN].get_absolute_url().replace("/it/", "/en/")).content.decode()
    assert f'href="{url}"' in programme_page
    # a partner does not see the link
    client.force_login(users["partner"])
    programme_page = client.get(programmes[PN].get_absolute_url().replace("/it/", "/en/")).content.decode()
    assert f'href="{url}"' not in programme_page


@pytest.mark.django_db
def test_staff_page_without_release_says_so_and_links_to_the_imports(client, orgs, programmes) -> None:
    client.force_login(_users(programmes, orgs)["this_staff"])
    html = client.get(reverse("monitoring_partners:beneficiaries", args=[PN]).replace("/it/", "/en/"))
    html = html.content.decode()
    assert "No OpenCoesione release has been imported, so the partners cannot be checked." in html
    assert reverse("manage_monitoring:releases").replace("/it/", "/en/") in html
    assert html.count("No release imported") == 4  # every partner says why it is not checked


@pytest.mark.django_db
def test_staff_csv_content_and_audit(client, release, orgs, programmes) -> None:
    staff = _users(programmes, orgs)["this_staff"]
    client.force_login(staff)
    response = client.get(reverse("monitoring_partners:beneficiaries_csv", args=[PN]).replace("/it/", "/en/"))
    assert response["Content-Type"].startswith("text/csv")
    assert f"partner-beneficiaries-{PN}-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Organisation"] for r in rows] == [
        "Alfa Cooperativa Sociale",
        "Gamma Formazione",
        "Epsilon Onlus",
        "Comitato senza codici",
    ]
    alfa = rows[0]
    assert alfa["Tax code"] == A and alfa["Check result"] == "Beneficiary or implementer in this programme"
    assert alfa["Projects as beneficiary"] == "2" and alfa["Public funding as beneficiary (EUR)"] == "1500.00"
    assert alfa["Projects as implementer"] == "1" and alfa["Public funding as implementer (EUR)"] == "1000.00"
    assert alfa["Matched on"] == "tax code" and alfa["Release date"] == "2025-02-28"
    assert set(alfa["Other programmes"].split("; ")) == {f"{PR}: 1 projects", f"{OLD}: 1 projects"}
    assert rows[1]["Projects as beneficiary"] == "0" and rows[1]["Other programmes"] == f"{PR}: 1 projects"
    assert rows[3]["Check result"] == "Cannot be checked: no tax code or IPA code"
    event = AuditEvent.objects.get(action="monitoring.partner_beneficiaries_exported")
    assert event.actor == staff and event.changes["rows"] == 4


@pytest.mark.django_db
def test_organisation_page_section(client, release, orgs) -> None:
    url = orgs["a"].get_absolute_url().replace("/it/", "/en/")
    html = client.get(url).content.decode()
    assert "Funded projects (OpenCoesione)" in html and "28 February 2025" in html
    assert "Centro servizi per la famiglia" in html and "Scuola vecchio ciclo" in html
    assert "€1,700.00" in html and "€170.00" in html
    assert "The implementation data in use are generated for demonstration" in html  # synthetic release
    assert f">{PN}</a>" in html  # ours: linked
    assert f"<td>{OLD}</td>" in html and f">{OLD}</a>" not in html  # not ours: no link
    html = client.get(orgs["nocode"].get_absolute_url().replace("/it/", "/en/")).content.decode()
    assert "has no tax code or IPA code in the registry" in html
    html = client.get(orgs["e"].get_absolute_url().replace("/it/", "/en/")).content.decode()
    assert "No project in this release has the organisation as beneficiary or implementer." in html
    Release.objects.update(status=ReleaseStatus.SUPERSEDED)
    html = client.get(url).content.decode()
    assert "No OpenCoesione release has been imported yet" in html


@pytest.mark.django_db
def test_organisation_page_has_its_own_page_parameter(client, programmes, tmp_path) -> None:
    big = _org("Grande Beneficiario", tax_code=BIG)
    rows = [
        _row(f"Q{n:03d}", f"Progetto {n:03d}", f"{1000 - n},00", "0", "In corso", PN, BIG) for n in range(25)
    ]
    services.import_release([_write(tmp_path / "in", rows)])
    url = big.get_absolute_url().replace("/it/", "/en/")
    first = client.get(url).content.decode()
    assert "Progetto 000" in first and "Progetto 020" not in first
    assert "?projects_page=2#funded-projects" in first
    second = client.get(url, {"projects_page": 2}).content.decode()
    assert "Progetto 020" in second and "Progetto 000" not in second


@pytest.mark.django_db
def test_organisation_page_query_count_does_not_grow(client, programmes, tmp_path) -> None:
    small, large = _org("Piccolo", tax_code=A), _org("Grande", tax_code=BIG)
    rows = ROWS + [
        _row(f"Q{n:03d}", f"Progetto {n:03d}", "10,00", "0", "In corso", f"{PN}:::{PR}" if n % 2 else PR, BIG)
        for n in range(60)
    ]
    services.import_release([_write(tmp_path / "in", rows)])
    counts = []
    for organization in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(organization.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert response.context["funded"].project_count == 60
    assert counts[0] == counts[1]
