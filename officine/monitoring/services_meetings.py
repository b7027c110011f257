"""Attach an implementation snapshot to a monitoring-committee meeting's document pack.

Why: the committee examines the programme's progress (CPR Art. 40(1)(a)); the figures it saw must stay in
the pack as they were on that day, whatever later releases say. So the snapshot is a PDF/A rendered once
from the dashboard of the release in use, filed as an ordinary pack document through the meetings app's own
upload service: the same checks, audit trail and publication rule as a document uploaded by hand (published
at once when the notice has gone out; otherwise with the notice, like the rest of the pack).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from officine.core import audit
from officine.core.pdf import STATIC_SCHEME, archival_pdf
from officine.meetings import documents
from officine.meetings.models import Meeting, MeetingDocument
from officine.programmes.models import Programme

from . import selectors
from .models import Release
from .services import current_release


def snapshot_titles(programme: Programme, release: Release) -> tuple[str, str]:
    """The document's title in Italian and English (content fields, not interface text: both are stored)."""
    day = f"{release.release_date:%d/%m/%Y}"
    title_it = f"Stato di attuazione {programme.title_it} – dati OpenCoesione al {day}"
    english = programme.title_en or programme.title_it
    title_en = f"Implementation status of {english} – OpenCoesione data of {day}"
    if release.is_synthetic:
        title_it += " (dati sintetici dimostrativi)"
        title_en += " (synthetic demonstration data)"
    return title_it[:300], title_en[:300]


def snapshot_html(programme: Programme, release: Release) -> str:
    """The snapshot's HTML (Italian, the pack's language): the dashboard's figures and tables."""
    dashboard = selectors.programme_dashboard(programme, release=release)
    with translation.override("it"):
        return render_to_string(
            "monitoring/snapshot_pdf.html",
            {
                "dashboard": dashboard,
                "programme": programme,
                "release": release,
                "generated_at": timezone.now(),
                "static_base": STATIC_SCHEME,
            },
        )


def attach_implementation_snapshot(meeting: Meeting, programme: Programme, user, *, release=None):
    """Render ``programme``'s dashboard as PDF/A and add it to ``meeting``'s pack; return the document.

    Raises ValidationError when no release is in use, or when the meeting's pack cannot change (cancelled)."""
    release = release or current_release()
    if release is None:
        raise ValidationError(
            _("No implementation data have been imported yet: import an OpenCoesione release first."),
            code="no_release",
        )
    title_it, title_en = snapshot_titles(programme, release)
    pdf = archival_pdf(snapshot_html(programme, release))
    upload = ContentFile(pdf, name=f"stato-attuazione-{programme.cci}-{release.release_date:%Y%m%d}.pdf")
    with transaction.atomic():
        document = documents.upload_document(
            user, meeting, {"file": upload, "title_it": title_it, "title_en": title_en}
        )
        audit.record(
            user,
            "monitoring.snapshot_attached",
            meeting,
            {
                "document": [None, document.pk],
                "programme": [None, programme.cci],
                "release_date": [None, release.release_date.isoformat()],
                "synthetic": [None, release.is_synthetic],
            },
        )
    return document


def meeting_programmes(meeting: Meeting) -> list[Programme]:
    """The programmes whose figures a meeting examines: those its body serves, or the meeting's own."""
    programmes = {p.pk: p for p in meeting.body.programmes.all()} if meeting.body_id else {}
    if meeting.programme_id and meeting.programme_id not in programmes:
        programmes[meeting.programme_id] = meeting.programme
    return sorted(programmes.values(), key=lambda p: p.cci)


@dataclass
class AttachOutcome:
    created: list[MeetingDocument] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # titles already in the pack (same programme, same data)


def attach_snapshots(meeting: Meeting, user) -> AttachOutcome:
    """The staff button: one snapshot per programme of the meeting, skipping those already in its pack for
    the release in use (pressing twice does not file the same figures twice)."""
    release = current_release()
    if release is None:
        raise ValidationError(
            _("No implementation data have been imported yet: import an OpenCoesione release first."),
            code="no_release",
        )
    programmes = meeting_programmes(meeting)
    if not programmes:
        raise ValidationError(_("This meeting is tied to no programme."), code="no_programme")
    existing = set(MeetingDocument.objects.filter(meeting=meeting).values_list("title_it", flat=True))
    outcome = AttachOutcome()
    for programme in programmes:
        title_it, _title_en = snapshot_titles(programme, release)
        if title_it in existing:
            outcome.skipped.append(title_it)
            continue
        outcome.created.append(attach_implementation_snapshot(meeting, programme, user, release=release))
    return outcome
