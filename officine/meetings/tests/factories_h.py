"""Builders for helper H's tests of the members' requests to add agenda items."""

from datetime import datetime, timedelta

from django.utils import timezone

from officine.meetings import agenda_requests
from officine.meetings.models import AgendaRequest, Body, Meeting, MeetingState, Seat
from officine.meetings.tests import factories


def convened(body: Body, notice_at: datetime, starts_at: datetime, **fields) -> Meeting:
    """A body meeting convened at ``notice_at`` (written straight to the database) with one item."""
    meeting = factories.make_meeting(
        body, starts_at=starts_at, state=MeetingState.CONVENED, notice_sent_at=notice_at, **fields
    )
    factories.add_item(meeting, title="Approvazione del verbale")
    return meeting


def convened_now(body: Body, *, notice_days_ago: int = 1, starts_in_days: int = 20) -> Meeting:
    """A convened meeting whose request window is open today (notice yesterday, meeting in 20 days)."""
    now = timezone.now()
    start = timezone.localtime(now + timedelta(days=starts_in_days)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return convened(body, now - timedelta(days=notice_days_ago), start)


def make_request(actor, meeting: Meeting, seat: Seat, title: str = "Stato di attuazione", **kwargs):
    data = {"title_it": title, "reason": "Serve un aggiornamento sui ritardi.", "kind": "examination"}
    data.update(kwargs.pop("data", {}))
    return agenda_requests.request_item(actor, meeting, seat, data, **kwargs)


def answered_requests(meeting: Meeting, seat: Seat, author, how_many: int) -> list[AgendaRequest]:
    """``how_many`` requests written straight to the database, declined with an answer."""
    now = timezone.now()
    return [
        AgendaRequest.objects.create(
            meeting=meeting,
            seat=seat,
            author=author,
            title_it=f"Punto richiesto {index}",
            reason="Motivazione",
            status="declined",
            answer="Il punto sarà trattato nella prossima riunione.",
            answered_at=now,
        )
        for index in range(how_many)
    ]
