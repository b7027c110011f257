"""Import of dispositions from a spreadsheet: every error with its line and column, nothing saved unless the
whole file is valid, a valid file recorded through the disposition service, and the pages around it."""

import csv
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from officine.consultations import disposition_import, dispositions
from officine.consultations.models import ConsultationState, ContributionState, Disposition
from officine.consultations.tests.test_dispositions import add_contribution, build_world
from officine.core.models import AuditEvent
from officine.core.tabular import read_rows
from officine.notifications.models import Notification

HEADER = ["numero", "esito", "motivazione", "sezioni_modificate"]


def csv_bytes(rows, header=HEADER, sep=";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def world(db):
    world = build_world()
    world.c1 = add_contribution(world, section=world.v1_section(2), number=1)
    world.c2 = add_contribution(world, section=world.v1_section(3), number=2)
    world.c3 = add_contribution(world, section=None, number=3)
    world.withdrawn = add_contribution(
        world, section=world.v1_section(1), number=4, state=ContributionState.WITHDRAWN
    )
    add_contribution(world, section=world.v1_section(2), number=5)
    add_contribution(world, section=world.v1_section(1), number=6)
    return world


def test_bad_rows_are_reported_with_line_and_column_and_nothing_is_saved(world):
    content = csv_bytes(
        [
            ["1", "accolto", "Inserita nell'obiettivo.", "2"],  # line 2: valid
            ["99", "non accolto", "Motivo.", ""],  # line 3: unknown number
            ["4", "non accolto", "Motivo.", ""],  # line 4: withdrawn
            ["2", "forse", "Motivo.", ""],  # line 5: unknown outcome
            ["3", "fuori ambito", "", ""],  # line 6: missing reason
            ["", "non accolto", "Motivo.", ""],  # line 7: missing number
            ["1", "not accepted", "Doppione.", ""],  # line 8: duplicate number
        ]
        + [["5", "accepted", "Accolto.", ""]]  # line 9: accepted without sections
        + [["6", "partly accepted", "In parte.", "1; 7"]],  # line 10: unchanged section 1, no section 7
    )
    result = disposition_import.parse_dispositions(world.consultation, content, "csv")
    found = {(issue.line, issue.letter) for issue in result.errors}
    assert found == {(3, "A"), (4, "A"), (5, "B"), (6, "C"), (7, "A"), (8, "A"), (9, "D"), (10, "D")}
    messages = {issue.line: issue.message for issue in result.errors}
    assert "no contribution #99" in messages[3]
    assert "withdrawn" in messages[4]
    assert "“forse” is not a disposition" in messages[5]
    assert "Give the reason" in messages[6]
    assert "already on line 2" in messages[8]
    assert "at least one section" in messages[9]
    line10 = [issue.message for issue in result.errors if issue.line == 10]
    assert any("did not change in version 2" in m for m in line10)
    assert any("has no section 7" in m for m in line10)
    assert all(issue.column for issue in result.errors)
    assert not result.is_valid
    with pytest.raises(Exception):  # noqa: B017 - the service refuses the same file
        disposition_import.apply_dispositions(world.staff, world.consultation, content, "csv")
    assert not Disposition.objects.exists()


def test_a_valid_file_is_recorded_through_the_disposition_service(world):
    content = csv_bytes(
        [
            ["#1", "Accolto", "=Inserita nell'obiettivo.", "2;4"],
            ["2", "Parzialmente accolto", "In parte.", "3"],
            ["3", "already_covered", "Già nel testo.", ""],
            ["", "", "", ""],
        ]
    )
    result = disposition_import.parse_dispositions(world.consultation, content, "csv")
    assert result.errors == [] and len(result.to_apply) == 3
    count = disposition_import.apply_dispositions(
        world.staff, world.consultation, content, "csv", "esiti.csv"
    )
    assert count == 3
    world.c1.refresh_from_db()
    first = world.c1.current_disposition
    assert first.outcome == "accepted" and first.reason == "=Inserita nell'obiettivo."
    assert sorted(s.number for s in first.changed_sections.all()) == [2, 4]
    assert all(s.version == world.v2 for s in first.changed_sections.all())
    assert AuditEvent.objects.filter(action="consultations.contribution.disposed").count() == 3
    event = AuditEvent.objects.get(action="consultations.dispositions.imported")
    assert event.changes == {"filename": "esiti.csv", "recorded": 3, "unchanged": 0}
    assert Notification.objects.filter(kind="disposition_given").count() == 3


def test_the_downloaded_template_round_trips_and_skips_unchanged_lines(world):
    dispositions.dispose(world.staff, world.c1, outcome="not_accepted", reason="=Fuori tempo.")
    for fmt in ("csv", "xlsx", "ods"):
        with translation.override("it"):
            content = disposition_import.template_file(world.consultation, fmt)
        rows = read_rows(content, fmt)
        assert rows[0][1][:4] == ["numero", "esito", "motivazione", "sezioni_modificate"]
        assert [r[1][0] for r in rows[1:]] == ["1", "2", "3", "5", "6"]  # submitted contributions only
        assert rows[1][1][2] == "'=Fuori tempo."  # escaped on the way out...
        result = disposition_import.parse_dispositions(world.consultation, content, fmt)
        assert result.unchanged == 1 and result.skipped == 4  # ...and read back as the same reason
        assert result.errors[0].message.startswith("The file has no new dispositions")


def test_xlsx_and_english_headers(world):
    data = tablib.Dataset(headers=["number", "disposition", "reason", "changed_sections", "notes"])
    data.append([1, "not accepted", "Not in scope of the ESF+.", "", "checked by Anna"])
    result = disposition_import.parse_dispositions(world.consultation, data.export("xlsx"), "xlsx")
    assert result.errors == []
    assert [w.message for w in result.warnings] == ["Column not recognised: it will be ignored."]
    assert result.rows[0].outcome == "not_accepted"


def test_missing_column_and_closed_state(world):
    result = disposition_import.parse_dispositions(world.consultation, csv_bytes([["1"]], ["numero"]), "csv")
    assert {issue.column for issue in result.errors} == {"disposition", "reason"}  # English outside requests
    assert all(issue.line == 1 for issue in result.errors)
    world.consultation.state = ConsultationState.OPEN
    world.consultation.save()
    result = disposition_import.parse_dispositions(world.consultation, csv_bytes([]), "csv")
    assert "once the consultation is closed" in result.errors[0].message


# --- Pages ------------------------------------------------------------------------------------------------


def test_upload_preview_and_confirm(client, world):
    client.force_login(world.staff)
    url = reverse("manage_dispositions:import", args=[world.consultation.pk])
    assert client.get(url).status_code == 200
    good = csv_bytes([["1", "non accolto", "Motivo.", ""], ["2", "fuori ambito", "Altro tema.", ""]])
    response = client.post(url, {"file": SimpleUploadedFile("esiti.csv", good, content_type="text/csv")})
    assert response.status_code == 302
    preview = response["Location"]
    page = client.get(preview.replace("/it/", "/en/", 1))
    assert page.status_code == 200 and "2 dispositions will be recorded" in page.content.decode()
    assert not Disposition.objects.exists()
    response = client.post(preview)
    assert response.status_code == 302
    assert Disposition.objects.count() == 2
    assert client.get(preview).status_code == 302  # the file is gone once recorded


def test_preview_of_a_bad_file_lists_errors_and_cannot_be_confirmed(client, world):
    client.force_login(world.staff)
    url = reverse("manage_dispositions:import", args=[world.consultation.pk])
    bad = csv_bytes([["1", "forse", "Motivo.", ""]])
    preview = client.post(url, {"file": SimpleUploadedFile("esiti.csv", bad)})["Location"]
    html = client.get(preview.replace("/it/", "/en/", 1)).content.decode()
    assert "1 error" in html and "“forse” is not a disposition" in html
    client.post(preview)
    assert not Disposition.objects.exists()


def test_upload_page_and_preview_use_the_shared_import_blocks(client, world):
    """The upload form, its columns and the error and warning tables are the includes the registry uses."""
    client.force_login(world.staff)
    url = reverse("manage_dispositions:import", args=[world.consultation.pk])
    html = client.get(url.replace("/it/", "/en/", 1)).content.decode()
    assert "csrfmiddlewaretoken" in html and 'enctype="multipart/form-data"' in html
    assert "<code>sezioni_modificate</code>" in html and "Lines with no disposition" in html
    bad = csv_bytes([["1", "forse", "Motivo.", "", "x"]], [*HEADER, "appunti"])
    preview = client.post(url, {"file": SimpleUploadedFile("esiti.csv", bad)})["Location"]
    html = client.get(preview.replace("/it/", "/en/", 1)).content.decode()
    assert "The file has 1 error: nothing will be recorded." in html
    assert f'href="{url.replace("/it/", "/en/", 1)}"' in html  # back to the upload form
    assert "Warnings (the import is not blocked)" in html and "E – appunti" in html


def test_upload_refuses_other_files_and_other_people(client, world):
    client.force_login(world.staff)
    url = reverse("manage_dispositions:import", args=[world.consultation.pk])
    response = client.post(url, {"file": SimpleUploadedFile("esiti.pdf", b"%PDF-1.4\n")})
    assert response.status_code == 400
    client.force_login(world.author)
    assert client.get(url).status_code == 403
    stranger_token = "nope"
    preview = reverse("manage_dispositions:import_preview", args=[world.consultation.pk, stranger_token])
    assert client.get(preview).status_code == 403
