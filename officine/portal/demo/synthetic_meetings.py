"""Synthetic bodies and meetings at scale, for the benchmark of the meeting pages (issue 4, point 11).

``seed_scale --bodies N --meetings M`` calls :func:`seed_meetings`: N bodies (one monitoring committee per
synthetic programme, then partnership tables and working groups) serving the synthetic programmes, their
seats held by synthetic organisations (chair, secretariat, an advisory seat, voting members and a few
observers; some members replaced, so the composition has a history), and M meetings spread from two years
ago to six months ahead: past ones held (a few cancelled) with attendance, decided agenda items, votes on
one approval item in two and published minutes for most; future ones convened or still in draft. About
one meeting in twelve is a public event without a body, with registrations. Document rows point at one tiny
shared PDF (the files are not what is measured).

Everything is written with ``bulk_create`` in batches (no validation per row: the values are generated to
be valid), is ``is_demo`` and carries a marker, the name prefix ``Organismo sintetico`` for bodies and
``Evento sintetico`` for events, so :func:`clear_meetings` finds exactly them.
"""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from officine.meetings.models import (
    PRESENT_STATUSES,
    VOTING_ROLES,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Body,
    BodyKind,
    DecisionMethod,
    Gender,
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
    Registration,
    RegistrationStatus,
    Seat,
    SeatRole,
    Vote,
    VoteChoice,
)
from officine.programmes.models import Programme
from officine.registry.models import Organization

from .people import FEMALE_NAMES, MALE_NAMES, SURNAMES

BODY_NAME_PREFIX = "Organismo sintetico"
EVENT_TITLE_PREFIX = "Evento sintetico"
SHARED_DOCUMENT = "meetings/documents/synthetic/documento-sintetico.pdf"
MIN_SEATS, MAX_SEATS = 12, 40
MIN_ITEMS, MAX_ITEMS = 3, 8
PUBLIC_EVENT_SHARE = 1 / 12
CANCELLED_SHARE = 0.06
DRAFT_SHARE = 0.3
REPLACED_SHARE = 0.05
VOTED_SHARE = 0.5
MINUTES_SHARE = 0.7
PAST_DAYS, FUTURE_DAYS = 730, 180

_BODY_KINDS = (
    (BodyKind.PARTNERSHIP_TABLE, "Tavolo di partenariato", "Partnership table"),
    (BodyKind.WORKING_GROUP, "Gruppo di lavoro", "Working group"),
    (BodyKind.LAB_STEERING_GROUP, "Comitato di pilotaggio del laboratorio", "Lab steering group"),
)
_THEMES = (
    "inclusione sociale",
    "occupazione giovanile",
    "transizione verde",
    "aree interne",
    "capacità amministrativa",
    "parità di genere",
    "valutazione",
    "semplificazione",
)
_ITEMS = (
    ("Approvazione dell'ordine del giorno", AgendaItemKind.APPROVAL),
    ("Stato di attuazione del programma", AgendaItemKind.EXAMINATION),
    ("Approvazione dei criteri di selezione delle operazioni", AgendaItemKind.APPROVAL),
    ("Esame degli esiti della valutazione", AgendaItemKind.EXAMINATION),
    ("Informativa sulla strategia di comunicazione", AgendaItemKind.INFORMATION),
    ("Approvazione della modifica del programma", AgendaItemKind.APPROVAL),
    ("Capacità amministrativa dei partner", AgendaItemKind.EXAMINATION),
    ("Informativa sugli strumenti finanziari", AgendaItemKind.INFORMATION),
    ("Approvazione del Piano di valutazione", AgendaItemKind.APPROVAL),
    ("Varie ed eventuali", AgendaItemKind.INFORMATION),
)
_DOCUMENTS = (
    "Relazione sullo stato di attuazione",
    "Nota illustrativa",
    "Metodologia e criteri di selezione",
    "Rapporto di valutazione – sintesi",
    "Presentazione dell'Autorità di gestione",
)
_SHARED_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] "
    b"/Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def synthetic_bodies() -> models.QuerySet:
    return Body.objects.filter(is_demo=True, name_it__startswith=BODY_NAME_PREFIX)


