"""The implementation snapshot in a monitoring committee's document pack: who may attach it, what is filed.

The permission is the meetings app's own (``meetings.manage_meeting``: platform admins and the staff of the
programmes the body serves); the secretariat's *seat* (an account sitting in the committee as secretariat)
and the members do not manage the pack, so they may not file documents in it either.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from officine.conftest import make_user
from officine.core.models import AuditEvent
from officine.core.tests.test_pdf import inflated
from officine.meetings import documents
from officine.meetings.models import MeetingDocument, MeetingState, SeatRole
from officine.meetings.tests import factories
from officine.monitoring import services_meetings
from officine.monitoring.generator import DEMO_PROGRAMMES

from .dashboard_data import Expected, euro_it

PN_INCLUSIONE = factories.PROGRAMME_CCI


def _url(meeting) -> str:
    with translation.override("it"):
        return reverse("monitoring:attach_snapshot", args=[meeting.pk])


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def programme(staff):
    return factories.staff_programme()


@pytest.fixture
def body(programme):
    return factories.make_body([programme])


@pytest.fixture
def convened(body):
    now = timezone.now()
    return factories.make_meeting(
        body, starts_at=now + timedelta(days=20), state=MeetingState.CONVENED, notice_sent_at=now
    )


@pytest.fixture
def release(programme, imported_release):
    return imported_release(400, seed=5)


def _people(programme, body) -> dict:
    other = factories.make_other_programme(programme)
    partner = make_user("partner@example.org")
    factories.make_seat(body, member_user=partner)
    secretariat = make_user("segreteria@example.org")
    factories.make_seat(body, SeatRole.SECRETARIAT, member_user=secretariat)
    return {
        "anonymous": None,
        "partner": partner,
        "other_staff": factories.add_staff(other, "altro@example.org"),
        "secretariat_seat": secretariat,
        "admin": factories.make_admin(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status", "creates"),
    [
        ("anonymous", 302, False),  # to the login page
        ("partner", 403, False),  # a member of the committee
        ("other_staff", 403, False),  # staff of a programme the body does not serve
        ("secretariat_seat", 403, False),  # sits as secretariat, is not programme staff
        ("staff", 302, True),  # staff of the programme the body serves
        ("admin", 302, True),
    ],
)
def test_permission_matrix(client, staff, programme, body, convened, release, who, status, creates) -> None:
    people = _people(programme, body)
    people["staff"] = staff
    if people[who] is not None:
        client.force_login(people[who])
    response = client.post(_url(convened))
    assert response.status_code == status
    assert MeetingDocument.objects.filter(meeting=convened).exists() is creates
    if who == "anonymous":
        assert "/login/" in response["Location"]
    if creates:
        assert response["Location"].endswith(f"/manage/meetings/meetings/{convened.pk}/")


@pytest.mark.django_db
def test_get_is_refused(client, staff, convened, release) -> None:
    client.force_login(staff)
    assert client.get(_url(convened)).status_code == 405
    assert not MeetingDocument.objects.exists()


@pytest.mark.django_db
def test_snapshot_is_a_published_pdfa_with_the_dashboard_figures(client, staff, convened, release) -> None:
    client.force_login(staff)
    client.post(_url(convened))
    document = MeetingDocument.objects.get(meeting=convened)
    assert document.title_it == (
        "Stato di attuazione PN Inclusione e lotta alla povertà 2021-2027 – dati OpenCoesione al 28/02/2025"
        " (dati sintetici dimostrativi)"
    )
    assert document.published_at is not None and not document.is_confidential  # public, at once
    assert document.uploaded_by == staff
    content = document.file.read()
    assert content.startswith(b"%PDF-") and b"pdfaid:part" in inflated(content)  # PDF/A, in the XMP
    assert document.size == len(content)
    events = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"monitoring.snapshot_attached", "meetings.document.uploaded"} <= events
    event = AuditEvent.objects.get(action="monitoring.snapshot_attached")
    assert event.changes["programme"] == [None, PN_INCLUSIONE] and event.actor == staff
    # the public page of the meeting lists it
    public = client.get(reverse("meetings:detail", args=[convened.pk])).content.decode()
    assert "Stato di attuazione PN Inclusione" in public


@pytest.mark.django_db
def test_snapshot_html_shows_the_figures_of_the_release(programme, release, imported_release, generated_file):
    expected = Expected.of(generated_file(400, seed=5), PN_INCLUSIONE)
    html = re.sub(r"\s+", " ", services_meetings.snapshot_html(programme, release))
    assert euro_it(expected.totals.funding) in html
    assert euro_it(expected.totals.payments) in html
    for status in ("Non avviato", "In corso", "Liquidato", "Concluso"):
        assert status in html
    assert "28 febbraio 2025" in html
    assert "synthetic demonstration data" in html or "dati sintetici" in html.lower()


@pytest.mark.django_db
def test_pressing_twice_files_the_figures_once(client, staff, convened, release) -> None:
    client.force_login(staff)
    first = client.post(_url(convened), follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    response = client.post(_url(convened), follow=True)
    assert MeetingDocument.objects.filter(meeting=convened).count() == 1
    assert [m.level_tag for m in response.context["messages"]] == ["info"]  # "already in the pack"


@pytest.mark.django_db
def test_one_snapshot_per_programme_the_body_serves(client, staff, programme, release) -> None:
    other = factories.make_other_programme(programme)
    body = factories.make_body([programme, other])
    meeting = factories.make_meeting(body, state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    client.force_login(staff)
    client.post(_url(meeting))
    titles = sorted(MeetingDocument.objects.filter(meeting=meeting).values_list("title_it", flat=True))
    assert len(titles) == 2
    assert any("PN Scuola e competenze" in t for t in titles)


@pytest.mark.django_db
def test_draft_meeting_snapshot_goes_out_with_the_notice(staff, programme, body, release) -> None:
    draft = factories.make_meeting(body)
    document = services_meetings.attach_implementation_snapshot(draft, programme, staff)
    assert document.published_at is None  # the pack of a draft is published with the notice
    documents.publish_pack(staff, draft)
    document.refresh_from_db()
    assert document.published_at is not None and not document.is_confidential


@pytest.mark.django_db
def test_without_a_release_nothing_is_filed_and_the_page_says_why(client, staff, convened) -> None:
    client.force_login(staff)
    response = client.post(_url(convened), follow=True)
    assert not MeetingDocument.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    with pytest.raises(ValidationError):
        services_meetings.attach_implementation_snapshot(convened, factories.staff_programme(), staff)


@pytest.mark.django_db
def test_cancelled_meeting_refuses_the_snapshot(client, staff, body, release) -> None:
    cancelled = factories.make_meeting(body, state=MeetingState.CANCELLED)
    client.force_login(staff)
    response = client.post(_url(cancelled), follow=True)
    assert not MeetingDocument.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_demo_programmes_are_the_ones_the_tests_use() -> None:
    """The generator gives rows to PN Inclusione, the programme the meetings factories create."""
    assert PN_INCLUSIONE in {p.cci for p in DEMO_PROGRAMMES}
