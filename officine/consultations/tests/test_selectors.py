"""Public reads of consultations: filters, order, counts, what is published and what is withheld.

Rows are created with the ORM (the contribution and disposition services belong to other areas); the
helpers at the top are shared with ``test_views_public.py``.
"""

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from officine.consultations import selectors, services
from officine.consultations.models import (
    Audience,
    Consultation,
    ConsultationState,
    Contribution,
    ContributionAttachment,
    ContributionState,
    Disposition,
    DispositionOutcome,
    Phase,
    ProcedureKind,
    Question,
)
from officine.consultations.tests import factories
from officine.core.search import build_document
from officine.programmes.models import Programme
from officine.registry.models import Organization

_seq = itertools.count(1)


# --- Shared helpers -----------------------------------------------------------------------------------


def make_org(cpr_category: str = "c", name: str | None = None, **extra) -> Organization:
    n = next(_seq)
    defaults = {
        "name": name or f"Associazione di prova {n:04d}",
        "legal_form": "association" if cpr_category != "a" else "public_body",
        "eccp_subcategory": {"a": "a.i", "b": "b.i", "c": "c.i", "d": "a.ii"}[cpr_category],
        "cpr_category": cpr_category,
        "territorial_level": "national",
    }
    return Organization.objects.create(**{**defaults, **extra})


def make_other_programme() -> Programme:
    return Programme.objects.create(
        cci=f"2021IT16RFPR{next(_seq) % 1000:03d}",
        title_it="PR Altra Regione 2021-2027",
        cycle="2021-2027",
        kind="regional",
        managing_authority=make_org("a"),
    )


def publish_document(actor, programme: Programme, sections: int = 3, title: str = "Bozza del programma"):
    """A document with one published version of ``sections`` sections; returns (document, version)."""
    rows = [{"heading": f"Sezione {i}", "body": f"Testo della sezione {i}."} for i in range(1, sections + 1)]
    document = services.create_document(actor, programme, title_it=title, sections=rows)
    version = document.versions.get(number=1)
    services.publish_version(actor, version)
    return document, version


def new_version(actor, document, change_section: int = 1):
    """Publish version n+1 with the body of section ``change_section`` rewritten."""
    draft = services.start_new_version(actor, document)
    rows = [
        {
            "key": s.key,
            "heading": s.heading,
            "level": s.level,
            "body": s.body + (" Testo aggiunto." if s.order == change_section else ""),
        }
        for s in draft.sections.all()
    ]
    services.replace_draft_sections(actor, draft, rows)
    return services.publish_version(actor, draft, change_note="Accolti i contributi.")


def make_consultation(
    programme: Programme, documents=(), state=ConsultationState.OPEN, **fields
) -> Consultation:
    """Open since five days, for ten more, with a title of its own (lists show several)."""
    today = timezone.localdate()
    defaults = {
        "title_it": f"Consultazione {next(_seq)}",
        "opens_on": today - timedelta(days=5),
        "closes_on": today + timedelta(days=10),
        "state": state,
    }
    return factories.make_consultation(programme, documents, **{**defaults, **fields})


def make_contribution(
    consultation: Consultation,
    version,
    *,
    section=None,
    organization=None,
    body: str = "Proponiamo di rafforzare le misure per l'inclusione.",
    author_name: str = "Maria Bianchi",
    **extra,
) -> Contribution:
    number = (
        Contribution.objects.filter(consultation=consultation)
        .order_by("-number")
        .values_list("number", flat=True)
    ).first() or 0
    return Contribution.objects.create(
        consultation=consultation,
        number=number + 1,
        version=version,
        section=section,
        organization=organization,
        author_name=author_name,
        body=body,
        search_document=build_document(body, extra.get("proposed_wording", ""), author_name),
        **extra,
    )


def dispose(
    contribution: Contribution, outcome: str, reason: str = "Motivazione.", changed=()
) -> Disposition:
    disposition = Disposition.objects.create(contribution=contribution, outcome=outcome, reason=reason)
    disposition.changed_sections.set(changed)
    contribution.current_disposition = disposition
    contribution.save(update_fields=["current_disposition"])
    return disposition


# --- Fixtures -------------------------------------------------------------------------------------------


# staff, programme: ../conftest.py


@pytest.fixture
def document(staff, programme):
    return publish_document(staff, programme)


# --- The list ---------------------------------------------------------------------------------------------


