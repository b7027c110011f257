"""Reads for the secretariat's pages: the bodies and meetings a user manages, a body's composition and its
history, a meeting's record, the attendance sheet and the vote sheet of an item.

Every function costs a fixed number of queries whatever the number of bodies, seats, meetings, items or
documents: relations are joined or prefetched, counts are correlated subqueries, and the composition history
is built in Python from one query of the body's seats.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from officine.programmes.models import Programme

from . import convening, quorum
from .models import (
    PRESENT_STATUSES,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    Body,
    ConflictDeclaration,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingState,
    ProcedureState,
    Registration,
    RegistrationStatus,
    Seat,
    SeatRole,
    Vote,
    WrittenProcedure,
)

#: Meetings still to be held (the secretariat's to-do list) and those that are over.
OPEN_STATES = (MeetingState.DRAFT, MeetingState.CONVENED)
CLOSED_STATES = (MeetingState.HELD, MeetingState.CANCELLED)

#: How the composition table is ordered: chair first, then voting, advisory, observers, secretariat.
ROLE_ORDER = {role: index for index, role in enumerate(SeatRole.values)}


def _subquery_count(queryset: QuerySet, group: str) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset`` (filtered on ``OuterRef(...)`` through ``group``), 0 when
    there are no rows."""
    counted = queryset.order_by().values(group).annotate(c=Count("*")).values("c")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


# --- What the user manages ------------------------------------------------------------------------------


def manageable_programmes(user) -> QuerySet[Programme]:
    """Programmes in which ``user`` may create bodies and meetings (platform admins: all of them)."""
    programmes = Programme.objects.only("pk", "cci", "title_it", "title_en").order_by("title_it", "pk")
    if user.is_superuser:
        return programmes
    return programmes.filter(pk__in=user.staffed_programme_ids)


def _body_ids_of(user) -> Subquery | None:
    """The bodies serving a programme ``user`` staffs, as a subquery (None for admins: every body)."""
    if user.is_superuser:
        return None
    return Body.programmes.through.objects.filter(programme_id__in=user.staffed_programme_ids).values(
        "body_id"
    )


def manageable_bodies(user) -> QuerySet[Body]:
    """The bodies ``user`` manages, with their programmes, the next meeting still to be held, the written
    procedures open and the seats in force today."""
    now = timezone.now()
    today = timezone.localdate()
    bodies = Body.objects.all()
    body_ids = _body_ids_of(user)
    if body_ids is not None:
        bodies = bodies.filter(pk__in=body_ids)
    upcoming = Meeting.objects.filter(
        body=OuterRef("pk"), state__in=OPEN_STATES, starts_at__gte=now
    ).order_by("starts_at", "pk")
    return (
        bodies.prefetch_related(
            Prefetch("programmes", queryset=Programme.objects.only("pk", "cci", "title_it", "title_en"))
        )
        .annotate(
            next_meeting_id=Subquery(upcoming.values("pk")[:1]),
            next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
            open_procedures=_subquery_count(
                WrittenProcedure.objects.filter(body=OuterRef("pk"), state=ProcedureState.OPEN), "body"
            ),
            seats_in_force=_subquery_count(Seat.objects.filter(body=OuterRef("pk")).in_force(today), "body"),
        )
        .order_by("name_it", "pk")
    )


def manageable_meetings(user) -> QuerySet[Meeting]:
    """Meetings ``user`` manages: those of the bodies they manage and the events of their programmes."""
    meetings = Meeting.objects.all()
    if not user.is_superuser:
        meetings = meetings.filter(
            Q(programme_id__in=user.staffed_programme_ids) | Q(body_id__in=_body_ids_of(user))
        )
    return meetings.select_related("body", "programme").annotate(
        item_count=_subquery_count(AgendaItem.objects.filter(meeting=OuterRef("pk")), "meeting"),
        document_count=_subquery_count(MeetingDocument.objects.filter(meeting=OuterRef("pk")), "meeting"),
    )


def meetings_to_hold(user) -> QuerySet[Meeting]:
    return manageable_meetings(user).filter(state__in=OPEN_STATES).order_by("starts_at", "pk")


def meetings_over(user) -> QuerySet[Meeting]:
    return manageable_meetings(user).filter(state__in=CLOSED_STATES).order_by("-starts_at", "-pk")


