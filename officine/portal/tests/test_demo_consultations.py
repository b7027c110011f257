"""Demo consultations loaded by ``load_demo``: one with its outcome published, one open, one co-design."""

import dataclasses
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from officine.consultations.lifecycle import timetable, validate_consultation
from officine.consultations.models import (
    Consultation,
    ConsultationState,
    Contribution,
    Disposition,
    DispositionOutcome,
    DispositionTemplate,
    DocumentVersion,
    ProcedureKind,
    Question,
    Section,
    SectionChange,
    VersionStatus,
)
from officine.core.models import AuditEvent
from officine.core.search import build_document
from officine.portal.demo import consultations as demo
from officine.portal.demo.partnerships import (
    NATIONAL_DEMO_CCI,
    REGIONAL_DEMO_CCI,
    load_partnerships,
    read_organizations,
)
from officine.portal.demo.programmes import load_programmes
from officine.portal.demo.upsert import LoadStats
from officine.programmes.models import Membership
from officine.registry.models import Organization, Representative

PUBLISHED_TITLE = "Consultazione sui criteri di selezione delle operazioni della Priorità 1"
OPEN_TITLE = "Consultazione sull'aggiornamento del Piano di valutazione"
CO_DESIGN_TITLE = (
    "Co-progettazione dei servizi di accompagnamento al lavoro per persone in condizione di fragilità"
)


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def spec_titled(title: str) -> demo.ConsultationSpec:
    return next(
        spec
        for spec in (demo.read_spec(demo.CONSULTATIONS_DIR / n) for n in demo.SPEC_FILES)
        if spec.title_it == title
    )


def snapshot_of_demo() -> dict[str, list]:
    """Primary keys and the fields that would move if a second run touched anything."""
    return {
        "consultations": list(
            Consultation.objects.order_by("pk").values_list(
                "pk", "state", "opens_on", "closes_on", "updated_at"
            )
        ),
        "versions": list(DocumentVersion.objects.order_by("pk").values_list("pk", "number", "published_at")),
        "sections": list(Section.objects.order_by("pk").values_list("pk", "key", "change")),
        "contributions": list(
            Contribution.objects.order_by("pk").values_list(
                "pk", "number", "current_disposition_id", "updated_at"
            )
        ),
        "dispositions": list(Disposition.objects.order_by("pk").values_list("pk", "outcome", "decided_at")),
        "questions": list(Question.objects.order_by("pk").values_list("pk", "answered_at")),
        "templates": list(DispositionTemplate.objects.order_by("pk").values_list("pk", "reason")),
        "runts": list(
            Organization.objects.exclude(runts_number="").order_by("pk").values_list("pk", "runts_number")
        ),
        "audit": [AuditEvent.objects.count()],
    }


# --- Data files (no database) ------------------------------------------------------------------------


def test_data_files_reference_known_organisations_and_sections():
    categories = {row.key: row.cpr_category for row in read_organizations()}
    for name in demo.SPEC_FILES:
        spec = demo.read_spec(demo.CONSULTATIONS_DIR / name)
        headings = {row["heading"] for row in demo.read_sections(spec.versions[0].file)}
        for row in spec.contributions:
            assert row.organization in categories, (name, row.organization)
            assert row.section is None or row.section in headings, (name, row.section)
            assert row.body.count(". ") >= 1 and len(row.body) > 120, (name, row.body[:40])
        for row in spec.questions:
            assert row.organization in categories


def test_the_published_document_has_8_to_12_sections_in_each_version():
    spec = spec_titled(PUBLISHED_TITLE)
    assert len(spec.versions) == 2
    for version in spec.versions:
        assert 8 <= len(demo.read_sections(version.file)) <= 12
    assert spec.versions[1].change_note


def test_a_spec_with_unknown_keys_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"programme": "x", "titel_it": "typo", "document": {"versions": [{"file": "a.md"}]}}')
    with pytest.raises(CommandError, match="bad.json"):
        demo.read_spec(path)


