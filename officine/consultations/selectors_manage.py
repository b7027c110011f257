"""Reads for the staff pages (documents, consultations) and the public pages of document versions.

Every function here issues a fixed number of queries whatever the number of sections, versions or
contributions: lists are annotated, related rows fetched with ``select_related`` or one extra query, and
counts taken with subqueries rather than joins that multiply rows.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from officine.programmes.models import Programme

from . import lifecycle
from .models import (
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Document,
    DocumentVersion,
    Question,
    Section,
    SectionChange,
    VersionAttachment,
    VersionStatus,
)
from .text import diff_html

# --- Programmes the user runs ------------------------------------------------------------------------------


def manageable_programmes(user) -> QuerySet[Programme]:
    """The programmes whose documents and consultations ``user`` manages (admins: every programme)."""
    programmes = Programme.objects.only("pk", "cci", "title_it", "title_en").order_by("title_it")
    if user.is_superuser:
        return programmes
    return programmes.filter(pk__in=user.staffed_programme_ids)


# --- Documents (staff) ------------------------------------------------------------------------------------


def _version_numbers() -> dict:
    return {
        "published_number": Max("versions__number", filter=Q(versions__status=VersionStatus.PUBLISHED)),
        "draft_number": Max("versions__number", filter=Q(versions__status=VersionStatus.DRAFT)),
    }


def staff_documents(user, programme_id: int | None = None) -> QuerySet[Document]:
    """The documents of the programmes ``user`` runs, with their latest published and draft numbers."""
    documents = Document.objects.select_related("programme").annotate(
        **_version_numbers(), last_published_at=Max("versions__published_at")
    )
    if not user.is_superuser:
        documents = documents.filter(programme_id__in=user.staffed_programme_ids)
    if programme_id:
        documents = documents.filter(programme_id=programme_id)
    return documents.order_by("programme__title_it", "title_it", "pk")


@dataclass
class DocumentOverview:
    document: Document
    versions: list[DocumentVersion]
    draft: DocumentVersion | None
    latest_published: DocumentVersion | None
    draft_sections: list[Section] = field(default_factory=list)
    draft_removed: list[Section] = field(default_factory=list)
    draft_attachments: list[VersionAttachment] = field(default_factory=list)
    consultations: list[Consultation] = field(default_factory=list)

    @property
    def draft_change_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SectionChange.values, 0)
        for section in self.draft_sections:
            counts[section.change] += 1
        counts["removed"] = len(self.draft_removed)
        return counts


def document_overview(document: Document) -> DocumentOverview:
    """The staff page of a document: its versions, the draft being prepared and where it is consulted on."""
    versions = list(
        document.versions.select_related("published_by", "previous")
        .annotate(
            section_count=Count("sections", distinct=True),
            attachment_count=Count("attachments", distinct=True),
        )
        .order_by("-number")
    )
    draft = next((v for v in versions if not v.is_published), None)
    latest = next((v for v in versions if v.is_published), None)
    overview = DocumentOverview(document=document, versions=versions, draft=draft, latest_published=latest)
    if draft is not None:
        overview.draft_sections = list(draft.sections.all())
        overview.draft_removed = removed_sections(draft, overview.draft_sections)
        overview.draft_attachments = list(draft.attachments.all())
    overview.consultations = list(
        document.consultations.select_related("programme").order_by("-opens_on", "title_it")
    )
    return overview


def removed_sections(version: DocumentVersion, sections: list[Section]) -> list[Section]:
    """Sections of the previous version that this one no longer has (one query, in their old order)."""
    if not version.previous_id:
        return []
    keys = {s.key for s in sections}
    earlier = Section.objects.filter(version_id=version.previous_id).only("key", "order", "level", "heading")
    return [s for s in earlier if s.key not in keys]


# --- Public version pages ---------------------------------------------------------------------------------


def get_version(document_pk: int, number: int) -> DocumentVersion:
    """One version with its document and programme (for the permission check), or 404."""
    version = (
        DocumentVersion.objects.select_related("document__programme", "previous", "published_by")
        .filter(document_id=document_pk, number=number)
        .first()
    )
    if version is None:
        raise Http404
    return version


def _with_display_levels(sections: list[Section]) -> list[Section]:
    """Give each section an HTML heading level (h2-h4) that never skips one, whatever the source did."""
    previous = 1
    for section in sections:
        level = max(1, min(section.level, previous + 1))
        section.display_level = level + 1
        previous = level
    return sections


def visible_versions(document: Document, include_drafts: bool) -> list[DocumentVersion]:
    """The versions a reader may pick: published ones, plus the draft for the document's staff."""
    versions = document.versions.only("pk", "document_id", "number", "status", "published_at")
    if not include_drafts:
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    return list(versions.order_by("number"))


@dataclass
class VersionPage:
    version: DocumentVersion
    sections: list[Section]
    removed: list[Section]
    attachments: list[VersionAttachment]
    versions: list[DocumentVersion]

    @property
    def shows_changes(self) -> bool:
        """Badges only mean something against a previous version."""
        return self.version.previous_id is not None

    @property
    def previous_number(self) -> int | None:
        return self.version.previous.number if self.version.previous_id else None

    @property
    def change_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SectionChange.values, 0)
        for section in self.sections:
            counts[section.change] += 1
        return counts


def version_page(version: DocumentVersion, include_drafts: bool) -> VersionPage:
    sections = _with_display_levels(list(version.sections.all()))
    return VersionPage(
        version=version,
        sections=sections,
        removed=removed_sections(version, sections),
        attachments=list(version.attachments.all()),
        versions=visible_versions(version.document, include_drafts),
    )


# --- Comparison of two versions ---------------------------------------------------------------------------