def test_announced_excludes_drafts_and_orders_open_first(programme):
    today = timezone.localdate()
    make_consultation(programme, state=ConsultationState.DRAFT, title_it="Bozza")
    closed_old = make_consultation(
        programme,
        state=ConsultationState.CLOSED,
        opens_on=today - timedelta(days=90),
        closes_on=today - timedelta(days=60),
    )
    closed_recent = make_consultation(
        programme,
        state=ConsultationState.OUTCOME_PUBLISHED,
        opens_on=today - timedelta(days=40),
        closes_on=today - timedelta(days=20),
    )
    upcoming = make_consultation(
        programme,
        state=ConsultationState.SCHEDULED,
        opens_on=today + timedelta(days=3),
        closes_on=today + timedelta(days=30),
    )
    open_late = make_consultation(programme, closes_on=today + timedelta(days=20))
    open_soon = make_consultation(programme, closes_on=today + timedelta(days=2))
    result = list(selectors.announced_consultations())
    assert result == [open_soon, open_late, upcoming, closed_recent, closed_old]


@pytest.mark.parametrize(
    ("state_filter", "expected_state"),
    [
        ("open", ConsultationState.OPEN),
        ("upcoming", ConsultationState.SCHEDULED),
        ("closed", ConsultationState.CLOSED),
        ("outcome_published", ConsultationState.OUTCOME_PUBLISHED),
    ],
)
def test_state_filter(programme, state_filter, expected_state):
    for state in ConsultationState.values:
        make_consultation(programme, state=state)
    result = list(selectors.announced_consultations(state=state_filter))
    assert [c.state for c in result] == [expected_state]


def test_filters_by_programme_phase_topic_audience_kind_and_title(programme):
    other = make_other_programme()
    target = make_consultation(
        other,
        title_it="Valutazione del programma regionale",
        phase=Phase.EVALUATION,
        topics=["indicators", "groups_at_risk"],
        audience=Audience.PUBLIC,
        kind=ProcedureKind.CO_DESIGN,
    )
    make_consultation(programme, topics=["groups_at_risk_extra_not_a_code", "priorities"])
    make_consultation(programme, phase=Phase.EVALUATION, topics=["indicators"])
    assert list(selectors.announced_consultations(programme_id=other.pk)) == [target]
    assert set(selectors.announced_consultations(phase=Phase.EVALUATION)) == {
        target,
        Consultation.objects.get(programme=programme, phase=Phase.EVALUATION),
    }
    assert list(selectors.announced_consultations(topic="groups_at_risk")) == [target]
    assert selectors.announced_consultations(topic="indicators").count() == 2
    assert list(selectors.announced_consultations(audience=Audience.PUBLIC)) == [target]
    assert list(selectors.announced_consultations(kind=ProcedureKind.CO_DESIGN)) == [target]
    assert list(selectors.announced_consultations(query="valutazione")) == [target]


def test_counts_on_list_rows(staff, programme, document):
    doc, version = document
    consultation = make_consultation(programme, documents=[doc])
    make_contribution(consultation, version)
    make_contribution(consultation, version)
    make_contribution(consultation, version, state=ContributionState.WITHDRAWN)
    Question.objects.create(consultation=consultation, asker_name="A", body="?", answered_at=timezone.now())
    Question.objects.create(consultation=consultation, asker_name="B", body="?")
    row = selectors.announced_consultations().get()
    assert (row.contribution_count, row.answered_question_count) == (2, 1)


def test_countdown_in_calendar_days(programme):
    today = date(2025, 4, 14)
    open_one = make_consultation(programme, opens_on=date(2025, 4, 1), closes_on=date(2025, 4, 17))
    upcoming = make_consultation(
        programme, state=ConsultationState.SCHEDULED, opens_on=date(2025, 4, 20), closes_on=date(2025, 5, 30)
    )
    selectors.with_countdown([open_one, upcoming], today=today)
    assert (open_one.days_to_close, open_one.days_to_open) == (3, None)
    assert (upcoming.days_to_close, upcoming.days_to_open) == (None, 6)
    assert [str(label) for label in open_one.topic_labels] == ["Choice of priorities and specific objectives"]


def test_open_and_recent_leaves_out_drafts_and_upcoming_and_stops_at_five(programme):
    today = timezone.localdate()
    make_consultation(programme, state=ConsultationState.DRAFT)
    make_consultation(programme, state=ConsultationState.SCHEDULED, opens_on=today + timedelta(days=2))
    open_one = make_consultation(programme)
    closed = [
        make_consultation(
            programme,
            state=ConsultationState.CLOSED,
            opens_on=today - timedelta(days=60 + i),
            closes_on=today - timedelta(days=30 + i),
        )
        for i in range(6)
    ]
    result = selectors.open_and_recent()
    assert result == [open_one, *closed[:4]]
    assert result[0].days_to_close == 10


def test_programme_consultations_are_that_programmes_announced_ones(staff, programme, document):
    doc, version = document
    mine = make_consultation(programme, documents=[doc])
    make_contribution(mine, version)
    make_consultation(programme, state=ConsultationState.DRAFT)
    make_consultation(make_other_programme())
    result = selectors.programme_consultations(programme)
    assert result == [mine]
    assert result[0].contribution_count == 1


