"""Registrations for events: places up to the capacity, then a waiting list in order; one registration per
address; cancellation by link moves the first person waiting up and tells them; the pages for registrants
and the organisers' list with its CSV export."""

import csv
import io
import re
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.core.models import AuditEvent
from officine.meetings import registrations
from officine.meetings.models import (
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingState,
    Registration,
    RegistrationStatus,
)
from officine.meetings.tests.factories import make_meeting
from officine.meetings.tests.factories_c import add_registration, in_days, make_event, make_online_event

CONFIRMED, WAITING, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
    RegistrationStatus.CANCELLED,
)


def _register(meeting, email, name=None, **extra):
    return registrations.register(meeting, name=name or email.split("@")[0].title(), email=email, **extra)


def _calendar(message) -> icalendar.Calendar | None:
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_content())
    return None


# --- Capacity and waiting list ---------------------------------------------------------------------------


def test_places_are_confirmed_up_to_capacity_then_waiting_list_in_order(db):
    event = make_event(capacity=2)
    people = [_register(event, f"persona{n}@example.org") for n in range(1, 6)]
    assert [p.status for p in people] == [CONFIRMED, CONFIRMED, WAITING, WAITING, WAITING]
    assert [registrations.waiting_position(p) for p in people] == [None, None, 1, 2, 3]
    assert registrations.places_left(event) == 0
    assert AuditEvent.objects.filter(action="meetings.registration.created").count() == 5


def test_no_capacity_means_no_limit(db):
    event = make_event(capacity=None)
    assert {_register(event, f"p{n}@example.org").status for n in range(5)} == {CONFIRMED}
    assert registrations.places_left(event) is None


def test_input_is_normalised_and_checked(db):
    event = make_event()
    registration = _register(
        event, "  Anna.Rossi@Example.ORG ", name="  Anna   Rossi ", organization=" ANCI  "
    )
    assert (registration.email, registration.name, registration.organization_name) == (
        "anna.rossi@example.org",
        "Anna Rossi",
        "ANCI",
    )
    with pytest.raises(ValidationError) as excinfo:
        registrations.register(event, name=" ", email="non-un-indirizzo")
    assert set(excinfo.value.message_dict) == {"name", "email"}


def test_the_same_address_registers_once_until_it_cancels(db):
    event = make_event(capacity=5)
    first = _register(event, "doppio@example.org")
    with pytest.raises(ValidationError) as excinfo:
        _register(event, "DOPPIO@example.org")
    assert excinfo.value.message_dict["email"] == [
        "This e-mail address is already registered for this event."
    ]
    registrations.cancel(first.token)
    assert _register(event, "doppio@example.org").status == CONFIRMED


def test_the_duplicate_message_is_translated(db):
    from django.utils import translation

    event = make_event(capacity=5)
    _register(event, "doppio@example.org")
    with translation.override("it"), pytest.raises(ValidationError) as excinfo:
        _register(event, "doppio@example.org")
    message = excinfo.value.message_dict["email"][0]
    assert message  # Italian once the catalogue has it; never empty, never a code
    assert "doppio@example.org" not in message


@pytest.mark.parametrize(
    "fields",
    [
        {"state": MeetingState.DRAFT, "notice_sent_at": None},
        {"state": MeetingState.CANCELLED},
        {"state": MeetingState.HELD},
        {"starts_at": in_days(-1), "ends_at": in_days(-1) + timedelta(hours=2)},
    ],
    ids=["draft", "cancelled", "held", "past"],
)
def test_registration_is_closed_unless_the_event_is_convened_and_ahead(db, fields):
    event = make_event(**fields)
    with pytest.raises(ValidationError) as excinfo:
        _register(event, "tardi@example.org")
    assert excinfo.value.messages == ["Registrations for this event are closed."]
    assert not Registration.objects.exists()