def accessible_diff(old: str, new: str) -> SafeString:
    """``text.diff_html`` with words that say "inserted"/"deleted" to screen readers, which ignore
    ``<ins>``/``<del>``; sighted readers get underline and strike-through, not colour alone."""
    inserted = format_html('<ins><span class="visually-hidden">[{}: </span>', _("inserted"))
    deleted = format_html('<del><span class="visually-hidden">[{}: </span>', _("deleted"))
    closing = '<span class="visually-hidden">]</span>'
    html = (
        diff_html(old, new)
        .replace("<ins>", inserted)
        .replace("</ins>", closing + "</ins>")
        .replace("<del>", deleted)
        .replace("</del>", closing + "</del>")
    )
    return mark_safe(html)  # noqa: S308 — diff_html escapes every piece of text; only our tags are added


@dataclass
class SectionDiff:
    status: str  # "added", "removed", "modified" or "unchanged"
    old: Section | None
    new: Section | None
    heading_html: SafeString
    body_html: SafeString

    @property
    def section(self) -> Section:
        return self.new or self.old

    @property
    def anchor(self) -> str:
        return f"new-{self.new.number}" if self.new else f"old-{self.old.number}"


def compare_versions(old: DocumentVersion, new: DocumentVersion) -> list[SectionDiff]:
    """Section by section, in the reading order of ``new``; a section of ``old`` that ``new`` lacks is
    shown where it used to be (after the section that preceded it and still exists)."""
    old_sections = list(old.sections.all())
    new_sections = list(new.sections.all())
    old_by_key = {s.key: s for s in old_sections}
    new_keys = {s.key for s in new_sections}
    removed_after: dict[object, list[Section]] = {}
    anchor = None
    for section in old_sections:
        if section.key in new_keys:
            anchor = section.key
        else:
            removed_after.setdefault(anchor, []).append(section)

    def removed(section: Section) -> SectionDiff:
        return SectionDiff(
            "removed",
            section,
            None,
            accessible_diff(section.heading, ""),
            accessible_diff(section.body, ""),
        )

    rows = [removed(s) for s in removed_after.get(None, [])]
    for section in new_sections:
        before = old_by_key.get(section.key)
        if before is None:
            rows.append(
                SectionDiff(
                    "added",
                    None,
                    section,
                    accessible_diff("", section.heading),
                    accessible_diff("", section.body),
                )
            )
        else:
            same = (before.heading, before.body, before.level) == (
                section.heading,
                section.body,
                section.level,
            )
            rows.append(
                SectionDiff(
                    "unchanged" if same else "modified",
                    before,
                    section,
                    accessible_diff(before.heading, section.heading),
                    accessible_diff(before.body, section.body),
                )
            )
        rows.extend(removed(s) for s in removed_after.get(section.key, []))
    return rows


# --- Consultations (staff) --------------------------------------------------------------------------------


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT that does not multiply the outer rows (unlike two annotated joins)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("consultation_id").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def staff_consultations(user, programme_id: int | None = None, state: str | None = None) -> QuerySet:
    """The consultations of the programmes ``user`` runs, with contribution and question counts."""
    submitted = Contribution.objects.filter(consultation=OuterRef("pk"), state=ContributionState.SUBMITTED)
    consultations = Consultation.objects.select_related("programme").annotate(
        contribution_count=_count(submitted),
        undisposed_count=_count(submitted.filter(current_disposition__isnull=True)),
        unanswered_count=_count(
            Question.objects.filter(consultation=OuterRef("pk"), answered_at__isnull=True)
        ),
    )
    if not user.is_superuser:
        consultations = consultations.filter(programme_id__in=user.staffed_programme_ids)
    if programme_id:
        consultations = consultations.filter(programme_id=programme_id)
    if state:
        consultations = consultations.filter(state=state)
    return consultations.order_by("-opens_on", "title_it", "pk")


@dataclass(frozen=True)
class Step:
    state: str
    label: str
    status: str  # "done", "current" or "todo"


def state_steps(consultation: Consultation) -> list[Step]:
    """The life of a consultation as steps, for the step indicator."""
    states = list(ConsultationState)
    reached = states.index(ConsultationState(consultation.state))
    return [
        Step(s.value, str(s.label), "done" if i < reached else "current" if i == reached else "todo")
        for i, s in enumerate(states)
    ]


@dataclass
class ConsultationDashboard:
    consultation: Consultation
    timetable: lifecycle.Timetable
    documents: list[Document]
    steps: list[Step]
    contributions: int
    undisposed: int
    withdrawn: int
    questions: int
    unanswered: int

    @property
    def unpublished_documents(self) -> list[Document]:
        return [d for d in self.documents if d.published_number is None]


def consultation_dashboard(consultation: Consultation) -> ConsultationDashboard:
    counts = Contribution.objects.filter(consultation=consultation).aggregate(
        submitted=Count("pk", filter=Q(state=ContributionState.SUBMITTED)),
        undisposed=Count("pk", filter=Q(state=ContributionState.SUBMITTED, current_disposition__isnull=True)),
        withdrawn=Count("pk", filter=Q(state=ContributionState.WITHDRAWN)),
    )
    questions = Question.objects.filter(consultation=consultation).aggregate(
        total=Count("pk"), unanswered=Count("pk", filter=Q(answered_at__isnull=True))
    )
    documents = list(consultation.documents.annotate(**_version_numbers()).order_by("title_it", "pk"))
    return ConsultationDashboard(
        consultation=consultation,
        timetable=lifecycle.timetable(consultation),
        documents=documents,
        steps=state_steps(consultation),
        contributions=counts["submitted"],
        undisposed=counts["undisposed"],
        withdrawn=counts["withdrawn"],
        questions=questions["total"],
        unanswered=questions["unanswered"],
    )