# --- A body ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompositionChange:
    """One step of the composition's history, with the act that made it."""

    kind: str  # "added", "replaced", "ended"
    day: date
    act_number: str
    act_date: date | None
    seat: Seat  # the seat opened (added, replaced) or closed (ended)
    previous: Seat | None = None  # for "replaced": the seat that ended


@dataclass
class BodyOverview:
    body: Body
    seats: list[Seat]
    history: list[CompositionChange]
    meetings: list[Meeting]
    procedures: list[WrittenProcedure]
    today: date = field(default_factory=timezone.localdate)

    @property
    def voting_seats(self) -> int:
        return sum(1 for seat in self.seats if seat.has_vote)


def composition_history(seats: list[Seat]) -> list[CompositionChange]:
    """Every change to the composition, newest first: seats opened (alone or replacing another) and seats
    ended without a successor. ``seats`` must have ``organization`` joined."""
    by_pk = {seat.pk: seat for seat in seats}
    replaced = {seat.replaces_id for seat in seats if seat.replaces_id}
    changes: list[CompositionChange] = []
    for seat in seats:
        if seat.replaces_id:
            changes.append(
                CompositionChange(
                    "replaced",
                    seat.start_date,
                    seat.act_number,
                    seat.act_date,
                    seat,
                    by_pk.get(seat.replaces_id),
                )
            )
        else:
            changes.append(CompositionChange("added", seat.start_date, seat.act_number, seat.act_date, seat))
        if seat.end_date is not None and seat.pk not in replaced:
            changes.append(
                CompositionChange("ended", seat.end_date, seat.end_act_number, seat.end_act_date, seat)
            )
    return sorted(changes, key=lambda change: (change.day, change.seat.pk), reverse=True)


def body_overview(body: Body) -> BodyOverview:
    today = timezone.localdate()
    all_seats = list(
        Seat.objects.filter(body=body)
        .select_related("organization", "member_user", "substitute_user")
        .order_by("start_date", "pk")
    )
    current = sorted(
        (seat for seat in all_seats if seat.in_force_on(today)),
        key=lambda seat: (ROLE_ORDER.get(seat.role, 99), seat.organization.name.lower(), seat.pk),
    )
    meetings = list(
        Meeting.objects.filter(body=body)
        .select_related("minutes")
        .annotate(item_count=_subquery_count(AgendaItem.objects.filter(meeting=OuterRef("pk")), "meeting"))
        .order_by("-starts_at", "-pk")
    )
    procedures = list(WrittenProcedure.objects.filter(body=body).order_by("-opened_at", "-pk"))
    return BodyOverview(body, current, composition_history(all_seats), meetings, procedures, today)


# --- A meeting ------------------------------------------------------------------------------------------


@dataclass
class MeetingOverview:
    meeting: Meeting
    items: list[AgendaItem]
    pack: list[MeetingDocument]  # documents not tied to an item
    has_minutes: bool
    notice: convening.NoticeCheck | None
    quorum: quorum.Quorum | None
    registrations: list[tuple[str, int]]  # (status label, how many), for events

    @property
    def document_count(self) -> int:
        return len(self.pack) + sum(len(item.pack) for item in self.items)


def _has_minutes(meeting: Meeting) -> bool:
    try:
        meeting.minutes  # noqa: B018 - a reverse one-to-one raises when missing
    except Meeting.minutes.RelatedObjectDoesNotExist:
        return False
    return True


