"""The minutes pages: who sees and does what in each state (the matrices below are the specification), the
secretariat's workflow through the pages, forms that keep what was typed, the PDF/A, and query counts.

Columns are the states of the minutes: draft, circulated with the comment window open, circulated after the
deadline, approved (not yet published), published. Cells are HTTP status codes: 200 shown, 302 a redirect
(to the login page for visitors; for a member's comment, back to the page after saving it), 403 refused to a
signed-in user, 404 "not found" (unpublished minutes reveal nothing).
"""

import re
import zlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.meetings import minutes as services
from officine.meetings.models import AgendaItemKind, MeetingState, Minutes, MinutesComment, MinutesState
from officine.meetings.tests import factories
from officine.meetings.tests.factories import rome
from officine.meetings.tests.factories_b import make_minutes_world

pytestmark = pytest.mark.django_db

STATES = ["draft", "circulated", "circulated_closed", "approved", "published"]
ROLES = [
    "anonymous",
    "visitor",
    "member",
    "substitute",
    "observer_seat",
    "secretariat_seat",
    "staff",
    "other_staff",
    "admin",
]

# fmt: off
#                          draft circ closed appr publ
DETAIL = {
    "anonymous":        ("404", "302", "302", "404", "200"),
    "visitor":          ("404", "404", "404", "404", "200"),
    "member":           ("404", "200", "200", "404", "200"),
    "substitute":       ("404", "200", "200", "404", "200"),
    "observer_seat":    ("404", "200", "200", "404", "200"),
    "secretariat_seat": ("404", "200", "200", "404", "200"),
    "staff":            ("200", "200", "200", "200", "200"),
    "other_staff":      ("404", "404", "404", "404", "200"),
    "admin":            ("200", "200", "200", "200", "200"),
}
PDF = {
    "anonymous":        ("404", "404", "404", "404", "200"),
    "visitor":          ("404", "404", "404", "404", "200"),
    "member":           ("404", "200", "200", "404", "200"),
    "substitute":       ("404", "200", "200", "404", "200"),
    "observer_seat":    ("404", "200", "200", "404", "200"),
    "secretariat_seat": ("404", "200", "200", "404", "200"),
    "staff":            ("200", "200", "200", "200", "200"),
    "other_staff":      ("404", "404", "404", "404", "200"),
    "admin":            ("200", "200", "200", "200", "200"),
}
# A member's comment is saved only in the window (302 back to the page). Staff see the minutes but do not
# comment (403). A platform admin passes every permission (Django grants all to superusers), so the service
# refuses and the page shows why (200, nothing saved).
COMMENT = {
    "anonymous":        ("302", "302", "302", "302", "302"),
    "visitor":          ("404", "404", "404", "404", "403"),
    "member":           ("404", "302", "403", "404", "403"),
    "substitute":       ("404", "302", "403", "404", "403"),
    "observer_seat":    ("404", "302", "403", "404", "403"),
    "secretariat_seat": ("404", "302", "403", "404", "403"),
    "staff":            ("403", "403", "403", "403", "403"),
    "other_staff":      ("404", "404", "404", "404", "403"),
    "admin":            ("200", "200", "200", "200", "200"),
}
# The secretariat's pages (edit and history): only those who manage the minutes.
MANAGE = {
    "anonymous":        ("302", "302", "302", "302", "302"),
    "visitor":          ("403", "403", "403", "403", "403"),
    "member":           ("403", "403", "403", "403", "403"),
    "substitute":       ("403", "403", "403", "403", "403"),
    "observer_seat":    ("403", "403", "403", "403", "403"),
    "secretariat_seat": ("403", "403", "403", "403", "403"),
    "staff":            ("200", "200", "200", "200", "200"),
    "other_staff":      ("403", "403", "403", "403", "403"),
    "admin":            ("200", "200", "200", "200", "200"),
}
# fmt: on

CIRCULATED_AT = rome(2026, 10, 20, 9)
AFTER_DEADLINE = rome(2026, 11, 20, 9)


@pytest.fixture
def world(body):
    return make_minutes_world(body)