def synthetic_meetings() -> models.QuerySet:
    """Meetings of the synthetic bodies and the synthetic public events."""
    return Meeting.objects.filter(is_demo=True).filter(
        models.Q(body__in=synthetic_bodies())
        | models.Q(body__isnull=True, title_it__startswith=EVENT_TITLE_PREFIX)
    )


def synthetic_meeting_counts() -> dict[str, int]:
    return {"bodies": synthetic_bodies().count(), "meetings": synthetic_meetings().count()}


def clear_meetings() -> dict[str, int]:
    """Delete the synthetic bodies and meetings with everything hanging on them (minutes, which protect
    their meeting, first; then the meetings, which protect their body; seats last, unlinked from the seats
    they replaced)."""
    meetings = synthetic_meetings()
    meeting_ids = list(meetings.values_list("pk", flat=True))
    bodies = synthetic_bodies()
    deleted = {
        "minutes": Minutes.objects.filter(meeting_id__in=meeting_ids).delete()[1].get(Minutes._meta.label, 0)
    }
    deleted["meetings"] = Meeting.objects.filter(pk__in=meeting_ids).delete()[1].get(Meeting._meta.label, 0)
    seats = Seat.objects.filter(body__in=bodies)
    seats.exclude(replaces=None).update(replaces=None)
    deleted["seats"] = seats.delete()[1].get(Seat._meta.label, 0)
    deleted["bodies"] = bodies.delete()[1].get(Body._meta.label, 0)
    return deleted


