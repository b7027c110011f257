"""Public reads of bodies and meetings: the list of bodies, a body's page, the calendar, a meeting's page and
the "upcoming meetings" blocks of the home and programme pages.

A meeting is public once convened (and stays so when held, or when cancelled after the notice went out), as
``rules.is_public_meeting`` says; :func:`public_meetings` is the same rule as a query. Every function costs a
fixed number of queries whatever the number of bodies, seats, meetings or documents: relations are joined or
prefetched, counts are correlated subqueries, and labels are resolved once per page.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from officine.programmes.models import Programme

from .models import (
    VOTING_ROLES,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Body,
    Gender,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingState,
    MinutesState,
    Recommendation,
    RegistrationStatus,
    Seat,
    SeatRole,
    Vote,
    VoteChoice,
    WrittenProcedure,
)

#: Seats whose holders are *members* of the body (the gender balance of ECCP Art. 10 counts them): observers
#: and the secretariat attend but are not members.
MEMBER_ROLES = (*VOTING_ROLES, SeatRole.ADVISORY)


def public_meeting_q(prefix: str = "") -> Q:
    """``rules.is_public_meeting`` as a filter (``prefix`` e.g. ``"meetings__"`` from another model)."""
    return Q(**{f"{prefix}state__in": (MeetingState.CONVENED, MeetingState.HELD)}) | Q(
        **{f"{prefix}state": MeetingState.CANCELLED, f"{prefix}notice_sent_at__isnull": False}
    )


def public_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(public_meeting_q())


def _rome_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def minutes_are_published(meeting: Meeting) -> bool:
    """Whether the meeting's minutes are public (``minutes`` joined with ``select_related``)."""
    return has_minutes(meeting) and meeting.minutes.state == MinutesState.PUBLISHED


def has_minutes(meeting: Meeting) -> bool:
    try:
        meeting.minutes  # noqa: B018 - a reverse one-to-one raises when missing
    except Meeting.minutes.RelatedObjectDoesNotExist:
        return False
    return True


# --- Bodies -----------------------------------------------------------------------------------------------


def programmes_with_bodies() -> QuerySet[Programme]:
    """Programmes served by at least one body, for the filter of the list of bodies."""
    return Programme.objects.filter(Exists(Body.programmes.through.objects.filter(programme=OuterRef("pk"))))


def _next_meeting(now: datetime) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        body=OuterRef("pk"), state=MeetingState.CONVENED, ends_at__gte=now
    ).order_by("starts_at", "pk")