# --- One consultation -----------------------------------------------------------------------------------


def test_overview_counts_per_section_and_whole_document(staff, programme, document):
    doc, version = document
    consultation = make_consultation(programme, documents=[doc])
    first, second, _third = version.sections.order_by("order")
    make_contribution(consultation, version, section=first)
    make_contribution(consultation, version, section=first, objects_to_publication=True)
    make_contribution(consultation, version, section=second)
    make_contribution(consultation, version, section=second, state=ContributionState.WITHDRAWN)
    make_contribution(consultation, version)
    overview = selectors.consultation_overview(consultation)
    (block,) = overview.documents
    assert block.consulted == version and block.latest == version and block.previous is None
    assert [(row.section.number, row.contribution_count) for row in block.sections] == [
        (1, 2),
        (2, 1),
        (3, 0),
    ]
    assert block.whole_document_count == 1
    assert overview.contribution_count == 4
    assert overview.figures is None


def test_closed_consultation_shows_the_consulted_version_and_counts_by_section_identity(
    staff, programme, document
):
    doc, v1 = document
    consultation = make_consultation(
        programme,
        documents=[doc],
        state=ConsultationState.CLOSED,
        opens_on=timezone.localdate() - timedelta(days=30),
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    section_v1 = v1.sections.get(order=2)
    make_contribution(consultation, v1, section=section_v1)
    v2 = new_version(staff, doc, change_section=2)  # published today, after closing
    overview = selectors.consultation_overview(consultation)
    (block,) = overview.documents
    assert block.consulted == v1 and block.latest == v2 and block.previous == v1
    assert block.has_later_version
    assert [row.contribution_count for row in block.sections] == [0, 1, 0]


def test_open_consultation_counts_contributions_made_on_an_earlier_version(staff, programme, document):
    doc, v1 = document
    consultation = make_consultation(programme, documents=[doc])
    make_contribution(consultation, v1, section=v1.sections.get(order=3))
    new_version(staff, doc, change_section=1)
    (block,) = selectors.consultation_overview(consultation).documents
    assert block.consulted.number == 2
    assert [row.contribution_count for row in block.sections] == [0, 0, 1]


def test_overview_query_count_does_not_grow(staff, programme):
    def build(sections: int, contributions: int) -> Consultation:
        doc, version = publish_document(staff, programme, sections=sections, title=f"Documento {sections}")
        consultation = make_consultation(
            programme, documents=[doc], state=ConsultationState.OUTCOME_PUBLISHED
        )
        all_sections = list(version.sections.all())
        for i in range(contributions):
            contribution = make_contribution(
                consultation, version, section=all_sections[i % sections], organization=make_org()
            )
            dispose(contribution, DispositionOutcome.NOT_ACCEPTED)
        return Consultation.objects.select_related("programme").get(pk=consultation.pk)

    small, large = build(3, 5), build(30, 50)
    with CaptureQueriesContext(connection) as few:
        selectors.consultation_overview(small)
    with CaptureQueriesContext(connection) as many:
        overview = selectors.consultation_overview(large)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert overview.figures.contributions == 50 and overview.figures.organisations == 50


def test_outcome_figures(staff, programme, document):
    doc, v1 = document
    consultation = make_consultation(programme, documents=[doc], state=ConsultationState.OUTCOME_PUBLISHED)
    org = make_org("b")
    accepted = make_contribution(consultation, v1, section=v1.sections.get(order=1), organization=org)
    partly = make_contribution(consultation, v1, organization=org)
    citizen = make_contribution(consultation, v1)
    make_contribution(consultation, v1, organization=make_org(), state=ContributionState.WITHDRAWN)
    v2 = new_version(staff, doc, change_section=1)
    changed = v2.sections.get(order=1)
    dispose(accepted, DispositionOutcome.NOT_ACCEPTED)
    dispose(accepted, DispositionOutcome.ACCEPTED, changed=[changed])  # the latest disposition counts
    dispose(partly, DispositionOutcome.PARTLY_ACCEPTED, changed=[changed])
    dispose(citizen, DispositionOutcome.OUT_OF_SCOPE)
    figures = selectors.outcome_figures(consultation)
    by_outcome = {code: n for code, _label, n in figures.by_outcome}
    assert (figures.contributions, figures.organisations, figures.citizens, figures.undecided) == (3, 1, 1, 0)
    assert by_outcome == {
        "accepted": 1,
        "partly_accepted": 1,
        "not_accepted": 0,
        "out_of_scope": 1,
        "already_covered": 0,
    }
    assert figures.sections_changed == 1


# --- Published contributions -----------------------------------------------------------------------------


@pytest.fixture
def closed_with_contributions(staff, programme, document):
    """A closed consultation with contributions of every kind, keyed by a short name."""
    doc, version = document
    consultation = make_consultation(
        programme,
        documents=[doc],
        state=ConsultationState.CLOSED,
        opens_on=timezone.localdate() - timedelta(days=30),
        closes_on=timezone.localdate() - timedelta(days=2),
    )
    s1, s2, _s3 = version.sections.order_by("order")
    union = make_org("b", name="Sindacato Regionale dei Lavoratori", acronym="SRL")
    ngo = make_org("c", name="Legambiente Volontariato")
    rows = {
        "union_s1": make_contribution(
            consultation, version, section=s1, organization=union, body="Servono più asili nido nei comuni."
        ),
        "ngo_s2": make_contribution(
            consultation, version, section=s2, organization=ngo, body="Tutela delle aree umide costiere."
        ),
        "citizen_whole": make_contribution(
            consultation, version, body="Semplificare i bandi per le famiglie."
        ),
        "objected": make_contribution(
            consultation,
            version,
            section=s1,
            organization=ngo,
            objects_to_publication=True,
            body="Riservato.",
        ),
        "withdrawn": make_contribution(
            consultation,
            version,
            section=s2,
            organization=union,
            state=ContributionState.WITHDRAWN,
            body="Ritirato.",
        ),
    }
    dispose(rows["union_s1"], DispositionOutcome.NOT_ACCEPTED)
    dispose(rows["ngo_s2"], DispositionOutcome.ALREADY_COVERED)
    return consultation, version, rows


def test_published_contributions_hide_objected_and_withdrawn(closed_with_contributions):
    consultation, _version, rows = closed_with_contributions
    published = list(selectors.published_contributions(consultation))
    assert published == [rows["union_s1"], rows["ngo_s2"], rows["citizen_whole"]]
    assert selectors.withheld_contribution_count(consultation) == 1


def test_published_contribution_filters(closed_with_contributions):
    consultation, version, rows = closed_with_contributions
    s1 = version.sections.get(order=1)

    def numbers(**filters) -> list[int]:
        return [c.number for c in selectors.published_contributions(consultation, **filters)]

    assert numbers(section_key=s1.key) == [rows["union_s1"].number]
    assert numbers(whole_document=True) == [rows["citizen_whole"].number]
    assert numbers(organization="legambiente") == [rows["ngo_s2"].number]
    assert numbers(organization="SRL") == [rows["union_s1"].number]
    assert numbers(cpr_category="b") == [rows["union_s1"].number]
    assert numbers(cpr_category=selectors.CITIZENS) == [rows["citizen_whole"].number]
    assert numbers(disposition=DispositionOutcome.ALREADY_COVERED) == [rows["ngo_s2"].number]
    assert numbers(disposition=selectors.UNDECIDED) == [rows["citizen_whole"].number]
    assert numbers(query="asili") == [rows["union_s1"].number]
    assert numbers(cpr_category="c", disposition=DispositionOutcome.NOT_ACCEPTED) == []


def test_published_contribution_rows_carry_attachment_counts(closed_with_contributions):
    consultation, _version, rows = closed_with_contributions
    for name in ("a.pdf", "b.pdf"):
        ContributionAttachment.objects.create(
            contribution=rows["ngo_s2"],
            file=f"contributions/{name}",
            original_name=name,
            content_type="x",
            size=1,
        )
    counts = {c.number: c.attachment_count for c in selectors.published_contributions(consultation)}
    assert counts == {rows["union_s1"].number: 0, rows["ngo_s2"].number: 2, rows["citizen_whole"].number: 0}


def test_consulted_sections_for_the_filter(closed_with_contributions):
    consultation, version, _rows = closed_with_contributions
    ((document, sections),) = selectors.consulted_sections(consultation)
    assert document.pk == version.document_id
    assert [s.number for s in sections] == [1, 2, 3]


def test_withheld_count_is_cached_once_closed_and_per_state(closed_with_contributions):
    consultation, version, _rows = closed_with_contributions
    assert selectors.withheld_contribution_count(consultation) == 1
    make_contribution(consultation, version, objects_to_publication=True)  # outside the services
    with CaptureQueriesContext(connection) as queries:
        assert selectors.withheld_contribution_count(consultation) == 1
    assert len(queries.captured_queries) == 0
    consultation.state = ConsultationState.OUTCOME_PUBLISHED  # a new state is counted afresh
    assert selectors.withheld_contribution_count(consultation) == 2


def test_withheld_count_is_not_cached_while_open(staff, programme, document):
    doc, version = document
    consultation = make_consultation(programme, documents=[doc])
    make_contribution(consultation, version, objects_to_publication=True)
    assert selectors.withheld_contribution_count(consultation) == 1
    make_contribution(consultation, version, objects_to_publication=True)
    assert selectors.withheld_contribution_count(consultation) == 2
