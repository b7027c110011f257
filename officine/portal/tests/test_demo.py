"""``load_demo``: real 2021-2027 programmes, two demo partnerships, idempotence, ``--if-empty``."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from officine.core.models import AuditEvent
from officine.portal.demo import partnerships, people
from officine.portal.demo.programmes import (
    authority_name_and_notes,
    parse_decision_date,
    read_programme_rows,
)
from officine.portal.demo.upsert import clean_demo_organization
from officine.programmes.models import Membership, Priority, Programme
from officine.programmes.validators import validate_cci
from officine.registry.choices import (
    CivilSocietyFocus,
    CprCategory,
    EccpSubcategory,
    LegalForm,
    TerritorialLevel,
)
from officine.registry.models import Organization, Representative

PN_INCLUSIONE = "2021IT05FFPR003"
PR_EMILIA_ROMAGNA_FSE = "2021IT05SFPR004"


def run_load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        "programmes": Programme.objects.count(),
        "organisations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "representatives": Representative.objects.count(),
        "priorities": Priority.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def share_of_women(cci: str, **membership_filter) -> float:
    members = Membership.objects.current().filter(programme__cci=cci, **membership_filter)
    genders = Counter(
        Representative.objects.in_force()
        .filter(organization__in=members.values("organization"))
        .values_list("gender", flat=True)
    )
    return genders["F"] / (genders["F"] + genders["M"])


# --- Data files (no database) -----------------------------------------------------------------


def test_programme_file_rows_are_2021_pn_and_pr_with_cci():
    rows = read_programme_rows()
    kinds = Counter(row.kind for row in rows)
    assert kinds["national"] >= 10
    assert kinds["regional"] >= 5
    for row in rows:
        validate_cci(row.cci)
        assert row.cci.startswith("2021IT")
    assert not any("FEAMPA" in row.title_it for row in rows), "the PN FEAMPA row has no CCI and is skipped"


def test_organisations_file_is_consistent():
    rows = partnerships.read_organizations()
    keys = [row.key for row in rows]
    names = [row.name for row in rows]
    assert len(keys) == len(set(keys))
    assert len(names) == len(set(names))
    seen: set[str] = set()
    for row in rows:
        assert row.legal_form in LegalForm.values, row.key
        assert row.eccp_subcategory in EccpSubcategory.values, row.key
        assert row.cpr_category in CprCategory.values, row.key
        assert row.territorial_level in TerritorialLevel.values, row.key
        assert set(row.civil_society_focus) <= set(CivilSocietyFocus.values), row.key
        assert not row.civil_society_focus or row.cpr_category == "c", row.key
        assert row.description_it and row.description_en, row.key
        assert set(row.member_of) <= seen, f"{row.key}: networks must come earlier in the file"
        seen.add(row.key)


def test_memberships_file_covers_every_cpr_category_in_both_partnerships():
    categories = {row.key: row.cpr_category for row in partnerships.read_organizations()}
    rows = partnerships.read_memberships()
    for cci in (PN_INCLUSIONE, PR_EMILIA_ROMAGNA_FSE):
        members = [row for row in rows if row.cci == cci]
        assert len(members) >= 30
        assert {categories[row.org_key] for row in members} == {"a", "b", "c", "d"}
        assert all(row.act_number.startswith("DEMO-") for row in members)
        assert all(date(2022, 1, 1) <= row.start_date <= date(2023, 12, 31) for row in members)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C(2022) 9029 final del 01/12/2022", date(2022, 12, 1)),
        ("approvato dalla CE il 16/12/2022 (n. decisione non rilevato)", date(2022, 12, 16)),
        ("", None),
        ("decisione non trovata", None),
    ],
)
def test_parse_decision_date(text, expected):
    assert parse_decision_date(text) == expected


@pytest.mark.parametrize(
    ("raw", "name", "note_fragment"),
    [
        ("Regione Puglia (amministrazione titolare)", "Regione Puglia", "amministrazione titolare"),
        ("Ministero della Cultura", "Ministero della Cultura", None),
        (
            "Regione Lazio – Direzione regionale Istruzione, Formazione e Lavoro (da fonte in inglese)",
            "Regione Lazio – Direzione regionale Istruzione, Formazione e Lavoro",
            "fonte in inglese",
        ),
        (
            "Agenzia per la Coesione Territoriale (titolare iniziale), "
            "poi PCM – Dipartimento per le politiche di coesione e per il Sud",
            "Presidenza del Consiglio dei Ministri – Dipartimento per le politiche di coesione e per il Sud",
            "titolare iniziale",
        ),
    ],
)
def test_authority_name_and_notes(raw, name, note_fragment):
    got_name, notes = authority_name_and_notes(raw)
    assert got_name == name
    if note_fragment:
        assert any(note_fragment in note for note in notes)
    else:
        assert notes == []


def test_people_plan_meets_each_partnership_share_and_is_deterministic():
    def orgs(prefix: str, n: int) -> list[people.OrgForPeople]:
        return [
            people.OrgForPeople(
                f"{prefix}{i}", "association", "Presidente", date(2022, 7, 1), committee=i % 2 == 0
            )
            for i in range(n)
        ]

    plan = [(0.38, orgs("n", 40)), (0.47, orgs("r", 30) + orgs("n", 5))]
    first = people.plan_representatives(plan)
    assert first == people.plan_representatives(plan)
    for share, group in plan:
        keys = {o.key for o in group}
        genders = Counter(p.gender for p in first if p.org_key in keys)
        assert abs(genders["F"] / (genders["F"] + genders["M"]) - share) < 0.03
        assert genders[""] > 0, "some people do not declare a gender"
    assert all(p.email.endswith("@example.org") for p in first)
    assert len({(p.org_key, p.role) for p in first}) == len(first)


@pytest.mark.django_db
def test_clean_demo_organization_waives_only_the_missing_tax_code():
    org = Organization(
        name="Ente di prova",
        legal_form="public_body",
        eccp_subcategory="a.i",
        cpr_category="a",
        territorial_level="national",
    )
    with pytest.raises(ValidationError):
        org.full_clean()
    clean_demo_organization(org)  # no tax code: accepted for demo rows

    org.civil_society_focus = ["environment"]  # only category c may have a focus
    with pytest.raises(ValidationError) as excinfo:
        clean_demo_organization(org)
    assert set(excinfo.value.message_dict) == {"civil_society_focus"}


# --- Loading ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_creates_the_real_2021_2027_programmes():
    run_load_demo()
    programmes = Programme.objects.filter(cycle="2021-2027")
    assert programmes.filter(kind="national").count() >= 10
    assert programmes.filter(kind="regional").count() >= 5
    for programme in programmes.select_related("region", "managing_authority"):
        validate_cci(programme.cci)
        programme.full_clean()
        assert not programme.is_demo, "the programmes are real public data"
        assert programme.funds.exists()
        assert "Fonti:" in programme.source_note
        assert "(amministrazione titolare)" not in programme.managing_authority.name

    inclusione = Programme.objects.get(cci=PN_INCLUSIONE)
    assert inclusione.kind == "national" and inclusione.region is None
    assert inclusione.approval_date == date(2022, 12, 1)
    assert inclusione.managing_authority.name == "Ministero del Lavoro e delle Politiche Sociali"
    assert sorted(inclusione.funds.values_list("code", flat=True)) == ["ERDF", "ESF+"]

    emilia = Programme.objects.get(cci=PR_EMILIA_ROMAGNA_FSE)
    assert emilia.region.name == "Emilia-Romagna" and emilia.region.level == "region"
    assert list(emilia.funds.values_list("code", flat=True)) == ["ESF+"]
    assert emilia.managing_authority.name == "Regione Emilia-Romagna"
    assert "amministrazione titolare" in emilia.source_note

    bolzano = Programme.objects.get(cci="2021IT16RFPR012")
    assert (bolzano.region.level, bolzano.region.code) == ("province", "021")
    aosta = Programme.objects.get(cci="2021IT05SFPR017")
    assert aosta.region.name.startswith("Valle d'Aosta")
    assert Programme.objects.get(cci="2021IT16JTPR001").funds.get().code == "JTF"

    authority = emilia.managing_authority
    assert authority.is_demo and authority.tax_code == "" and authority.vat_number == ""
    assert (authority.cpr_category, authority.eccp_subcategory, authority.legal_form) == (
        "a",
        "a.i",
        "public_body",
    )
    assert authority.territorial_level == "regional"
    assert inclusione.managing_authority.territorial_level == "national"


@pytest.mark.django_db
@pytest.mark.parametrize("cci", [PN_INCLUSIONE, PR_EMILIA_ROMAGNA_FSE])
def test_demo_partnership_is_complete(cci):
    run_load_demo()
    members = Membership.objects.current().filter(programme__cci=cci).select_related("organization")
    assert members.count() >= 30
    assert {m.organization.cpr_category for m in members} == {"a", "b", "c", "d"}
    focus = {f for m in members for f in m.organization.civil_society_focus}
    assert {"environment", "social_inclusion", "disability", "gender_equality", "non_discrimination"} <= focus
    assert all(m.is_consultee and m.is_demo for m in members)
    assert 15 <= sum(m.is_committee_member for m in members) <= 25
    assert sum(m.is_working_group_member for m in members) >= 5
    assert all(m.selection_act_number.startswith("DEMO-") for m in members)
    for member in members:
        org = member.organization
        assert org.is_demo and org.tax_code == ""
        assert org.search_document.strip()
        reps = list(org.representatives.all())
        assert [r.role for r in reps].count("delegate") == 1
        assert all(r.is_demo and r.email.endswith("@example.org") and r.mandate_in_force for r in reps)
    assert Priority.objects.filter(programme__cci=cci).count() == 5


@pytest.mark.django_db
def test_gender_balance_is_below_40_percent_in_one_partnership_and_above_in_the_other():
    run_load_demo()
    assert 0.33 <= share_of_women(PN_INCLUSIONE) < 0.40
    assert share_of_women(PN_INCLUSIONE, is_committee_member=True) < 0.40
    assert share_of_women(PR_EMILIA_ROMAGNA_FSE) > 0.40
    assert share_of_women(PR_EMILIA_ROMAGNA_FSE, is_committee_member=True) > 0.40
    declared = Counter(Representative.objects.filter(is_demo=True).values_list("gender", flat=True))
    assert declared[""] > 0 and declared[""] < (declared["F"] + declared["M"]) / 4


@pytest.mark.django_db
def test_umbrella_networks_and_territories_are_linked():
    run_load_demo()
    legacoop = Organization.objects.get(acronym="Legacoop")
    assert list(legacoop.umbrella_networks.values_list("name", flat=True)) == [
        "Alleanza delle Cooperative Italiane"
    ]
    bologna = Organization.objects.get(name="Comune di Bologna")
    assert [(t.level, t.code) for t in bologna.territories.all()] == [("municipality", "037006")]


@pytest.mark.django_db
def test_second_run_changes_nothing():
    first_output = run_load_demo()
    after_first = table_counts()
    second_output = run_load_demo()
    assert table_counts() == after_first, "no row and no audit event added"
    assert after_first["audit"] > 0, "the first run is audited"
    lines = [line.split() for line in second_output.splitlines()[1:6]]
    assert all(cols[1:3] == ["0", "0"] for cols in lines), second_output
    assert "organisations" in first_output


@pytest.mark.django_db
def test_rerun_restores_edited_values_and_audits_it():
    run_load_demo()
    Programme.objects.filter(cci=PN_INCLUSIONE).update(title_it="Titolo cambiato")
    output = run_load_demo()
    assert Programme.objects.get(cci=PN_INCLUSIONE).title_it == "PN Inclusione e lotta alla povertà 2021-2027"
    programmes_line = next(line for line in output.splitlines() if line.startswith("programmes"))
    assert programmes_line.split()[1:3] == ["0", "1"]
    event = AuditEvent.objects.filter(action="demo.update").get()
    assert event.changes["title_it"] == ["Titolo cambiato", "PN Inclusione e lotta alla povertà 2021-2027"]


@pytest.mark.django_db
def test_if_empty_loads_an_empty_database_and_skips_otherwise():
    run_load_demo("--if-empty")
    assert Programme.objects.exists()

    Membership.objects.all().delete()
    Programme.objects.exclude(cci=PN_INCLUSIONE).delete()
    Representative.objects.all().delete()
    before = table_counts()
    output = run_load_demo("--if-empty")
    assert "not loaded" in output
    assert table_counts() == before


@pytest.mark.django_db
def test_output_reports_counts_runtime_and_hints():
    output = run_load_demo()
    assert "created" in output and "updated" in output
    assert "Demo data loaded in" in output
    assert "illustrative" in output
    assert "createsuperuser" in output


@pytest.mark.django_db
def test_a_bad_data_file_saves_nothing(monkeypatch):
    bad = partnerships.MembershipRow(
        PN_INCLUSIONE, "no_such_org", False, False, date(2022, 7, 1), "DEMO-2022/01", date(2022, 6, 20)
    )
    monkeypatch.setattr(partnerships, "read_memberships", lambda: [bad])
    with pytest.raises(CommandError, match="no_such_org"):
        run_load_demo()
    assert not Programme.objects.exists()
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_demo_priorities_are_labelled_demo_on_the_programme_page(client):
    run_load_demo()
    priorities = Priority.objects.filter(programme__cci=PN_INCLUSIONE)
    assert priorities.exists()
    assert all(p.is_demo for p in priorities)
    html = client.get(f"/it/programmes/{PN_INCLUSIONE}/").content.decode()
    assert "Titoli indicativi caricati con i dati dimostrativi" in html
