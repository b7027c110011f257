"""Invitations by e-mail with the meeting as an iCalendar attachment (RFC 5546 iTIP over e-mail).

When a meeting is convened, changed or cancelled, ``convening`` calls :func:`schedule` and, once the
transaction commits, :func:`send_invitations` writes to everyone concerned:

- the member and the substitute of every seat of the body in force on the meeting day (address of the
  linked account, else of the linked registry representative);
- the confirmed registrants of a public event or training (and, for a cancellation, those waiting).

Each person gets their own message (nobody sees the others' addresses) in Italian, or in English when their
account says they prefer it, with a text and an HTML part and ``invito.ics`` (``METHOD:REQUEST``, or
``METHOD:CANCEL`` for a cancellation): the event's UID never changes and its SEQUENCE is the meeting's
revision, so a calendar updates or removes the invitation it already holds.

A sending is recorded once per meeting, revision and method (``InvitationDispatch``, unique on the three): the
row is claimed *before* the first message goes out, so a retried job or a second commit hook never sends the
same revision twice. A refused address is counted in ``failed`` and logged; it never makes the change that
triggered the sending fail.
"""

import logging
import uuid
from dataclasses import dataclass
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEText
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from officine.core.audit import record
from officine.notifications.services import absolute_url

from . import calendar_ics
from .calendar_ics import CANCEL, REQUEST, Attendee
from .models import (
    VOTING_ROLES,
    AgendaItem,
    InvitationDispatch,
    Meeting,
    MeetingKind,
    MeetingState,
    Registration,
    RegistrationStatus,
    Seat,
)

logger = logging.getLogger(__name__)

ATTACHMENT_NAME = "invito.ics"
LANGUAGES = {code for code, _name in settings.LANGUAGES}


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    role: str = "REQ-PARTICIPANT"
    language: str = settings.LANGUAGE_CODE
    #: For a registrant: the key of their cancellation link.
    registration_token: uuid.UUID | None = None

    @property
    def attendee(self) -> Attendee:
        return Attendee(self.email, self.name, self.role)


def preferred_language(user) -> str:
    """The language a person reads their e-mails in: the account's preference when it has one (``language``),
    otherwise the platform's default, Italian."""
    language = getattr(user, "language", "") if user is not None else ""
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


def _seat_person(user, representative) -> tuple[str, str]:
    """(e-mail, language) of a seat's member or substitute: their account first, then the registry."""
    if user is not None and user.is_active and user.email:
        return user.email, preferred_language(user)
    if representative is not None and representative.email:
        return representative.email, preferred_language(representative.user)
    return "", settings.LANGUAGE_CODE


