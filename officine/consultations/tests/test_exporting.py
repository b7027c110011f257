"""Exports of contributions, questions and the disposition history: headers by language, formula cells
escaped, the three formats, a constant number of queries, the page's permission and audit; core.tabular."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from officine.consultations import dispositions, exporting
from officine.consultations.models import ContributionState, Question
from officine.consultations.tests.test_dispositions import add_contribution, build_world, make_org
from officine.core.models import AuditEvent
from officine.core.tabular import column_letter, escape_cell, read_rows, write_table


@pytest.fixture
def world(db):
    world = build_world()
    world.first = add_contribution(
        world,
        section=world.v1_section(2),
        number=1,
        body='=HYPERLINK("http://evil.example","clic")',
        proposed_wording="+39 080 123456",
    )
    world.second = add_contribution(
        world, section=None, number=2, body="@SUM(A1:A9)", objects_to_publication=True
    )
    add_contribution(world, section=world.v1_section(3), number=3, state=ContributionState.WITHDRAWN)
    dispositions.dispose(world.staff, world.first, outcome="not_accepted", reason="-Non pertinente.")
    dispositions.dispose(
        world.staff,
        world.first,
        outcome="accepted",
        reason="Accolta.",
        changed_sections=[world.v2_section(2)],
    )
    Question.objects.create(
        consultation=world.consultation,
        asker_name="Anna Verdi",
        body="=1+1 è una domanda?",
        answer="Sì.",
        answered_at=timezone.now(),
    )
    return world


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # a BOM, so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_contributions_export_escapes_formulas_and_has_the_columns(world):
    with translation.override("it"):
        rows = _csv(exporting.export_consultation(world.consultation, "contributions", "csv").content)
    assert rows[0] == [
        "numero",
        "data",
        "documento",
        "versione",
        "sezione",
        "organizzazione",
        "categoria_cpr",
        "categoria_cpr_descrizione",
        "autore",
        "testo",
        "formulazione_proposta",
        "opposizione_pubblicazione",
        "stato",
        "esito",
        "motivazione",
        "sezioni_modificate",
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["testo"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert first["formulazione_proposta"] == "'+39 080 123456"
    assert first["sezione"] == "2. Obiettivi" and first["organizzazione"] == "Legambiente Puglia"
    assert first["categoria_cpr"] == "c" and first["sezioni_modificate"] == "v2 §2 Obiettivi"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["testo"] == "'@SUM(A1:A9)" and second["opposizione_pubblicazione"] == "sì"
    assert len(rows) == 4  # withdrawn contributions are exported too, with their state


def test_english_headers_and_other_exports(world):
    with translation.override("en"):
        questions = _csv(exporting.export_consultation(world.consultation, "questions", "csv").content)
        history = _csv(exporting.export_consultation(world.consultation, "dispositions", "csv").content)
    assert questions[0] == ["date", "asker", "question", "answer", "answered_at"]
    assert questions[1][2] == "'=1+1 è una domanda?"
    assert history[0][:4] == ["contribution_number", "disposition", "disposition_code", "reason"]
    assert [row[2] for row in history[1:]] == ["not_accepted", "accepted"]  # the full append-only history
    assert history[1][3] == "'-Non pertinente."
    assert [row[-1] for row in history[1:]] == ["no", "yes"]


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spreadsheet_formats_hold_no_formulas(world, fmt):
    export = exporting.export_consultation(world.consultation, "contributions", fmt)
    assert export.filename.endswith(f".{fmt}") and export.rows == 3
    rows = read_rows(export.content, fmt)
    assert rows[1][1][9] == '\'=HYPERLINK("http://evil.example","clic")'
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(export.content)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_query_count_does_not_grow(world):
    def queries(what: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            exporting.export_consultation(world.consultation, what, "csv")
        return len(ctx.captured_queries)

    before = {what: queries(what) for what in exporting.EXPORTABLE}
    for number in range(10, 16):
        contribution = add_contribution(
            world, section=world.v1_section(2), number=number, organization=make_org(f"Ente {number}")
        )
        dispositions.dispose(
            world.staff,
            contribution,
            outcome="accepted",
            reason="Sì.",
            changed_sections=[world.v2_section(4)],
        )
        Question.objects.create(consultation=world.consultation, asker_name="X", body="?")
    assert {what: queries(what) for what in exporting.EXPORTABLE} == before


def test_export_page_is_for_staff_and_audited(client, world):
    url = reverse("manage_dispositions:export", args=[world.consultation.pk, "contributions", "xlsx"])
    client.force_login(world.author)
    assert client.get(url).status_code == 403
    client.force_login(world.staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="consultations.consultation.exported")
    assert event.changes == {"what": "contributions", "format": "xlsx", "rows": 3}
    bad = reverse("manage_dispositions:export", args=[world.consultation.pk, "secrets", "csv"])
    assert client.get(bad).status_code == 404
    it = client.get(f"/it/manage/consultations/{world.consultation.pk}/export/questions.csv")
    assert it.content.decode("utf-8-sig").startswith("data,autore,domanda")


# --- core.tabular -------------------------------------------------------------------------------------------


def test_tabular_escaping_and_round_trip():
    assert [escape_cell(v) for v in ("=1", "+1", "-1", "@x", "\tx", "ok", 5, None)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "ok",
        5,
        None,
    ]
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    for fmt in ("csv", "xlsx", "ods"):
        content = write_table(
            ["=h", "b"], [["=cmd|' /C calc'!A0", 3], ["città", None]], fmt, title="Foglio: 1/2"
        )
        rows = read_rows(content, fmt)
        assert rows[0] == (1, ["'=h", "b"])
        assert rows[1][1][0] == "'=cmd|' /C calc'!A0" and rows[2][1][0] == "città"
