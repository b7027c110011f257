"""Builders for the calendar, invitation and registration tests (helper C): open events, convened meetings
with members who have e-mail addresses, and a small SMTP server on loopback that records what it receives."""

import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import icalendar
from aiosmtpd.controller import Controller
from django.utils import timezone

from officine.conftest import make_user
from officine.meetings.models import (
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingState,
    Registration,
    RegistrationStatus,
    SeatRole,
)
from officine.meetings.tests.factories import make_meeting, make_representative, make_seat


def in_days(days: int, hour: int = 10):
    """An aware time ``days`` from now in Rome at ``hour``:00 (the rules compare with the real clock)."""
    day = timezone.localtime() + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def make_event(capacity: int | None = 2, *, days: int = 30, **fields) -> Meeting:
    """A public event (no body), convened and open for registration, ``days`` from now."""
    starts = in_days(days)
    defaults = {
        "kind": MeetingKind.PUBLIC_EVENT,
        "title_it": "Laboratorio sul partenariato",
        "state": MeetingState.CONVENED,
        "notice_sent_at": timezone.now(),
        "capacity": capacity,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
    }
    return make_meeting(None, **{**defaults, **fields})


def make_online_event(**fields) -> Meeting:
    return make_event(
        mode=MeetingMode.HYBRID,
        online_link="https://meet.example.org/riservato-123",
        online_link_is_public=False,
        **fields,
    )


def add_registration(meeting: Meeting, email: str, status=RegistrationStatus.CONFIRMED, **fields):
    return Registration.objects.create(
        meeting=meeting, name=fields.pop("name", email.split("@")[0]), email=email, status=status, **fields
    )


@dataclass
class MemberSeats:
    voting: object
    observer: object
    registry_only: object
    member_user: object
    substitute_user: object


def seats_with_addresses(body) -> MemberSeats:
    """Three seats in force: a voting seat with member and substitute accounts, an observer seat whose
    member has an account, and a seat whose member is known only through the registry (e-mail there)."""
    member = make_user("componente@example.org", full_name="Maria Rossi")
    substitute = make_user("supplente@example.org", full_name="Luca Bianchi")
    observer_user = make_user("osservatrice@example.org", full_name="Giulia Verdi")
    voting = make_seat(
        body,
        SeatRole.VOTING_MEMBER,
        member_name="Maria Rossi",
        member_user=member,
        substitute_name="Luca Bianchi",
        substitute_user=substitute,
    )
    observer = make_seat(body, SeatRole.OBSERVER, member_name="Giulia Verdi", member_user=observer_user)
    registry_only = make_seat(body, SeatRole.VOTING_MEMBER, member_name="Paolo Neri", substitute_name="")
    representative = make_representative(registry_only.organization, "Paolo", "Neri")
    representative.email = "paolo.neri@example.org"
    representative.save(update_fields=["email"])
    registry_only.member_representative = representative
    registry_only.save(update_fields=["member_representative"])
    return MemberSeats(voting, observer, registry_only, member, substitute)


# --- A real SMTP server on loopback ----------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    def calendar_part(self):
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                return part
        return None

    def calendar(self) -> icalendar.Calendar:
        part = self.calendar_part()
        assert part is not None, "no text/calendar part in the message"
        return icalendar.Calendar.from_ical(part.get_content())

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()


@dataclass
class RecordingHandler:
    """aiosmtpd handler: keeps every message; refuses the addresses in ``refuse`` at RCPT TO."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 5.0) -> None:
    """aiosmtpd stores a message when it has answered DATA, so the client returned; allow a moment."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def start_smtp_server() -> tuple[Controller, RecordingHandler]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler
