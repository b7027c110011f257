"""Every list and detail page of bodies and meetings costs the same number of queries with three times the
data (issue 4, point 11; house rule: a page's query count must not grow with the data).

The same world is built twice, at scale 1 and at scale 3: a body serving the staff's programme with seats
(one replaced), meetings held (attendance, votes, a conflict of interest, documents, published minutes) and
to come (convened, with their pack), public events with registrations, written procedures and
recommendations. Detail pages are measured on the world of each scale; list pages after the first world and
again after the second has been added (four times the data). A view still a placeholder (raising 404) is
skipped with the reason.
"""

import inspect
from dataclasses import dataclass
from datetime import timedelta
from itertools import count

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone, translation

from officine.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Body,
    ConflictDeclaration,
    DecisionMethod,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingMode,
    MeetingState,
    Minutes,
    MinutesSection,
    MinutesState,
    MinutesVersion,
    Outcome,
    ProcedureState,
    Recommendation,
    Registration,
    RegistrationStatus,
    ResponseChoice,
    Seat,
    SeatRole,
    Vote,
    VoteChoice,
    WrittenProcedure,
    WrittenResponse,
)
from officine.meetings.tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
_serial = count(1)


@dataclass
class World:
    body: Body
    held: Meeting
    upcoming: Meeting
    event: Meeting


