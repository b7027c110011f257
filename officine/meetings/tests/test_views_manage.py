"""The secretariat's pages for bodies, composition, meetings, agenda, documents, notice, attendance and votes:
the permission matrix of every view (GET and POST), the forms and the service rules seen through them, and
constant query counts on the list pages."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.core.models import AuditEvent
from officine.meetings.models import (
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Body,
    ConflictDeclaration,
    Gender,
    Meeting,
    MeetingDocument,
    MeetingState,
    Outcome,
    Seat,
    SeatRole,
    Vote,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories_a import (
    convened_meeting,
    fake_pdf,
    in_working_days,
    meeting_ahead,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def plain(db):
    return make_user("utente@example.org")


# --- Permission matrix ----------------------------------------------------------------------------------


@pytest.fixture
def world(body, programme):
    """One object of each kind the URLs name: a body with a seat, a convened meeting with an item and a
    document."""
    meeting, item, seats = convened_meeting(body, voting=2, observers=0)
    document = MeetingDocument.objects.create(
        meeting=meeting, title_it="Relazione", file="meetings/documents/x.pdf", published_at=timezone.now()
    )
    return {"body": body, "meeting": meeting, "item": item, "seat": seats[0], "document": document}


# (URL name, which object's pk, whether the view is for staff of *any* programme rather than of the object)
VIEWS = [
    ("index", None, True),
    ("body_create", None, True),
    ("meeting_create", None, True),
    ("body", "body", False),
    ("body_edit", "body", False),
    ("seat_add", "body", False),
    ("seat_end", "seat", False),
    ("seat_replace", "seat", False),
    ("meeting", "meeting", False),
    ("meeting_edit", "meeting", False),
    ("item_add", "meeting", False),
    ("item_edit", "item", False),
    ("document_add", "meeting", False),
    ("document_withhold", "document", False),
    ("send_notice", "meeting", False),
    ("cancel", "meeting", False),
    ("attendance", "meeting", False),
    ("quorum", "meeting", False),
    ("item_decide", "item", False),
    ("conflict_add", "item", False),
]
ROLES = ["visitor", "plain", "other_staff", "staff", "admin"]
CASES = [(view, role, method) for view in VIEWS for role in ROLES for method in ("get", "post")]


def _url(world, name, key):
    args = [world[key].pk] if key else []
    return reverse(f"manage_meetings:{name}", args=args)


def _login(client, request, role):
    if role == "plain":
        client.force_login(request.getfixturevalue("plain"))
    elif role != "visitor":
        client.force_login(request.getfixturevalue(role))


@pytest.mark.parametrize("view, role, method", CASES, ids=[f"{v[0]}-{r}-{m}" for v, r, m in CASES])
def test_permission_matrix(client, request, world, view, role, method):
    name, key, any_staff = view
    _login(client, request, role)
    before = (Body.objects.count(), Seat.objects.count(), Meeting.objects.count(), AuditEvent.objects.count())
    response = getattr(client, method)(_url(world, name, key))
    if role == "visitor":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    elif role == "plain" or (role == "other_staff" and not any_staff):
        assert response.status_code == 403
    elif name == "attendance" and method == "post":  # nothing chosen: saved as is, back to the page
        assert response.status_code == 302 and response["Location"] == _url(world, name, key)
    else:
        assert response.status_code == 200
    # An empty form changes nothing, whoever sends it.
    after = (Body.objects.count(), Seat.objects.count(), Meeting.objects.count(), AuditEvent.objects.count())
    assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_mark_held_permissions(client, request, world, role):
    _login(client, request, role)
    url = reverse("manage_meetings:mark_held", args=[world["meeting"].pk])
    response = client.post(url)
    world["meeting"].refresh_from_db()
    if role == "visitor":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert world["meeting"].state == MeetingState.CONVENED
    elif role in ("plain", "other_staff"):
        assert response.status_code == 403
        assert world["meeting"].state == MeetingState.CONVENED
    else:
        assert response.status_code == 302
        assert world["meeting"].state == MeetingState.HELD


def test_mark_held_refuses_get(client, staff, world):
    client.force_login(staff)
    assert client.get(reverse("manage_meetings:mark_held", args=[world["meeting"].pk])).status_code == 405


# --- Index ----------------------------------------------------------------------------------------------


def test_index_lists_only_the_bodies_and_meetings_the_user_manages(
    client, staff, other_staff, admin, body, other_programme
):
    other_body = factories.make_body([other_programme], name_it="Tavolo della scuola")
    meeting_ahead(body, 15, title_it="Riunione inclusione")
    meeting_ahead(other_body, 15, title_it="Riunione scuola")
    client.force_login(other_staff)
    html = client.get("/en/manage/meetings/").content.decode()
    assert "Tavolo della scuola" in html and "Riunione scuola" in html
    assert "Comitato di Sorveglianza" not in html and "Riunione inclusione" not in html
    client.force_login(admin)
    html = client.get("/en/manage/meetings/").content.decode()
    assert "Tavolo della scuola" in html and "Comitato di Sorveglianza" in html


def test_index_shows_next_meeting_and_open_procedures(client, staff, body):
    meeting = meeting_ahead(body, 15)
    client.force_login(staff)
    response = client.get("/en/manage/meetings/")
    [row] = response.context["bodies"]
    assert row.next_meeting_id == meeting.pk and row.open_procedures == 0 and row.seats_in_force == 0


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow_bodies(programme, n):
    for index in range(n):
        extra = factories.make_body([programme], name_it=f"Gruppo di lavoro {index}")
        factories.make_seats(extra, 2)
        meeting_ahead(extra, 15)
        done = factories.make_meeting(
            extra, starts_at=factories.rome(2026, 3, 10 + index), state=MeetingState.HELD
        )
        factories.add_item(done)


def test_index_query_count_is_constant(client, staff, programme, body):
    client.force_login(staff)
    _grow_bodies(programme, 1)
    url = reverse("manage_meetings:index")
    small = _queries(client, url)
    _grow_bodies(programme, 5)
    assert _queries(client, url) == small


# --- Bodies ---------------------------------------------------------------------------------------------


def body_form(programme, **overrides) -> dict:
    data = {
        "kind": "partnership_table",
        "name_it": "Tavolo  di partenariato",
        "name_en": "",
        "programmes": [programme.pk],
        "constitution_act_number": "DD 12/2026",
        "constitution_act_date": "2026-02-01",
        "notice_working_days": "10",
        "urgent_notice_working_days": "5",
        "written_procedure_working_days": "10",
        "urgent_written_procedure_working_days": "5",
        "silent_consent": "on",
        "quorum_fraction": "0.5",
        "majority_rule": "simple",
        "qualified_threshold": "",
        "agenda_request_working_days": "5",
    }
    data.update(overrides)
    return data


def test_body_create(client, staff, programme):
    client.force_login(staff)
    data = body_form(programme, constitution_document=pdf_upload("atto.pdf"))
    response = client.post(reverse("manage_meetings:body_create"), data)
    body = Body.objects.get(name_it="Tavolo di partenariato")
    assert response.status_code == 302 and response["Location"] == reverse(
        "manage_meetings:body", args=[body.pk]
    )
    assert list(body.programmes.all()) == [programme]
    assert body.constitution_document.name.endswith(".pdf") and body.notice_working_days == 10
    assert AuditEvent.objects.filter(action="meetings.body.created", target_id=str(body.pk)).exists()


def test_body_create_form_shows_defaults(client, staff):
    client.force_login(staff)
    form = client.get(reverse("manage_meetings:body_create")).context["form"]
    assert form["notice_working_days"].value() == 10 and form["urgent_notice_working_days"].value() == 5
    assert form["written_procedure_working_days"].value() == 10
    assert form["agenda_request_working_days"].value() == 5


def test_body_create_in_another_programme_is_refused(client, other_staff, programme):
    client.force_login(other_staff)
    response = client.post(reverse("manage_meetings:body_create"), body_form(programme))
    assert response.status_code == 200 and "programmes" in response.context["form"].errors
    assert not Body.objects.exists()


def test_body_qualified_majority_needs_threshold_and_keeps_input(client, staff, programme):
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:body_create"),
        body_form(programme, majority_rule="qualified", name_it="Comitato qualificato"),
    )
    form = response.context["form"]
    assert list(form.errors) == ["qualified_threshold"]
    assert "threshold" in form.errors["qualified_threshold"][0]
    assert form["name_it"].value() == "Comitato qualificato"
    assert not Body.objects.exists()


def test_body_create_refuses_a_fake_pdf(client, staff, programme):
    client.force_login(staff)
    response = client.post(
        "/en/manage/meetings/bodies/new/", body_form(programme, rules_document=fake_pdf("regolamento.pdf"))
    )
    assert "does not match its extension" in response.context["form"].errors["rules_document"][0]
    assert not Body.objects.exists()


def test_body_edit_keeps_programmes_the_user_does_not_staff(client, staff, body, programme, other_programme):
    body.programmes.add(other_programme)
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:body_edit", args=[body.pk]),
        body_form(programme, name_it="Comitato di Sorveglianza PN Inclusione", kind="monitoring_committee"),
    )
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.name_it == "Comitato di Sorveglianza PN Inclusione"
    assert set(body.programmes.all()) == {programme, other_programme}
    assert AuditEvent.objects.filter(action="meetings.body.updated").exists()


def test_body_edit_cannot_leave_the_body_without_programmes(client, staff, body, programme):
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:body_edit", args=[body.pk]), body_form(programme, programmes=[])
    )
    assert response.status_code == 200 and "programmes" in response.context["form"].errors
    assert list(body.programmes.all()) == [programme]


# --- Composition ----------------------------------------------------------------------------------------


def seat_form(organization, **overrides) -> dict:
    data = {
        "organization": organization.pk,
        "role": SeatRole.VOTING_MEMBER,
        "member_name": "Maria Rossi",
        "member_gender": Gender.FEMALE,
        "member_email": "",
        "substitute_name": "Luca Bianchi",
        "substitute_gender": Gender.MALE,
        "substitute_email": "",
        "start_date": "2026-03-01",
        "act_number": "DD 45/2026",
        "act_date": "2026-02-20",
    }
    data.update(overrides)
    return data


def test_seat_add_with_gender_and_account(client, staff, body):
    organization = factories.make_organization("CGIL")
    member = make_user("maria.rossi@example.org")
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:seat_add", args=[body.pk]),
        seat_form(organization, member_email="Maria.Rossi@example.org"),
    )
    assert response.status_code == 302
    seat = Seat.objects.get(body=body)
    assert (seat.member_name, seat.member_gender, seat.substitute_gender) == ("Maria Rossi", "F", "M")
    assert seat.member_user == member and seat.act_number == "DD 45/2026"
    assert AuditEvent.objects.filter(action="meetings.seat.added").exists()


def test_seat_add_refuses_unknown_account_and_late_act(client, staff, body):
    organization = factories.make_organization()
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:seat_add", args=[body.pk]),
        seat_form(organization, member_email="nessuno@example.org"),
    )
    assert "member_email" in response.context["form"].errors
    response = client.post(
        reverse("manage_meetings:seat_add", args=[body.pk]),
        seat_form(organization, act_date="2026-04-01"),
    )
    form = response.context["form"]
    assert form.errors["act_date"] == ["The act must come before the seat starts."]
    assert form["member_name"].value() == "Maria Rossi"
    assert not Seat.objects.exists()


def test_seat_replace_and_history(client, staff, body):
    seat = factories.make_seat(body, member_name="Anna Verdi", member_gender=Gender.FEMALE)
    client.force_login(staff)
    url = reverse("manage_meetings:seat_replace", args=[seat.pk])
    form = client.get(url).context["form"]
    assert (
        form["member_name"].value() == "Anna Verdi" and form["organization"].value() == seat.organization_id
    )
    response = client.post(
        url,
        seat_form(
            seat.organization,
            member_name="Paolo Neri",
            member_gender=Gender.MALE,
            start_date="2026-06-01",
            act_number="DD 99/2026",
            act_date="2026-05-20",
        ),
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    new = Seat.objects.get(replaces=seat)
    assert seat.end_date == date(2026, 5, 31) and seat.end_act_number == "DD 99/2026"
    assert new.member_name == "Paolo Neri" and new.start_date == date(2026, 6, 1)
    page = client.get(reverse("manage_meetings:body", args=[body.pk]))
    history = page.context["overview"].history
    assert [change.kind for change in history] == ["replaced", "added"]
    assert history[0].act_number == "DD 99/2026" and history[0].previous == seat
    html = page.content.decode()
    assert "Paolo Neri replaces Anna Verdi" in html and "DD 99/2026" in html


def test_seat_end(client, staff, body):
    seat = factories.make_seat(body)
    client.force_login(staff)
    url = reverse("manage_meetings:seat_end", args=[seat.pk])
    response = client.post(
        url, {"end_date": "2025-06-01", "act_number": "DD 7/2026", "act_date": "2026-05-01"}
    )
    assert "end_date" in response.context["form"].errors  # before the seat started
    response = client.post(
        url, {"end_date": "2026-06-30", "act_number": "DD 7/2026", "act_date": "2026-06-15"}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.end_date == date(2026, 6, 30) and seat.end_act_number == "DD 7/2026"
    history = client.get(reverse("manage_meetings:body", args=[body.pk])).context["overview"].history
    assert [change.kind for change in history] == ["ended", "added"]


def test_body_page_query_count_is_constant(client, staff, body):
    client.force_login(staff)
    factories.make_seats(body, 2)
    meeting_ahead(body, 15)
    url = reverse("manage_meetings:body", args=[body.pk])
    small = _queries(client, url)
    for seat in factories.make_seats(body, 6):
        seat.end_date = date(2026, 2, 1)
        seat.save()
        factories.make_seat(body, organization=seat.organization, replaces=seat, start_date=date(2026, 2, 2))
    for _ in range(4):
        meeting_ahead(body, 20)
    assert _queries(client, url) == small


# --- Meetings -------------------------------------------------------------------------------------------


def meeting_form(body=None, **overrides) -> dict:
    starts = in_working_days(20)
    data = {
        "body": body.pk if body else "",
        "programme": "",
        "kind": "body_meeting",
        "title_it": "Seconda riunione del Comitato",
        "title_en": "",
        "mode": "hybrid",
        "place": "Roma, via Sicilia 162",
        "online_link": "https://meet.example.org/cds",
        "online_link_is_public": "",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "",
        "description_it": "Primo paragrafo.\n\nSecondo paragrafo.",
        "description_en": "",
    }
    data.update(overrides)
    return data


def test_meeting_create_for_a_body(client, staff, body, programme):
    client.force_login(staff)
    response = client.post(reverse("manage_meetings:meeting_create"), meeting_form(body))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.state == MeetingState.DRAFT and meeting.programme == programme  # filled in from the body
    assert meeting.description_it == "Primo paragrafo.\n\nSecondo paragrafo."
    assert timezone.localtime(meeting.starts_at).hour == 10  # typed in Rome time
    assert meeting.created_by == staff


def test_meeting_create_public_event_needs_programme(client, staff, programme):
    client.force_login(staff)
    data = meeting_form(None, kind="public_event", capacity="80", mode="online", place="")
    response = client.post("/en/manage/meetings/meetings/new/", data)
    assert "programme" in response.context["form"].errors
    response = client.post("/en/manage/meetings/meetings/new/", {**data, "programme": programme.pk})
    assert response.status_code == 302
    assert Meeting.objects.get().capacity == 80


def test_meeting_create_refuses_bad_input_and_keeps_it(client, staff, body):
    client.force_login(staff)
    data = meeting_form(body, online_link="", title_it="Riunione senza link")
    response = client.post("/en/manage/meetings/meetings/new/", data)
    form = response.context["form"]
    assert form.errors["online_link"] == ["Give the web-conference link of an online meeting."]
    assert form["title_it"].value() == "Riunione senza link"
    assert not Meeting.objects.exists()


def test_meeting_create_for_another_programmes_body_is_refused(client, other_staff, body):
    client.force_login(other_staff)
    response = client.post(reverse("manage_meetings:meeting_create"), meeting_form(body))
    assert response.status_code == 200 and "body" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_meeting_edit_of_a_convened_meeting_is_a_new_revision(client, staff, body):
    meeting = meeting_ahead(body, 20, state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    client.force_login(staff)
    form = client.get(reverse("manage_meetings:meeting_edit", args=[meeting.pk])).context["form"]
    assert "body" not in form.fields and "kind" not in form.fields
    data = meeting_form(body, title_it="Riunione spostata", place="Napoli")
    response = client.post(reverse("manage_meetings:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title_it, meeting.place, meeting.sequence) == ("Riunione spostata", "Napoli", 1)


def test_meeting_page_shows_notice_deadline_agenda_and_pack(client, staff, body):
    meeting = meeting_ahead(body, 20)
    client.force_login(staff)
    response = client.get(reverse("manage_meetings:meeting", args=[meeting.pk]))
    overview = response.context["overview"]
    assert overview.notice.is_timely and len(overview.items) == 1
    html = response.content.decode()
    assert "Approvazione dei criteri di selezione" in html and "must go out by" in html


def test_meeting_page_query_count_is_constant(client, staff, body):
    meeting, item, seats = convened_meeting(body, voting=2)
    client.force_login(staff)
    url = reverse("manage_meetings:meeting", args=[meeting.pk])
    MeetingDocument.objects.create(meeting=meeting, item=item, title_it="A", file="x.pdf")
    small = _queries(client, url)
    for index in range(5):
        extra = factories.add_item(meeting, title=f"Punto {index}")
        MeetingDocument.objects.create(meeting=meeting, item=extra, title_it="B", file="y.pdf")
        MeetingDocument.objects.create(meeting=meeting, title_it="C", file="z.pdf")
        ConflictDeclaration.objects.create(item=extra, seat=seats[0])
    factories.make_seats(body, 5)
    assert _queries(client, url) == small


# --- Agenda ---------------------------------------------------------------------------------------------


def test_item_add_and_edit(client, staff, body):
    meeting = meeting_ahead(body, 20)
    client.force_login(staff)
    url = reverse("manage_meetings:item_add", args=[meeting.pk])
    data = {
        "title_it": "Informativa  sull'attuazione",
        "title_en": "",
        "presenter": "AdG",
        "kind": "information",
    }
    response = client.post(url, {**data, "another": "1"})
    assert response.status_code == 302 and response["Location"] == url
    item = meeting.agenda_items.get(order=2)
    assert item.title_it == "Informativa sull'attuazione" and item.kind == AgendaItemKind.INFORMATION
    response = client.post(
        reverse("manage_meetings:item_edit", args=[item.pk]),
        {**data, "kind": "examination", "presenter": "NUVAP"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.presenter, item.order) == ("examination", "NUVAP", 2)
    assert AuditEvent.objects.filter(action="meetings.agenda_item.updated", target_id=str(item.pk)).exists()


def test_item_edit_of_a_decided_item_is_refused(client, staff, body):
    meeting, item, _seats = convened_meeting(body)
    item.outcome, item.decided_by, item.decided_at = Outcome.APPROVED, "consensus", timezone.now()
    item.save()
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:item_edit", args=[item.pk]),
        {"title_it": "Nuovo titolo", "kind": "approval"},
    )
    assert "This item has already been decided." in response.context["form"].non_field_errors()
    item.refresh_from_db()
    assert item.title_it == "Approvazione della relazione annuale"


# --- Documents and notice -------------------------------------------------------------------------------


def test_document_added_to_a_draft_waits_for_the_notice(client, staff, body):
    meeting = meeting_ahead(body, 20)
    item = meeting.agenda_items.get()
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:document_add", args=[meeting.pk]),
        {"title_it": "Criteri di selezione", "file": pdf_upload(), "item": item.pk},
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get()
    assert document.item == item and document.published_at is None and document.size > 0
    response = client.post(reverse("manage_meetings:send_notice", args=[meeting.pk]), {"urgency_reason": ""})
    assert response.status_code == 302
    document.refresh_from_db()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CONVENED and not meeting.is_urgent
    assert document.published_at == meeting.notice_sent_at == meeting.documents_published_at


def test_document_upload_refuses_a_fake_pdf_and_a_withheld_without_reason(client, staff, body):
    meeting = meeting_ahead(body, 20)
    client.force_login(staff)
    url = reverse("manage_meetings:document_add", args=[meeting.pk])
    response = client.post(url, {"title_it": "Eseguibile", "file": fake_pdf()})
    assert "does not match its extension" in response.context["form"].errors["file"][0]
    assert response.context["form"]["title_it"].value() == "Eseguibile"
    response = client.post(url, {"title_it": "Dati personali", "file": pdf_upload(), "is_confidential": "on"})
    assert "confidentiality_reason" in response.context["form"].errors
    assert not MeetingDocument.objects.exists()


def test_document_withhold_and_release(client, staff, body):
    meeting, _item, _seats = convened_meeting(body)
    document = MeetingDocument.objects.create(
        meeting=meeting, title_it="Graduatoria", file="g.pdf", published_at=timezone.now()
    )
    client.force_login(staff)
    url = reverse("manage_meetings:document_withhold", args=[document.pk])
    response = client.post(url, {"confidentiality_reason": ""})
    assert "confidentiality_reason" in response.context["form"].errors
    response = client.post(url, {"confidentiality_reason": "Contiene dati personali (art. 9 GDPR)."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_confidential and "GDPR" in document.confidentiality_reason
    assert AuditEvent.objects.filter(action="meetings.document.withheld", target_id=str(document.pk)).exists()
    client.post(url, {"release": "1"})
    document.refresh_from_db()
    assert not document.is_confidential and document.confidentiality_reason == ""


def test_late_notice_is_refused_with_the_services_message_then_urgent_is_accepted(client, staff, body):
    meeting = meeting_ahead(body, 7)  # ordinary notice: 10 working days; urgent: 5
    MeetingDocument.objects.create(meeting=meeting, title_it="Relazione", file="r.pdf")
    client.force_login(staff)
    url = reverse("manage_meetings:send_notice", args=[meeting.pk])
    response = client.post(url, {"urgency_reason": "Scadenza regolamentare imminente."})
    assert response.status_code == 200
    form = response.context["form"]
    [message] = form.non_field_errors()
    assert "at least 10 working days before the meeting" in message and "urgent" in message
    assert form["urgency_reason"].value() == "Scadenza regolamentare imminente."  # nothing lost
    assert "at least 10 working days" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.DRAFT and meeting.documents.get().published_at is None
    # Urgent without a reason: refused next to the reason.
    response = client.post(url, {"urgent": "on", "urgency_reason": ""})
    assert "urgency_reason" in response.context["form"].errors
    # Urgent with the reason: convened, the reason recorded and shown.
    response = client.post(url, {"urgent": "on", "urgency_reason": "Scadenza regolamentare imminente."})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CONVENED and meeting.is_urgent
    assert meeting.urgency_reason == "Scadenza regolamentare imminente."
    assert meeting.documents.get().published_at == meeting.notice_sent_at
    html = client.get(reverse("manage_meetings:meeting", args=[meeting.pk])).content.decode()
    assert "Urgent convocation" in html and "Scadenza regolamentare imminente." in html


def test_even_an_urgent_notice_is_refused_inside_the_urgent_period(client, staff, body):
    meeting = meeting_ahead(body, 3)
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:send_notice", args=[meeting.pk]),
        {"urgent": "on", "urgency_reason": "Urgenza."},
    )
    assert "Even an urgent notice" in response.context["form"].non_field_errors()[0]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.DRAFT


def test_notice_needs_an_agenda(client, staff, body):
    meeting = factories.make_meeting(body, starts_at=in_working_days(20))
    client.force_login(staff)
    response = client.post(reverse("manage_meetings:send_notice", args=[meeting.pk]), {})
    assert response.context["form"].non_field_errors() == ["Add the agenda before sending the notice."]


def test_cancel_a_convened_meeting_needs_a_reason(client, staff, body):
    meeting = meeting_ahead(body, 20, state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    client.force_login(staff)
    url = reverse("manage_meetings:cancel", args=[meeting.pk])
    response = client.post(url, {"cancellation_reason": ""})
    assert "cancellation_reason" in response.context["form"].errors
    response = client.post(url, {"cancellation_reason": "Mancanza del numero legale previsto."})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED and meeting.sequence == 1


def test_mark_held_before_the_start_is_refused_with_a_message(client, staff, body):
    meeting = meeting_ahead(body, 20, state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    client.force_login(staff)
    response = client.post(reverse("manage_meetings:mark_held", args=[meeting.pk]), follow=True)
    assert "The meeting has not started yet." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CONVENED


# --- Attendance and quorum ------------------------------------------------------------------------------


def test_attendance_full_form_saves_and_quorum_follows(client, staff, body):
    meeting, _item, seats = convened_meeting(body, voting=4, present=0)
    observer = Seat.objects.get(body=body, role=SeatRole.OBSERVER)
    client.force_login(staff)
    url = reverse("manage_meetings:attendance", args=[meeting.pk])
    page = client.get(url)
    assert page.context["quorum"].present == 0 and page.context["quorum"].required == 2
    data = {
        f"status-{seats[0].pk}": AttendanceStatus.PRESENT,
        f"status-{seats[1].pk}": AttendanceStatus.SUBSTITUTE,
        f"status-{seats[2].pk}": AttendanceStatus.ABSENT,
        f"status-{observer.pk}": AttendanceStatus.PRESENT,
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    assert dict(Attendance.objects.values_list("seat_id", "status")) == {
        seats[0].pk: "present",
        seats[1].pk: "substitute",
        seats[2].pk: "absent",
        observer.pk: "present",
    }
    fragment = client.get(reverse("manage_meetings:quorum", args=[meeting.pk]))
    html = fragment.content.decode()
    assert "<html" not in html and 'data-quorum="present">2<' in html and 'data-quorum-met="true"' in html
    data = client.get(
        reverse("manage_meetings:quorum", args=[meeting.pk]), HTTP_ACCEPT="application/json"
    ).json()
    assert data == {"voting_members": 4, "present": 2, "required": 2, "missing": 0, "is_met": True}


def test_attendance_change_from_the_script_returns_json(client, staff, body):
    meeting, _item, seats = convened_meeting(body, voting=2, present=2)
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:attendance", args=[meeting.pk]),
        {f"status-{seats[0].pk}": AttendanceStatus.ABSENT},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200 and response.json() == {"saved": 1, "errors": []}
    assert Attendance.objects.get(seat=seats[0]).status == "absent"
    assert Attendance.objects.get(seat=seats[1]).status == "present"  # left as it was
    assert AuditEvent.objects.filter(action="meetings.attendance.changed").count() == 1


def test_attendance_refuses_substitute_for_a_seat_without_one(client, staff, body):
    meeting, _item, _seats = convened_meeting(body, voting=1, present=0, observers=0)
    lonely = factories.make_seat(body, substitute_name="")
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:attendance", args=[meeting.pk]),
        {f"status-{lonely.pk}": AttendanceStatus.SUBSTITUTE},
    )
    assert response.status_code == 200 and f"status-{lonely.pk}" in response.context["form"].errors
    assert not Attendance.objects.filter(seat=lonely).exists()


def test_attendance_on_a_draft_records_nothing(client, staff, body):
    meeting = meeting_ahead(body, 20)
    seat = factories.make_seat(body)
    client.force_login(staff)
    url = reverse("manage_meetings:attendance", args=[meeting.pk])
    assert client.get(url).context["recording"] is False
    response = client.post(url, {f"status-{seat.pk}": "present"}, follow=True)
    assert "only for a convened or held meeting" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_query_count_is_constant(client, staff, body):
    meeting, _item, _seats = convened_meeting(body, voting=2)
    client.force_login(staff)
    url = reverse("manage_meetings:attendance", args=[meeting.pk])
    small = _queries(client, url)
    for seat in factories.make_seats(body, 8):
        Attendance.objects.create(meeting=meeting, seat=seat, status="online")
    assert _queries(client, url) == small


# --- Votes, conflicts and decisions ---------------------------------------------------------------------


def test_conflict_then_votes_with_a_recusal(client, staff, body):
    meeting, item, seats = convened_meeting(body, voting=4)
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:conflict_add", args=[item.pk]),
        {"seat": seats[0].pk, "note": "L'ente partecipa al bando."},
    )
    assert response.status_code == 302
    assert ConflictDeclaration.objects.get(item=item).seat == seats[0]
    page = client.get(reverse("manage_meetings:item_decide", args=[item.pk]))
    sheet = page.context["sheet"]
    assert {row.seat.pk: row.state for row in sheet.rows}[seats[0].pk] == "recused"
    assert f"vote-{seats[0].pk}" not in page.context["form"].fields
    assert sheet.quorum.voting_members == 3 and sheet.quorum.excluded == 1
    assert "Recused: conflict of interest" in page.content.decode()
    response = client.post(
        reverse("manage_meetings:item_decide", args=[item.pk]),
        {
            "decided_by": "vote",
            "outcome": "",
            f"vote-{seats[0].pk}": "for",  # no such field: ignored, the recused member cannot vote
            f"vote-{seats[1].pk}": "for",
            f"vote-{seats[2].pk}": "for",
            f"vote-{seats[3].pk}": "against",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == Outcome.APPROVED and item.decided_by == "vote"
    assert set(Vote.objects.filter(item=item).values_list("seat_id", flat=True)) == {
        seats[1].pk,
        seats[2].pk,
        seats[3].pk,
    }
    # The conflict can no longer be declared once decided.
    response = client.post(reverse("manage_meetings:conflict_add", args=[item.pk]), {"seat": seats[1].pk})
    assert response.status_code == 200 and response.context["form"].errors


def test_decision_without_quorum_records_no_vote(client, staff, body):
    meeting, item, seats = convened_meeting(body, voting=5, present=2)
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:item_decide", args=[item.pk]),
        {"decided_by": "vote", f"vote-{seats[0].pk}": "for", f"vote-{seats[1].pk}": "for"},
    )
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    assert "The quorum is not met" in message
    assert response.context["form"][f"vote-{seats[0].pk}"].value() == "for"  # kept
    assert not Vote.objects.exists()
    item.refresh_from_db()
    assert not item.outcome


def test_decision_by_consensus_and_by_vote_are_checked(client, staff, body):
    meeting, item, seats = convened_meeting(body, voting=3)
    client.force_login(staff)
    url = reverse("manage_meetings:item_decide", args=[item.pk])
    response = client.post(url, {"decided_by": "consensus", "outcome": "", f"vote-{seats[0].pk}": "for"})
    assert "decided_by" in response.context["form"].errors
    response = client.post(url, {"decided_by": "vote", "outcome": "approved"})
    assert "outcome" in response.context["form"].errors
    response = client.post(url, {"decided_by": "consensus", "outcome": "approved"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.decided_by) == ("approved", "consensus")


def test_vote_outcome_follows_the_body_majority_rule(client, staff, programme):
    body = factories.make_body([programme], majority_rule="qualified", qualified_threshold="0.667")
    meeting, item, seats = convened_meeting(body, voting=3)
    client.force_login(staff)
    response = client.post(
        reverse("manage_meetings:item_decide", args=[item.pk]),
        {"decided_by": "vote", f"vote-{seats[0].pk}": "for", f"vote-{seats[1].pk}": "abstain"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == Outcome.REJECTED  # 1 in favour of 3 present < 2/3
    page = client.get(reverse("manage_meetings:item_decide", args=[item.pk]))
    assert page.context["sheet"].passes is False and page.context["sheet"].tally.abstentions == 1


def test_item_decide_query_count_is_constant(client, staff, body):
    meeting, item, seats = convened_meeting(body, voting=3)
    client.force_login(staff)
    url = reverse("manage_meetings:item_decide", args=[item.pk])
    Vote.objects.create(item=item, seat=seats[0], choice="for")
    small = _queries(client, url)
    for seat in factories.make_seats(body, 8):
        Attendance.objects.create(meeting=meeting, seat=seat, status="present")
        Vote.objects.create(item=item, seat=seat, choice="against")
    ConflictDeclaration.objects.create(item=item, seat=seats[1])
    assert _queries(client, url) == small


def test_staff_home_links_to_bodies_and_meetings(client, staff):
    client.force_login(staff)
    assert reverse("manage_meetings:index") in client.get(reverse("portal:staff_home")).content.decode()


def test_item_edit_refuses_a_kind_change_once_voted_and_on_a_held_meeting(client, staff, body):
    meeting, item, seats = convened_meeting(body)
    Vote.objects.create(item=item, seat=seats[0], choice="for")
    client.force_login(staff)
    url = reverse("manage_meetings:item_edit", args=[item.pk])
    response = client.post(url, {"title_it": "Relazione", "kind": "information"})
    assert response.context["form"].errors["kind"] == [
        "Votes were recorded on this item: its type cannot change."
    ]
    meeting.state = MeetingState.HELD
    meeting.save()
    response = client.post(url, {"title_it": "Relazione", "kind": "approval"})
    assert (
        "The agenda of a meeting that is over or cancelled cannot change."
        in response.context["form"].non_field_errors()
    )
    item.refresh_from_db()
    assert item.title_it == "Approvazione della relazione annuale"