def test_meetings_of_a_body_take_no_registrations(body):
    meeting = make_meeting(body, in_days(30), state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    with pytest.raises(ValidationError):
        _register(meeting, "membro@example.org")


def test_registration_closes_at_the_start_even_if_the_clock_passed_since_loading(db):
    event = make_event()
    with pytest.raises(ValidationError):
        _register(event, "last@example.org", now=event.starts_at)


# --- Cancellation and promotion --------------------------------------------------------------------------


def test_cancelling_a_confirmed_place_promotes_the_first_waiting(db, django_capture_on_commit_callbacks):
    event = make_event(capacity=2)
    first, second, third, fourth = (_register(event, f"p{n}@example.org") for n in range(1, 5))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled, promoted = registrations.cancel(second.token)
    assert cancelled.status == CANCELLED and cancelled.cancelled_at is not None
    assert [p.pk for p in promoted] == [third.pk]
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {"p1@example.org": CONFIRMED, "p2@example.org": CANCELLED, "p3@example.org": CONFIRMED,
                        "p4@example.org": WAITING}  # fmt: skip
    fourth.refresh_from_db()
    assert registrations.waiting_position(fourth) == 1
    # The person who cancelled and the person promoted are both told.
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"p2@example.org", "p3@example.org"}
    promoted_mail = by_address["p3@example.org"]
    assert re.search(r"A place is free for you|Si è liberato un posto per te", promoted_mail.subject)
    assert _calendar(promoted_mail)["METHOD"] == "REQUEST"
    assert str(third.token) in promoted_mail.body
    assert _calendar(by_address["p2@example.org"])["METHOD"] == "CANCEL"
    assert AuditEvent.objects.filter(action="meetings.registration.promoted").count() == 1


def test_cancelling_a_waiting_place_promotes_nobody(db):
    event = make_event(capacity=1)
    _register(event, "a@example.org")
    waiting = _register(event, "b@example.org")
    last = _register(event, "c@example.org")
    _cancelled, promoted = registrations.cancel(waiting.token)
    assert promoted == []
    last.refresh_from_db()
    assert last.status == WAITING and registrations.waiting_position(last) == 1


def test_raising_the_capacity_fills_places_from_the_waiting_list(db):
    event = make_event(capacity=1)
    people = [_register(event, f"p{n}@example.org") for n in range(4)]
    Meeting.objects.filter(pk=event.pk).update(capacity=3)
    event.refresh_from_db()
    promoted = registrations.fill_from_waiting_list(event)
    assert [p.pk for p in promoted] == [people[1].pk, people[2].pk]


def test_cancel_refusals(db):
    event = make_event()
    registration = _register(event, "a@example.org")
    with pytest.raises(ValidationError, match="not valid"):
        registrations.cancel("00000000-0000-0000-0000-000000000000")
    registrations.cancel(registration.token)
    with pytest.raises(ValidationError, match="already cancelled"):
        registrations.cancel(registration.token)
    other = _register(event, "b@example.org")
    with pytest.raises(ValidationError, match="already started"):
        registrations.cancel(other.token, now=event.starts_at + timedelta(minutes=5))


def test_register_and_cancel_lock_the_meeting_row(db, monkeypatch):
    """The count of places and the new row happen under a lock of the meeting (``FOR UPDATE OF`` the
    meeting's own table on PostgreSQL; SQLite serialises writers with IMMEDIATE transactions)."""
    calls = []
    original = Meeting.objects.select_for_update

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(registrations.Meeting.objects, "select_for_update", spy)
    event = make_event(capacity=1)
    registration = _register(event, "a@example.org")
    registrations.cancel(registration.token)
    assert calls == [{"of": ("self",)}, {"of": ("self",)}]


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_place(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs concurrent transactions: PostgreSQL (set DATABASE_URL) runs this test")
    event = make_event(capacity=1)
    barrier = threading.Barrier(4)
    results: list = []

    def attempt(number):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(_register(event, f"corsa{number}@example.org").status)
        except Exception as error:  # pragma: no cover - reported by the assertion below
            results.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results)) == ["confirmed", "waiting", "waiting", "waiting"]


# --- E-mails ---------------------------------------------------------------------------------------------


