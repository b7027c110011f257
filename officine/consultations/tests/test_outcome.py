"""Outcome: publication rules and notices, the report by section (objected contributions hidden, diffs), the
public page, the PDF and the CSV, and their query counts."""

import csv
import io
import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officine.conftest import make_user
from officine.consultations import dispositions, outcome
from officine.consultations.models import (
    ConsultationState,
    ContributionState,
    ProcedureKind,
    Question,
)
from officine.consultations.tests.test_dispositions import add_contribution, build_world, make_org
from officine.core.models import AuditEvent
from officine.notifications.models import Notification

SUMMARY = "Abbiamo accolto le proposte sulla dispersione scolastica e aggiunto una sezione sulla valutazione."


@pytest.fixture
def world(db):
    return build_world()


def dispose_all(world, outcome_code: str = "not_accepted") -> None:
    for contribution in world.consultation.contributions.filter(
        state=ContributionState.SUBMITTED, current_disposition__isnull=True
    ):
        dispositions.dispose(world.staff, contribution, outcome=outcome_code, reason="Valutato dallo staff.")


@pytest.fixture
def disposed(world):
    """Three contributions on section 2 (one objected to publication), one on the whole document."""
    other_author = make_user("cisl@example.org", full_name="Marco Rossi")
    cisl = make_org("CISL Puglia")
    accepted = add_contribution(
        world,
        section=world.v1_section(2),
        body="Aggiungere la dispersione scolastica.",
        proposed_wording="e la",
    )
    hidden = add_contribution(
        world,
        section=world.v1_section(2),
        author=other_author,
        organization=cisl,
        body="Testo riservato della CISL sugli obiettivi.",
        objects_to_publication=True,
    )
    whole = add_contribution(world, section=None, body="Il documento è troppo lungo.", author=other_author)
    withdrawn = add_contribution(
        world, section=world.v1_section(3), body="Ritirato.", state=ContributionState.WITHDRAWN
    )
    dispositions.dispose(
        world.staff,
        accepted,
        outcome="accepted",
        reason="Inserita nell'obiettivo.",
        changed_sections=[world.v2_section(2)],
    )
    dispositions.dispose(
        world.staff,
        hidden,
        outcome="partly_accepted",
        reason="Accolta in parte.",
        changed_sections=[world.v2_section(2), world.v2_section(4)],
    )
    dispositions.dispose(
        world.staff, whole, outcome="not_accepted", reason="La lunghezza è richiesta dal CPR."
    )
    return {"accepted": accepted, "hidden": hidden, "whole": whole, "withdrawn": withdrawn, "cisl": cisl}


# --- Publishing ---------------------------------------------------------------------------------------------


def test_outcome_refused_while_a_contribution_has_no_disposition(world):
    first = add_contribution(world, section=world.v1_section(1), number=7)
    add_contribution(world, section=world.v1_section(2), number=9)
    add_contribution(world, section=world.v1_section(2), number=11, state=ContributionState.WITHDRAWN)
    dispositions.dispose(world.staff, first, outcome="not_accepted", reason="No.")
    with pytest.raises(ValidationError) as excinfo:
        outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY)
    message = excinfo.value.message_dict["__all__"][0]
    assert message.startswith("1 contribution has no disposition yet (#9)")
    world.consultation.refresh_from_db()
    assert world.consultation.state == ConsultationState.CLOSED
    assert world.consultation.outcome_published_at is None


def test_outcome_lists_the_first_missing_numbers(world):
    for number in range(1, 14):
        add_contribution(world, section=world.v1_section(1), number=number)
    with pytest.raises(ValidationError) as excinfo:
        outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY)
    message = excinfo.value.message_dict["__all__"][0]
    assert message.startswith("13 contributions have no disposition yet (#1, #2")
    assert "#10…" in message and "#11" not in message


@pytest.mark.parametrize("state", [ConsultationState.OPEN, ConsultationState.OUTCOME_PUBLISHED])
def test_outcome_only_from_closed(db, state):
    world = build_world(state)
    with pytest.raises(ValidationError):
        outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY)


def test_outcome_needs_a_summary_and_staff(world):
    with pytest.raises(ValidationError) as excinfo:
        outcome.publish_outcome(world.staff, world.consultation, summary_it="  ")
    assert "summary_it" in excinfo.value.message_dict
    with pytest.raises(PermissionDenied):
        outcome.publish_outcome(world.author, world.consultation, summary_it=SUMMARY)


