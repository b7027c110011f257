"""Write paths for versioned documents: create, edit a draft, publish (then immutable), start a version."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.audit import record
from officine.programmes.models import Programme

from .models import Document, DocumentVersion, Section, SectionChange, VersionStatus
from .text import render_body

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