def test_confirmation_mail_has_the_invitation_and_the_cancel_link(db, django_capture_on_commit_callbacks):
    event = make_online_event(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(event, "anna@example.org", name="Anna Rossi")
    [message] = mail.outbox
    assert message.to == ["anna@example.org"]
    assert "Registration confirmed" in message.subject
    cancel_path = reverse("meetings:registration_cancel", args=[registration.token])
    assert cancel_path in message.body
    assert "https://meet.example.org/riservato-123" in message.body  # confirmed: the private link
    calendar = _calendar(message)
    [vevent] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.org"
    assert "riservato-123" in str(vevent["LOCATION"])
    html = message.alternatives[0][0]
    assert cancel_path in html and "<html lang=" in html


def test_waiting_list_mail_gives_the_position_without_invitation_or_link(
    db, django_capture_on_commit_callbacks
):
    event = make_online_event(capacity=1)
    _register(event, "primo@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _register(event, "secondo@example.org")
    [message] = mail.outbox
    assert "Waiting list" in message.subject
    assert "position 1" in message.body
    assert "riservato-123" not in message.body
    assert _calendar(message) is None


def test_registration_mail_follows_the_language_of_the_page(db, django_capture_on_commit_callbacks):
    from django.utils import translation

    event = make_event()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _register(event, "english@example.org")
    assert 'lang="en"' in mail.outbox[0].alternatives[0][0]
    assert "/en/meetings/registrations/" in mail.outbox[0].body


# --- Pages for registrants -------------------------------------------------------------------------------


def _form(**extra):
    return {
        "name": "Chiara Esposito",
        "email": "chiara@example.org",
        "organization_name": "Forum Terzo Settore",
        "privacy_consent": "on",
        **extra,
    }


def test_register_page_and_confirmation(client, db, django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    url = reverse("meetings:register", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="privacy_consent"' in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form())
    assert response.status_code == 302 and response["Location"] == f"{url}?done=1"
    page = client.get(response["Location"]).content.decode()
    assert "chiara@example.org" in page
    registration = Registration.objects.get()
    assert registration.status == CONFIRMED
    assert reverse("meetings:registration_cancel", args=[registration.token]) in page
    assert reverse("meetings:ics", args=[event.pk]) in page
    assert len(mail.outbox) == 1


def test_register_page_shows_waiting_list_position(client, db):
    event = make_event(capacity=1)
    add_registration(event, "primo@example.org")
    url = reverse("meetings:register", args=[event.pk])
    assert "Join the waiting list" in client.get(url).content.decode()
    response = client.post(url, _form(), follow=True)
    page = response.content.decode()
    assert "You are on the waiting list" in page
    assert "Your position on the waiting list: 1." in page


def test_register_form_errors_keep_what_was_typed(client, db):
    event = make_event()
    add_registration(event, "chiara@example.org")
    url = reverse("meetings:register", args=[event.pk])
    response = client.post(url, _form())  # duplicate address: the service refuses
    assert response.status_code == 200
    page = response.content.decode()
    assert "already registered for this event" in page
    assert 'value="Chiara Esposito"' in page and 'value="Forum Terzo Settore"' in page
    response = client.post(url, _form(privacy_consent=""))
    assert "Please read and accept the privacy notice." in response.content.decode()
    assert Registration.objects.count() == 1


def test_done_page_does_not_show_someone_elses_registration(client, db):
    event = make_event()
    add_registration(event, "altro@example.org")
    page = client.get(reverse("meetings:register", args=[event.pk]) + "?done=1").content.decode()
    assert "altro@example.org" not in page
    assert 'name="privacy_consent"' in page  # the plain form instead


def test_register_page_for_a_closed_event_refuses_posts(client, db):
    event = make_event(
        starts_at=in_days(-2), ends_at=in_days(-2) + timedelta(hours=2), state=MeetingState.HELD
    )
    url = reverse("meetings:register", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Registrations for this event are closed." in response.content.decode()
    response = client.post(url, _form(), follow=True)
    assert "Registrations for this event are closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_register_page_is_404_for_drafts_and_body_meetings(client, body):
    draft = make_event(state=MeetingState.DRAFT, notice_sent_at=None)
    assert client.get(reverse("meetings:register", args=[draft.pk])).status_code == 404
    committee = make_meeting(body, in_days(30), state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    assert client.get(reverse("meetings:register", args=[committee.pk])).status_code == 404


def test_logged_in_user_finds_the_form_filled_and_the_registration_linked(client, db):
    user = make_user("registrata@example.org", full_name="Sara Blu")
    client.force_login(user)
    event = make_event()
    url = reverse("meetings:register", args=[event.pk])
    page = client.get(url).content.decode()
    assert 'value="Sara Blu"' in page and 'value="registrata@example.org"' in page
    client.post(url, _form(name="Sara Blu", email="registrata@example.org"))
    assert Registration.objects.get().user == user


def test_cancel_link_asks_first_then_cancels_and_promotes(client, db):
    event = make_event(capacity=1)
    first = add_registration(event, "primo@example.org")
    waiting = add_registration(event, "secondo@example.org", WAITING)
    url = reverse("meetings:registration_cancel", args=[first.token])
    response = client.get(url)
    assert response.status_code == 200
    assert b"Yes, cancel my registration" in response.content
    assert b'content="noindex"' in response.content
    first.refresh_from_db()
    assert first.status == CONFIRMED  # a GET (a mail scanner following the link) cancels nothing
    response = client.post(url, follow=True)
    assert "Your registration is cancelled." in response.content.decode()
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == (CANCELLED, CONFIRMED)
    response = client.post(url, follow=True)  # again: explained, nothing changes
    assert "already cancelled" in response.content.decode()


def test_cancel_link_errors(client, db):
    assert (
        client.get(
            reverse("meetings:registration_cancel", args=["0" * 8 + "-0000-0000-0000-" + "0" * 12])
        ).status_code
        == 404
    )
    event = make_event(starts_at=in_days(-1), ends_at=in_days(-1) + timedelta(hours=2))
    registration = add_registration(event, "a@example.org")
    page = client.get(reverse("meetings:registration_cancel", args=[registration.token])).content.decode()
    assert "can no longer be cancelled" in page and "Yes, cancel" not in page


# --- The organisers' list --------------------------------------------------------------------------------


@pytest.fixture
def staff_event(programme):
    event = make_event(capacity=2, programme=programme)
    add_registration(event, "uno@example.org", name="Uno", organization_name="=HYPERLINK(1)")
    add_registration(event, "due@example.org", name="Due")
    add_registration(event, "tre@example.org", WAITING, name="Tre")
    add_registration(event, "quattro@example.org", CANCELLED, name="Quattro", cancelled_at=timezone.now())
    return event


@pytest.mark.parametrize("view", ["registrations", "registrations_csv"])
def test_registrations_permissions(client, staff_event, staff, other_staff, admin, view):
    url = reverse(f"manage_meetings:{view}", args=[staff_event.pk])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(make_user("visitatore@example.org"))
    assert client.get(url).status_code == 403
    client.force_login(other_staff)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 200
    client.force_login(admin)
    assert client.get(url).status_code == 200
    assert client.get(reverse(f"manage_meetings:{view}", args=[999999])).status_code == 404


def test_registrations_page_lists_status_and_position(client, staff_event, staff):
    client.force_login(staff)
    page = client.get(reverse("manage_meetings:registrations", args=[staff_event.pk])).content.decode()
    assert page.index("uno@example.org") < page.index("tre@example.org") < page.index("quattro@example.org")
    assert "position 1" in page
    assert "<caption>" in page
    assert reverse("manage_meetings:registrations_csv", args=[staff_event.pk]) in page


def test_registrations_csv(client, staff_event, staff):
    client.force_login(staff)
    url = reverse("manage_meetings:registrations_csv", args=[staff_event.pk])
    english = client.get(url).content.decode("utf-8-sig")
    assert url.startswith("/en/") and english.startswith("number,name,email,organisation,status")
    response = client.get(url.replace("/en/", "/it/", 1))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith(f'-{staff_event.pk}.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["numero", "nome", "email", "organizzazione", "stato"]
    assert [row[2] for row in rows[1:]] == [
        "uno@example.org",
        "due@example.org",
        "tre@example.org",
        "quattro@example.org",
    ]
    assert [row[4] for row in rows[1:]] == ["confirmed", "confirmed", "waiting", "cancelled"]
    assert rows[3][6] == "1"
    assert rows[1][3] == "'=HYPERLINK(1)"  # formulas neutralised
    assert AuditEvent.objects.filter(action="meetings.registrations.exported").exists()


def test_registrations_page_queries_do_not_grow(client, staff_event, staff):
    client.force_login(staff)
    url = reverse("manage_meetings:registrations", args=[staff_event.pk])
    client.get(url)  # warm the session and the user's cached roles

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for number in range(12):
        add_registration(staff_event, f"altri{number}@example.org", WAITING)
    assert count() == small


def test_body_meeting_registrations_page_explains(client, body, staff):
    meeting = make_meeting(body, in_days(30), kind=MeetingKind.BODY_MEETING, mode=MeetingMode.IN_PERSON)
    client.force_login(staff)
    page = client.get(reverse("manage_meetings:registrations", args=[meeting.pk])).content.decode()
    assert "take no registrations" in page
