"""The agenda of a meeting as an archival PDF (PDF/A-3b, A4): the notice of meeting people print or file.

Body, kind, date, time and place (and the web-conference link where the reader may see it), the notice and
any urgency, the agenda items with their kind (examination or approval, CPR Art. 40(1)-(2)) and presenter,
and the document pack with each document's publication time. Documents withheld from the public are listed
with the reason (CPR Art. 38(4): public by default, withholding is explained); documents not yet published
appear only in the secretariat's copy. Rendered with WeasyPrint, reading fonts from the static files on disk
as the minutes do (``core/pdf.py``).
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from officine.core.pdf import STATIC_SCHEME, archival_pdf

from . import calendar_ics
from .models import AgendaItem, Meeting, MeetingDocument


@dataclass
class AgendaEntry:
    item: AgendaItem
    documents: list[MeetingDocument] = field(default_factory=list)


@dataclass
class Agenda:
    meeting: Meeting
    entries: list[AgendaEntry]
    general_documents: list[MeetingDocument]
    show_private_link: bool
    include_unpublished: bool
    generated_at: object = None
    meeting_url: str = ""

    @property
    def has_documents(self) -> bool:
        return bool(self.general_documents) or any(entry.documents for entry in self.entries)


def build_agenda(meeting: Meeting, *, show_private_link: bool = False, include_unpublished: bool = False):
    """Everything the PDF shows, in three queries whatever the size of the agenda and pack."""
    meeting = (
        Meeting.objects.select_related("body", "programme")
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order")))
        .get(pk=meeting.pk)
    )
    documents = MeetingDocument.objects.filter(meeting=meeting).order_by("item__order", "published_at", "pk")
    if not include_unpublished:
        documents = documents.filter(published_at__isnull=False)
    by_item: dict[int | None, list[MeetingDocument]] = {}
    for document in documents:
        by_item.setdefault(document.item_id, []).append(document)
    entries = [AgendaEntry(item, by_item.get(item.pk, [])) for item in meeting.agenda_items.all()]
    return Agenda(
        meeting=meeting,
        entries=entries,
        general_documents=by_item.get(None, []),
        show_private_link=show_private_link,
        include_unpublished=include_unpublished,
        generated_at=timezone.now(),
        meeting_url=calendar_ics.meeting_url(meeting),
    )


def agenda_html(agenda: Agenda) -> str:
    return render_to_string(
        "meetings/calendar/agenda_pdf.html",
        {"agenda": agenda, "meeting": agenda.meeting, "static_base": STATIC_SCHEME},
    )


def agenda_pdf(agenda: Agenda) -> bytes:
    return archival_pdf(agenda_html(agenda))