def test_moments_are_office_hours_and_increase_within_a_day():
    clock = demo._Clock()
    day = date(2026, 3, 16)
    times = [clock.at(day, seed) for seed in (5, 0, 3, 1)]
    assert times == sorted(times)
    assert all(9 <= timezone.localtime(t).hour < 20 for t in times)


# --- The consultation with its outcome published ------------------------------------------------------


@pytest.mark.django_db
def test_published_consultation_has_two_versions_and_disposed_contributions_from_every_category():
    run_load_demo()
    consultation = Consultation.objects.get(title_it=PUBLISHED_TITLE)
    assert consultation.programme.cci == NATIONAL_DEMO_CCI
    assert consultation.is_demo and consultation.kind == ProcedureKind.CONSULTATION
    assert consultation.state == ConsultationState.OUTCOME_PUBLISHED
    assert consultation.audience == "partners"
    assert consultation.outcome_summary_it and consultation.outcome_summary_en
    assert consultation.closes_on < timezone.localdate()
    assert date(2026, 3, 1) <= consultation.opens_on and consultation.closes_on <= date(2026, 6, 30)
    assert timetable(consultation).working_days >= 20
    validate_consultation(consultation)
    assert consultation.closes_on < timezone.localdate(consultation.outcome_published_at)

    document = consultation.documents.get()
    consulted, revised = document.versions.order_by("number")
    assert [consulted.status, revised.status] == [VersionStatus.PUBLISHED, VersionStatus.PUBLISHED]
    assert consulted.published_at.date() < consultation.opens_on
    assert revised.published_at.date() > consultation.closes_on
    assert revised.previous_id == consulted.pk and revised.change_note
    changes = Counter(revised.sections.values_list("change", flat=True))
    assert changes[SectionChange.MODIFIED] >= 5 and changes[SectionChange.ADDED] == 1
    assert changes[SectionChange.UNCHANGED] >= 1

    contributions = list(
        consultation.contributions.select_related("organization", "section", "current_disposition")
    )
    assert len(contributions) >= 40
    assert [c.number for c in contributions] == list(range(1, len(contributions) + 1))
    assert {c.organization.cpr_category for c in contributions} == {"a", "b", "c", "d"}
    assert len({c.organization_id for c in contributions}) >= 30
    assert sum(c.section_id is None for c in contributions) >= 5, "some are on the document as a whole"
    assert len({c.section_id for c in contributions if c.section_id}) >= 8
    assert sum(c.objects_to_publication for c in contributions) >= 2
    assert sum(bool(c.proposed_wording) for c in contributions) >= 5
    assert all(c.current_disposition is not None for c in contributions)
    outcomes = Counter(c.current_disposition.outcome for c in contributions)
    assert set(outcomes) == set(DispositionOutcome.values)
    assert outcomes[DispositionOutcome.ACCEPTED] >= 10

    members = set(
        Membership.objects.filter(programme=consultation.programme).values_list("organization_id", flat=True)
    )
    for c in contributions:
        assert c.author_id is None and c.organization_id in members
        assert Representative.objects.filter(
            organization=c.organization, role="delegate"
        ).get().full_name == (c.author_name)
        assert c.version_id == consulted.pk
        assert c.section is None or c.section.version_id == consulted.pk
        assert c.state == "submitted"
        assert c.search_document == build_document(
            c.body, c.proposed_wording, c.author_name, c.organization.name
        )
        assert consultation.opens_on <= timezone.localdate(c.created_at) <= consultation.closes_on
        decided = c.current_disposition.decided_at
        assert revised.published_at < decided < consultation.outcome_published_at
        assert c.current_disposition.reason.strip()