def _aware(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _person(rng: random.Random) -> tuple[str, str]:
    gender = rng.choice((Gender.FEMALE, Gender.FEMALE, Gender.MALE, Gender.MALE, Gender.OTHER))
    names = FEMALE_NAMES if gender == Gender.FEMALE else MALE_NAMES
    return f"{rng.choice(names)} {rng.choice(SURNAMES)}", gender


def seed_meetings(
    bodies: int,
    meetings: int,
    programmes: list[Programme],
    organisations: list[Organization],
    *,
    rng: random.Random,
    batch_size: int,
    timed: Callable[[str, Callable[[], int]], None],
    today: date | None = None,
) -> None:
    """Write ``bodies`` bodies and ``meetings`` meetings with their rows, each table timed by ``timed``."""
    today = today or timezone.localdate()
    now = timezone.now()
    state: dict = {}

    def write_bodies() -> int:
        rows = []
        for n in range(1, bodies + 1):
            programme = programmes[(n - 1) % len(programmes)]
            if n <= len(programmes):
                kind, label_it, label_en = (
                    BodyKind.MONITORING_COMMITTEE,
                    "Comitato di Sorveglianza",
                    "Committee",
                )
            else:
                kind, label_it, label_en = rng.choice(_BODY_KINDS)
            theme = rng.choice(_THEMES)
            act_date = date(2022, 9, 1) + timedelta(days=rng.randint(0, 240))
            rows.append(
                Body(
                    kind=kind,
                    name_it=f"{BODY_NAME_PREFIX} {n:04d} – {label_it} ({theme}) – {programme.cci}",
                    name_en=f"Synthetic body {n:04d} – {label_en} – {programme.cci}",
                    constitution_act_number=f"SYN-{act_date.year}/{n:04d}",
                    constitution_act_date=act_date,
                    is_demo=True,
                )
            )
        created = Body.objects.bulk_create(rows, batch_size=batch_size)
        through = Body.programmes.through
        links = [
            through(body_id=body.pk, programme_id=programmes[(n - 1) % len(programmes)].pk)
            for n, body in enumerate(created, start=1)
        ]
        through.objects.bulk_create(links, batch_size=batch_size)
        state["bodies"] = [(body, programmes[(n - 1) % len(programmes)]) for n, body in enumerate(created, 1)]
        return len(created) + len(links)

    def write_seats() -> int:
        rows: list[Seat] = []
        for body, _programme in state["bodies"]:
            size = rng.randint(MIN_SEATS, MAX_SEATS)
            start = body.constitution_act_date + timedelta(days=14)
            holders = rng.sample(organisations, min(size, len(organisations)))
            for index, organization in enumerate(holders):
                if index == 0:
                    role = SeatRole.CHAIR
                elif index == 1:
                    role = SeatRole.SECRETARIAT
                elif index == 2:
                    role = SeatRole.ADVISORY
                else:
                    role = SeatRole.OBSERVER if rng.random() < 0.08 else SeatRole.VOTING_MEMBER
                member, member_gender = _person(rng)
                substitute, substitute_gender = _person(rng)
                rows.append(
                    Seat(
                        body=body,
                        organization=organization,
                        role=role,
                        member_name=member,
                        member_gender=member_gender,
                        substitute_name=substitute,
                        substitute_gender=substitute_gender,
                        start_date=start,
                        act_number=body.constitution_act_number,
                        act_date=body.constitution_act_date,
                    )
                )
        created = Seat.objects.bulk_create(rows, batch_size=batch_size)
        # A few members replaced: the old seat ends, its successor opens the next day under a new act.
        successors = []
        ended = []
        for seat in created:
            if seat.role == SeatRole.VOTING_MEMBER and rng.random() < REPLACED_SHARE:
                change = date(2024, 6, 1) + timedelta(days=rng.randint(0, 400))
                seat.end_date = change - timedelta(days=1)
                seat.end_act_number = f"SYN-{change.year}/R{seat.pk}"
                seat.end_act_date = change - timedelta(days=10)
                ended.append(seat)
                member, member_gender = _person(rng)
                successors.append(
                    Seat(
                        body_id=seat.body_id,
                        organization_id=seat.organization_id,
                        role=seat.role,
                        member_name=member,
                        member_gender=member_gender,
                        substitute_name=seat.substitute_name,
                        substitute_gender=seat.substitute_gender,
                        start_date=change,
                        act_number=seat.end_act_number,
                        act_date=seat.end_act_date,
                        replaces_id=seat.pk,
                    )
                )
        Seat.objects.bulk_update(ended, ["end_date", "end_act_number", "end_act_date"], batch_size=batch_size)
        successors = Seat.objects.bulk_create(successors, batch_size=batch_size)
        by_body: dict[int, list[Seat]] = {}
        for seat in [*created, *successors]:
            by_body.setdefault(seat.body_id, []).append(seat)
        state["seats"] = by_body
        return len(created) + len(successors)

    def write_meetings() -> int:
        rows = []
        weights = [rng.paretovariate(1.5) for _ in state["bodies"]]
        for n in range(1, meetings + 1):
            day = _weekday(today + timedelta(days=rng.randint(-PAST_DAYS, FUTURE_DAYS)))
            starts = _aware(day, rng.choice((9, 10, 11, 14, 15)), rng.choice((0, 30)))
            public = rng.random() < PUBLIC_EVENT_SHARE or not state["bodies"]
            past = starts < now
            if past:
                meeting_state = (
                    MeetingState.CANCELLED if rng.random() < CANCELLED_SHARE else MeetingState.HELD
                )
            else:
                meeting_state = MeetingState.DRAFT if rng.random() < DRAFT_SHARE else MeetingState.CONVENED
            noticed = meeting_state != MeetingState.DRAFT and not (
                meeting_state == MeetingState.CANCELLED and rng.random() < 0.5
            )
            notice = (
                min(_aware(day - timedelta(days=16), 9, 30), now - timedelta(hours=1)) if noticed else None
            )
            if public:
                body, programme = None, rng.choice(programmes)
                theme = rng.choice(_THEMES)
                title_it = f"{EVENT_TITLE_PREFIX} {n:05d} – web conference su {theme}"
                title_en = f"Synthetic event {n:05d} – web conference"
                kind, mode, capacity = (
                    MeetingKind.PUBLIC_EVENT,
                    MeetingMode.ONLINE,
                    rng.choice((50, 100, 200)),
                )
            else:
                body, programme = rng.choices(state["bodies"], weights=weights)[0]
                title_it = f"Riunione sintetica {n:05d} – {body.name_it[:120]}"
                title_en = f"Synthetic meeting {n:05d}"
                kind, capacity = MeetingKind.BODY_MEETING, None
                mode = rng.choice((MeetingMode.IN_PERSON, MeetingMode.HYBRID, MeetingMode.ONLINE))
            rows.append(
                Meeting(
                    body=body,
                    programme=programme,
                    kind=kind,
                    title_it=title_it,
                    title_en=title_en,
                    mode=mode,
                    place="" if mode == MeetingMode.ONLINE else "Roma, sala riunioni sintetica",
                    online_link=""
                    if mode == MeetingMode.IN_PERSON
                    else f"https://meet.example.org/syn-{n:05d}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    state=meeting_state,
                    notice_sent_at=notice,
                    documents_published_at=notice,
                    cancellation_reason="Riunione rinviata per indisponibilità della sala."
                    if meeting_state == MeetingState.CANCELLED
                    else "",
                    sequence=1 if meeting_state == MeetingState.CANCELLED else 0,
                    capacity=capacity,
                    description_it="Riunione sintetica generata per le prove di carico.",
                    is_demo=True,
                )
            )
        state["meetings"] = Meeting.objects.bulk_create(rows, batch_size=batch_size)
        return len(rows)

    def write_items() -> int:
        rows = []
        for meeting in state["meetings"]:
            held = meeting.state == MeetingState.HELD
            for order, (title, kind) in enumerate(
                rng.sample(_ITEMS, rng.randint(MIN_ITEMS, MAX_ITEMS)), start=1
            ):
                if meeting.kind != MeetingKind.BODY_MEETING:
                    kind = AgendaItemKind.INFORMATION
                outcome = ""
                if held and meeting.body_id:
                    outcome = Outcome.NOTED if kind == AgendaItemKind.INFORMATION else Outcome.APPROVED
                    if kind == AgendaItemKind.EXAMINATION and rng.random() < 0.7:
                        outcome = Outcome.NOTED
                rows.append(
                    AgendaItem(
                        meeting=meeting,
                        order=order,
                        title_it=title,
                        presenter="Autorità di gestione" if order > 1 else "Presidente",
                        kind=kind,
                        outcome=outcome,
                        decided_by=DecisionMethod.CONSENSUS if outcome else "",
                        decided_at=meeting.starts_at + timedelta(minutes=20 * order) if outcome else None,
                    )
                )
        state["items"] = AgendaItem.objects.bulk_create(rows, batch_size=batch_size)
        return len(rows)

    def write_documents() -> int:
        if not default_storage.exists(SHARED_DOCUMENT):
            default_storage.save(SHARED_DOCUMENT, ContentFile(_SHARED_PDF))
        items_by_meeting: dict[int, list[AgendaItem]] = {}
        for item in state["items"]:
            items_by_meeting.setdefault(item.meeting_id, []).append(item)
        rows = []
        for meeting in state["meetings"]:
            if meeting.notice_sent_at is None:
                continue
            items = items_by_meeting.get(meeting.pk, [])
            for _ in range(rng.randint(0, 4)):
                item = rng.choice(items) if items and rng.random() < 0.7 else None
                confidential = rng.random() < 0.03
                rows.append(
                    MeetingDocument(
                        meeting=meeting,
                        item=item,
                        title_it=rng.choice(_DOCUMENTS),
                        file=SHARED_DOCUMENT,
                        size=len(_SHARED_PDF),
                        published_at=meeting.notice_sent_at,
                        is_confidential=confidential,
                        confidentiality_reason="Contiene dati personali (art. 69, par. 5, RDC)."
                        if confidential
                        else "",
                    )
                )
        MeetingDocument.objects.bulk_create(rows, batch_size=batch_size)
        return len(rows)

    def held_meetings():
        for meeting in state["meetings"]:
            if meeting.state == MeetingState.HELD and meeting.body_id:
                day = timezone.localdate(meeting.starts_at)
                seats = [s for s in state["seats"][meeting.body_id] if s.in_force_on(day)]
                yield meeting, seats

    def write_attendance() -> int:
        rows = []
        statuses = [AttendanceStatus.PRESENT] * 6 + [AttendanceStatus.ONLINE] * 2
        statuses += [AttendanceStatus.SUBSTITUTE, AttendanceStatus.ABSENT, AttendanceStatus.ABSENT]
        for meeting, seats in held_meetings():
            for seat in seats:
                rows.append(Attendance(meeting=meeting, seat=seat, status=rng.choice(statuses)))
        created = Attendance.objects.bulk_create(rows, batch_size=batch_size)
        state["present"] = {(a.meeting_id, a.seat_id) for a in created if a.status in PRESENT_STATUSES}
        return len(rows)

    def write_votes() -> int:
        approvals: dict[int, AgendaItem] = {}
        for item in state["items"]:
            if item.kind == AgendaItemKind.APPROVAL and item.outcome and item.meeting_id not in approvals:
                approvals[item.meeting_id] = item
        rows, decided = [], []
        for meeting, seats in held_meetings():
            item = approvals.get(meeting.pk)
            if item is None or rng.random() >= VOTED_SHARE:
                continue
            for seat in seats:
                if seat.role in VOTING_ROLES and (meeting.pk, seat.pk) in state["present"]:
                    choice = rng.choices(
                        (VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN), weights=(8, 1, 1)
                    )[0]
                    rows.append(Vote(item=item, seat=seat, choice=choice))
            item.decided_by = DecisionMethod.VOTE
            decided.append(item)
        Vote.objects.bulk_create(rows, batch_size=batch_size)
        AgendaItem.objects.bulk_update(decided, ["decided_by"], batch_size=batch_size)
        return len(rows)

    def write_minutes() -> int:
        items_by_meeting: dict[int, list[AgendaItem]] = {}
        for item in state["items"]:
            items_by_meeting.setdefault(item.meeting_id, []).append(item)
        minutes_rows = []
        for meeting, _seats in held_meetings():
            if meeting.starts_at > now - timedelta(days=30) or rng.random() >= MINUTES_SHARE:
                continue
            approved = meeting.starts_at + timedelta(days=rng.randint(20, 40))
            published = min(approved + timedelta(days=3), now)
            minutes_rows.append(
                Minutes(
                    meeting=meeting,
                    state=MinutesState.PUBLISHED,
                    comments_deadline=timezone.localdate(meeting.starts_at) + timedelta(days=20),
                    approved_at=min(approved, published),
                    published_at=published,
                )
            )
        minutes_rows = Minutes.objects.bulk_create(minutes_rows, batch_size=batch_size)
        versions = MinutesVersion.objects.bulk_create(
            [
                MinutesVersion(
                    minutes=m,
                    number=1,
                    opening="Constatato il numero legale, il Presidente apre la seduta.",
                    closing="Esauriti i punti all'ordine del giorno, la seduta è chiusa.",
                    circulated_at=m.meeting.starts_at + timedelta(days=7),
                )
                for m in minutes_rows
            ],
            batch_size=batch_size,
        )
        sections = [
            MinutesSection(
                version=version,
                item=item,
                text=f"Sul punto «{item.title_it}» il Comitato prende atto di quanto illustrato.",
            )
            for version, m in zip(versions, minutes_rows, strict=True)
            for item in items_by_meeting.get(m.meeting_id, [])
        ]
        MinutesSection.objects.bulk_create(sections, batch_size=batch_size)
        return len(minutes_rows) + len(versions) + len(sections)

    def write_registrations() -> int:
        rows = []
        for meeting in state["meetings"]:
            if meeting.kind != MeetingKind.PUBLIC_EVENT or meeting.state == MeetingState.DRAFT:
                continue
            for k in range(rng.randint(5, 40)):
                name, _gender = _person(rng)
                cancelled = rng.random() < 0.05
                rows.append(
                    Registration(
                        meeting=meeting,
                        name=name,
                        email=f"iscritto{meeting.pk:06d}.{k:03d}@example.org",
                        organization_name=rng.choice(organisations).name[:300] if rng.random() < 0.8 else "",
                        status=RegistrationStatus.CANCELLED if cancelled else RegistrationStatus.CONFIRMED,
                        cancelled_at=meeting.starts_at - timedelta(days=2) if cancelled else None,
                    )
                )
        Registration.objects.bulk_create(rows, batch_size=batch_size)
        return len(rows)

    timed("bodies", write_bodies)
    timed("seats", write_seats)
    timed("meetings", write_meetings)
    timed("agenda items", write_items)
    timed("meeting documents", write_documents)
    timed("attendance", write_attendance)
    timed("votes", write_votes)
    timed("minutes", write_minutes)
    timed("registrations", write_registrations)
