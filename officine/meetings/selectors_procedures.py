"""Reads for the written procedures and recommendations pages: one procedure with its documents, the
answers per seat and the seats still silent, and what a user may answer for.

Each page is read in a fixed number of queries whatever the number of seats, answers and documents
(``test_procedure_views.py`` checks it).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import quorum
from .models import (
    Body,
    Meeting,
    MeetingState,
    ProcedureState,
    Recommendation,
    ResponseChoice,
    Seat,
    SeatRole,
    WrittenProcedure,
    WrittenResponse,
)
from .written_procedures import CHOICE_AS_VOTE, tally


def procedure_for_page(pk: int) -> WrittenProcedure | None:
    return (
        WrittenProcedure.objects.select_related("body", "created_by")
        .prefetch_related("body__programmes")
        .filter(pk=pk)
        .first()
    )


def recommendation_for_page(pk: int) -> Recommendation | None:
    return (
        Recommendation.objects.select_related("body", "meeting")
        .prefetch_related("body__programmes")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class AnswerRow:
    """One voting seat of the procedure: its answer, or None when it has not answered."""

    seat: Seat
    response: WrittenResponse | None

    @property
    def answered(self) -> bool:
        return self.response is not None


@dataclass
class ProcedurePage:
    procedure: WrittenProcedure
    documents: list = field(default_factory=list)
    rows: list[AnswerRow] = field(default_factory=list)
    #: answers by choice: approve, object, observations
    counts: dict[str, int] = field(default_factory=dict)
    silent: int = 0
    #: the votes as counted at closing (silent seats in favour when silence means consent)
    in_favour: int = 0
    against: int = 0
    abstentions: int = 0

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def seats(self) -> int:
        return len(self.rows)

    @property
    def answered_rows(self) -> list[AnswerRow]:
        return [row for row in self.rows if row.answered]

    @property
    def silent_rows(self) -> list[AnswerRow]:
        return [row for row in self.rows if not row.answered]


def _reference_day(procedure: WrittenProcedure, today: date) -> date:
    """The day whose voting seats count: the deadline once the procedure is closed or past it (the result
    is computed over the seats in force on the deadline), otherwise today."""
    if procedure.state == ProcedureState.CLOSED or today > procedure.deadline:
        return procedure.deadline
    return today


def procedure_page(
    procedure: WrittenProcedure, *, show_withheld: bool = False, today: date | None = None
) -> ProcedurePage:
    """Documents, one row per voting seat (with its answer), the counts and, once closed, the tally.

    Seats that answered and have since left the body still appear (their answer counts, as at closing)."""
    today = today or timezone.localdate()
    documents = procedure.documents.order_by("pk")
    if not show_withheld:
        documents = documents.filter(published_at__isnull=False)
    responses = {
        response.seat_id: response
        for response in WrittenResponse.objects.filter(procedure=procedure).select_related(
            "seat__organization"
        )
    }
    seats = list(
        quorum.voting_seats(procedure.body, _reference_day(procedure, today))
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    in_list = {seat.pk for seat in seats}
    seats += [response.seat for seat_id, response in responses.items() if seat_id not in in_list]
    rows = [AnswerRow(seat=seat, response=responses.get(seat.pk)) for seat in seats]
    counts = dict.fromkeys(ResponseChoice.values, 0)
    for response in responses.values():
        counts[response.choice] += 1
    silent = sum(1 for row in rows if not row.answered)
    page = ProcedurePage(
        procedure=procedure, documents=list(documents), rows=rows, counts=counts, silent=silent
    )
    if procedure.state == ProcedureState.CLOSED:
        counted = tally(
            [r.choice for r in responses.values() if r.choice in CHOICE_AS_VOTE],
            silent,
            procedure.silent_consent_applied,
        )
        page.in_favour, page.against, page.abstentions = (
            counted.in_favour,
            counted.against,
            counted.abstentions,
        )
    return page


def answering_seats(user, procedure: WrittenProcedure, today: date | None = None) -> list[Seat]:
    """The voting seats in force for which ``user`` (as member or substitute) may still answer."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Seat.objects.in_force(today or timezone.localdate())
        .voting()
        .filter(Q(member_user=user) | Q(substitute_user=user), body_id=procedure.body_id)
        .exclude(written_responses__procedure=procedure)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )


def answers_of(user, procedure: WrittenProcedure) -> list[WrittenResponse]:
    """The answers already given for the seats ``user`` holds (so the page can say "you answered")."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        WrittenResponse.objects.filter(procedure=procedure)
        .filter(Q(seat__member_user=user) | Q(seat__substitute_user=user))
        .select_related("seat__organization")
    )


# --- Recommendations ------------------------------------------------------------------------------------


def body_recommendations(body: Body) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(body=body).select_related("meeting").order_by("-date", "-pk")


def recommendation_meetings(body: Body) -> QuerySet[Meeting]:
    """Meetings a recommendation may be tied to: the body's meetings that took place or are convened (a
    draft is not public, and the recommendation is)."""
    return Meeting.objects.filter(body=body, state__in=[MeetingState.HELD, MeetingState.CONVENED]).order_by(
        "-starts_at"
    )


# --- For the daily jobs ---------------------------------------------------------------------------------


def open_procedures() -> QuerySet[WrittenProcedure]:
    return WrittenProcedure.objects.filter(state=ProcedureState.OPEN).select_related("body")


def procedures_to_close(today: date) -> QuerySet[WrittenProcedure]:
    return open_procedures().filter(deadline__lt=today).order_by("deadline", "pk")


def secretariat_seats(body: Body, today: date) -> QuerySet[Seat]:
    return Seat.objects.in_force(today).filter(body=body, role=SeatRole.SECRETARIAT)