@pytest.mark.django_db
def test_accepted_contributions_link_to_sections_whose_text_really_changed():
    run_load_demo()
    consultation = Consultation.objects.get(title_it=PUBLISHED_TITLE)
    consulted, revised = consultation.documents.get().versions.order_by("number")
    old_bodies = {s.key: s.body for s in consulted.sections.all()}
    dispositions = Disposition.objects.filter(contribution__consultation=consultation).prefetch_related(
        "changed_sections"
    )
    linked = 0
    for disposition in dispositions:
        sections = list(disposition.changed_sections.all())
        if disposition.outcome in DispositionOutcome.needing_changes():
            assert sections, disposition
            for section in sections:
                assert section.version_id == revised.pk
                assert section.change in (SectionChange.ADDED, SectionChange.MODIFIED)
                assert section.body != old_bodies.get(section.key)
            linked += 1
        else:
            assert sections == [], disposition
    assert linked >= 15
    added = revised.sections.get(change=SectionChange.ADDED)
    assert added.dispositions.exists(), "the added section comes from an accepted contribution"


@pytest.mark.django_db
def test_published_consultation_has_answered_questions_and_answer_templates():
    run_load_demo()
    consultation = Consultation.objects.get(title_it=PUBLISHED_TITLE)
    questions = list(consultation.questions.all())
    assert len(questions) >= 3
    for question in questions:
        assert question.is_answered and question.answer
        assert question.created_at < question.answered_at
        assert timezone.localdate(question.answered_at) <= consultation.closes_on
    templates = DispositionTemplate.objects.filter(programme=consultation.programme)
    assert templates.count() == 3
    used = Disposition.objects.filter(contribution__consultation=consultation, template__isnull=False)
    assert used.count() >= 3
    for disposition in used.select_related("template"):
        assert disposition.outcome == disposition.template.outcome
        assert disposition.reason.startswith(disposition.template.reason)


@pytest.mark.django_db
def test_outcome_summary_figures_match_the_data():
    run_load_demo()
    consultation = Consultation.objects.get(title_it=PUBLISHED_TITLE)
    contributions = consultation.contributions.select_related("current_disposition")
    count = Counter(c.current_disposition.outcome for c in contributions)
    organisations = len({c.organization_id for c in contributions})
    assert (
        f"{len(contributions)} contributi da {organisations} organizzazioni"
        in consultation.outcome_summary_it
    )
    assert (
        f"{count['accepted']} sono stati accolti, {count['partly_accepted']} accolti in parte, "
        f"{count['not_accepted']} non accolti; {count['out_of_scope']} riguardavano temi fuori dall'ambito "
        f"del documento e {count['already_covered']} aspetti già previsti"
    ) in consultation.outcome_summary_it
    assert f"{len(contributions)} contributions from {organisations} organisations" in (
        consultation.outcome_summary_en
    )
    assert (
        f"{count['accepted']} were accepted, {count['partly_accepted']} partly accepted and "
        f"{count['not_accepted']} not accepted; {count['out_of_scope']} concerned matters outside the scope "
        f"of the document and {count['already_covered']} aspects it already covered"
    ) in consultation.outcome_summary_en
    revised = consultation.documents.get().versions.get(number=2)
    changed = revised.sections.exclude(change=SectionChange.UNCHANGED).count()
    linked = revised.sections.filter(dispositions__isnull=False).distinct().count()
    assert (changed, linked, revised.sections.count()) == (10, 9, 12), "as the summary says"
    assert timezone.localtime(revised.published_at).date() == date(2026, 4, 29)


# --- The open consultation -------------------------------------------------------------------------


