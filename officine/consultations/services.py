"""Write paths for versioned documents: create, edit a draft, publish (then immutable), start a version."""

import difflib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.audit import record
from officine.core.uploads import PDF, validate_upload
from officine.programmes.models import Programme

from .models import Document, DocumentVersion, Section, SectionChange, VersionAttachment, VersionStatus
from .text import DraftSection, render_body

MAX_HEADING_LEVEL = 3


@transaction.atomic
def create_document(
    actor, programme: Programme, *, title_it: str, title_en: str = "", sections: Iterable[Mapping[str, Any]]
) -> Document:
    """A new document with its first draft version holding ``sections``."""
    document = Document(
        programme=programme, title_it=title_it.strip(), title_en=title_en.strip(), created_by=actor
    )
    document.full_clean()
    document.save()
    version = DocumentVersion.objects.create(document=document, number=1)
    _write_sections(version, sections, previous=None)
    record(actor, "consultations.document.created", document, {"title_it": [None, document.title_it]})
    return document


@transaction.atomic
def replace_draft_sections(
    actor, version: DocumentVersion, sections: Iterable[Mapping[str, Any]]
) -> DocumentVersion:
    """Replace the sections of a draft. A section given with the ``key`` of an existing one keeps its identity
    (and so its contributions and its history); one without a key is new."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("A published version cannot be changed: start a new version instead."))
    before = list(version.sections.values_list("key", "heading"))
    version.sections.all().delete()
    _write_sections(version, sections, previous=version.previous)
    after = list(version.sections.values_list("key", "heading"))
    record(
        actor,
        "consultations.draft.sections_replaced",
        version,
        {"sections": [[h for _k, h in before], [h for _k, h in after]]},
    )
    return version


@transaction.atomic
def publish_version(actor, version: DocumentVersion, *, change_note: str = "") -> DocumentVersion:
    """Publish a draft, which then cannot change; record which sections changed since the last version."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("This version is already published."))
    if not version.sections.exists():
        raise ValidationError(_("A version needs at least one section before it can be published."))
    if version.previous_id and not change_note.strip():
        raise ValidationError({"change_note": [_("Say briefly what changed from the previous version.")]})
    previous_keys = (
        set(Section.objects.filter(version_id=version.previous_id).values_list("key", flat=True))
        if version.previous_id
        else set()
    )
    current_keys = set(version.sections.values_list("key", flat=True))
    version.removed_section_keys = sorted(str(k) for k in previous_keys - current_keys)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "is_authenticated", False) else None
    version.change_note = change_note.strip()
    version.save()
    changed = list(version.sections.exclude(change=SectionChange.UNCHANGED).values_list("order", flat=True))
    record(
        actor,
        "consultations.version.published",
        version,
        {"changed_sections": changed, "removed_sections": len(version.removed_section_keys)},
    )
    return version