def test_publishing_moves_the_state_audits_and_notifies_participants(world, disposed):
    asker = make_user("cittadina@example.org", full_name="Anna Verdi")
    Question.objects.create(
        consultation=world.consultation, asked_by=asker, asker_name="Anna", body="Quando?"
    )
    bystander = make_user("passante@example.org")
    outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY, summary_en="We accepted…")
    world.consultation.refresh_from_db()
    assert world.consultation.state == ConsultationState.OUTCOME_PUBLISHED
    assert world.consultation.outcome_published_at is not None
    assert world.consultation.outcome_summary_it == SUMMARY
    assert AuditEvent.objects.filter(action="consultations.consultation.outcome_published").exists()
    event = AuditEvent.objects.get(action="consultations.outcome.published")
    assert event.changes["outcome_summary_it"] == ["", SUMMARY]
    notified = set(
        Notification.objects.filter(kind="outcome_published").values_list("recipient__email", flat=True)
    )
    # Authors of submitted contributions and the person who asked a question; the withdrawn contribution's
    # author is notified only because she also has a submitted one.
    assert notified == {"delegata@example.org", "cisl@example.org", "cittadina@example.org"}
    assert bystander.email not in notified
    url = Notification.objects.filter(kind="outcome_published").first().url
    assert url.endswith(f"/consultations/{world.consultation.pk}/outcome/")


def test_withdrawn_only_author_is_not_notified(world):
    loner = make_user("ritirato@example.org")
    add_contribution(world, section=world.v1_section(3), author=loner, state=ContributionState.WITHDRAWN)
    outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY)
    assert not Notification.objects.filter(recipient=loner).exists()


def test_co_design_needs_a_published_final_version(db):
    world = build_world(kind=ProcedureKind.CO_DESIGN)
    with pytest.raises(ValidationError) as excinfo:
        outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY)
    assert "final document" in excinfo.value.message_dict["final_version"][0]
    from officine.consultations import services

    draft = services.start_new_version(world.staff, world.document)
    with pytest.raises(ValidationError) as excinfo:
        outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY, final_version=draft)
    assert "published version" in excinfo.value.message_dict["final_version"][0]
    outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY, final_version=world.v2)
    world.consultation.refresh_from_db()
    assert world.consultation.final_version == world.v2


# --- The report ---------------------------------------------------------------------------------------------


def test_report_is_organised_by_section_with_diffs(world, disposed):
    report = outcome.build_report(world.consultation)
    (document,) = report.documents
    assert document.consulted == world.v1 and document.new == world.v2
    assert [s.number for s in document.sections] == [1, 2, 3, 4]
    by_number = {s.number: s for s in document.sections}
    assert [s.change for s in document.sections] == ["unchanged", "modified", "modified", "added"]
    section2 = by_number[2]
    assert [c.contribution for c in section2.contributions] == [disposed["accepted"], disposed["hidden"]]
    assert "<ins>e la dispersione scolastica </ins>" in str(section2.body_diff)
    assert "<del>" in str(by_number[3].body_diff)
    assert [c.contribution for c in document.whole] == [disposed["whole"]]
    assert by_number[3].contributions == []  # the withdrawn contribution is not in the report
    figures = report.figures
    assert (figures.contributions, figures.organisations, figures.objected, figures.sections_changed) == (
        3,
        2,
        1,
        3,
    )
    assert {c.outcome: c.count for c in figures.by_outcome}["partly_accepted"] == 1


def test_report_without_a_new_version(db):
    world = build_world(second_version=False)
    add_contribution(world, section=world.v1_section(1))
    dispose_all(world)
    report = outcome.build_report(world.consultation)
    (document,) = report.documents
    assert document.new is None and all(s.change == "" for s in document.sections)


def test_report_query_count_does_not_grow(world):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report = outcome.build_report(world.consultation)
            outcome.outcome_table(report)
        return len(ctx.captured_queries)

    add_contribution(world, section=world.v1_section(2))
    dispose_all(world)
    few = count_queries()
    for number in range(1, 4):
        add_contribution(world, section=world.v1_section(number), organization=make_org(f"Org {number}"))
        add_contribution(world, section=None)
    dispose_all(world, "already_covered")
    assert count_queries() == few


# --- Pages, PDF and CSV -------------------------------------------------------------------------------------


def _publish(world) -> None:
    outcome.publish_outcome(world.staff, world.consultation, summary_it=SUMMARY, summary_en="We did things.")


def test_report_page_is_404_before_publication_for_the_public(client, world, disposed):
    for name in ("report", "pdf", "csv"):
        url = reverse(f"outcomes:{name}", kwargs={"pk": world.consultation.pk})
        assert client.get(url).status_code == 404
        client.force_login(world.author)
        assert client.get(url).status_code == 404
        client.logout()