@pytest.mark.django_db
def test_open_consultation_is_open_with_contributions_and_respects_the_minimum():
    run_load_demo()
    today = timezone.localdate()
    consultation = Consultation.objects.get(title_it=OPEN_TITLE)
    assert consultation.is_demo and consultation.state == ConsultationState.OPEN
    assert consultation.opens_on < today < consultation.closes_on
    validate_consultation(consultation)
    plan = timetable(consultation)
    assert not plan.is_short and plan.working_days >= plan.minimum
    version = consultation.documents.get().versions.get()
    assert version.is_published and version.published_at.date() < consultation.opens_on
    assert 5 <= version.sections.count() <= 8

    contributions = list(consultation.contributions.all())
    assert 6 <= len(contributions) <= 10
    assert all(c.current_disposition_id is None for c in contributions)
    assert not Disposition.objects.filter(contribution__consultation=consultation).exists()
    assert all(c.created_at < timezone.now() for c in contributions)
    assert len({c.organization_id for c in contributions}) == len(contributions)
    questions = list(consultation.questions.all())
    assert len(questions) == 2
    assert sorted(q.is_answered for q in questions) == [False, True]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today",
    [
        date(2026, 12, 24),  # Christmas Eve: Christmas and Santo Stefano fall in the period
        date(2027, 3, 27),  # a Saturday before Easter Monday 2027
        date(2027, 8, 14),  # the day before Ferragosto, a Saturday
        date(2027, 10, 5),  # the day after San Francesco, a national holiday again from 2026
    ],
)
def test_open_consultation_is_open_whatever_day_the_demo_is_loaded(today):
    stats = LoadStats()
    programmes = load_programmes(stats)
    load_partnerships(stats, programmes)
    demo.load_consultations(stats, programmes, today=today)

    consultation = Consultation.objects.get(title_it=OPEN_TITLE)
    assert consultation.state == ConsultationState.OPEN
    assert consultation.opens_on < today < consultation.closes_on
    validate_consultation(consultation)
    assert timetable(consultation).working_days == 25
    assert all(timezone.localdate(c.created_at) < today for c in consultation.contributions.all())
    co_design = Consultation.objects.get(title_it=CO_DESIGN_TITLE)
    assert co_design.opens_on > today and co_design.state == ConsultationState.SCHEDULED


# --- The co-design procedure -----------------------------------------------------------------------


@pytest.mark.django_db
def test_co_design_procedure_is_scheduled_for_registered_third_sector_members():
    run_load_demo()
    consultation = Consultation.objects.get(title_it=CO_DESIGN_TITLE)
    assert consultation.programme.cci == REGIONAL_DEMO_CCI
    assert consultation.kind == ProcedureKind.CO_DESIGN and consultation.is_third_sector_procedure
    assert consultation.state == ConsultationState.SCHEDULED
    assert consultation.opens_on > timezone.localdate()
    validate_consultation(consultation)
    assert consultation.documents.get().versions.get().is_published
    assert not consultation.contributions.exists()

    registered = Organization.objects.exclude(runts_number="")
    assert registered.count() == 5
    for organization in registered:
        assert organization.cpr_category == "c" and organization.runts_number.startswith("DEMO-")
        assert Membership.objects.filter(programme=consultation.programme, organization=organization).exists()


@pytest.mark.django_db
def test_a_recorded_runts_number_is_never_overwritten():
    stats = LoadStats()
    programmes = load_programmes(stats)
    load_partnerships(stats, programmes)
    Organization.objects.filter(name="ACLI Emilia-Romagna").update(runts_number="12345")
    demo.load_consultations(stats, programmes)
    assert Organization.objects.get(name="ACLI Emilia-Romagna").runts_number == "12345"
    assert stats.tally("RUNTS numbers").unchanged == 1 and stats.tally("RUNTS numbers").created == 4


# --- Idempotence and bad data ------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_load_changes_nothing():
    run_load_demo()
    before = snapshot_of_demo()
    assert len(before["consultations"]) == 3
    output = run_load_demo()
    assert snapshot_of_demo() == before
    for table in demo.TABLES:
        line = next(line for line in output.splitlines() if line.startswith(table + " "))
        assert line.split()[-3:-1] == ["0", "0"], line


@pytest.mark.django_db
def test_an_existing_consultation_is_left_as_it_is():
    run_load_demo()
    Consultation.objects.filter(title_it=OPEN_TITLE).update(summary_it="Modificato dallo staff")
    run_load_demo()
    assert Consultation.objects.get(title_it=OPEN_TITLE).summary_it == "Modificato dallo staff"
    assert Consultation.objects.filter(title_it=OPEN_TITLE).count() == 1


