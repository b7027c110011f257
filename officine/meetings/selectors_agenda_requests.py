"""Reads of the members' requests to add agenda items: the public list of answered requests, the member's
own requests and seats, and the secretariat's list. Each is one query whatever the number of requests."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from .models import AgendaRequest, AgendaRequestStatus, Meeting, Seat


def _requests(meeting: Meeting) -> QuerySet[AgendaRequest]:
    return AgendaRequest.objects.filter(meeting=meeting).select_related(
        "seat__organization", "item", "answered_by"
    )


def answered_requests(meeting: Meeting) -> list[AgendaRequest]:
    """Accepted and declined requests, with their answers: public (who asked what, and the answer)."""
    if meeting.body_id is None:
        return []
    return list(_requests(meeting).exclude(status=AgendaRequestStatus.PENDING).order_by("created_at", "pk"))


def requests_of(user, meeting: Meeting) -> list[AgendaRequest]:
    """The requests made for the seats ``user`` holds (as member or substitute), so they see the pending
    ones too."""
    if not getattr(user, "is_authenticated", False) or meeting.body_id is None:
        return []
    return list(
        _requests(meeting)
        .filter(Q(author=user) | Q(seat__member_user=user) | Q(seat__substitute_user=user))
        .order_by("created_at", "pk")
    )


def meeting_requests(meeting: Meeting) -> list[AgendaRequest]:
    """Every request of the meeting for the secretariat: pending first, then in the order they came."""
    if meeting.body_id is None:
        return []
    pending_first = Case(
        When(status=AgendaRequestStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(_requests(meeting).select_related("author").order_by(pending_first, "created_at", "pk"))


def requesting_seats(user, meeting: Meeting) -> list[Seat]:
    """The voting seats in force today for which ``user`` (member or substitute) may request items."""
    if not getattr(user, "is_authenticated", False) or meeting.body_id is None:
        return []
    return list(
        Seat.objects.in_force(timezone.localdate())
        .voting()
        .filter(Q(member_user=user) | Q(substitute_user=user), body_id=meeting.body_id)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