def meeting_overview(meeting: Meeting) -> MeetingOverview:
    """The meeting's agenda (with each item's documents, conflicts and votes counted), its pack, the notice
    deadline while it is a draft, the quorum so far once convened, and registrations for events."""
    documents = list(
        MeetingDocument.objects.filter(meeting=meeting).select_related("uploaded_by").order_by("pk")
    )
    by_item: dict[int | None, list[MeetingDocument]] = defaultdict(list)
    for document in documents:
        by_item[document.item_id].append(document)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .prefetch_related(
            Prefetch("conflicts", queryset=ConflictDeclaration.objects.select_related("seat__organization"))
        )
        .annotate(vote_count=_subquery_count(Vote.objects.filter(item=OuterRef("pk")), "item"))
        .order_by("order")
    )
    for item in items:
        item.pack = by_item.get(item.pk, [])
    notice = None
    if meeting.body_id is not None and meeting.state == MeetingState.DRAFT:
        notice = convening.notice_check(
            meeting.body, meeting.day, timezone.localdate(), meeting.extra_holidays
        )
    state = None
    if meeting.body_id is not None and meeting.state in (MeetingState.CONVENED, MeetingState.HELD):
        state = quorum.meeting_quorum(meeting)
    registrations: list[tuple[str, int]] = []
    if meeting.kind != MeetingKind.BODY_MEETING:
        counts = dict(
            Registration.objects.filter(meeting=meeting)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        registrations = [(label, counts.get(value, 0)) for value, label in RegistrationStatus.choices]
    return MeetingOverview(
        meeting=meeting,
        items=items,
        pack=by_item.get(None, []),
        has_minutes=_has_minutes(meeting),
        notice=notice,
        quorum=state,
        registrations=registrations,
    )


# --- Attendance -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    seat: Seat
    status: str  # "" when not recorded yet

    @property
    def is_present(self) -> bool:
        return self.status in PRESENT_STATUSES


def attendance_sheet(meeting: Meeting) -> list[AttendanceRow]:
    """Every seat in force on the day of the meeting, chair and voting members first, with the attendance
    recorded so far."""
    if meeting.body_id is None:
        return []
    seats = Seat.objects.filter(body_id=meeting.body_id).in_force(meeting.day).select_related("organization")
    recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("seat_id", "status"))
    rows = [AttendanceRow(seat, recorded.get(seat.pk, "")) for seat in seats]
    return sorted(
        rows,
        key=lambda row: (ROLE_ORDER.get(row.seat.role, 99), row.seat.organization.name.lower(), row.seat.pk),
    )


# --- Votes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoterRow:
    seat: Seat
    state: str  # "eligible", "voted", "recused", "absent"
    choice: str = ""
    conflict_note: str = ""


@dataclass
class VoteSheet:
    item: AgendaItem
    rows: list[VoterRow]
    quorum: quorum.Quorum
    tally: quorum.Tally
    passes: bool | None  # None while nobody voted

    @property
    def eligible(self) -> list[VoterRow]:
        return [row for row in self.rows if row.state == "eligible"]

    @property
    def can_vote(self) -> bool:
        return not self.item.is_decided and self.item.kind != AgendaItemKind.INFORMATION


def vote_sheet(item: AgendaItem) -> VoteSheet:
    """The voting members on the day of ``item``'s meeting and where each stands on it: may vote, has voted
    (and how), recused for a declared conflict, or not present; the item's quorum, tally and result so far
    under the body's majority rule."""
    meeting = item.meeting
    body = meeting.body
    seats = list(quorum.voting_seats(body, meeting.day).select_related("organization"))
    present = quorum.present_seat_ids(meeting)
    conflicts = dict(ConflictDeclaration.objects.filter(item=item).values_list("seat_id", "note"))
    votes = dict(Vote.objects.filter(item=item).values_list("seat_id", "choice"))
    rows = []
    for seat in sorted(seats, key=lambda s: (ROLE_ORDER.get(s.role, 99), s.organization.name.lower(), s.pk)):
        if seat.pk in votes:
            rows.append(VoterRow(seat, "voted", choice=votes[seat.pk]))
        elif seat.pk in conflicts:
            rows.append(VoterRow(seat, "recused", conflict_note=conflicts[seat.pk]))
        elif seat.pk in present:
            rows.append(VoterRow(seat, "eligible"))
        else:
            rows.append(VoterRow(seat, "absent"))
    tally = quorum.Tally.of(votes.values())
    voting = {seat.pk for seat in seats} - set(conflicts)
    state = quorum.Quorum(
        voting_members=len(voting),
        present=len(present & voting),
        required=quorum.required(body.quorum_fraction, len(voting)),
        excluded=len({seat.pk for seat in seats} & set(conflicts)),
    )
    passes = None
    if tally.total:
        passes = quorum.passes(body.majority_rule, tally, state.present, body.qualified_threshold)
    return VoteSheet(item, rows, state, tally, passes)
