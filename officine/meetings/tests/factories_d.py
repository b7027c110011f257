"""Builders for the public pages, selectors and compliance tests (helper D), on top of ``factories``."""

from datetime import datetime

from django.core.files.base import ContentFile

from officine.meetings.models import (
    Attendance,
    Meeting,
    MeetingDocument,
    MeetingState,
    Minutes,
    MinutesState,
    Recommendation,
    Vote,
    WrittenProcedure,
)
from officine.meetings.tests.factories import make_meeting, rome


def convened(body, starts_at: datetime | None = None, **fields) -> Meeting:
    """A meeting whose notice went out (public), by default on Wednesday 9 December 2026."""
    fields.setdefault("state", MeetingState.CONVENED)
    meeting = make_meeting(body, starts_at, **fields)
    if meeting.notice_sent_at is None:
        meeting.notice_sent_at = rome(2026, 11, 20)
        meeting.save(update_fields=["notice_sent_at"])
    return meeting


def held(body, starts_at: datetime | None = None, **fields) -> Meeting:
    return convened(body, starts_at, state=MeetingState.HELD, **fields)


def add_document(
    meeting: Meeting | None = None,
    *,
    published_at: datetime | None = None,
    item=None,
    procedure=None,
    title: str = "Relazione annuale di attuazione",
    content: bytes = b"%PDF-1.4 test",
    **fields,
) -> MeetingDocument:
    document = MeetingDocument(
        meeting=meeting, item=item, procedure=procedure, title_it=title, published_at=published_at, **fields
    )
    document.file.save("relazione.pdf", ContentFile(content), save=False)
    document.size = len(content)
    document.save()
    return document


def add_minutes(meeting: Meeting, state: str = MinutesState.PUBLISHED) -> Minutes:
    published_at = meeting.ends_at if state == MinutesState.PUBLISHED else None
    return Minutes.objects.create(meeting=meeting, state=state, published_at=published_at)


def attend(meeting: Meeting, seat, status: str) -> Attendance:
    return Attendance.objects.create(meeting=meeting, seat=seat, status=status)


def vote(item, seat, choice: str) -> Vote:
    return Vote.objects.create(item=item, seat=seat, choice=choice)


def open_procedure(body, **fields) -> WrittenProcedure:
    defaults = {
        "title_it": "Modifica dei criteri di selezione",
        "opened_at": rome(2026, 3, 2),
        "deadline": datetime(2026, 3, 16).date(),
    }
    return WrittenProcedure.objects.create(body=body, **{**defaults, **fields})


def recommend(body, **fields) -> Recommendation:
    defaults = {
        "text_it": "Semplificare la rendicontazione dei piccoli beneficiari.",
        "date": datetime(2026, 2, 1),
    }
    return Recommendation.objects.create(body=body, **{**defaults, **fields})
