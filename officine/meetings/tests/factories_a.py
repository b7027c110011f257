"""Builders for the secretariat's page tests (helper A): uploads, a meeting some working days ahead, and a
convened meeting of a body with voting members, attendance and an approval item."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from officine.core.workdays import add_working_days
from officine.meetings.models import (
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingState,
    SeatRole,
)
from officine.meetings.tests import factories

ROME = ZoneInfo("Europe/Rome")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "relazione.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fake_pdf(name: str = "virus.pdf") -> SimpleUploadedFile:
    """An executable renamed to .pdf: its content does not match the extension."""
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" * 8, content_type="application/pdf")


def in_working_days(days: int, hour: int = 10) -> datetime:
    """10:00 in Rome ``days`` working days from today."""
    day = add_working_days(timezone.localdate(), days)
    return datetime.combine(day, time(hour), tzinfo=ROME)


def meeting_ahead(body, working_days: int, **fields):
    """A draft meeting of ``body`` ``working_days`` working days from today, with one approval item."""
    starts = in_working_days(working_days)
    meeting = factories.make_meeting(body, starts_at=starts, **fields)
    factories.add_item(meeting, AgendaItemKind.APPROVAL, "Approvazione dei criteri di selezione")
    return meeting


def convened_meeting(body, voting: int = 4, present: int | None = None, observers: int = 1):
    """A convened meeting (started an hour ago) of ``body`` with ``voting`` voting seats (``present`` of
    them recorded present), ``observers`` observer seats and one approval item. Returns (meeting, item,
    voting seats)."""
    seats = factories.make_seats(body, voting)
    factories.make_seats(body, observers, SeatRole.OBSERVER)
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        kind=MeetingKind.BODY_MEETING,
        title_it="Riunione in corso",
        place="Roma, via Sicilia 162",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        state=MeetingState.CONVENED,
        notice_sent_at=now - timedelta(days=20),
    )
    item = factories.add_item(meeting, AgendaItemKind.APPROVAL, "Approvazione della relazione annuale")
    for seat in seats[: voting if present is None else present]:
        Attendance.objects.create(meeting=meeting, seat=seat, status=AttendanceStatus.PRESENT)
    return meeting, item, seats
