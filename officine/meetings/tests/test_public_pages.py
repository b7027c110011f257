"""Public pages of bodies and meetings (``bodies:list``, ``bodies:detail``, ``meetings:calendar``,
``meetings:detail``, ``meetings:document``, ``bodies:document``), the navigation entries, and the
upcoming-meetings blocks of the home and programme pages."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.meetings.models import (
    AgendaItemKind,
    AttendanceStatus,
    BodyKind,
    Gender,
    MeetingKind,
    MeetingMode,
    MeetingState,
    Outcome,
    Registration,
    RegistrationStatus,
    SeatRole,
    VoteChoice,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories_d import (
    add_document,
    add_minutes,
    attend,
    convened,
    held,
    open_procedure,
    recommend,
    vote,
)

pytestmark = pytest.mark.django_db


def soon(days: int = 14, hour: int = 10):
    """A time ``days`` from now in Rome, at ``hour``."""
    day = timezone.localdate() + timedelta(days=days)
    return factories.rome(day.year, day.month, day.day, hour)


def ago(days: int = 30, hour: int = 10):
    return soon(-days, hour)


def count_queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


# --- Navigation -------------------------------------------------------------------------------------------


def test_main_navigation_has_calendar_and_bodies(client):
    response = client.get("/en/meetings/")
    nav = {key: (label, url) for key, label, url in response.context["main_nav"]}
    assert nav["calendar"] == ("Calendar", "/en/meetings/")
    assert nav["bodies"] == ("Bodies", "/en/bodies/")
    assert 'href="/en/meetings/" aria-current="page"' in response.content.decode()


# --- List of bodies ---------------------------------------------------------------------------------------


def test_body_list_shows_kind_programmes_members_and_next_meeting(client, body, programme):
    factories.make_seats(body, 3)
    factories.make_seat(body, SeatRole.OBSERVER)
    meeting = convened(body, soon(10), title_it="Seconda riunione")
    convened(body, soon(40))
    factories.make_meeting(body, soon(5))  # a draft is not announced
    response = client.get("/en/bodies/")
    html = response.content.decode()
    assert response.status_code == 200
    [row] = response.context["bodies"]
    assert row.member_count == 3  # observers are not members
    assert row.next_meeting == meeting
    assert "Monitoring committee" in html
    assert programme.title in html
    assert reverse("meetings:detail", args=[meeting.pk]) in html


def test_body_list_filters_by_programme_and_kind(client, body, programme, other_programme):
    table = factories.make_body([other_programme], kind=BodyKind.PARTNERSHIP_TABLE, name_it="Tavolo")
    response = client.get(f"/en/bodies/?programme={other_programme.pk}")
    assert list(response.context["bodies"]) == [table]
    response = client.get("/en/bodies/?kind=monitoring_committee")
    assert list(response.context["bodies"]) == [body]
    response = client.get("/en/bodies/?kind=nonsense")
    assert response.status_code == 200
    assert set(response.context["bodies"]) == {body, table}  # an invalid filter is reported and ignored
    assert response.context["form"].errors["kind"]


def test_body_list_query_count_does_not_grow(client, programme, other_programme):
    def add_bodies(n):
        for i in range(n):
            b = factories.make_body([programme, other_programme], name_it=f"Comitato {i}")
            factories.make_seats(b, 2)
            convened(b, soon(10 + i))

    add_bodies(2)
    small, _ = count_queries(client, "/en/bodies/")
    add_bodies(6)
    large, response = count_queries(client, "/en/bodies/")
    assert len(response.context["bodies"]) == 8
    assert small == large


# --- A body's page ----------------------------------------------------------------------------------------


@pytest.fixture
def documented_body(body, programme):
    body.constitution_act_number = "DD 12/2022"
    body.constitution_act_date = timezone.localdate() - timedelta(days=20)
    body.constitution_document.save("atto.pdf", ContentFile(b"%PDF act"), save=False)
    body.rules_document.save("regolamento.pdf", ContentFile(b"%PDF rules"), save=False)
    body.save()
    return body


def test_body_page_shows_rules_composition_meetings_procedures_recommendations(client, documented_body):
    body = documented_body
    today = timezone.localdate()
    current = factories.make_seat(
        body, SeatRole.CHAIR, member_name="Maria Rossi", member_gender=Gender.FEMALE, start_date=today
    )
    old = factories.make_seat(
        body,
        member_name="Paolo Bianchi",
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=10),
        end_act_number="DD 99/2026",
        end_act_date=today - timedelta(days=12),
    )
    successor = factories.make_seat(
        body, member_name="Giulia Verdi", organization=old.organization, replaces=old, start_date=today
    )
    past = held(body, ago(30), title_it="Prima riunione")
    add_minutes(past)
    upcoming = convened(body, soon(20), title_it="Seconda riunione")
    procedure = open_procedure(body)
    recommendation = recommend(
        body, status="accepted", reply="Accolta: nuova modulistica.", reply_date=today, meeting=past
    )

    response = client.get(f"/en/bodies/{body.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    # act of constitution and rules of procedure, in plain words
    assert "DD 12/2022" in html
    assert reverse("bodies:document", args=[body.pk, "act"]) in html
    assert reverse("bodies:document", args=[body.pk, "rules"]) in html
    assert "at least 10 working days before each meeting" in html
    assert "5 working days for an urgent convocation" in html
    assert "at least half of the voting members are present" in html
    assert "Members who do not answer by the deadline are taken to agree." in html
    # composition: current and past, with the acts
    assert [s.pk for s in response.context["page"].current_seats] == [current.pk, successor.pk]
    assert "Maria Rossi" in html and "Giulia Verdi" in html
    assert "Paolo Bianchi" in html and "ended by DD 99/2026" in html and "replaced by Giulia Verdi" in html
    # meetings with the minutes link, procedures, recommendations
    assert reverse("meetings:detail", args=[upcoming.pk]) in html
    assert reverse("minutes:detail", args=[past.pk]) in html
    assert reverse("procedures:detail", args=[procedure.pk]) in html
    assert recommendation.reply in html
    assert reverse("bodies:ics", args=[body.pk]) in html


def test_body_page_rules_for_qualified_majority_and_no_silent_consent(client, programme):
    body = factories.make_body(
        [programme], majority_rule="qualified", qualified_threshold="0.667", silent_consent=False
    )
    html = client.get(f"/en/bodies/{body.pk}/").content.decode()
    assert "at least two thirds of the voting members present vote in favour" in html
    assert "Silence is not taken as consent" in html


def test_body_page_unknown_body_is_404(client, db):
    assert client.get("/en/bodies/999999/").status_code == 404


def test_body_page_alerts_public_ones_to_everyone_all_to_staff(client, body, staff):
    factories.make_seats(body, 1)  # no gender recorded: a staff-only alert
    meeting = held(body, ago(120))  # minutes overdue: a public alert
    response = client.get(f"/en/bodies/{body.pk}/")
    codes = {a.code for a in response.context["compliance_alerts"]}
    assert codes == {"minutes_overdue"}
    assert reverse("meetings:detail", args=[meeting.pk]) in response.content.decode()
    assert reverse("manage_minutes:edit", args=[meeting.pk]) not in response.content.decode()

    client.force_login(staff)
    response = client.get(f"/en/bodies/{body.pk}/")
    codes = {a.code for a in response.context["compliance_alerts"]}
    assert codes == {"minutes_overdue", "gender_balance"}
    assert reverse("manage_minutes:edit", args=[meeting.pk]) in response.content.decode()
    assert reverse("manage_meetings:body", args=[body.pk]) in response.content.decode()


def test_body_page_query_count_does_not_grow(client, body):
    def add_history(n):
        for _ in range(n):
            seat = factories.make_seat(body, member_gender=Gender.MALE)
            m = held(body, ago(10 + len(body.seats.all())))
            add_minutes(m)
            add_document(m, published_at=m.starts_at - timedelta(days=30))
            open_procedure(body)
            recommend(body)
            factories.make_seat(
                body,
                organization=seat.organization,
                member_name=f"Ex {seat.pk}",
                start_date=factories.SEATS_FROM - timedelta(days=300),
                end_date=factories.SEATS_FROM - timedelta(days=1),
            )

    add_history(1)
    small, _ = count_queries(client, f"/en/bodies/{body.pk}/")
    add_history(4)
    large, response = count_queries(client, f"/en/bodies/{body.pk}/")
    assert len(response.context["page"].past_meetings) == 5
    assert small == large


def test_body_documents_are_served(client, documented_body):
    response = client.get(reverse("bodies:document", args=[documented_body.pk, "rules"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF rules"
    assert client.get(reverse("bodies:document", args=[documented_body.pk, "other"])).status_code == 404


def test_missing_body_document_is_404(client, body):
    assert client.get(reverse("bodies:document", args=[body.pk, "act"])).status_code == 404


# --- Calendar ---------------------------------------------------------------------------------------------


def test_calendar_shows_upcoming_grouped_by_month_in_italian(client, body):
    first = convened(body, soon(3), title_it="Riunione vicina")
    later = convened(body, soon(45), title_it="Riunione lontana")
    held(body, ago(10), title_it="Riunione passata")
    factories.make_meeting(body, soon(4), title_it="Bozza")
    response = client.get("/it/meetings/")
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["meetings"]) == [first, later]
    assert "Riunione passata" not in html and "Bozza" not in html
    months = {"1": "gennaio", "2": "febbraio", "3": "marzo", "4": "aprile", "5": "maggio", "6": "giugno"}
    months |= {"7": "luglio", "8": "agosto", "9": "settembre", "10": "ottobre", "11": "novembre"}
    months |= {"12": "dicembre"}
    heading = f"{months[str(first.day.month)]} {first.day.year}"
    assert heading in html


def test_calendar_past_and_filters_and_ics_link_keeps_query(client, body, programme, other_programme):
    past = held(body, ago(10))
    event = convened(
        None,
        soon(7),
        kind=MeetingKind.PUBLIC_EVENT,
        programme=other_programme,
        mode=MeetingMode.ONLINE,
        online_link="https://meet.example.org/x",
        place="",
    )
    committee = convened(body, soon(8))
    response = client.get("/en/meetings/?past=on")
    assert list(response.context["meetings"]) == [past]
    assert list(client.get(f"/en/meetings/?programme={programme.pk}").context["meetings"]) == [committee]
    assert list(client.get(f"/en/meetings/?programme={other_programme.pk}").context["meetings"]) == [event]
    assert list(client.get(f"/en/meetings/?body={body.pk}").context["meetings"]) == [committee]
    assert list(client.get("/en/meetings/?kind=public_event").context["meetings"]) == [event]
    assert list(client.get("/en/meetings/?mode=online").context["meetings"]) == [event]
    day = committee.day.isoformat()
    response = client.get(f"/en/meetings/?from={day}&to={day}&page=1")
    assert list(response.context["meetings"]) == [committee]
    assert response.context["ics_url"] == f"/en/meetings/calendar.ics?from={day}&to={day}"


def test_calendar_reports_a_bad_period_and_ignores_it(client, body):
    convened(body, soon(3))
    later = convened(body, soon(20))
    start, end = timezone.localdate() + timedelta(days=10), timezone.localdate() + timedelta(days=1)
    response = client.get(f"/en/meetings/?from={start.isoformat()}&to={end.isoformat()}")
    assert response.status_code == 200
    assert response.context["form"].errors["to"] == ["The end of the period comes before its start."]
    assert list(response.context["meetings"]) == [later]  # the valid "from" still applies


def test_calendar_query_count_does_not_grow(client, body, programme):
    def add_meetings(n):
        for i in range(n):
            convened(body, soon(2 + i), programme=programme)
            convened(None, soon(3 + i), kind=MeetingKind.TRAINING, programme=programme)

    add_meetings(2)
    small, _ = count_queries(client, f"/en/meetings/?programme={programme.pk}")
    add_meetings(8)
    large, response = count_queries(client, f"/en/meetings/?programme={programme.pk}")
    assert len(response.context["meetings"]) == 20
    assert small == large


# --- A meeting's page -------------------------------------------------------------------------------------


def test_draft_meeting_is_404_for_the_public_and_shown_to_staff(client, body, staff, other_staff):
    draft = factories.make_meeting(body, soon(20))
    assert client.get(f"/en/meetings/{draft.pk}/").status_code == 404
    client.force_login(other_staff)
    assert client.get(f"/en/meetings/{draft.pk}/").status_code == 404
    client.force_login(staff)
    response = client.get(f"/en/meetings/{draft.pk}/")
    assert response.status_code == 200
    assert reverse("manage_meetings:meeting", args=[draft.pk]) in response.content.decode()


def test_cancelled_meeting_without_notice_is_404_with_notice_is_shown(client, body):
    quiet = factories.make_meeting(body, soon(20), state=MeetingState.CANCELLED)
    assert client.get(f"/en/meetings/{quiet.pk}/").status_code == 404
    told = convened(
        body, soon(20), state=MeetingState.CANCELLED, cancellation_reason="Sciopero dei trasporti"
    )
    html = client.get(f"/en/meetings/{told.pk}/").content.decode()
    assert "This meeting has been cancelled." in html and "Sciopero dei trasporti" in html


def test_meeting_page_shows_notice_agenda_decisions_documents_attendance(client, body):
    seats = factories.make_seats(body, 4)
    meeting = held(
        body,
        ago(5),
        is_urgent=True,
        urgency_reason="Scadenza della Commissione",
    )
    approval = factories.add_item(meeting, AgendaItemKind.APPROVAL, "Criteri di selezione")
    approval.presenter = "Autorità di Gestione"
    approval.outcome = Outcome.APPROVED
    approval.decided_by = "vote"
    approval.save()
    factories.add_item(meeting, AgendaItemKind.EXAMINATION, "Stato di attuazione")
    for seat in seats[:3]:
        attend(meeting, seat, AttendanceStatus.PRESENT)
    attend(meeting, seats[3], AttendanceStatus.ABSENT)
    vote(approval, seats[0], VoteChoice.FOR)
    vote(approval, seats[1], VoteChoice.FOR)
    vote(approval, seats[2], VoteChoice.AGAINST)
    public_doc = add_document(meeting, item=approval, published_at=ago(20), title="Nota metodologica")
    withheld = add_document(
        meeting,
        published_at=ago(20),
        title="Parere legale",
        is_confidential=True,
        confidentiality_reason="Segreto professionale",
    )
    unpublished = add_document(meeting, title="Bozza non ancora inviata")
    add_minutes(meeting)

    response = client.get(f"/en/meetings/{meeting.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Urgent convocation:" in html and "Scadenza della Commissione" in html
    assert "Approval (CPR Art. 40(2))" in html and "Examination (CPR Art. 40(1))" in html
    assert "presented by Autorità di Gestione" in html
    assert "2 in favour, 1 against, 0 abstentions" in html
    assert reverse("meetings:document", args=[public_doc.pk]) in html
    assert "Parere legale" in html and "Segreto professionale" in html
    assert reverse("meetings:document", args=[withheld.pk]) not in html
    assert "Bozza non ancora inviata" not in html and unpublished.pk
    assert "Voting members present: 3 of 4 (quorum: 2)." in html
    assert "The quorum was reached." in html
    assert reverse("minutes:detail", args=[meeting.pk]) in html
    assert reverse("meetings:ics", args=[meeting.pk]) in html
    assert reverse("meetings:agenda_pdf", args=[meeting.pk]) in html


def test_private_link_only_for_members_participants_and_staff(client, body, staff):
    member = make_user("membro@example.org")
    factories.make_seat(body, member_user=member)
    meeting = convened(
        body, soon(10), mode=MeetingMode.HYBRID, online_link="https://meet.example.org/segreto"
    )
    url = f"/en/meetings/{meeting.pk}/"
    assert "meet.example.org/segreto" not in client.get(url).content.decode()
    assert "The link is sent to the members of the body." in client.get(url).content.decode()
    visitor = make_user("curioso@example.org")
    client.force_login(visitor)
    assert "meet.example.org/segreto" not in client.get(url).content.decode()
    client.force_login(member)
    assert "meet.example.org/segreto" in client.get(url).content.decode()
    client.force_login(staff)
    assert "meet.example.org/segreto" in client.get(url).content.decode()


def test_public_link_is_shown_to_everyone(client, body):
    meeting = convened(
        body,
        soon(10),
        mode=MeetingMode.ONLINE,
        place="",
        online_link="https://meet.example.org/aperto",
        online_link_is_public=True,
    )
    assert "meet.example.org/aperto" in client.get(f"/en/meetings/{meeting.pk}/").content.decode()


def test_event_page_registration_button_with_places_left(client, programme):
    event = convened(
        None, soon(10), kind=MeetingKind.PUBLIC_EVENT, programme=programme, capacity=2, state="convened"
    )
    Registration.objects.create(
        meeting=event, name="Anna", email="anna@example.org", status=RegistrationStatus.CONFIRMED
    )
    html = client.get(f"/en/meetings/{event.pk}/").content.decode()
    assert reverse("meetings:register", args=[event.pk]) in html
    assert "1 place left." in html
    Registration.objects.create(
        meeting=event, name="Bruno", email="bruno@example.org", status=RegistrationStatus.CONFIRMED
    )
    html = client.get(f"/en/meetings/{event.pk}/").content.decode()
    assert "Join the waiting list" in html


def test_registered_participant_sees_private_link_of_event(client, programme):
    event = convened(
        None,
        soon(10),
        kind=MeetingKind.PUBLIC_EVENT,
        programme=programme,
        mode=MeetingMode.ONLINE,
        place="",
        online_link="https://meet.example.org/evento",
    )
    user = make_user("iscritta@example.org")
    Registration.objects.create(
        meeting=event, user=user, name="Iscritta", email=user.email, status=RegistrationStatus.CONFIRMED
    )
    url = f"/en/meetings/{event.pk}/"
    assert "The link is sent to registered participants." in client.get(url).content.decode()
    client.force_login(user)
    assert "meet.example.org/evento" in client.get(url).content.decode()


def test_meeting_page_query_count_does_not_grow(client, body):
    meeting = held(body, ago(5))

    def add_rows(n):
        for _ in range(n):
            seat = factories.make_seat(body)
            attend(meeting, seat, AttendanceStatus.PRESENT)
            item = factories.add_item(meeting)
            vote(item, seat, VoteChoice.FOR)
            add_document(meeting, item=item, published_at=ago(30))

    add_rows(2)
    small, _ = count_queries(client, f"/en/meetings/{meeting.pk}/")
    add_rows(6)
    large, response = count_queries(client, f"/en/meetings/{meeting.pk}/")
    assert len(response.context["page"].items) == 8
    assert small == large


# --- Document download ------------------------------------------------------------------------------------


def test_document_download_rules(client, body, staff, other_staff):
    meeting = convened(body, soon(10))
    public = add_document(meeting, published_at=ago(1), content=b"%PDF public")
    withheld = add_document(
        meeting, published_at=ago(1), is_confidential=True, confidentiality_reason="Dati personali"
    )
    unpublished = add_document(meeting)
    draft_doc = add_document(factories.make_meeting(body, soon(30)), published_at=ago(1))

    response = client.get(f"/en/meetings/documents/{public.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF public"
    for document in (withheld, unpublished, draft_doc):
        assert client.get(f"/en/meetings/documents/{document.pk}/").status_code == 404
    client.force_login(other_staff)
    for document in (withheld, unpublished, draft_doc):
        assert client.get(f"/en/meetings/documents/{document.pk}/").status_code == 404
    client.force_login(staff)
    for document in (withheld, unpublished, draft_doc):
        response = client.get(f"/en/meetings/documents/{document.pk}/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_procedure_documents_follow_the_same_rules(client, body, staff):
    procedure = open_procedure(body)
    public = add_document(procedure=procedure, published_at=ago(1))
    withheld = add_document(
        procedure=procedure, published_at=ago(1), is_confidential=True, confidentiality_reason="Riservato"
    )
    assert client.get(f"/en/meetings/documents/{public.pk}/").status_code == 200
    assert client.get(f"/en/meetings/documents/{withheld.pk}/").status_code == 404
    client.force_login(staff)
    assert client.get(f"/en/meetings/documents/{withheld.pk}/").status_code == 200


def test_unknown_document_is_404(client, db):
    assert client.get("/en/meetings/documents/424242/").status_code == 404


# --- Home and programme pages -----------------------------------------------------------------------------


def test_home_shows_upcoming_public_meetings(client, body):
    meeting = convened(body, soon(6), title_it="Riunione di dicembre")
    factories.make_meeting(body, soon(7), title_it="Riunione in bozza")
    convened(body, soon(8), title_it="Riunione annullata", state=MeetingState.CANCELLED)
    html = client.get("/en/").content.decode()
    assert "Upcoming meetings" in html
    assert reverse("meetings:detail", args=[meeting.pk]) in html
    assert "Riunione in bozza" not in html and "Riunione annullata" not in html


def test_programme_page_shows_bodies_and_meetings_and_alerts_for_staff(client, body, programme, staff):
    programme.approval_date = timezone.localdate() - timedelta(days=400)
    programme.save()
    meeting = convened(body, soon(9), title_it="Riunione del programma")
    url = programme.get_absolute_url()
    html = client.get(url).content.decode()
    assert reverse("bodies:detail", args=[body.pk]) in html
    assert reverse("meetings:detail", args=[meeting.pk]) in html
    assert f"{reverse('meetings:calendar')}?programme={programme.pk}" in html
    assert "Compliance checks" not in html
    client.force_login(staff)
    response = client.get(url)
    assert "Compliance checks" in response.content.decode()
    assert {a.code for a in response.context["compliance_alerts"]} >= {"mc_setup"}


def test_programme_page_query_count_does_not_grow_with_meetings(client, body, programme):
    def add_meetings(n):
        for i in range(n):
            convened(body, soon(2 + i))
            factories.make_body([programme], name_it=f"Gruppo {i}", kind=BodyKind.WORKING_GROUP)

    add_meetings(1)
    small, _ = count_queries(client, programme.get_absolute_url())
    add_meetings(4)
    large, _ = count_queries(client, programme.get_absolute_url())
    assert small == large
