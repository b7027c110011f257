"""Meetings as iCalendar (RFC 5545): the feeds people subscribe to and the invitations e-mailed to members.

One VEVENT per meeting, whatever the channel, so that a calendar which got the invitation by e-mail and then
subscribed to the body's feed holds one event, not two:

- ``UID`` never changes: it is built from ``Meeting.uid`` (a UUID set at creation) and the platform's host;
- ``SEQUENCE`` is ``Meeting.sequence``, which ``convening`` raises on every change sent to participants
  (rescheduling, cancelling), so calendars replace the copy they hold;
- times carry ``TZID=Europe/Rome`` with its VTIMEZONE, so a meeting at 10:00 in Rome stays at 10:00 in Rome
  across daylight-saving changes, wherever the reader is;
- the web-conference link is written only where the reader may see it: always when staff marked it public,
  otherwise only in an invitation to a member or registered participant (``show_private_link``).

Feeds (``METHOD:PUBLISH``) list public meetings only: convened, held, or cancelled after the notice went out
(the same rule as ``meetings.view_meeting`` for the public), with cancelled ones marked ``STATUS:CANCELLED``
so that subscribers see them disappear instead of silently missing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.notifications.services import absolute_url

from .models import AgendaItem, Meeting, MeetingKind, MeetingMode, MeetingState
from .selectors import filtered_public_meetings

PRODID = "-//Officine//Riunioni ed eventi//IT"
CONTENT_TYPE = "text/calendar; charset=utf-8"
#: How far back a feed reaches when the query string gives no start date.
FEED_DEFAULT_PAST = timedelta(days=365)
#: Most events in one feed: a subscription is polled often; older events drop off first.
FEED_LIMIT = 1000

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


# --- Identity --------------------------------------------------------------------------------------------


def calendar_host() -> str:
    """The host in every UID: the platform's public address (``OFFICINE_BASE_URL``), so UIDs do not clash
    with another administration's Officine in the same calendar."""
    host = urlsplit(settings.OFFICINE_BASE_URL).hostname
    if host:
        return host
    for candidate in settings.ALLOWED_HOSTS:
        if candidate and "*" not in candidate and not candidate.startswith("."):
            return candidate.strip("[]")
    return "officine.invalid"


def event_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.uid}@{calendar_host()}"


def meeting_url(meeting: Meeting) -> str:
    return absolute_url(reverse("meetings:detail", args=[meeting.pk]))


