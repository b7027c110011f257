"""Write paths for the documents of a meeting's pack (and of a written procedure): upload, publication,
withholding (CPR Art. 38(4), ECCP Art. 11(b)-(c)).

Documents are public by default. A document's ``published_at`` is when it went out to members and public:
documents uploaded to a draft meeting wait for the notice and are published with the whole pack when it is
sent (``convene``); documents added later, to a convened or held meeting or to a written procedure, are
published at once, so a document sent after the notice deadline shows as late. Withholding one needs a
confidentiality reason, which is recorded and shown in its place.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.audit import diff, record
from officine.core.uploads import DOCX, ODS, ODT, P7M, PDF, XLSX, validate_upload

from . import convening
from .auditing import picture
from .models import AgendaItem, Meeting, MeetingDocument, MeetingState, WrittenProcedure

#: What a meeting's pack may hold: PDF (and its signed envelope) first, office formats for drafts to edit.
MEETING_DOCUMENT_KINDS = (PDF, P7M, DOCX, ODT, XLSX, ODS)


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _publishes_at_once(parent: Meeting | WrittenProcedure) -> bool:
    if isinstance(parent, WrittenProcedure):
        return True
    return parent.notice_sent_at is not None


@transaction.atomic
def upload_document(
    actor,
    parent: Meeting | WrittenProcedure,
    data: Mapping[str, Any],
    *,
    item: AgendaItem | None = None,
    now=None,
) -> MeetingDocument:
    """Add a document to a meeting's pack (optionally tied to one of its agenda items) or to a written
    procedure. ``data``: ``file``, ``title_it``, ``title_en``, ``is_confidential`` and
    ``confidentiality_reason``. The file's size and real type are checked; a refusal says why."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    is_meeting = isinstance(parent, Meeting)
    if is_meeting:
        parent = Meeting.objects.select_for_update(of=("self",)).get(pk=parent.pk)
        if parent.state == MeetingState.CANCELLED:
            raise ValidationError(_("This meeting was cancelled: its pack cannot change."))
        if item is not None and item.meeting_id != parent.pk:
            errors["item"] = [_("This agenda item belongs to another meeting.")]
    elif item is not None:
        errors["item"] = [_("The documents of a written procedure are not tied to an agenda item.")]
    upload = data.get("file")
    if not upload:
        errors["file"] = [_("Choose the file to upload.")]
    else:
        try:
            validate_upload(upload, MEETING_DOCUMENT_KINDS)
        except ValidationError as error:
            errors["file"] = list(error.messages)
    title_it = _text(data.get("title_it"))
    if not title_it:
        errors["title_it"] = [_("Give the document a title.")]
    is_confidential = bool(data.get("is_confidential"))
    reason = (data.get("confidentiality_reason") or "").strip()
    if is_confidential and not reason:
        errors["confidentiality_reason"] = [
            _("A withheld document needs the reason for withholding it, which is shown in its place.")
        ]
    if errors:
        raise ValidationError(errors)
    document = MeetingDocument(
        meeting=parent if is_meeting else None,
        procedure=None if is_meeting else parent,
        item=item,
        title_it=title_it,
        title_en=_text(data.get("title_en")),
        file=upload,
        size=upload.size or 0,
        published_at=now if _publishes_at_once(parent) else None,
        is_confidential=is_confidential,
        confidentiality_reason=reason if is_confidential else "",
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.save()
    record(actor, "meetings.document.uploaded", document, diff({}, picture(document)))
    return document


@transaction.atomic
def publish_pack(actor, meeting: Meeting, now=None) -> int:
    """Publish the documents of ``meeting`` still waiting (those uploaded while it was a draft) and record
    when the pack went out. Returns how many documents were published."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    waiting = list(MeetingDocument.objects.filter(meeting=meeting, published_at__isnull=True))
    MeetingDocument.objects.filter(pk__in=[d.pk for d in waiting]).update(published_at=now, updated_at=now)
    if meeting.documents_published_at is None:
        meeting.documents_published_at = now
        meeting.save(update_fields=["documents_published_at", "updated_at"])
    record(
        actor,
        "meetings.document_pack.published",
        meeting,
        {"published_at": [None, now.isoformat()], "documents": [None, [d.pk for d in waiting]]},
    )
    return len(waiting)


@transaction.atomic
def convene(actor, meeting: Meeting, *, urgent: bool = False, reason: str = "", now=None) -> Meeting:
    """Send the notice (``convening.send_notice``, which checks the notice period) and publish the pack with
    it, in one step: a refused notice publishes nothing."""
    now = now or timezone.now()
    meeting = convening.send_notice(actor, meeting, urgent=urgent, reason=reason, now=now)
    publish_pack(actor, meeting, now=now)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def withhold_document(actor, document: MeetingDocument, reason: str) -> MeetingDocument:
    """Withhold a document from the public, with the reason shown in its place (or change the reason)."""
    document = MeetingDocument.objects.select_for_update().get(pk=document.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "confidentiality_reason": [
                    _("A withheld document needs the reason for withholding it, which is shown in its place.")
                ]
            }
        )
    before = picture(document)
    document.is_confidential = True
    document.confidentiality_reason = reason
    changes = diff(before, picture(document))
    if changes:
        document.save(update_fields=["is_confidential", "confidentiality_reason", "updated_at"])
        record(actor, "meetings.document.withheld", document, changes)
    return document


@transaction.atomic
def release_document(actor, document: MeetingDocument) -> MeetingDocument:
    """Make a withheld document public again; the earlier reason stays in the audit trail."""
    document = MeetingDocument.objects.select_for_update().get(pk=document.pk)
    if not document.is_confidential:
        raise ValidationError(_("This document is already public."))
    before = picture(document)
    document.is_confidential = False
    document.confidentiality_reason = ""
    document.save(update_fields=["is_confidential", "confidentiality_reason", "updated_at"])
    record(actor, "meetings.document.released", document, diff(before, picture(document)))
    return document
