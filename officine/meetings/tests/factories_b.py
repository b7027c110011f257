"""A held committee meeting with its record, and the people around its minutes (helper B's tests).

The minuted meeting is on Wednesday 14 October 2026 (before the tests' "today" and every seat's start), with
an approval item decided by vote with one member out for a conflict of interest, and an information item
noted; the committee meets again on Wednesday 18 November 2026. Seats hold accounts for a voting member, a
substitute, an observer and the secretariat, so that every kind of seat can be tried.
"""

from dataclasses import dataclass, field

from officine.conftest import make_user
from officine.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Body,
    ConflictDeclaration,
    DecisionMethod,
    Meeting,
    MeetingState,
    Outcome,
    Seat,
    SeatRole,
    Vote,
    VoteChoice,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories import rome

MEETING_AT = rome(2026, 10, 14, 10)
NEXT_MEETING_AT = rome(2026, 11, 18, 10)


@dataclass
class MinutesWorld:
    body: Body
    meeting: Meeting
    next_meeting: Meeting
    approval_item: AgendaItem
    info_item: AgendaItem
    chair: Seat
    member_seat: Seat
    substitute_seat: Seat
    observer_seat: Seat
    secretariat_seat: Seat
    member: object
    substitute: object
    observer: object
    secretary: object
    seats: list[Seat] = field(default_factory=list)


def make_minutes_world(body: Body, *, prefix: str = "") -> MinutesWorld:
    member = make_user(f"{prefix}componente@example.org", full_name="Carla Componente")
    substitute = make_user(f"{prefix}supplente@example.org", full_name="Sara Supplente")
    observer = make_user(f"{prefix}osservatrice@example.org", full_name="Olga Osservatrice")
    secretary = make_user(f"{prefix}segreteria@example.org", full_name="Sergio Segreteria")
    chair = factories.make_seat(body, SeatRole.CHAIR, member_name="Paola Presidente")
    member_seat = factories.make_seat(body, member_name="Carla Componente", member_user=member)
    substitute_seat = factories.make_seat(
        body, member_name="Mario Membro", substitute_name="Sara Supplente", substitute_user=substitute
    )
    conflicted = factories.make_seat(body, member_name="Ugo Interessato")
    observer_seat = factories.make_seat(
        body, SeatRole.OBSERVER, member_name="Olga Osservatrice", member_user=observer
    )
    secretariat_seat = factories.make_seat(
        body, SeatRole.SECRETARIAT, member_name="Sergio Segreteria", member_user=secretary
    )
    # The seats started on 1 January 2026 in the shared factories; the meeting is in October.
    meeting = factories.make_meeting(
        body, MEETING_AT, state=MeetingState.HELD, notice_sent_at=rome(2026, 9, 25), title_it="CdS ottobre"
    )
    next_meeting = factories.make_meeting(
        body,
        NEXT_MEETING_AT,
        state=MeetingState.HELD,
        notice_sent_at=rome(2026, 11, 2),
        title_it="CdS novembre",
    )
    approval_item = factories.add_item(meeting, AgendaItemKind.APPROVAL, "Criteri di selezione")
    approval_item.presenter = "Autorità di Gestione"
    info_item = factories.add_item(meeting, AgendaItemKind.INFORMATION, "Stato di attuazione")
    for seat, status in (
        (chair, AttendanceStatus.PRESENT),
        (member_seat, AttendanceStatus.PRESENT),
        (substitute_seat, AttendanceStatus.SUBSTITUTE),
        (conflicted, AttendanceStatus.ONLINE),
        (observer_seat, AttendanceStatus.ABSENT),
    ):
        Attendance.objects.create(meeting=meeting, seat=seat, status=status)
    ConflictDeclaration.objects.create(item=approval_item, seat=conflicted, note="Beneficiario potenziale")
    Vote.objects.create(item=approval_item, seat=chair, choice=VoteChoice.FOR)
    Vote.objects.create(item=approval_item, seat=member_seat, choice=VoteChoice.FOR)
    Vote.objects.create(item=approval_item, seat=substitute_seat, choice=VoteChoice.AGAINST)
    approval_item.outcome = Outcome.APPROVED
    approval_item.decided_by = DecisionMethod.VOTE
    approval_item.decided_at = rome(2026, 10, 14, 11)
    approval_item.save()
    info_item.outcome = Outcome.NOTED
    info_item.decided_by = DecisionMethod.CONSENSUS
    info_item.decided_at = rome(2026, 10, 14, 12)
    info_item.save()
    return MinutesWorld(
        body=body,
        meeting=meeting,
        next_meeting=next_meeting,
        approval_item=approval_item,
        info_item=info_item,
        chair=chair,
        member_seat=member_seat,
        substitute_seat=substitute_seat,
        observer_seat=observer_seat,
        secretariat_seat=secretariat_seat,
        member=member,
        substitute=substitute,
        observer=observer,
        secretary=secretary,
        seats=[chair, member_seat, substitute_seat, conflicted, observer_seat, secretariat_seat],
    )