def organizer_address() -> tuple[str, str]:
    """(name, e-mail) of the organiser: the administration, writing from the platform's sender address."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return settings.OFFICINE_SITE.get("administration_name") or name, address or "noreply@localhost"


# --- Time zone -------------------------------------------------------------------------------------------

ROME = "Europe/Rome"


def _rome_vtimezone() -> icalendar.Timezone:
    """Europe/Rome with the EU rules as yearly recurrences (last Sunday of March / October since 1996), as
    Outlook and Google write it: a few lines instead of one RDATE per year."""
    tz = icalendar.Timezone()
    tz.add("tzid", ROME)
    tz.add("x-lic-location", ROME)
    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("dtstart", datetime(1981, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = icalendar.TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("dtstart", datetime(1996, 10, 27, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _local(value: datetime) -> datetime:
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))


# --- Events ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    """Someone an invitation goes to. ``role`` is the RFC 5545 ROLE (REQ-PARTICIPANT for members with a
    vote and registrants, OPT-PARTICIPANT for substitutes and advisory seats)."""

    email: str
    name: str = ""
    role: str = "REQ-PARTICIPANT"


def location_text(meeting: Meeting, show_private_link: bool) -> str:
    parts = []
    if meeting.mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and meeting.place:
        parts.append(meeting.place)
    if meeting.mode in (MeetingMode.ONLINE, MeetingMode.HYBRID):
        if meeting.online_link and (meeting.online_link_is_public or show_private_link):
            parts.append(meeting.online_link)
        elif not parts:
            parts.append(_("Online (the link is sent to participants)"))
    return " – ".join(parts)


def description_text(meeting: Meeting, items: Iterable[AgendaItem], show_private_link: bool) -> str:
    lines: list[str] = []
    if meeting.body_id:
        lines.append(meeting.body.name)
    if meeting.state == MeetingState.CANCELLED:
        lines.append(_("Cancelled."))
        if meeting.cancellation_reason:
            lines.append(meeting.cancellation_reason)
    if meeting.is_urgent and meeting.urgency_reason:
        lines.append(_("Urgent convocation: %(reason)s") % {"reason": meeting.urgency_reason})
    if meeting.description:
        lines.append(meeting.description)
    items = list(items)
    if items:
        lines.append("")
        lines.append(_("Agenda:"))
        for item in items:
            presenter = f" ({item.presenter})" if item.presenter else ""
            lines.append(f"{item.order}. {item.title}{presenter}")
    link = meeting.online_link if meeting.mode != MeetingMode.IN_PERSON else ""
    if link and (meeting.online_link_is_public or show_private_link):
        lines.append("")
        lines.append(_("Web conference: %(link)s") % {"link": link})
    lines.append("")
    lines.append(_("Meeting page, documents and agenda: %(url)s") % {"url": meeting_url(meeting)})
    return "\n".join(lines).strip()


def build_event(
    meeting: Meeting,
    *,
    items: Iterable[AgendaItem] | None = None,
    show_private_link: bool = False,
    attendees: Iterable[Attendee] = (),
    cancelled: bool = False,
    stamp: datetime | None = None,
) -> icalendar.Event:
    """The VEVENT of ``meeting``. ``items`` defaults to its agenda (prefetch it on lists). ``cancelled``
    forces ``STATUS:CANCELLED`` (a CANCEL message, or a registrant told their place is gone)."""
    if items is None:
        items = meeting.agenda_items.all()
    event = icalendar.Event()
    event.add("uid", event_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", _local(meeting.starts_at))
    event.add("dtend", _local(meeting.ends_at))
    if meeting.created_at:
        event.add("created", meeting.created_at)
    if meeting.updated_at:
        event.add("last-modified", meeting.updated_at)
    event.add("summary", meeting.title)
    event.add("description", description_text(meeting, items, show_private_link))
    location = location_text(meeting, show_private_link)
    if location:
        event.add("location", location)
    event.add("url", meeting_url(meeting))
    event.add("categories", [str(MeetingKind(meeting.kind).label)])
    is_cancelled = cancelled or meeting.state == MeetingState.CANCELLED
    event.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    name, address = organizer_address()
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = meeting.body.name if meeting.body_id else name
    event.add("organizer", organizer)
    for attendee in attendees:
        address_value = icalendar.vCalAddress(f"mailto:{attendee.email}")
        if attendee.name:
            address_value.params["cn"] = attendee.name
        address_value.params["role"] = attendee.role
        address_value.params["partstat"] = "NEEDS-ACTION"
        address_value.params["cutype"] = "INDIVIDUAL"
        address_value.params["rsvp"] = "FALSE"
        event.add("attendee", address_value)
    return event


def build_calendar(
    meetings: Iterable[Meeting],
    *,
    method: str | None = PUBLISH,
    name: str = "",
    show_private_link: bool | Callable[[Meeting], bool] = False,
    attendees: Iterable[Attendee] = (),
    cancelled: bool = False,
) -> bytes:
    """A VCALENDAR with one VEVENT per meeting, as bytes ready to serve or attach."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    if settings.TIME_ZONE == ROME:
        calendar.add("x-wr-timezone", ROME)
        calendar.add_component(_rome_vtimezone())
    stamp = timezone.now()
    attendees = list(attendees)
    for meeting in meetings:
        private = show_private_link(meeting) if callable(show_private_link) else show_private_link
        calendar.add_component(
            build_event(
                meeting,
                show_private_link=private,
                attendees=attendees,
                cancelled=cancelled,
                stamp=stamp,
            )
        )
    if settings.TIME_ZONE != ROME:
        calendar.add_missing_timezones()
    return calendar.to_ical()


# --- Feeds -----------------------------------------------------------------------------------------------


def for_feed(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings ready for ``build_calendar`` in a fixed number of queries: body and programme joined,
    agenda prefetched."""
    return meetings.select_related("body", "programme").prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order"))
    )


def feed_meetings(
    *,
    programme_id: int | None = None,
    body_id: int | None = None,
    kind: str | None = None,
    mode: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    past: bool = False,
    whole_history: bool = False,
    now: datetime | None = None,
) -> list[Meeting]:
    """The public meetings a feed lists, with the public calendar's filters (the arguments of
    ``forms_public.CalendarFilterForm.filters()``, so the page and its feed agree on what a filter means).

    Unlike the page, a feed is not split into upcoming and past: a calendar application shows both. Without
    ``from`` it starts :data:`FEED_DEFAULT_PAST` back, so old meetings do not weigh on every poll; with
    ``past`` it lists only meetings already over; ``whole_history`` (a body's feed: a few meetings a year)
    drops the default start. At most :data:`FEED_LIMIT` events, the latest kept."""
    now = now or timezone.now()
    start = date_from or (None if whole_history else timezone.localdate(now) - FEED_DEFAULT_PAST)
    meetings = for_feed(
        filtered_public_meetings(
            programme_id=programme_id, body_id=body_id, kind=kind, mode=mode, date_from=start, date_to=date_to
        )
    )
    if past:
        meetings = meetings.filter(ends_at__lt=now)
    newest_first = list(meetings.order_by("-starts_at", "-pk")[:FEED_LIMIT])
    return newest_first[::-1]


def filename(stem: str) -> str:
    return f"{stem}.ics"