def minutes_in(state: str, world, staff) -> Minutes:
    minutes = services.start_minutes(staff, world.meeting)
    if state == "draft":
        return minutes
    if state == "circulated":  # today, so the window is open
        return services.circulate(staff, minutes)
    services.circulate(staff, minutes, now=CIRCULATED_AT)
    if state == "circulated_closed":
        return minutes
    services.approve(staff, minutes, meeting=world.next_meeting, now=AFTER_DEADLINE)
    if state == "approved":
        return minutes
    return services.publish(staff, minutes)


def users(world, staff, other_staff, admin) -> dict:
    return {
        "anonymous": None,
        "visitor": make_user("visitatore@example.org"),
        "member": world.member,
        "substitute": world.substitute,
        "observer_seat": world.observer,
        "secretariat_seat": world.secretary,
        "staff": staff,
        "other_staff": other_staff,
        "admin": admin,
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, world) -> str:
    return reverse(name, kwargs={"meeting_pk": world.meeting.pk})


def check(matrix: dict, state: str, observed: dict) -> None:
    column = STATES.index(state)
    expected = {role: matrix[role][column] for role in ROLES}
    assert observed == expected


@pytest.mark.parametrize("state", STATES)
def test_detail_matrix(world, staff, other_staff, admin, state):
    minutes_in(state, world, staff)
    people = users(world, staff, other_staff, admin)
    observed = {
        role: str(client_for(people[role]).get(url("minutes:detail", world)).status_code) for role in ROLES
    }
    check(DETAIL, state, observed)


@pytest.mark.parametrize("state", STATES)
def test_pdf_matrix(world, staff, other_staff, admin, state):
    minutes_in(state, world, staff)
    people = users(world, staff, other_staff, admin)
    observed = {
        role: str(client_for(people[role]).get(url("minutes:pdf", world)).status_code) for role in ROLES
    }
    check(PDF, state, observed)


@pytest.mark.parametrize("state", STATES)
def test_comment_matrix(world, staff, other_staff, admin, state):
    minutes_in(state, world, staff)
    people = users(world, staff, other_staff, admin)
    observed = {}
    for role in ROLES:
        response = client_for(people[role]).post(
            url("minutes:comment", world), {"item": "", "text": f"Da {role}"}
        )
        observed[role] = str(response.status_code)
        saved = MinutesComment.objects.filter(text=f"Da {role}").exists()
        assert saved == (observed[role] == "302" and role not in ("anonymous",)), role
    check(COMMENT, state, observed)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("page", ["manage_minutes:edit", "manage_minutes:history"])
def test_manage_matrix(world, staff, other_staff, admin, state, page):
    minutes_in(state, world, staff)
    people = users(world, staff, other_staff, admin)
    observed = {role: str(client_for(people[role]).get(url(page, world)).status_code) for role in ROLES}
    check(MANAGE, state, observed)


def test_the_anonymous_visitor_of_circulated_minutes_is_sent_to_log_in(world, staff):
    minutes_in("circulated", world, staff)
    response = Client().get(url("minutes:detail", world))
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_minutes_not_started_are_not_found(world, staff):
    assert Client().get(url("minutes:detail", world)).status_code == 404
    assert client_for(staff).get(url("minutes:pdf", world)).status_code == 404
    assert client_for(staff).get(url("manage_minutes:history", world)).status_code == 404


# --- The secretariat's workflow through the pages -------------------------------------------------------


def test_start_edit_and_circulate_through_the_pages(world, staff):
    client = client_for(staff)
    edit = url("manage_minutes:edit", world)
    page = client.get(edit)
    assert page.status_code == 200 and "minutes_start" in page.templates[0].name
    assert client.post(edit).status_code == 302
    minutes = Minutes.objects.get()
    page = client.get(edit)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="item_{world.approval_item.pk}"' in html and "Ugo Interessato" in html
    data = {
        "opening": "Apertura scritta",
        "closing": "Chiusura scritta",
        f"item_{world.approval_item.pk}": "Discussione sul punto 1",
        f"item_{world.info_item.pk}": "Informativa",
    }
    assert client.post(edit, data).status_code == 302
    version = minutes.versions.get()
    assert version.opening == "Apertura scritta"
    assert version.sections.get(item=world.info_item).text == "Informativa"
    assert client.get(url("manage_minutes:circulate", world)).status_code == 200
    response = client.post(url("manage_minutes:circulate", world), {"working_days": "10"})
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.CIRCULATED
    # The circulated version shows read-only: no form, and a POST changes nothing.
    page = client.get(edit)
    assert f'name="item_{world.approval_item.pk}"' not in page.content.decode()
    client.post(edit, {**data, "opening": "Cambiata"})
    assert minutes.versions.get().opening == "Apertura scritta"