def list_bodies(*, programme_id: int | None = None, kind: str | None = None, now=None) -> QuerySet[Body]:
    """Bodies with their programmes, the number of seats in force and the id of their next meeting
    (``next_meeting_id``: load them for a page with :func:`attach_next_meetings`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    bodies = Body.objects.all()
    if programme_id:
        bodies = bodies.filter(
            Exists(Body.programmes.through.objects.filter(body=OuterRef("pk"), programme_id=programme_id))
        )
    if kind:
        bodies = bodies.filter(kind=kind)
    seats_in_force = (
        Seat.objects.filter(body=OuterRef("pk"))
        .in_force(today)
        .filter(role__in=MEMBER_ROLES)
        .order_by()
        .values("body")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return bodies.annotate(
        member_count=Coalesce(Subquery(seats_in_force, output_field=IntegerField()), 0),
        next_meeting_id=Subquery(_next_meeting(now).values("pk")[:1]),
    ).prefetch_related(Prefetch("programmes", queryset=Programme.objects.order_by("title_it")))


def attach_next_meetings(bodies: list[Body]) -> list[Body]:
    """Set ``next_meeting`` on each body of a page (one query for the whole page)."""
    ids = [b.next_meeting_id for b in bodies if getattr(b, "next_meeting_id", None)]
    meetings = {m.pk: m for m in Meeting.objects.filter(pk__in=ids)} if ids else {}
    for body in bodies:
        body.next_meeting = meetings.get(getattr(body, "next_meeting_id", None))
    return bodies


def body_for_page(pk: int) -> Body | None:
    return (
        Body.objects.prefetch_related(Prefetch("programmes", queryset=Programme.objects.order_by("title_it")))
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class GenderFigure:
    """Members (or substitutes) of the current composition by recorded gender. Only women and men recorded
    count towards the shares; "other or not stated" and blank are reported as not counted."""

    women: int = 0
    men: int = 0
    not_counted: int = 0

    @property
    def counted(self) -> int:
        return self.women + self.men

    @property
    def total(self) -> int:
        return self.counted + self.not_counted

    @property
    def percent_women(self) -> float | None:
        return round(100 * self.women / self.counted, 1) if self.counted else None

    @property
    def percent_men(self) -> float | None:
        return round(100 * self.men / self.counted, 1) if self.counted else None

    @classmethod
    def of(cls, genders) -> "GenderFigure":
        counts = Counter(genders)
        women, men = counts.pop(Gender.FEMALE, 0), counts.pop(Gender.MALE, 0)
        return cls(women=women, men=men, not_counted=sum(counts.values()))


@dataclass
class BodyPage:
    body: Body
    current_seats: list[Seat]
    future_seats: list[Seat]
    past_seats: list[Seat]
    members_gender: GenderFigure
    substitutes_gender: GenderFigure
    upcoming_meetings: list[Meeting]
    past_meetings: list[Meeting]
    procedures: list[WrittenProcedure]
    recommendations: list[Recommendation]
    #: every meeting above, for the compliance checks (which would otherwise query them again)
    meetings: list[Meeting] = field(default_factory=list)
    seats: list[Seat] = field(default_factory=list)

    @property
    def voting_member_count(self) -> int:
        return sum(1 for seat in self.current_seats if seat.role in VOTING_ROLES)


def body_page(body: Body, now: datetime | None = None) -> BodyPage:
    """Everything the public page of a body shows, in six queries whatever the size of its history."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    seats = list(
        Seat.objects.filter(body=body)
        .select_related("organization", "replaced_by", "replaces")
        .order_by("start_date", "organization__name", "pk")
    )
    role_order = {role: index for index, role in enumerate(SeatRole.values)}
    current = sorted(
        (s for s in seats if s.in_force_on(today)),
        key=lambda s: (role_order.get(s.role, 99), s.organization.name.lower(), s.pk),
    )
    future = [s for s in seats if s.start_date > today]
    past = sorted((s for s in seats if s.end_date and s.end_date < today), key=lambda s: (s.end_date, s.pk))
    past.reverse()
    members = [s for s in current if s.role in MEMBER_ROLES]
    meetings = list(
        public_meetings().filter(body=body).select_related("programme", "minutes").order_by("starts_at", "pk")
    )
    for meeting in meetings:
        meeting.body = body  # already loaded
    upcoming = [m for m in meetings if m.ends_at >= now and m.state != MeetingState.HELD]
    upcoming_ids = {m.pk for m in upcoming}
    past_meetings = [m for m in reversed(meetings) if m.pk not in upcoming_ids]
    for meeting in meetings:
        meeting.has_public_minutes = minutes_are_published(meeting)
    procedures = list(WrittenProcedure.objects.filter(body=body).order_by("-opened_at", "pk"))
    recommendations = list(
        Recommendation.objects.filter(body=body).select_related("meeting").order_by("-date", "-pk")
    )
    return BodyPage(
        body=body,
        current_seats=current,
        future_seats=future,
        past_seats=past,
        members_gender=GenderFigure.of(s.member_gender for s in members),
        substitutes_gender=GenderFigure.of(s.substitute_gender for s in members if s.substitute_name),
        upcoming_meetings=upcoming,
        past_meetings=past_meetings,
        procedures=procedures,
        recommendations=recommendations,
        meetings=meetings,
        seats=seats,
    )


def programme_bodies(programme: Programme) -> list[Body]:
    """The bodies serving a programme, for its page."""
    return list(list_bodies(programme_id=programme.pk).order_by("kind", "name_it").prefetch_related(None))


# --- Calendar ---------------------------------------------------------------------------------------------


def filtered_public_meetings(
    *,
    programme_id: int | None = None,
    body_id: int | None = None,
    kind: str | None = None,
    mode: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Meeting]:
    """Public meetings narrowed by the calendar's filters; the page and the iCalendar feed share it so that a
    filter means the same in both. A programme matches meetings held for it and meetings of the bodies that
    serve it; ``date_from``/``date_to`` bound the day the meeting starts (Europe/Rome)."""
    meetings = public_meetings()
    if programme_id:
        meetings = meetings.filter(
            Q(programme_id=programme_id)
            | Exists(
                Body.programmes.through.objects.filter(body=OuterRef("body_id"), programme_id=programme_id)
            )
        )
    if body_id:
        meetings = meetings.filter(body_id=body_id)
    if kind:
        meetings = meetings.filter(kind=kind)
    if mode:
        meetings = meetings.filter(mode=mode)
    if date_from:
        meetings = meetings.filter(starts_at__gte=_rome_midnight(date_from))
    if date_to:
        meetings = meetings.filter(starts_at__lt=_rome_midnight(date_to + timedelta(days=1)))
    return meetings


def calendar_meetings(
    *,
    programme_id: int | None = None,
    body_id: int | None = None,
    kind: str | None = None,
    mode: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    past: bool = False,
    now: datetime | None = None,
) -> QuerySet[Meeting]:
    """Public meetings for the calendar and its iCalendar feed: upcoming ones (not yet ended) from the
    soonest, or with ``past`` those that ended, from the latest. Filters: :func:`filtered_public_meetings`."""
    now = now or timezone.now()
    meetings = filtered_public_meetings(
        programme_id=programme_id, body_id=body_id, kind=kind, mode=mode, date_from=date_from, date_to=date_to
    )
    if past:
        meetings = meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        meetings = meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")
    return meetings.select_related("body", "programme")