@transaction.atomic
def start_new_version(actor, document: Document) -> DocumentVersion:
    """A new draft copied from the latest published version; sections keep their identity (key)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("This document already has a draft version: edit that one."))
    latest = document.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    if latest is None:
        raise ValidationError(_("Publish the first version before starting a new one."))
    version = DocumentVersion.objects.create(document=document, number=latest.number + 1, previous=latest)
    sections = [
        {"key": s.key, "level": s.level, "heading": s.heading, "body": s.body} for s in latest.sections.all()
    ]
    _write_sections(version, sections, previous=latest)
    record(actor, "consultations.version.started", version, {"from_version": latest.number})
    return version


def _write_sections(
    version: DocumentVersion, sections: Iterable[Mapping[str, Any]], previous: DocumentVersion | None
) -> None:
    """Validate and store sections in order, each marked added, modified or unchanged against ``previous``."""
    rows = list(sections)
    if not rows:
        raise ValidationError(_("A document needs at least one section."))
    earlier = {s.key: s for s in Section.objects.filter(version=previous)} if previous else {}
    errors: dict[str, list[str]] = {}
    created = []
    seen_keys = set()
    for order, row in enumerate(rows, start=1):
        heading = " ".join(str(row.get("heading") or "").split())
        level = int(row.get("level") or 1)
        body = str(row.get("body") or "").strip()
        if not heading:
            errors.setdefault("sections", []).append(_("Section %(n)d has no heading.") % {"n": order})
        if not 1 <= level <= MAX_HEADING_LEVEL:
            errors.setdefault("sections", []).append(
                _("Section %(n)d: heading level must be 1, 2 or 3.") % {"n": order}
            )
        key = row.get("key")
        if key in seen_keys:
            key = None  # a duplicated key (copy-paste) becomes a new section rather than an error
        section = Section(version=version, order=order, level=level, heading=heading[:300], body=body)
        if key:
            section.key = key
        seen_keys.add(section.key)
        old = earlier.get(section.key)
        if old is None:
            section.change = SectionChange.ADDED
        elif (old.heading, old.body, old.level) == (section.heading, section.body, section.level):
            section.change = SectionChange.UNCHANGED
        else:
            section.change = SectionChange.MODIFIED
        section.body_html = render_body(body)
        created.append(section)
    if errors:
        raise ValidationError(errors)
    Section.objects.bulk_create(created)


# --- Editing a draft as one Markdown text, with section identity kept (staff document pages) --------------

#: How similar two section bodies must be for a renamed heading to keep its section's identity.
BODY_SIMILARITY_FOR_RENAMED = 0.8
MIN_BODY_FOR_SIMILARITY = 20


class PlanStatus:
    """What saving a text does to each section of the saved draft (the preview staff see before saving)."""

    ADDED = "added"
    MODIFIED = "modified"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


@dataclass(frozen=True)
class PlannedSection:
    number: int
    level: int
    heading: str
    body: str
    key: uuid.UUID | None
    status: str

    @property
    def first_words(self) -> str:
        words = self.body.split()
        return " ".join(words[:25]) + (" …" if len(words) > 25 else "")

    def as_row(self) -> dict[str, Any]:
        return {"key": self.key, "level": self.level, "heading": self.heading, "body": self.body}


@dataclass(frozen=True)
class DraftPlan:
    sections: list[PlannedSection]
    removed: list[Section]

    def count(self, status: str) -> int:
        if status == PlanStatus.REMOVED:
            return len(self.removed)
        return sum(1 for s in self.sections if s.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {
            status: self.count(status)
            for status in (PlanStatus.ADDED, PlanStatus.MODIFIED, PlanStatus.UNCHANGED, PlanStatus.REMOVED)
        }

    @property
    def changes_anything(self) -> bool:
        return any(self.counts[s] for s in (PlanStatus.ADDED, PlanStatus.MODIFIED, PlanStatus.REMOVED))


def _norm_heading(text: str) -> str:
    return " ".join(str(text or "").split()).casefold()


def _norm_body(text: str) -> str:
    return str(text or "").strip()


def plan_draft(version: DocumentVersion, drafts: Sequence[DraftSection]) -> DraftPlan:
    """Match the sections of a new text to the draft's sections, so that saving keeps their identity.

    Staff rewrite the whole text; without matching, every save would make every section "new" and
    contributions anchored to a section could no longer be followed to the next version. A new section
    takes the key of the first unused section with the same heading (ignoring case and spaces); failing
    that, of a section whose body is nearly the same (a renamed heading). Sections of the previous
    published version that were deleted from the draft can be brought back the same way. Nothing is saved.
    """
    current = list(version.sections.all())
    current_keys = {s.key for s in current}
    restorable = (
        [s for s in Section.objects.filter(version_id=version.previous_id) if s.key not in current_keys]
        if version.previous_id
        else []
    )
    candidates = current + restorable
    used: set[uuid.UUID] = set()
    keys: list[uuid.UUID | None] = [None] * len(drafts)
    for i, draft in enumerate(drafts):
        wanted = _norm_heading(draft.heading)
        for candidate in candidates:
            if candidate.key not in used and _norm_heading(candidate.heading) == wanted:
                keys[i] = candidate.key
                used.add(candidate.key)
                break
    for i, draft in enumerate(drafts):
        body = _norm_body(draft.body)
        if keys[i] is not None or len(body) < MIN_BODY_FOR_SIMILARITY:
            continue
        best, best_ratio = None, BODY_SIMILARITY_FOR_RENAMED
        for candidate in candidates:
            if candidate.key in used or len(candidate.body) < MIN_BODY_FOR_SIMILARITY:
                continue
            matcher = difflib.SequenceMatcher(a=candidate.body, b=body, autojunk=False)
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = candidate, ratio
        if best is not None:
            keys[i] = best.key
            used.add(best.key)
    by_key = {s.key: s for s in current}
    planned = []
    for number, (draft, key) in enumerate(zip(drafts, keys, strict=True), start=1):
        heading = " ".join(draft.heading.split())
        body = _norm_body(draft.body)
        old = by_key.get(key) if key else None
        if old is None:
            status = PlanStatus.ADDED
        elif (old.level, old.heading, old.body) == (draft.level, heading, body):
            status = PlanStatus.UNCHANGED
        else:
            status = PlanStatus.MODIFIED
        planned.append(PlannedSection(number, draft.level, heading, body, key, status))
    removed = [s for s in current if s.key not in used]
    return DraftPlan(sections=planned, removed=removed)


@transaction.atomic
def save_draft_text(actor, version: DocumentVersion, drafts: Sequence[DraftSection]) -> DraftPlan:
    """Replace a draft's sections with ``drafts`` (from the editor or an import), keeping section identity."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("A published version cannot be changed: start a new version instead."))
    plan = plan_draft(version, drafts)
    replace_draft_sections(actor, version, [s.as_row() for s in plan.sections])
    return plan