def test_a_member_comments_and_the_secretariat_revises(world, staff):
    minutes = minutes_in("circulated", world, staff)
    member = client_for(world.member)
    page = member.get(url("minutes:detail", world))
    assert 'name="text"' in page.content.decode()
    response = member.post(
        url("minutes:comment", world), {"item": str(world.approval_item.pk), "text": "Manca la replica."}
    )
    assert response.status_code == 302
    note = MinutesComment.objects.get()
    assert note.item == world.approval_item and note.seat == world.member_seat
    page = member.get(url("minutes:detail", world)).content.decode()
    assert "Manca la replica." in page
    client = client_for(staff)
    assert "Manca la replica." in client.get(url("manage_minutes:revise", world)).content.decode()
    response = client.post(url("manage_minutes:revise", world), {"change_note": "Aggiunta la replica."})
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.DRAFT and minutes.versions.count() == 2
    history = client.get(url("manage_minutes:history", world)).content.decode()
    assert "Aggiunta la replica." in history and "Manca la replica." in history


def test_approve_and_publish_through_the_pages(world, staff):
    minutes = minutes_in("circulated_closed", world, staff)
    procedure = factories.make_meeting(world.body, rome(2026, 11, 25), state=MeetingState.CONVENED)
    client = client_for(staff)
    page = client.get(url("manage_minutes:approve", world)).content.decode()
    assert f'value="meeting:{world.next_meeting.pk}"' in page
    assert f'value="meeting:{procedure.pk}"' not in page  # not held
    response = client.post(
        url("manage_minutes:approve", world), {"approval": f"meeting:{world.next_meeting.pk}"}
    )
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.APPROVED and minutes.approved_at_meeting == world.next_meeting
    assert client.get(url("manage_minutes:publish", world)).status_code == 200
    response = client.post(url("manage_minutes:publish", world))
    assert response.status_code == 302 and response["Location"] == url("minutes:detail", world)
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.PUBLISHED and minutes.pdf
    public = Client().get(url("minutes:detail", world)).content.decode()
    assert "Criteri di selezione" in public and "CdS novembre" in public


def test_a_refused_step_keeps_what_was_typed(world, staff):
    minutes_in("circulated", world, staff)
    today = timezone.localdate()
    held_today = factories.make_meeting(
        world.body, rome(today.year, today.month, today.day, 0, 30), state=MeetingState.HELD
    )
    client = client_for(staff)
    choice = f"meeting:{held_today.pk}"
    response = client.post(url("manage_minutes:approve", world), {"approval": choice})
    assert response.status_code == 200  # the comment window is still open
    html = response.content.decode()
    assert "can be approved only after" in html
    assert f'<option value="{choice}" selected>' in html
    assert Minutes.objects.get().state == MinutesState.CIRCULATED
    response = client.post(url("manage_minutes:revise", world), {"change_note": "   "})
    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert Minutes.objects.get().versions.count() == 1


def test_circulating_with_a_window_too_short_is_refused_on_the_form(world, staff):
    minutes_in("draft", world, staff)
    response = client_for(staff).post(url("manage_minutes:circulate", world), {"working_days": "3"})
    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert Minutes.objects.get().state == MinutesState.DRAFT