def upcoming_meetings(programme: Programme | None = None, limit: int = 5, now=None) -> list[Meeting]:
    """The next public meetings (all, or of one programme), for the home and programme pages."""
    meetings = calendar_meetings(programme_id=programme.pk if programme else None, now=now)
    return list(meetings.exclude(state=MeetingState.CANCELLED)[:limit])


def programmes_for_calendar() -> QuerySet[Programme]:
    """Programmes served by a body or with public meetings of their own, for the calendar's filter."""
    return Programme.objects.filter(
        Exists(Body.programmes.through.objects.filter(programme=OuterRef("pk")))
        | Exists(public_meetings().filter(programme=OuterRef("pk")))
    )


def bodies_for_filter() -> QuerySet[Body]:
    return Body.objects.filter(Exists(public_meetings().filter(body=OuterRef("pk")))).order_by("name_it")


# --- A meeting's page -------------------------------------------------------------------------------------


def meeting_for_page(pk: int) -> Meeting | None:
    """The meeting with what the permission checks and the page read (body, its programmes, minutes)."""
    return (
        Meeting.objects.select_related("body", "programme", "minutes")
        .prefetch_related("body__programmes")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class AttendanceSummary:
    present: int
    substitute: int
    online: int
    absent: int
    voting_members: int
    voting_present: int
    quorum_required: int

    @property
    def recorded(self) -> int:
        return self.present + self.substitute + self.online + self.absent

    @property
    def quorum_met(self) -> bool:
        return self.voting_members > 0 and self.voting_present >= self.quorum_required


@dataclass
class MeetingPage:
    meeting: Meeting
    items: list[AgendaItem]
    documents: list[MeetingDocument]
    attendance: AttendanceSummary | None
    confirmed_registrations: int | None
    has_public_minutes: bool

    @property
    def places_left(self) -> int | None:
        if self.meeting.capacity is None or self.confirmed_registrations is None:
            return None
        return max(self.meeting.capacity - self.confirmed_registrations, 0)


def _vote_count(choice: str) -> Coalesce:
    counted = (
        Vote.objects.filter(item=OuterRef("pk"), choice=choice)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _attendance_summary(meeting: Meeting) -> AttendanceSummary:
    from .quorum import required

    rows = Attendance.objects.filter(meeting=meeting).values("status", "seat__role").annotate(n=Count("pk"))
    by_status: Counter = Counter()
    voting_present = 0
    present_statuses = (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE, AttendanceStatus.ONLINE)
    for row in rows:
        by_status[row["status"]] += row["n"]
        if row["status"] in present_statuses and row["seat__role"] in VOTING_ROLES:
            voting_present += row["n"]
    voting_members = Seat.objects.filter(body_id=meeting.body_id).in_force(meeting.day).voting().count()
    return AttendanceSummary(
        present=by_status[AttendanceStatus.PRESENT],
        substitute=by_status[AttendanceStatus.SUBSTITUTE],
        online=by_status[AttendanceStatus.ONLINE],
        absent=by_status[AttendanceStatus.ABSENT],
        voting_members=voting_members,
        voting_present=voting_present,
        quorum_required=required(meeting.body.quorum_fraction, voting_members),
    )


def meeting_page(meeting: Meeting, *, show_unpublished: bool = False) -> MeetingPage:
    """The agenda (with decisions and tallies), the document pack and, for a held body meeting, the
    attendance. The public sees the documents that went out and those withheld (with the reason);
    ``show_unpublished`` adds the ones not yet published, for whoever manages the meeting."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .annotate(
            votes_for=_vote_count(VoteChoice.FOR),
            votes_against=_vote_count(VoteChoice.AGAINST),
            votes_abstain=_vote_count(VoteChoice.ABSTAIN),
            conflict_count=Count("conflicts", distinct=True),
        )
        .order_by("order")
    )
    documents = MeetingDocument.objects.filter(meeting=meeting).select_related("item")
    if not show_unpublished:
        documents = documents.filter(Q(published_at__isnull=False) | Q(is_confidential=True))
    documents = list(documents.order_by("item__order", "published_at", "pk"))
    by_item: dict[int | None, list[MeetingDocument]] = {}
    for document in documents:
        by_item.setdefault(document.item_id, []).append(document)
    for item in items:
        item.meeting = meeting
        item.pack = by_item.get(item.pk, [])
        item.vote_total = item.votes_for + item.votes_against + item.votes_abstain
    attendance = None
    if meeting.kind == MeetingKind.BODY_MEETING and meeting.state == MeetingState.HELD and meeting.body_id:
        attendance = _attendance_summary(meeting)
    confirmed = None
    if meeting.capacity is not None:
        confirmed = meeting.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    return MeetingPage(
        meeting=meeting,
        items=items,
        documents=documents,
        attendance=attendance,
        confirmed_registrations=confirmed,
        has_public_minutes=minutes_are_published(meeting),
    )
