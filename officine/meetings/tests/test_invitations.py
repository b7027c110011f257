"""Invitations e-mailed with an iCalendar attachment, through a real SMTP server on loopback (aiosmtpd) and
Django's SMTP backend: one REQUEST when the notice is sent, a new REQUEST (higher SEQUENCE, same UID) on
every change, a CANCEL on cancellation; each revision sent once; refused addresses counted, never raised."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from officine.core.models import AuditEvent
from officine.meetings import convening, invitations
from officine.meetings.calendar_ics import event_uid
from officine.meetings.models import InvitationDispatch, MeetingMode, RegistrationStatus
from officine.meetings.tests.factories import add_item, make_meeting, make_seat, rome
from officine.meetings.tests.factories_c import (
    add_registration,
    free_port,
    make_event,
    seats_with_addresses,
    start_smtp_server,
    wait_for,
)

ROME = ZoneInfo("Europe/Rome")
SENDER = "Officine <noreply@officine.example.gov.it>"
NOTICE_TIME = rome(2026, 11, 20, 9)  # ordinary notice for Wednesday 9 December 2026


def _smtp_settings(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
        DEFAULT_FROM_EMAIL=SENDER,
        OFFICINE_BASE_URL="https://officine.example.gov.it",
    )


@pytest.fixture
def smtp():
    controller, handler = start_smtp_server()
    try:
        with _smtp_settings(controller.port):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def seats(body):
    return seats_with_addresses(body)


@pytest.fixture
def meeting(body, programme):
    meeting = make_meeting(
        body,
        rome(2026, 12, 9, 10),
        programme=programme,
        mode=MeetingMode.HYBRID,
        online_link="https://meet.example.org/cds-riservato",
    )
    add_item(meeting, title="Approvazione della relazione annuale di attuazione")
    return meeting


EXPECTED = {
    "componente@example.org",
    "supplente@example.org",
    "osservatrice@example.org",
    "paolo.neri@example.org",
}


def _convene(staff, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        convening.send_notice(staff, meeting, now=NOTICE_TIME)


def test_notice_sends_a_request_to_every_member_and_substitute(
    smtp, staff, seats, meeting, django_capture_on_commit_callbacks
):
    _convene(staff, meeting, django_capture_on_commit_callbacks)
    wait_for(lambda: len(smtp.received) == len(EXPECTED))
    assert {r.recipients[0] for r in smtp.received} == EXPECTED
    assert all(len(r.recipients) == 1 for r in smtp.received)  # nobody sees the others' addresses

    received = smtp.to("componente@example.org")[0]
    assert "noreply@officine.example.gov.it" in received.message["From"]
    assert meeting.title in received.message["Subject"]
    part = received.calendar_part()
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invito.ics"
    calendar = received.calendar()
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    [event] = calendar.walk("VEVENT")
    meeting.refresh_from_db()
    assert str(event["UID"]) == f"meeting-{meeting.uid}@officine.example.gov.it" == event_uid(meeting)
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert event["DTSTART"].dt == datetime(2026, 12, 9, 10, 0, tzinfo=ROME)
    assert event["DTSTART"].dt.utcoffset().total_seconds() == 3600
    assert event["DTEND"].params["TZID"] == "Europe/Rome"
    assert str(event["ORGANIZER"]) == "mailto:noreply@officine.example.gov.it"
    assert event["ORGANIZER"].params["CN"] == meeting.body.name
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:componente@example.org"
    assert attendee.params["CN"] == "Maria Rossi" and attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert event["STATUS"] == "CONFIRMED"
    # Members see the private web-conference link, in the calendar and in the message.
    assert "https://meet.example.org/cds-riservato" in str(event["LOCATION"])
    assert "https://meet.example.org/cds-riservato" in received.text()
    assert "Approvazione della relazione annuale di attuazione" in str(event["DESCRIPTION"])
    assert 'lang="it"' in received.html()

    dispatch = InvitationDispatch.objects.get(meeting=meeting)
    assert (dispatch.sequence, dispatch.method, dispatch.recipients, dispatch.failed) == (0, "REQUEST", 4, 0)
    assert AuditEvent.objects.filter(action="meetings.meeting.invitations_sent").count() == 1


def test_substitutes_and_observers_are_optional_participants(
    smtp, staff, seats, meeting, django_capture_on_commit_callbacks
):
    _convene(staff, meeting, django_capture_on_commit_callbacks)
    wait_for(lambda: len(smtp.received) == len(EXPECTED))
    for address in ("supplente@example.org", "osservatrice@example.org"):
        [event] = smtp.to(address)[0].calendar().walk("VEVENT")
        assert event["ATTENDEE"].params["ROLE"] == "OPT-PARTICIPANT"


def test_reschedule_sends_a_new_revision_with_the_same_uid(
    smtp, staff, seats, meeting, django_capture_on_commit_callbacks
):
    _convene(staff, meeting, django_capture_on_commit_callbacks)
    wait_for(lambda: len(smtp.received) == 4)
    first_uid = str(smtp.received[0].calendar().walk("VEVENT")[0]["UID"])
    with django_capture_on_commit_callbacks(execute=True):
        convening.reschedule(
            staff, meeting, {"starts_at": rome(2026, 12, 9, 15), "ends_at": rome(2026, 12, 9, 18)}
        )
    wait_for(lambda: len(smtp.received) == 8)
    update = smtp.to("componente@example.org")[1]
    assert update.message["Subject"].startswith(("Updated:", "Aggiornamento:"))
    calendar = update.calendar()
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == first_uid
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == datetime(2026, 12, 9, 15, 0, tzinfo=ROME)
    assert list(
        InvitationDispatch.objects.filter(meeting=meeting)
        .order_by("sequence")
        .values_list("sequence", "method")
    ) == [(0, "REQUEST"), (1, "REQUEST")]


def test_cancellation_sends_cancel_and_a_draft_sends_nothing(
    smtp, staff, seats, meeting, body, django_capture_on_commit_callbacks
):
    _convene(staff, meeting, django_capture_on_commit_callbacks)
    wait_for(lambda: len(smtp.received) == 4)
    with django_capture_on_commit_callbacks(execute=True):
        convening.cancel(staff, meeting, "Sovrapposizione con il Consiglio regionale.")
    wait_for(lambda: len(smtp.received) == 8)
    cancel = smtp.to("paolo.neri@example.org")[1]
    assert cancel.calendar_part().get_param("method") == "CANCEL"
    calendar = cancel.calendar()
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert "Sovrapposizione con il Consiglio regionale." in cancel.text()
    assert InvitationDispatch.objects.get(meeting=meeting, method="CANCEL").recipients == 4

    draft = make_meeting(body, rome(2026, 12, 16, 10))
    with django_capture_on_commit_callbacks(execute=True):
        convening.cancel(staff, draft)
    assert not InvitationDispatch.objects.filter(meeting=draft).exists()
    assert len(smtp.received) == 8


def test_a_revision_is_sent_once(smtp, staff, seats, meeting, django_capture_on_commit_callbacks):
    _convene(staff, meeting, django_capture_on_commit_callbacks)
    wait_for(lambda: len(smtp.received) == 4)
    assert invitations.send_invitations(meeting.pk, "REQUEST") is None
    assert InvitationDispatch.objects.filter(meeting=meeting).count() == 1
    assert len(smtp.received) == 4


def test_refused_address_is_counted_and_the_others_still_receive(
    smtp, staff, seats, meeting, django_capture_on_commit_callbacks
):
    smtp.refuse.add("supplente@example.org")
    _convene(staff, meeting, django_capture_on_commit_callbacks)
    wait_for(lambda: len(smtp.received) == 3)
    assert {r.recipients[0] for r in smtp.received} == EXPECTED - {"supplente@example.org"}
    dispatch = InvitationDispatch.objects.get(meeting=meeting)
    assert (dispatch.recipients, dispatch.failed) == (4, 1)


def test_mail_server_down_is_recorded_not_raised(staff, seats, meeting, django_capture_on_commit_callbacks):
    with _smtp_settings(free_port()), django_capture_on_commit_callbacks(execute=True):
        convening.send_notice(staff, meeting, now=NOTICE_TIME)
    meeting.refresh_from_db()
    assert meeting.state == "convened"
    dispatch = InvitationDispatch.objects.get(meeting=meeting)
    assert (dispatch.recipients, dispatch.failed) == (4, 4)


def test_recipients_are_seats_in_force_on_the_day_and_confirmed_registrants(body, seats, meeting):
    from datetime import date

    make_seat(body, member_name="Ex componente", end_date=date(2026, 6, 30), member_user=None)
    ended = make_seat(body, member_name="Uscente", end_date=date(2026, 12, 8))
    from officine.conftest import make_user

    ended.member_user = make_user("uscente@example.org")
    ended.save(update_fields=["member_user"])
    # the same person as member of one seat and substitute of another is written to once
    make_seat(body, member_name="Doppio", member_user=seats.substitute_user)
    addresses = {r.email for r in invitations.invitation_recipients(meeting)}
    assert addresses == EXPECTED

    event = make_event(capacity=1)
    add_registration(event, "Iscritta@Example.org")
    add_registration(event, "attesa@example.org", RegistrationStatus.WAITING)
    add_registration(event, "annullata@example.org", RegistrationStatus.CANCELLED)
    recipients = invitations.invitation_recipients(event)
    assert [r.email for r in recipients] == ["iscritta@example.org"]
    assert recipients[0].registration_token is not None
    # A cancellation also reaches the waiting list.
    told = invitations.invitation_recipients(event, include_waiting=True)
    assert [r.email for r in told] == ["iscritta@example.org", "attesa@example.org"]


def test_registrants_of_an_event_get_the_update_with_their_cancel_link(
    smtp, staff, django_capture_on_commit_callbacks
):
    event = make_event(capacity=10)
    registration = add_registration(event, "partecipante@example.org", name="Anna Gialli")
    with django_capture_on_commit_callbacks(execute=True):
        convening.reschedule(staff, event, {"place": "Napoli, Palazzo Santa Lucia"})
    wait_for(lambda: len(smtp.received) == 1)
    [received] = smtp.received
    assert f"/registrations/{registration.token}/cancel/" in received.text()
    [vevent] = received.calendar().walk("VEVENT")
    assert vevent["SEQUENCE"] == 1 and "Napoli, Palazzo Santa Lucia" in str(vevent["LOCATION"])
    assert str(vevent["ATTENDEE"]) == "mailto:partecipante@example.org"


def test_nothing_is_sent_when_the_change_rolls_back(smtp, staff, seats, meeting):
    # Without the commit (the test transaction is never committed) the hook never fires.
    convening.send_notice(staff, meeting, now=NOTICE_TIME)
    assert smtp.received == []
    assert not InvitationDispatch.objects.exists()