def test_an_empty_comment_is_refused_and_the_choice_kept(world, staff):
    minutes_in("circulated", world, staff)
    response = client_for(world.member).post(
        url("minutes:comment", world), {"item": str(world.info_item.pk), "text": "  "}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert re.search(rf'<option value="{world.info_item.pk}" selected>', html)
    assert not MinutesComment.objects.exists()


def test_publishing_draft_minutes_is_refused_with_a_message(world, staff):
    minutes_in("draft", world, staff)
    client = client_for(staff)
    response = client.post(url("manage_minutes:publish", world), follow=True)
    assert Minutes.objects.get().state == MinutesState.DRAFT
    assert response.status_code == 200 and "alert-danger" in response.content.decode()


def test_minutes_of_a_meeting_not_held_cannot_be_started(body, staff):
    meeting = factories.make_meeting(body, rome(2026, 12, 16), state=MeetingState.CONVENED)
    client = client_for(staff)
    edit = reverse("manage_minutes:edit", kwargs={"meeting_pk": meeting.pk})
    page = client.get(edit).content.decode()
    assert "Start the minutes" not in page and "Avvia" not in page
    client.post(edit)
    assert not Minutes.objects.exists()


# --- The PDF/A ------------------------------------------------------------------------------------------


def inflated(pdf: bytes) -> bytes:
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_published_pdf_is_the_kept_pdf_a(world, staff):
    minutes = minutes_in("published", world, staff)
    with minutes.pdf.open("rb") as handle:
        kept = handle.read()
    response = Client().get(url("minutes:pdf", world))
    assert response["Content-Type"] == "application/pdf"
    assert response.content == kept
    assert response.content.startswith(b"%PDF")
    assert b"pdfaid:part" in inflated(response.content)


def test_a_draft_pdf_is_made_on_the_spot_and_not_kept(world, staff):
    minutes_in("draft", world, staff)
    response = client_for(staff).get(url("minutes:pdf", world))
    assert response.content.startswith(b"%PDF")
    assert not Minutes.objects.get().pdf


def test_a_published_pdf_lost_is_made_again(world, staff):
    minutes_in("published", world, staff)
    Minutes.objects.update(pdf="")
    response = Client().get(url("minutes:pdf", world))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert Minutes.objects.get().pdf


# --- Query counts ---------------------------------------------------------------------------------------


def queries_for(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def add_items(meeting, how_many: int) -> None:
    for number in range(how_many):
        factories.add_item(meeting, AgendaItemKind.INFORMATION, f"Punto aggiuntivo {number}")


def test_pages_read_in_a_fixed_number_of_queries(body, staff):
    small, large = make_minutes_world(body), make_minutes_world(body, prefix="b-")
    large.meeting.title_it = "Grande"
    add_items(large.meeting, 8)
    counts = {}
    for label, world in (("small", small), ("large", large)):
        minutes = services.start_minutes(staff, world.meeting)
        services.circulate(staff, minutes)
        member = client_for(world.member)
        items = list(world.meeting.agenda_items.all())
        for item in items if label == "large" else items[:1]:
            services.comment(world.member, minutes, "Commento", item)
            services.comment(world.substitute, minutes, "Generale")
        staff_client = client_for(staff)
        counts[label] = (
            queries_for(member, url("minutes:detail", world)),
            queries_for(staff_client, url("minutes:detail", world)),
            queries_for(staff_client, url("manage_minutes:edit", world)),
            queries_for(staff_client, url("manage_minutes:history", world)),
        )
        if label == "large":  # more versions too
            for number in range(3):
                services.revise(staff, minutes, f"Revisione {number}")
                services.circulate(staff, minutes)
            counts["large"] += (queries_for(staff_client, url("manage_minutes:history", world)),)
        else:
            counts["small"] += (counts["small"][-1],)
    assert counts["small"] == counts["large"]


def test_approve_by_written_procedure_through_the_page(world, staff):
    from datetime import date

    from officine.meetings.models import ProcedureResult, ProcedureState, WrittenProcedure

    minutes = minutes_in("circulated_closed", world, staff)
    procedure = WrittenProcedure.objects.create(
        body=world.body,
        title_it="Approvazione del verbale",
        opened_at=rome(2026, 10, 21),
        deadline=date(2026, 11, 4),
        state=ProcedureState.CLOSED,
        closed_at=rome(2026, 11, 5),
        result=ProcedureResult.APPROVED,
    )
    client = client_for(staff)
    assert (
        f'value="procedure:{procedure.pk}"'
        in client.get(url("manage_minutes:approve", world)).content.decode()
    )
    response = client.post(url("manage_minutes:approve", world), {"approval": f"procedure:{procedure.pk}"})
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.APPROVED and minutes.approved_by_procedure == procedure