def invitation_recipients(meeting: Meeting, *, include_waiting: bool = False) -> list[Recipient]:
    """Everyone an invitation of ``meeting`` goes to, each address once (in two queries). People on the
    waiting list are told only of a cancellation (``include_waiting``): they hold no invitation yet."""
    recipients: dict[str, Recipient] = {}

    def add(email: str, name: str, role: str, language: str, token=None) -> None:
        key = email.strip().lower()
        if key and key not in recipients:
            recipients[key] = Recipient(key, name, role, language, token)

    if meeting.body_id:
        seats = (
            Seat.objects.in_force(meeting.day)
            .filter(body_id=meeting.body_id)
            .select_related(
                "member_user",
                "substitute_user",
                "member_representative__user",
                "substitute_representative__user",
            )
            .order_by("pk")
        )
        for seat in seats:
            email, language = _seat_person(seat.member_user, seat.member_representative)
            role = "REQ-PARTICIPANT" if seat.role in VOTING_ROLES else "OPT-PARTICIPANT"
            add(email, seat.member_name, role, language)
            email, language = _seat_person(seat.substitute_user, seat.substitute_representative)
            add(email, seat.substitute_name, "OPT-PARTICIPANT", language)
    registrations = (
        Registration.objects.filter(
            meeting=meeting,
            status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
            if include_waiting
            else (RegistrationStatus.CONFIRMED,),
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )
    for registration in registrations:
        add(
            registration.email,
            registration.name,
            "REQ-PARTICIPANT",
            preferred_language(registration.user),
            registration.token,
        )
    return list(recipients.values())


# --- Messages --------------------------------------------------------------------------------------------


def calendar_part(ics: bytes, method: str) -> MIMEBase:
    """The ``text/calendar; method=…`` attachment mail clients turn into an invitation with buttons."""
    part = SafeMIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.set_param("name", ATTACHMENT_NAME)
    part.add_header("Content-Disposition", "attachment", filename=ATTACHMENT_NAME)
    return part


def _cancel_url(token) -> str:
    return absolute_url(reverse("meetings:registration_cancel", args=[token])) if token else ""


def _message(
    template: str,
    context: dict,
    recipient: Recipient,
    *,
    ics: bytes | None,
    method: str,
    connection=None,
) -> EmailMultiAlternatives:
    subject = " ".join(render_to_string(f"meetings/email/{template}_subject.txt", context).split())
    context = {**context, "subject": subject}
    text = render_to_string(f"meetings/email/{template}_message.txt", context)
    html = render_to_string(f"meetings/email/{template}_message.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    if ics is not None:
        message.attach(calendar_part(ics, method))
    return message


def _base_context(meeting: Meeting, recipient: Recipient) -> dict:
    return {
        "meeting": meeting,
        "recipient": recipient,
        "items": list(meeting.agenda_items.all()),
        "is_event": meeting.kind != MeetingKind.BODY_MEETING,
        "meeting_url": calendar_ics.meeting_url(meeting),
        "agenda_pdf_url": absolute_url(reverse("meetings:agenda_pdf", args=[meeting.pk])),
        "cancel_url": _cancel_url(recipient.registration_token),
        "platform": settings.OFFICINE_SITE["platform_name"],
        "administration": settings.OFFICINE_SITE["administration_name"],
        "language": translation.get_language(),
    }


def invitation_message(
    meeting: Meeting, recipient: Recipient, method: str, *, is_update: bool = False, connection=None
) -> EmailMultiAlternatives:
    """One person's invitation (or cancellation), in their language, with the .ics."""
    with translation.override(recipient.language):
        context = {
            **_base_context(meeting, recipient),
            "method": method,
            "show_link": True,
            "is_update": is_update,
            "is_cancel": method == CANCEL,
        }
        ics = calendar_ics.build_calendar(
            [meeting],
            method=method,
            show_private_link=True,
            attendees=[recipient.attendee],
            cancelled=method == CANCEL,
        )
        return _message("invitation", context, recipient, ics=ics, method=method, connection=connection)


def _meeting_for_mail(meeting_id: int) -> Meeting:
    return (
        Meeting.objects.select_related("body", "programme")
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order")))
        .get(pk=meeting_id)
    )


def _send_all(messages: list[EmailMultiAlternatives], connection) -> int:
    """Send each message on one SMTP connection; return how many failed (logged, never raised)."""
    failed = 0
    try:
        connection.open()
    except Exception:  # the server is down: each message below fails and is counted
        logger.exception("Cannot open the mail connection for meeting invitations")
    try:
        for message in messages:
            try:
                if not message.send():
                    failed += 1
            except Exception:
                logger.exception("Invitation to %s not sent", message.to)
                failed += 1
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("Closing the mail connection failed")
    return failed


def send_invitations(meeting_id: int, method: str = REQUEST) -> InvitationDispatch | None:
    """Send the current revision of the meeting to its recipients, once. Returns the dispatch record, or
    ``None`` when this revision was already sent (or there is nothing to send any more: a REQUEST for a
    meeting no longer convened)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Unknown iTIP method: {method}")
    meeting = _meeting_for_mail(meeting_id)
    if method == REQUEST and meeting.state != MeetingState.CONVENED:
        return None
    if method == CANCEL and meeting.state != MeetingState.CANCELLED:
        return None
    try:
        with transaction.atomic():
            dispatch = InvitationDispatch.objects.create(
                meeting=meeting, sequence=meeting.sequence, method=method
            )
    except IntegrityError:
        return None
    earlier = InvitationDispatch.objects.filter(meeting=meeting, method=REQUEST).exclude(pk=dispatch.pk)
    is_update = method == REQUEST and earlier.exists()
    recipients = invitation_recipients(meeting, include_waiting=method == CANCEL)
    connection = get_connection()
    messages = [
        invitation_message(meeting, recipient, method, is_update=is_update, connection=connection)
        for recipient in recipients
    ]
    failed = _send_all(messages, connection)
    dispatch.recipients = len(recipients)
    dispatch.failed = failed
    dispatch.save(update_fields=["recipients", "failed", "updated_at"])
    record(
        None,
        "meetings.meeting.invitations_sent",
        meeting,
        {
            "method": [None, method],
            "sequence": [None, meeting.sequence],
            "recipients": [None, len(recipients)],
            "failed": [None, failed],
        },
    )
    return dispatch


def schedule(meeting: Meeting, method: str = REQUEST) -> None:
    """Send the invitations once the current transaction commits (nothing is sent if it rolls back)."""
    meeting_id = meeting.pk
    transaction.on_commit(lambda: send_invitations(meeting_id, method))


# --- Registrations ---------------------------------------------------------------------------------------

#: What happened to a registration, as the e-mail tells it.
REGISTRATION_EVENTS = ("confirmed", "waiting", "promoted", "cancelled")


def registration_message(
    registration: Registration, event: str, *, language: str | None = None, position: int | None = None
) -> EmailMultiAlternatives:
    if event not in REGISTRATION_EVENTS:
        raise ValueError(f"Unknown registration event: {event}")
    meeting = registration.meeting
    recipient = Recipient(
        registration.email,
        registration.name,
        "REQ-PARTICIPANT",
        language if language in LANGUAGES else preferred_language(registration.user),
        registration.token if event != "cancelled" else None,
    )
    with translation.override(recipient.language):
        context = {
            **_base_context(meeting, recipient),
            "registration": registration,
            "event": event,
            "position": position,
            "show_link": event in ("confirmed", "promoted"),
        }
        ics = None
        method = REQUEST
        if event in ("confirmed", "promoted"):
            ics = calendar_ics.build_calendar(
                [meeting], method=REQUEST, show_private_link=True, attendees=[recipient.attendee]
            )
        elif event == "cancelled":
            method = CANCEL
            ics = calendar_ics.build_calendar(
                [meeting], method=CANCEL, attendees=[recipient.attendee], cancelled=True
            )
        return _message("registration", context, recipient, ics=ics, method=method)


def send_registration_email(
    registration_id: int, event: str, *, language: str | None = None, position: int | None = None
) -> bool:
    """E-mail a registrant what happened to their registration; ``False`` (and a log line) if it failed."""
    registration = Registration.objects.select_related("user").get(pk=registration_id)
    registration.meeting = _meeting_for_mail(registration.meeting_id)
    try:
        registration_message(registration, event, language=language, position=position).send()
    except Exception:
        logger.exception("Registration e-mail (%s) to %s not sent", event, registration.email)
        return False
    return True