def test_staff_may_preview_the_report_before_publishing(client, world, disposed):
    client.force_login(world.staff)
    response = client.get(f"/en/consultations/{world.consultation.pk}/outcome/")
    assert response.status_code == 200
    assert "Preview" in response.content.decode()


def test_report_page_hides_objected_contributions_and_shows_the_diff(client, world, disposed):
    _publish(world)
    response = client.get(f"/en/consultations/{world.consultation.pk}/outcome/")
    assert response.status_code == 200
    html = response.content.decode()
    assert SUMMARY not in html and "We did things." in html  # English page, English summary
    assert "Aggiungere la dispersione scolastica." in html
    assert "Inserita nell&#x27;obiettivo." in html or "Inserita nell'obiettivo." in html
    assert "Testo riservato della CISL" not in html
    assert "CISL Puglia" not in html and "Marco Rossi" in html  # his other contribution is public
    assert "Accolta in parte." in html  # the objected contribution's disposition is shown
    assert "<ins>e la dispersione scolastica </ins>" in html
    assert "The document as a whole" in html
    it_html = client.get(f"/it/consultations/{world.consultation.pk}/outcome/").content.decode()
    assert SUMMARY in it_html


def test_report_page_query_count_is_constant(client, world, disposed, django_assert_max_num_queries):
    _publish(world)
    url = f"/en/consultations/{world.consultation.pk}/outcome/"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    baseline = len(ctx.captured_queries)
    for number in range(1, 4):
        add_contribution(world, section=world.v1_section(number), organization=make_org(f"Ente {number}"))
    world.consultation.refresh_from_db()
    with django_assert_max_num_queries(baseline):
        assert client.get(url).status_code == 200


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams expanded (objects and metadata sit in deflated streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def test_pdf_is_a_pdf(client, world, disposed):
    _publish(world)
    response = client.get(reverse("outcomes:pdf", kwargs={"pk": world.consultation.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    inflated = _inflated(content)
    assert b"pdfaid:part" in inflated  # PDF/A identification in the XMP metadata
    assert b"Titillium" in inflated  # the design system's font, read from the static files


def test_csv_has_one_row_per_contribution(client, world, disposed):
    _publish(world)
    response = client.get(f"/it/consultations/{world.consultation.pk}/outcome.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["numero", "documento", "versione"] and "motivazione" in rows[0]
    assert len(rows) == 4  # header + 3 submitted contributions
    header = rows[0]
    by_number = {int(r[0]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    accepted = by_number[disposed["accepted"].number]
    assert accepted["esito"] == "accepted" and accepted["sezione_numero"] == "2"
    assert accepted["organizzazione"] == "Legambiente Puglia"
    assert accepted["sezioni_modificate"] == "v2 §2 Obiettivi"
    hidden = by_number[disposed["hidden"].number]
    assert hidden["organizzazione"] == "" and hidden["autore"] == "" and hidden["esito"] == "partly_accepted"
    en = client.get(f"/en/consultations/{world.consultation.pk}/outcome.csv").content.decode("utf-8-sig")
    assert en.startswith("number,document,version")


# --- The staff page that publishes --------------------------------------------------------------------------


def test_publish_page_lists_what_is_missing_and_keeps_the_summary(client, world):
    client.force_login(world.staff)
    waiting = add_contribution(world, section=world.v1_section(2), number=5)
    url = f"/en/manage/consultations/{world.consultation.pk}/outcome/"
    html = client.get(url).content.decode()
    assert "1 contribution has no disposition yet." in html
    assert f"/manage/consultations/contributions/{waiting.pk}/disposition/" in html
    response = client.post(url, {"summary_it": SUMMARY, "summary_en": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 contribution has no disposition yet (#5)" in html and SUMMARY in html
    world.consultation.refresh_from_db()
    assert world.consultation.state == ConsultationState.CLOSED


def test_publish_page_publishes_and_redirects_to_the_report(client, world, disposed):
    client.force_login(world.staff)
    url = f"/en/manage/consultations/{world.consultation.pk}/outcome/"
    response = client.post(url, {"summary_it": SUMMARY, "summary_en": "", "final_version": world.v2.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/en/consultations/{world.consultation.pk}/outcome/"
    world.consultation.refresh_from_db()
    assert world.consultation.state == ConsultationState.OUTCOME_PUBLISHED
    assert world.consultation.final_version == world.v2
    assert "The outcome was published on" in client.get(url).content.decode()
