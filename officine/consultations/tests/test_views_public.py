"""Public consultation pages, and the consultation blocks of the home and programme pages.

Links to pages of other areas (contribute, Q&A, outcome, documents, staff pages) are compared with the URL
``optional_url`` reverses here.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.consultations.models import (
    Audience,
    ConsultationState,
    ContributionState,
    DispositionOutcome,
    Question,
)
from officine.consultations.tests import factories
from officine.consultations.tests.test_selectors import (
    dispose,
    make_consultation,
    make_contribution,
    make_org,
    make_other_programme,
    new_version,
    publish_document,
)

pytestmark = pytest.mark.django_db


def optional_url(name: str, *args, query: str = "") -> str:
    return reverse(name, args=args) + (f"?{query}" if query else "")


# staff, programme: ../conftest.py


@pytest.fixture
def document(staff, programme):
    return publish_document(staff, programme)


def detail_url(consultation, lang: str = "en") -> str:
    return f"/{lang}/consultations/{consultation.pk}/"


def contributions_url(consultation, query: str = "", lang: str = "en") -> str:
    return f"/{lang}/consultations/{consultation.pk}/contributions/" + (f"?{query}" if query else "")


def closed_consultation(programme, documents, **fields):
    today = timezone.localdate()
    return make_consultation(
        programme,
        documents=documents,
        state=fields.pop("state", ConsultationState.CLOSED),
        opens_on=today - timedelta(days=30),
        closes_on=today - timedelta(days=2),
        **fields,
    )


# --- Navigation -------------------------------------------------------------------------------------------


def test_main_navigation_links_to_consultations(client):
    response = client.get("/en/consultations/")
    assert response.status_code == 200
    nav = {key: (label, url) for key, label, url in response.context["main_nav"]}
    assert nav["consultations"] == ("Consultations", "/en/consultations/")
    assert 'href="/en/consultations/" aria-current="page"' in response.content.decode()


# --- The list ---------------------------------------------------------------------------------------------


def test_list_shows_announced_consultations_only(client, programme):
    make_consultation(programme, title_it="Consultazione aperta sul programma")
    make_consultation(programme, state=ConsultationState.DRAFT, title_it="Bozza riservata allo staff")
    response = client.get("/it/consultations/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Consultazione aperta sul programma" in page
    assert "Bozza riservata allo staff" not in page
    assert response.context["result_count"] == 1


def test_list_card_shows_timetable_counts_and_countdown(client, staff, programme, document):
    doc, version = document
    consultation = make_consultation(programme, documents=[doc], title_it="Consultazione con contributi")
    make_contribution(consultation, version)
    make_contribution(consultation, version)
    Question.objects.create(consultation=consultation, asker_name="A", body="?", answered_at=timezone.now())
    page = client.get("/en/consultations/").content.decode()
    assert "Closes in 10 days" in page
    assert "1 question answered" in page
    assert programme.title_it in page
    (row,) = client.get("/en/consultations/").context["consultations"]
    assert row.contribution_count == 2


def test_list_filters_and_reports_a_bad_value(client, programme):
    make_consultation(programme, title_it="Aperta", audience=Audience.PUBLIC)
    make_consultation(programme, title_it="Chiusa", state=ConsultationState.CLOSED)
    response = client.get("/en/consultations/?state=closed")
    assert [c.title_it for c in response.context["consultations"]] == ["Chiusa"]
    response = client.get("/en/consultations/?audience=public&state=nonsense")
    assert [c.title_it for c in response.context["consultations"]] == ["Aperta"]
    assert response.context["form"].errors["state"]
    response = client.get(f"/en/consultations/?programme={programme.pk}&topic=priorities&phase=preparation")
    assert response.context["result_count"] == 2


def test_list_is_paginated_by_twenty(client, programme):
    for _ in range(21):
        make_consultation(programme)
    first = client.get("/en/consultations/")
    assert len(first.context["consultations"]) == 20
    assert "?page=2" in first.content.decode()
    assert len(client.get("/en/consultations/?page=2").context["consultations"]) == 1


# --- The consultation page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("visitor", 404), ("plain", 404), ("staff", 200), ("other_staff", 404), ("admin", 200)],
)
def test_draft_is_visible_only_to_staff_of_the_programme(client, programme, staff, who, expected):
    draft = make_consultation(programme, state=ConsultationState.DRAFT)
    if who == "staff":
        client.force_login(staff)
    elif who == "plain":
        client.force_login(make_user("utente@example.org"))
    elif who == "admin":
        client.force_login(factories.make_admin())
    elif who == "other_staff":
        client.force_login(factories.add_staff(make_other_programme(), "altro@example.org"))
    assert client.get(detail_url(draft)).status_code == expected
    assert client.get(contributions_url(draft)).status_code == expected


def test_unknown_consultation_is_404(client):
    assert client.get("/en/consultations/999999/").status_code == 404


def test_staff_get_the_manage_link_and_visitors_do_not(client, staff, programme, document):
    consultation = make_consultation(programme, documents=[document[0]])
    assert client.get(detail_url(consultation)).context["links"]["manage"] == ""
    client.force_login(staff)
    response = client.get(detail_url(consultation))
    assert response.context["links"]["manage"] == optional_url("manage_consultations:detail", consultation.pk)


def test_open_page_shows_timetable_sections_counts_and_contribute(client, staff, programme, document):
    doc, version = document
    consultation = make_consultation(
        programme,
        documents=[doc],
        summary_it="Sintesi della consultazione.",
        summary_en="What this consultation is about.",
        topics=["priorities", "indicators"],
    )
    s1, s2, _s3 = version.sections.order_by("order")
    make_contribution(consultation, version, section=s2)
    make_contribution(consultation, version, section=s2)
    make_contribution(consultation, version, section=s1, state=ContributionState.WITHDRAWN)
    Question.objects.create(consultation=consultation, asker_name="A", body="?", answered_at=timezone.now())
    response = client.get(detail_url(consultation))
    page = response.content.decode()
    assert response.status_code == 200
    (block,) = response.context["overview"].documents
    assert [row.contribution_count for row in block.sections] == [0, 2, 0]
    assert "What this consultation is about." in page
    assert "Programme-specific indicators" in page
    assert "Closes in 10 days" in page
    assert "Take part" in page
    assert "working days" in page and "the programme's minimum is 10 working days" in page
    assert 'aria-current="step"' in page
    links = response.context["links"]
    assert links["contribute"] == optional_url("contributions:contribute", consultation.pk)
    assert links["questions"] == optional_url("contributions:questions", consultation.pk)
    assert links["contributions"] == "" and links["outcome"] == ""
    expected_section_link = optional_url(
        "contributions:contribute", consultation.pk, query=f"section={s2.pk}"
    )
    assert block.sections[1].contribute_url == expected_section_link
    if expected_section_link:
        assert expected_section_link.replace("&", "&amp;") in page


def test_urgency_reason_is_shown_publicly(client, programme):
    today = timezone.localdate()
    consultation = make_consultation(
        programme,
        opens_on=today,
        closes_on=today + timedelta(days=3),
        urgency_reason="Scadenza imposta dalla Commissione per la riprogrammazione.",
    )
    page = client.get(detail_url(consultation)).content.decode()
    assert "Reason for a shorter period" in page
    assert "Scadenza imposta dalla Commissione per la riprogrammazione." in page
    assert "shorter than the programme's minimum" in page


def test_scheduled_page_has_no_contribute_button(client, programme, document):
    today = timezone.localdate()
    consultation = make_consultation(
        programme,
        documents=[document[0]],
        state=ConsultationState.SCHEDULED,
        opens_on=today + timedelta(days=4),
        closes_on=today + timedelta(days=30),
    )
    response = client.get(detail_url(consultation))
    assert response.context["links"]["contribute"] == ""
    assert all(row.contribute_url == "" for row in response.context["overview"].documents[0].sections)
    page = response.content.decode()
    assert "Take part" not in page and "Opens in 4 days" in page


def test_closed_page_links_to_contributions_not_to_contribute(client, programme, document):
    doc, version = document
    consultation = closed_consultation(programme, [doc])
    make_contribution(consultation, version)
    response = client.get(detail_url(consultation))
    page = response.content.decode()
    links = response.context["links"]
    assert links["contribute"] == "" and links["outcome"] == ""
    assert links["contributions"] == f"/en/consultations/{consultation.pk}/contributions/"
    assert "Take part" not in page
    assert "1 contribution was received" in page


def test_outcome_page_shows_headline_figures_and_outcome_link(client, staff, programme, document):
    doc, version = document
    consultation = closed_consultation(
        programme,
        [doc],
        state=ConsultationState.OUTCOME_PUBLISHED,
        outcome_summary_en="We rewrote section 1.",
        outcome_published_at=timezone.now(),
    )
    org = make_org("b")
    accepted = make_contribution(
        consultation, version, section=version.sections.get(order=1), organization=org
    )
    rejected = make_contribution(consultation, version, organization=make_org("c"))
    v2 = new_version(staff, doc, change_section=1)
    dispose(accepted, DispositionOutcome.ACCEPTED, changed=[v2.sections.get(order=1)])
    dispose(rejected, DispositionOutcome.NOT_ACCEPTED)
    response = client.get(detail_url(consultation))
    page = response.content.decode()
    figures = response.context["overview"].figures
    assert (figures.contributions, figures.organisations, figures.sections_changed) == (2, 2, 1)
    assert "Outcome in figures" in page and "We rewrote section 1." in page
    assert response.context["links"]["outcome"] == optional_url("outcomes:report", consultation.pk)
    assert "Version 2 was published after the consultation." in page
    assert response.context["overview"].documents[0].compare_url == optional_url(
        "documents:compare", doc.pk, 1, 2
    )


def test_detail_query_count_does_not_grow(client, staff, programme):
    def build(sections: int, contributions: int):
        doc, version = publish_document(staff, programme, sections=sections, title=f"Documento {sections}")
        consultation = closed_consultation(programme, [doc], state=ConsultationState.OUTCOME_PUBLISHED)
        all_sections = list(version.sections.all())
        for i in range(contributions):
            c = make_contribution(
                consultation, version, section=all_sections[i % sections], organization=make_org()
            )
            dispose(c, DispositionOutcome.ALREADY_COVERED)
        return consultation

    small, large = build(3, 5), build(30, 50)
    client.get(detail_url(small))
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(small))
    with CaptureQueriesContext(connection) as many:
        client.get(detail_url(large))
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Published contributions -----------------------------------------------------------------------------


def test_contributions_are_not_shown_before_closing(client, programme, document):
    doc, version = document
    consultation = make_consultation(programme, documents=[doc])
    make_contribution(consultation, version, body="Testo che non deve apparire prima della chiusura.")
    response = client.get(contributions_url(consultation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not published yet" in page
    assert "Testo che non deve apparire" not in page
    assert "contributions" not in response.context


@pytest.fixture
def closed_with_rows(staff, programme, document):
    doc, version = document
    consultation = closed_consultation(programme, [doc])
    s1, s2, _s3 = version.sections.order_by("order")
    union = make_org("b", name="Sindacato dei Lavoratori Edili")
    ngo = make_org("c", name="Rete delle Associazioni Ambientaliste")
    rows = {
        "union": make_contribution(
            consultation,
            version,
            section=s1,
            organization=union,
            body="Chiediamo più formazione per i cantieri.",
            proposed_wording="Sostenere la formazione continua nei cantieri.",
        ),
        "ngo": make_contribution(
            consultation, version, section=s2, organization=ngo, body="Proteggere le zone umide del delta."
        ),
        "citizen": make_contribution(
            consultation, version, body="Rendere i bandi più semplici.", author_name="Giulia Verdi"
        ),
        "objected": make_contribution(
            consultation,
            version,
            organization=ngo,
            objects_to_publication=True,
            body="Testo riservato dall'autore.",
        ),
        "withdrawn": make_contribution(
            consultation,
            version,
            organization=union,
            state=ContributionState.WITHDRAWN,
            body="Testo ritirato.",
        ),
    }
    dispose(
        rows["union"], DispositionOutcome.NOT_ACCEPTED, reason="Già previsto dal piano formativo nazionale."
    )
    return consultation, version, rows


def test_contributions_page_hides_objected_and_withdrawn(client, closed_with_rows):
    consultation, _version, _rows = closed_with_rows
    response = client.get(contributions_url(consultation))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chiediamo più formazione per i cantieri." in page
    assert "Sostenere la formazione continua nei cantieri." in page
    assert "Già previsto dal piano formativo nazionale." in page
    assert "Rendere i bandi più semplici." in page and "a citizen" in page and "Giulia Verdi" in page
    assert "Testo riservato" not in page and "Testo ritirato" not in page
    assert "1 contribution is not published at its author's request." in page
    assert "Dispositions in progress" in page
    assert response.context["result_count"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cpr_category=b", ["union"]),
        ("cpr_category=citizen", ["citizen"]),
        ("disposition=not_accepted", ["union"]),
        ("disposition=none", ["ngo", "citizen"]),
        ("organization=ambientaliste", ["ngo"]),
        ("q=zone+umide", ["ngo"]),
        ("section=whole", ["citizen"]),
        ("cpr_category=c&disposition=none", ["ngo"]),
    ],
)
def test_contributions_page_filters(client, closed_with_rows, query, expected):
    consultation, _version, rows = closed_with_rows
    response = client.get(contributions_url(consultation, query))
    assert [c.number for c in response.context["contributions"]] == [rows[name].number for name in expected]


def test_contributions_page_section_filter_uses_section_choices(client, closed_with_rows):
    consultation, version, rows = closed_with_rows
    s2 = version.sections.get(order=2)
    response = client.get(contributions_url(consultation, f"section={s2.pk}"))
    assert [c.number for c in response.context["contributions"]] == [rows["ngo"].number]
    assert f'<option value="{s2.pk}" selected>2. Sezione 2</option>' in response.content.decode()
    bad = client.get(contributions_url(consultation, "section=123456&cpr_category=b"))
    assert bad.context["form"].errors["section"]
    assert [c.number for c in bad.context["contributions"]] == [rows["union"].number]


def test_contributions_page_links_changed_sections(client, staff, closed_with_rows):
    consultation, version, rows = closed_with_rows
    v2 = new_version(staff, version.document, change_section=2)
    dispose(rows["ngo"], DispositionOutcome.ACCEPTED, changed=[v2.sections.get(order=2)])
    page = client.get(contributions_url(consultation, "disposition=accepted")).content.decode()
    assert "version 2, section 2" in page
    link = optional_url("documents:version", version.document_id, 2)
    if link:
        assert f"{link}#section-2" in page


def test_contributions_page_is_paginated_by_25(client, programme, document):
    doc, version = document
    consultation = closed_consultation(programme, [doc])
    for _ in range(26):
        make_contribution(consultation, version)
    first = client.get(contributions_url(consultation))
    assert len(first.context["contributions"]) == 25
    second = client.get(contributions_url(consultation, "page=2"))
    assert [c.number for c in second.context["contributions"]] == [26]


def test_contributions_query_count_is_constant(client, programme, document):
    """Issue 3 item 13: 5 or 50 contributions, same number of queries (filters and a page of 25)."""
    doc, version = document
    sections = list(version.sections.all())

    def build(n: int):
        consultation = closed_consultation(programme, [doc])
        for i in range(n):
            c = make_contribution(
                consultation, version, section=sections[i % len(sections)], organization=make_org("bc"[i % 2])
            )
            if i % 3:
                dispose(c, DispositionOutcome.ACCEPTED, changed=[sections[0]])
        return consultation

    small, large = build(5), build(50)
    for query in ("", "cpr_category=c&disposition=accepted", "q=inclusione&section=whole"):
        client.get(contributions_url(small, query))
        client.get(contributions_url(large, query))  # both with the withheld count cached
        with CaptureQueriesContext(connection) as few:
            client.get(contributions_url(small, query))
        with CaptureQueriesContext(connection) as many:
            response = client.get(contributions_url(large, query))
        assert response.status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries), query


# --- Home and programme pages ---------------------------------------------------------------------------


def test_home_lists_open_and_recent_consultations(client, programme):
    make_consultation(programme, title_it="Consultazione aperta sulla riprogrammazione")
    make_consultation(programme, title_it="Consultazione in bozza", state=ConsultationState.DRAFT)
    response = client.get("/it/")
    page = response.content.decode()
    assert "Consultazione aperta sulla riprogrammazione" in page
    assert "Consultazione in bozza" not in page
    assert [c.title_it for c in response.context["consultations"]] == [
        "Consultazione aperta sulla riprogrammazione"
    ]


def test_home_without_consultations_says_so(client):
    assert "No consultation is open or has recently closed." in client.get("/en/").content.decode()


def test_programme_page_lists_its_announced_consultations(client, staff, programme, document):
    doc, version = document
    announced = make_consultation(programme, documents=[doc], title_it="Consultazione sul programma")
    make_contribution(announced, version)
    make_consultation(programme, title_it="Bozza non annunciata", state=ConsultationState.DRAFT)
    response = client.get(f"/en/programmes/{programme.cci}/")
    page = response.content.decode()
    assert "Consultazione sul programma" in page and "Bozza non annunciata" not in page
    assert [c.contribution_count for c in response.context["consultations"]] == [1]


@pytest.mark.parametrize("url", ["/it/", "/it/programmes/2021IT05FFPR003/"])
def test_home_and_programme_query_counts_do_not_grow_with_consultations(client, programme, url):
    make_consultation(programme)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    today = timezone.localdate()
    for i in range(6):
        make_consultation(programme)
        make_consultation(
            programme,
            state=ConsultationState.OUTCOME_PUBLISHED,
            opens_on=today - timedelta(days=60 + i),
            closes_on=today - timedelta(days=30 + i),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
