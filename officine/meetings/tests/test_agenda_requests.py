"""Members' requests to add agenda items: the window in working days after the notice, who may ask, the
secretariat's accept (the item is added, the invitation revised) and decline (with reasons), the notices,
the pages and who may use them, and constant query counts."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officine.conftest import make_user
from officine.core.models import AuditEvent
from officine.meetings import agenda_requests as services
from officine.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaRequest,
    AgendaRequestStatus,
    MeetingState,
    SeatRole,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories import rome
from officine.meetings.tests.factories_e import make_committee
from officine.meetings.tests.factories_h import answered_requests, convened, convened_now, make_request
from officine.notifications.models import Notification

pytestmark = pytest.mark.django_db

# Notice on Monday 23 November 2026: 5 working days later is Monday 30 November.
NOTICE = rome(2026, 11, 23, 9)
MEETING = rome(2026, 12, 9, 10)
# Notice on Thursday 3 December 2026: 8 December (Immacolata) is a holiday, so the window ends Friday 11.
NOTICE_BEFORE_HOLIDAY = rome(2026, 12, 3, 9)
LATER_MEETING = rome(2027, 1, 20, 10)


@pytest.fixture
def committee(body):
    return make_committee(body)


@pytest.fixture
def meeting(body):
    return convened(body, NOTICE, MEETING)


def ask(committee, meeting, now, who="member", seat="member_seat", **kwargs):
    return make_request(getattr(committee, who), meeting, getattr(committee, seat), now=now, **kwargs)


# --- The window -----------------------------------------------------------------------------------------


def test_window_ends_with_the_last_working_day(committee, meeting):
    assert services.request_deadline(meeting) == date(2026, 11, 30)
    made = ask(committee, meeting, rome(2026, 11, 30, 23, 59))
    assert made.status == AgendaRequestStatus.PENDING and made.author == committee.member


def test_the_day_after_the_window_is_refused(committee, meeting):
    with pytest.raises(ValidationError) as error:
        ask(committee, meeting, rome(2026, 12, 1, 0, 5))
    assert error.value.code == "late"
    assert "30/11/2026" in error.value.messages[0] or "11/30/2026" in error.value.messages[0]
    assert not AgendaRequest.objects.exists()


def test_a_holiday_inside_the_window_moves_its_end(committee, body):
    meeting = convened(body, NOTICE_BEFORE_HOLIDAY, LATER_MEETING)
    assert services.request_deadline(meeting) == date(2026, 12, 11)
    ask(committee, meeting, rome(2026, 12, 11, 18))
    with pytest.raises(ValidationError):
        ask(committee, meeting, rome(2026, 12, 14, 9), title="Troppo tardi")
    assert AgendaRequest.objects.count() == 1


def test_a_local_holiday_of_a_served_programme_counts(committee, body, programme):
    programme.local_holiday = "12-10"
    programme.save()
    meeting = convened(body, NOTICE_BEFORE_HOLIDAY, LATER_MEETING)
    assert services.request_deadline(meeting) == date(2026, 12, 14)
    ask(committee, meeting, rome(2026, 12, 14, 9))


def test_no_request_once_the_meeting_has_started(committee, body):
    meeting = convened(body, NOTICE_BEFORE_HOLIDAY, MEETING)  # window until 11 December, meeting on the 9th
    ask(committee, meeting, rome(2026, 12, 9, 9, 59))
    with pytest.raises(ValidationError, match="started"):
        ask(committee, meeting, rome(2026, 12, 9, 10, 30), title="In riunione")


def test_a_draft_meeting_takes_no_request(committee, body):
    draft = factories.make_meeting(body, starts_at=MEETING)
    with pytest.raises(ValidationError, match="notice"):
        ask(committee, draft, rome(2026, 11, 24))
    assert services.request_deadline(draft) is None


@pytest.mark.parametrize("state", [MeetingState.HELD, MeetingState.CANCELLED])
def test_a_held_or_cancelled_meeting_takes_no_request(committee, meeting, state):
    meeting.state = state
    meeting.save()
    with pytest.raises(ValidationError):
        ask(committee, meeting, rome(2026, 11, 24))


# --- Who may ask ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "seat"), [("member", "member_seat"), ("substitute", "substitute_seat"), ("chair_user", "chair")]
)
def test_members_substitutes_and_chair_of_voting_seats_may_ask(committee, meeting, who, seat):
    made = ask(committee, meeting, rome(2026, 11, 24), who=who, seat=seat)
    assert made.seat == getattr(committee, seat)
    event = AuditEvent.objects.get(action="meetings.agenda_request.made")
    assert event.actor == getattr(committee, who) and event.target_id == str(made.pk)


@pytest.mark.parametrize(("who", "seat"), [("observer", "observer_seat"), ("secretary", "secretariat_seat")])
def test_observers_and_the_secretariat_seat_may_not_ask(committee, meeting, who, seat):
    with pytest.raises(ValidationError, match="no vote"):
        ask(committee, meeting, rome(2026, 11, 24), who=who, seat=seat)


def test_advisory_members_may_not_ask(committee, meeting, body):
    adviser = make_user("commissione@example.org")
    seat = factories.make_seat(body, SeatRole.ADVISORY, member_user=adviser)
    with pytest.raises(ValidationError, match="no vote"):
        make_request(adviser, meeting, seat, now=rome(2026, 11, 24))


def test_someone_who_does_not_hold_the_seat_may_not_ask_for_it(committee, meeting):
    with pytest.raises(ValidationError, match="member or the substitute"):
        ask(committee, meeting, rome(2026, 11, 24), who="member", seat="chair")
    outsider = make_user("esterno@example.org")
    with pytest.raises(ValidationError):
        make_request(outsider, meeting, committee.member_seat, now=rome(2026, 11, 24))


def test_a_seat_of_another_body_or_ended_is_refused(committee, meeting, programme):
    other_body = factories.make_body([programme], name_it="Tavolo")
    other_seat = factories.make_seat(other_body, member_user=committee.member)
    with pytest.raises(ValidationError, match="does not hold a seat"):
        make_request(committee.member, meeting, other_seat, now=rome(2026, 11, 24))
    ended = factories.make_seat(meeting.body, member_user=committee.member, end_date=date(2026, 6, 30))
    with pytest.raises(ValidationError, match="does not hold a seat"):
        make_request(committee.member, meeting, ended, now=rome(2026, 11, 24))


def test_title_and_reason_are_required(committee, meeting):
    with pytest.raises(ValidationError) as error:
        ask(committee, meeting, rome(2026, 11, 24), data={"title_it": "  ", "reason": ""})
    assert set(error.value.message_dict) == {"title_it", "reason"}


# --- Accept ---------------------------------------------------------------------------------------------


def test_accept_adds_the_item_bumps_the_sequence_and_resends(
    staff, committee, meeting, django_capture_on_commit_callbacks
):
    made = ask(committee, meeting, rome(2026, 11, 24), data={"kind": AgendaItemKind.APPROVAL})
    before = meeting.sequence
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        accepted = services.accept(staff, made, "Inserito come punto 2.")
    meeting.refresh_from_db()
    assert meeting.sequence == before + 1
    item = accepted.item
    assert (item.order, item.title_it, item.kind) == (2, "Stato di attuazione", AgendaItemKind.APPROVAL)
    assert item.presenter == "Associazione Alfa"
    assert accepted.status == AgendaRequestStatus.ACCEPTED and accepted.answered_by == staff
    assert accepted.answer == "Inserito come punto 2." and accepted.answered_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "meetings.agenda_item.added",
        "meetings.meeting.agenda_extended",
        "meetings.agenda_request.accepted",
    } <= actions
    assert callbacks  # the invitation's new revision (and the notice e-mail) go out after commit
    assert meeting.dispatches.filter(sequence=meeting.sequence, method="REQUEST").exists()


def test_an_answered_request_cannot_be_accepted_again(staff, committee, meeting):
    made = ask(committee, meeting, rome(2026, 11, 24))
    services.accept(staff, made)
    with pytest.raises(ValidationError, match="already been answered"):
        services.accept(staff, made)
    with pytest.raises(ValidationError, match="already been answered"):
        services.decline(staff, made, "No")
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2


def test_accept_is_refused_once_the_meeting_is_held(staff, committee, meeting):
    made = ask(committee, meeting, rome(2026, 11, 24))
    meeting.state = MeetingState.HELD
    meeting.save()
    with pytest.raises(ValidationError):
        services.accept(staff, made)
    made.refresh_from_db()
    assert made.status == AgendaRequestStatus.PENDING and made.item is None


# --- Decline --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["", "   "])
def test_decline_needs_the_reasons(staff, committee, meeting, answer):
    made = ask(committee, meeting, rome(2026, 11, 24))
    with pytest.raises(ValidationError) as error:
        services.decline(staff, made, answer)
    assert "answer" in error.value.message_dict
    made.refresh_from_db()
    assert made.status == AgendaRequestStatus.PENDING


def test_decline_records_the_reasons_and_adds_nothing(staff, committee, meeting):
    made = ask(committee, meeting, rome(2026, 11, 24))
    declined = services.decline(staff, made, "  Il tema è già al punto 1.  ")
    assert declined.status == AgendaRequestStatus.DECLINED and declined.answer == "Il tema è già al punto 1."
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert AuditEvent.objects.filter(action="meetings.agenda_request.declined").count() == 1


def test_the_database_refuses_a_decline_without_answer(committee, meeting):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaRequest.objects.create(
            meeting=meeting,
            seat=committee.member_seat,
            title_it="X",
            reason="Y",
            status=AgendaRequestStatus.DECLINED,
            answered_at=NOTICE,
        )


# --- Notices --------------------------------------------------------------------------------------------


def test_a_new_request_notifies_the_secretariat(staff, other_staff, committee, meeting):
    made = ask(committee, meeting, rome(2026, 11, 24))
    notified = set(
        Notification.objects.filter(key=f"meetings.agenda_request.{made.pk}.made").values_list(
            "recipient__email", flat=True
        )
    )
    assert notified == {staff.email, committee.secretary.email}  # programme staff and the secretariat seat
    notice = Notification.objects.get(recipient=staff)
    assert notice.kind == services.NOTICE_KIND and "Stato di attuazione" in notice.body
    assert notice.url.endswith(f"/meetings/{meeting.pk}/#agenda-requests")  # in Italian, the default


@pytest.mark.parametrize("outcome", ["accept", "decline"])
def test_the_requester_is_told_the_answer(staff, committee, meeting, outcome):
    made = ask(committee, meeting, rome(2026, 11, 24), who="substitute", seat="substitute_seat")
    if outcome == "accept":
        services.accept(staff, made)
    else:
        services.decline(staff, made, "Fuori dalle competenze del Comitato.")
    [notice] = Notification.objects.filter(key=f"meetings.agenda_request.{made.pk}.answered")
    assert notice.recipient == committee.substitute
    assert ("Fuori dalle competenze" in notice.body) == (outcome == "decline")
    assert not Notification.objects.filter(recipient=committee.member).exists()


# --- Pages ----------------------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def live(body):
    """A convened meeting whose window is open today."""
    return convened_now(body)


def request_url(meeting) -> str:
    return reverse("meetings:agenda_request", args=[meeting.pk])


@pytest.fixture
def people(committee, staff, other_staff):
    return {
        "anonymous": None,
        "visitor": make_user("visitatore@example.org"),
        "member": committee.member,
        "observer": committee.observer,
        "staff": staff,
        "other_staff": other_staff,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("visitor", 403),
        ("member", 200),
        ("observer", 403),
        ("staff", 403),
        ("other_staff", 403),
    ],
)
def test_request_page_permission_matrix(people, committee, live, who, status):
    response = client_for(people[who]).get(request_url(live))
    assert response.status_code == status
    if who == "anonymous":
        assert "login" in response["Location"]
    data = {"seat": committee.member_seat.pk, "title_it": "Punto", "reason": "Perché", "kind": "examination"}
    post = client_for(people[who]).post(request_url(live), data)
    assert post.status_code == (302 if who in ("anonymous", "member") else status)
    assert AgendaRequest.objects.count() == (1 if who == "member" else 0)


def test_the_request_page_of_a_draft_is_not_found(committee, body):
    draft = factories.make_meeting(body)
    assert client_for(committee.member).get(request_url(draft)).status_code == 404


def test_a_member_requests_an_item_through_the_page(committee, live):
    client = client_for(committee.member)
    html = client.get(request_url(live)).content.decode()
    assert 'name="title_it"' in html and "Associazione Alfa" in html
    empty = {"seat": committee.member_seat.pk, "title_it": "", "reason": "", "kind": "approval"}
    response = client.post(request_url(live), empty)
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        request_url(live),
        {"seat": committee.member_seat.pk, "title_it": "Ritardi", "reason": "Serve", "kind": "approval"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[live.pk])
    made = AgendaRequest.objects.get()
    assert (made.title_it, made.kind, made.seat, made.author) == (
        "Ritardi",
        "approval",
        committee.member_seat,
        committee.member,
    )


def test_after_the_window_the_page_says_so_and_refuses(committee, body):
    closed = convened_now(body, notice_days_ago=30, starts_in_days=5)
    client = client_for(committee.member)
    response = client.get(request_url(closed))
    assert response.status_code == 200 and not response.context["is_open"]
    assert 'name="title_it"' not in response.content.decode()
    data = {"seat": committee.member_seat.pk, "title_it": "Punto", "reason": "Perché", "kind": "approval"}
    response = client.post(request_url(closed), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not AgendaRequest.objects.exists()
    html = client.get(reverse("meetings:detail", args=[closed.pk])).content.decode()
    assert "window to request agenda items closed" in html


def test_the_meeting_page_offers_the_request_to_members_only(people, live):
    link = f'href="{request_url(live)}"'
    for who, user in people.items():
        html = client_for(user).get(reverse("meetings:detail", args=[live.pk])).content.decode()
        assert (link in html) == (who == "member"), who


def test_the_meeting_page_shows_answered_requests_to_everyone(staff, committee, live):
    pending = make_request(committee.member, live, committee.member_seat, title="Ancora in attesa")
    accepted = make_request(committee.chair_user, live, committee.chair, title="Punto accolto")
    declined = make_request(committee.member, live, committee.member_seat, title="Punto respinto")
    services.accept(staff, accepted)
    services.decline(staff, declined, "Se ne parlerà a marzo.")
    html = Client().get(reverse("meetings:detail", args=[live.pk])).content.decode()
    assert "Punto accolto" in html and "Punto respinto" in html and "Se ne parlerà a marzo." in html
    assert "Associazione Alfa" in html and "Regione Esempio" in html
    assert pending.title_it not in html
    member_page = client_for(committee.member).get(reverse("meetings:detail", args=[live.pk]))
    member_html = member_page.content.decode()
    assert pending.title_it in member_html  # their own pending request


def accept_url(agenda_request) -> str:
    return reverse("manage_meetings:agenda_request_accept", args=[agenda_request.pk])


def decline_url(agenda_request) -> str:
    return reverse("manage_meetings:agenda_request_decline", args=[agenda_request.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("visitor", 403),
        ("member", 403),
        ("observer", 403),
        ("staff", 302),
        ("other_staff", 403),
    ],
)
def test_accept_permission_matrix(people, committee, live, who, status):
    made = make_request(committee.member, live, committee.member_seat)
    client = client_for(people[who])
    assert client.get(accept_url(made)).status_code == 405
    response = client.post(accept_url(made))
    assert response.status_code == status
    made.refresh_from_db()
    assert (made.status == AgendaRequestStatus.ACCEPTED) == (who == "staff")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("visitor", 403),
        ("member", 403),
        ("observer", 403),
        ("staff", 200),
        ("other_staff", 403),
    ],
)
def test_decline_permission_matrix(people, committee, live, who, status):
    made = make_request(committee.member, live, committee.member_seat)
    client = client_for(people[who])
    assert client.get(decline_url(made)).status_code == status
    response = client.post(decline_url(made), {"answer": "Non pertinente"})
    assert response.status_code == (302 if who in ("anonymous", "staff") else status)
    made.refresh_from_db()
    assert (made.status == AgendaRequestStatus.DECLINED) == (who == "staff")


def test_decline_without_reasons_keeps_the_page_with_the_error(staff, committee, live):
    made = make_request(committee.member, live, committee.member_seat)
    response = client_for(staff).post(decline_url(made), {"answer": "  "})
    assert response.status_code == 200 and "answer" in response.context["form"].errors
    made.refresh_from_db()
    assert made.status == AgendaRequestStatus.PENDING


def test_the_secretariat_page_lists_requests_with_accept_and_decline(staff, committee, live):
    made = make_request(committee.member, live, committee.member_seat, title="Richiesta da valutare")
    client = client_for(staff)
    html = client.get(reverse("manage_meetings:meeting", args=[live.pk])).content.decode()
    assert "Requests from members" in html and "Richiesta da valutare" in html
    assert f'formaction="{accept_url(made)}"' in html and f'action="{decline_url(made)}"' in html
    response = client.post(accept_url(made), {"answer": "Va bene"}, follow=True)
    assert "The item has been added" in response.content.decode()
    assert live.agenda_items.filter(title_it="Richiesta da valutare").exists()


# --- Query counts ---------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_meeting_pages_query_counts_do_not_grow_with_the_requests(staff, committee, live):
    member, secretariat = client_for(committee.member), client_for(staff)
    public_url = reverse("meetings:detail", args=[live.pk])
    manage_url = reverse("manage_meetings:meeting", args=[live.pk])
    answered_requests(live, committee.member_seat, committee.member, 1)
    make_request(committee.member, live, committee.member_seat)
    small = (_count(member, public_url), _count(secretariat, manage_url), _count(member, request_url(live)))
    answered_requests(live, committee.chair, committee.chair_user, 6)
    for _ in range(4):
        make_request(committee.substitute, live, committee.substitute_seat)
    large = (_count(member, public_url), _count(secretariat, manage_url), _count(member, request_url(live)))
    assert large == small