def _document(meeting: Meeting, item: AgendaItem | None, published) -> MeetingDocument:
    document = MeetingDocument(
        meeting=meeting,
        item=item,
        title_it=f"Documento {next(_serial)}",
        size=len(PDF),
        published_at=published,
    )
    document.file.save("documento.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


def _meeting(body: Body | None, programme, starts, state: str, scale: int, **fields) -> Meeting:
    meeting = factories.make_meeting(
        body,
        starts_at=starts,
        programme=programme,
        state=state,
        notice_sent_at=starts - timedelta(days=20) if state != MeetingState.DRAFT else None,
        documents_published_at=starts - timedelta(days=20) if state != MeetingState.DRAFT else None,
        mode=MeetingMode.HYBRID,
        online_link="https://meet.example.org/riunione",
        **fields,
    )
    kinds = [AgendaItemKind.APPROVAL, AgendaItemKind.EXAMINATION, AgendaItemKind.INFORMATION]
    for order in range(1, 3 * scale + 1):
        kind = kinds[order % 3] if body else AgendaItemKind.INFORMATION
        item = AgendaItem.objects.create(
            meeting=meeting, order=order, title_it=f"Punto {order}", kind=kind, presenter="Presidente"
        )
        if state == MeetingState.HELD and body:
            item.outcome = Outcome.APPROVED if kind == AgendaItemKind.APPROVAL else Outcome.NOTED
            item.decided_by = DecisionMethod.CONSENSUS
            item.decided_at = starts + timedelta(minutes=10 * order)
            item.save()
        if state != MeetingState.DRAFT:
            _document(meeting, item, meeting.notice_sent_at)
    if state != MeetingState.DRAFT:
        _document(meeting, None, meeting.notice_sent_at)
    return meeting


def _hold(meeting: Meeting, seats: list[Seat]) -> None:
    """Attendance of every seat, votes of the voting members present on one approval item (one member
    recusing), and published minutes."""
    statuses = [AttendanceStatus.PRESENT, AttendanceStatus.ONLINE, AttendanceStatus.SUBSTITUTE]
    for n, seat in enumerate(seats):
        status = AttendanceStatus.ABSENT if n % 7 == 6 else statuses[n % 3]
        Attendance.objects.create(meeting=meeting, seat=seat, status=status)
    items = list(meeting.agenda_items.order_by("order"))
    voted = next(item for item in items if item.kind == AgendaItemKind.APPROVAL)
    voters = [s for n, s in enumerate(seats) if s.has_vote and n % 7 != 6]
    ConflictDeclaration.objects.create(item=voted, seat=voters[-1], note="Conflitto dichiarato")
    for n, seat in enumerate(voters[:-1]):
        Vote.objects.create(item=voted, seat=seat, choice=VoteChoice.FOR if n % 4 else VoteChoice.ABSTAIN)
    AgendaItem.objects.filter(pk=voted.pk).update(decided_by=DecisionMethod.VOTE)
    published = meeting.ends_at + timedelta(days=30)
    minutes = Minutes.objects.create(
        meeting=meeting,
        state=MinutesState.PUBLISHED,
        approved_at=published - timedelta(days=2),
        published_at=published,
    )
    for number in (1, 2):
        version = MinutesVersion.objects.create(
            minutes=minutes, number=number, opening="Apertura", circulated_at=meeting.ends_at
        )
        MinutesSection.objects.bulk_create(
            [MinutesSection(version=version, item=item, text=f"Testo {item.order}") for item in items]
        )


def build_world(programme, scale: int) -> World:
    """One body's world, every collection ``scale`` times as large."""
    now = timezone.now()
    body = factories.make_body([programme], name_it=f"Comitato {next(_serial)}")
    seats = [factories.make_seat(body, SeatRole.CHAIR), factories.make_seat(body, SeatRole.SECRETARIAT)]
    seats.append(factories.make_seat(body, SeatRole.ADVISORY))
    seats += factories.make_seats(body, 8 * scale)
    seats.append(factories.make_seat(body, SeatRole.OBSERVER))
    # A change of member: the old seat ended, its successor holds the place.
    old = seats.pop(3)
    old.end_date = factories.SEATS_FROM + timedelta(days=30)
    old.end_act_number = "DD 9/2026"
    old.end_act_date = old.end_date
    old.save()
    seats.append(
        factories.make_seat(
            body,
            organization=old.organization,
            start_date=old.end_date + timedelta(days=1),
            replaces=old,
            act_number="DD 9/2026",
        )
    )
    held = []
    for n in range(2 * scale):
        starts = (now - timedelta(days=10 + 7 * n)).replace(hour=10, minute=0, second=0, microsecond=0)
        meeting = _meeting(body, programme, starts, MeetingState.HELD, scale)
        _hold(meeting, seats)
        held.append(meeting)
    upcoming = []
    for n in range(2 * scale):
        starts = (now + timedelta(days=15 + 7 * n)).replace(hour=10, minute=0, second=0, microsecond=0)
        state = MeetingState.DRAFT if n % 2 else MeetingState.CONVENED
        upcoming.append(_meeting(body, programme, starts, state, scale))
    events = []
    for n in range(scale):
        starts = (now + timedelta(days=20 + n)).replace(hour=15, minute=0, second=0, microsecond=0)
        event = _meeting(
            None,
            programme,
            starts,
            MeetingState.CONVENED,
            scale,
            kind=MeetingKind.PUBLIC_EVENT,
            title_it=f"Web conference {next(_serial)}",
            capacity=100,
        )
        for k in range(5 * scale):
            Registration.objects.create(
                meeting=event,
                name=f"Persona {k}",
                email=f"persona{k}.{event.pk}@example.org",
                status=RegistrationStatus.CANCELLED if k == 0 else RegistrationStatus.CONFIRMED,
            )
        events.append(event)
    for n in range(scale):
        procedure = WrittenProcedure.objects.create(
            body=body,
            title_it=f"Procedura scritta {n}",
            opened_at=now - timedelta(days=2),
            deadline=timezone.localdate() + timedelta(days=10),
            state=ProcedureState.OPEN,
        )
        for seat in seats[3:6]:
            WrittenResponse.objects.create(procedure=procedure, seat=seat, choice=ResponseChoice.APPROVE)
        Recommendation.objects.create(
            body=body, meeting=held[0], text_it=f"Raccomandazione {n}", date=timezone.localdate()
        )
    return World(body=body, held=held[0], upcoming=upcoming[0], event=events[0])


# --- Measuring ---------------------------------------------------------------------------------------


def is_placeholder(url: str) -> bool:
    """A view that only raises Http404 (the placeholders the views replace)."""
    with translation.override("it"):
        source = inspect.getsource(resolve(url.split("?")[0]).func)
    lines = [line.strip() for line in source.splitlines()[1:]]
    return [line for line in lines if line and not line.startswith("#")] == ["raise Http404"]


def queries_for(client, url: str) -> int:
    if is_placeholder(url):
        pytest.skip(f"{url}: the view is still a placeholder raising Http404")
    client.get(url)  # the first request fills per-process caches (content types, site settings)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def url(name: str, *args, query: str = "") -> str:
    with translation.override("it"):
        return reverse(name, args=args) + (f"?{query}" if query else "")


DETAIL_PAGES = {
    "bodies:detail": lambda w: url("bodies:detail", w.body.pk),
    "meetings:detail (held, with minutes)": lambda w: url("meetings:detail", w.held.pk),
    "meetings:detail (convened)": lambda w: url("meetings:detail", w.upcoming.pk),
    "meetings:detail (public event)": lambda w: url("meetings:detail", w.event.pk),
    "manage_meetings:meeting (held)": lambda w: url("manage_meetings:meeting", w.held.pk),
    "manage_meetings:meeting (convened)": lambda w: url("manage_meetings:meeting", w.upcoming.pk),
    "manage_meetings:body": lambda w: url("manage_meetings:body", w.body.pk),
    "bodies:ics": lambda w: url("bodies:ics", w.body.pk),
}
LIST_PAGES = {
    "bodies:list": lambda: url("bodies:list"),
    "meetings:calendar": lambda: url("meetings:calendar"),
    "meetings:calendar (past)": lambda: url("meetings:calendar", query="past=1"),
    "meetings:calendar_ics": lambda: url("meetings:calendar_ics"),
    "manage_meetings:index": lambda: url("manage_meetings:index"),
}
STAFF_PAGES = ("manage_meetings",)


def _client_for(name: str, client, staff):
    if name.startswith(STAFF_PAGES):
        client.force_login(staff)
    else:
        client.logout()
    return client


@pytest.mark.parametrize("page", list(DETAIL_PAGES))
def test_detail_pages_cost_the_same_with_three_times_the_data(client, staff, programme, page):
    small, large = build_world(programme, 1), build_world(programme, 3)
    make = DETAIL_PAGES[page]
    client = _client_for(page, client, staff)
    assert queries_for(client, make(small)) == queries_for(client, make(large))


@pytest.mark.parametrize("page", list(LIST_PAGES))
def test_list_pages_cost_the_same_with_more_data(client, staff, programme, page):
    client = _client_for(page, client, staff)
    build_world(programme, 1)
    small = queries_for(client, LIST_PAGES[page]())
    build_world(programme, 3)
    assert queries_for(client, LIST_PAGES[page]()) == small


def test_the_measured_worlds_differ_in_size(programme):
    """The comparison means something only if the larger world is larger where the pages look."""
    small, large = build_world(programme, 1), build_world(programme, 3)
    for attribute in ("seats", "meetings", "written_procedures", "recommendations"):
        assert getattr(large.body, attribute).count() > 2 * getattr(small.body, attribute).count()
    assert large.held.agenda_items.count() == 3 * small.held.agenda_items.count()
    assert large.held.attendances.count() > 2 * small.held.attendances.count()
    assert large.held.documents.count() > 2 * small.held.documents.count()
    assert large.event.registrations.count() == 3 * small.event.registrations.count()
    assert (
        Vote.objects.filter(item__meeting=large.held).count()
        > 2 * Vote.objects.filter(item__meeting=small.held).count()
    )