def draft_as_markdown(version: DocumentVersion) -> str:
    """The draft as one Markdown text, headings first, so that ``text.split_markdown`` reads it back."""
    parts = []
    for section in version.sections.all():
        parts.append("#" * section.level + " " + section.heading)
        if section.body:
            parts.append(section.body)
    return "\n\n".join(parts) + ("\n" if parts else "")


@transaction.atomic
def create_document_from_text(
    actor, programme: Programme, *, title_it: str, title_en: str = "", drafts: Sequence[DraftSection]
) -> Document:
    """A new document whose first draft holds ``drafts`` (typed in the editor or read from a file)."""
    return create_document(
        actor,
        programme,
        title_it=title_it,
        title_en=title_en,
        sections=[{"level": d.level, "heading": d.heading, "body": d.body} for d in drafts],
    )


# --- Attached PDFs ----------------------------------------------------------------------------------------


@transaction.atomic
def add_version_attachment(actor, version: DocumentVersion, *, title: str, upload) -> VersionAttachment:
    """Attach a PDF to a draft; the file is checked by size and content, not by its name."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("A published version cannot be changed: start a new version instead."))
    title = " ".join(str(title or "").split())
    if not title:
        raise ValidationError({"title": [_("Give the attachment a title.")]})
    try:
        validate_upload(upload, (PDF,))
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    attachment = VersionAttachment(version=version, title=title[:300], size=upload.size)
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    record(
        actor,
        "consultations.version.attachment_added",
        version,
        {"attachment": [None, attachment.title], "size": attachment.size},
    )
    return attachment


@transaction.atomic
def remove_version_attachment(actor, attachment: VersionAttachment) -> None:
    """Remove a PDF from a draft (a published version keeps its attachments for good)."""
    version = DocumentVersion.objects.select_for_update().get(pk=attachment.version_id)
    if version.is_published:
        raise ValidationError(_("A published version cannot be changed: start a new version instead."))
    title = attachment.title
    stored = attachment.file.name
    attachment.delete()
    if stored:
        transaction.on_commit(lambda: attachment.file.storage.delete(stored))
    record(actor, "consultations.version.attachment_removed", version, {"attachment": [title, None]})