def _patched(monkeypatch, title: str, change) -> None:
    """Make ``read_spec`` return the consultation titled ``title`` altered by ``change``."""
    original = demo.read_spec

    def read(path):
        spec = original(path)
        return change(spec) if spec.title_it == title else spec

    monkeypatch.setattr(demo, "read_spec", read)


def _with_contribution(spec: demo.ConsultationSpec, number: int, **changes) -> demo.ConsultationSpec:
    rows = list(spec.contributions)
    rows[number - 1] = dataclasses.replace(rows[number - 1], **changes)
    return dataclasses.replace(spec, contributions=tuple(rows))


def _accepted_number(spec: demo.ConsultationSpec) -> int:
    return next(
        n for n, row in enumerate(spec.contributions, start=1) if row.disposition.outcome == "accepted"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: dataclasses.replace(d, evidence=("una frase che non esiste",)),
            "not in the changed sections",
        ),
        (
            lambda d: dataclasses.replace(d, evidence=("avvisi pubblici competitivi",)),
            "already in the consulted text",
        ),
        (lambda d: dataclasses.replace(d, changed_sections=("Ambito di applicazione",)), "did not change"),
        (lambda d: dataclasses.replace(d, changed_sections=()), "names its changed sections"),
        (lambda d: dataclasses.replace(d, outcome="not_accepted"), "only accepted contributions link"),
        (lambda d: dataclasses.replace(d, outcome="maybe"), "unknown outcome"),
    ],
)
def test_a_disposition_that_does_not_match_the_new_text_stops_the_whole_load(monkeypatch, change, message):
    spec = spec_titled(PUBLISHED_TITLE)
    number = _accepted_number(spec)
    row = spec.contributions[number - 1]
    _patched(
        monkeypatch,
        PUBLISHED_TITLE,
        lambda s: _with_contribution(s, number, disposition=change(row.disposition)),
    )
    with pytest.raises(CommandError, match=message):
        run_load_demo()
    assert not Consultation.objects.exists()
    assert not Organization.objects.exists(), "all or nothing"


@pytest.mark.django_db
def test_a_contribution_from_a_non_member_stops_the_load(monkeypatch):
    # The regional partnership's CGIL is not a member of the national programme.
    _patched(monkeypatch, OPEN_TITLE, lambda s: _with_contribution(s, 1, organization="cgil_er"))
    with pytest.raises(CommandError, match="cgil_er is not a consulted member"):
        run_load_demo()
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_an_open_consultation_cannot_carry_dispositions(monkeypatch):
    disposition = demo.DispositionSpec(outcome="not_accepted", reason="No.")
    _patched(monkeypatch, OPEN_TITLE, lambda s: _with_contribution(s, 1, disposition=disposition))
    with pytest.raises(CommandError, match="only after the consultation closes"):
        run_load_demo()


@pytest.mark.django_db
def test_a_past_consultation_must_be_over_on_the_day_it_is_loaded():
    stats = LoadStats()
    programmes = load_programmes(stats)
    load_partnerships(stats, programmes)
    with pytest.raises(CommandError, match="cannot be 'outcome_published'"):
        demo.load_consultations(stats, programmes, today=date(2026, 4, 1))


@pytest.mark.django_db
def test_contributions_are_sent_in_order_within_the_open_period(monkeypatch):
    spec = spec_titled(PUBLISHED_TITLE)
    last = len(spec.contributions)
    _patched(monkeypatch, PUBLISHED_TITLE, lambda s: _with_contribution(s, last, day=40))
    with pytest.raises(CommandError, match="outside the open period"):
        run_load_demo()
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_a_timetable_the_lifecycle_refuses_stops_the_load_naming_the_file(monkeypatch):
    short = {"opened_working_days_ago": 2, "open_working_days": 5}  # the programme's minimum is 10
    _patched(monkeypatch, OPEN_TITLE, lambda s: dataclasses.replace(s, timetable=short))
    with pytest.raises(CommandError, match=r"piano-valutazione\.json: .*minimum is 10"):
        run_load_demo()
    assert not Consultation.objects.exists()
