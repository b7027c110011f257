"""The outcome of a consultation: publishing it, and the report “we asked, you said, we did” (issue 3, 6).

ECCP Art. 5 asks managing authorities to tell partners how their contributions were taken into account and to
disseminate the outcome. :func:`publish_outcome` is the last step of the state machine: it refuses while any
contribution lacks a disposition. :func:`build_report` organises the outcome **by section** of the consulted
version: what the section said, what partners said about it, how each contribution was disposed of, and the
resulting change as a word diff against the new version (sections are matched by ``key`` across versions).
The same report feeds the public page, the PDF and the CSV, so the three never disagree.

Contributions whose author objected to publication are counted and their disposition is shown, but not their
text nor their author, as Italian rules on public consultations require.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from officine.core.audit import record
from officine.core.pdf import STATIC_SCHEME, archival_pdf

from . import notices
from .lifecycle import _move
from .models import (
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Disposition,
    DispositionOutcome,
    Document,
    DocumentVersion,
    Section,
    SectionChange,
    VersionStatus,
)
from .text import diff_html

MANAGE_PERMISSION = "consultations.manage_consultation"
UNDISPOSED_SHOWN = 10


# --- Publishing -------------------------------------------------------------------------------------------


def undisposed_numbers(consultation: Consultation) -> list[int]:
    """Numbers of the submitted contributions that still have no disposition, in order."""
    return list(
        consultation.contributions.filter(state=ContributionState.SUBMITTED, current_disposition__isnull=True)
        .order_by("number")
        .values_list("number", flat=True)
    )


def final_version_error(consultation: Consultation, version: DocumentVersion | None) -> str | None:
    """Co-programming and co-design end with a final document; when one is named it must be a published
    version of a document of this consultation."""
    if version is None:
        if consultation.is_third_sector_procedure:
            return _(
                "Co-programming and co-design end with a final document: choose the published version "
                "that is the final document."
            )
        return None
    if version.status != VersionStatus.PUBLISHED:
        return _("The final document must be a published version.")
    if not consultation.documents.filter(pk=version.document_id).exists():
        return _("The final document must be a version of one of the consultation's documents.")
    return None


@transaction.atomic
def publish_outcome(
    actor,
    consultation: Consultation,
    *,
    summary_it: str,
    summary_en: str = "",
    final_version: DocumentVersion | None = None,
) -> Consultation:
    """Publish the outcome: closed consultation, every contribution disposed, summary written; then notify
    every participant. The state moves through the lifecycle's single transition function."""
    if not actor.has_perm(MANAGE_PERMISSION, consultation):
        raise PermissionDenied
    consultation = (
        Consultation.objects.select_for_update().select_related("programme").get(pk=consultation.pk)
    )
    if consultation.state != ConsultationState.CLOSED:
        if consultation.state == ConsultationState.OUTCOME_PUBLISHED:
            raise ValidationError(_("The outcome of this consultation is already published."))
        raise ValidationError(_("The outcome is published after the consultation closes."))
    errors: dict[str, list[str]] = {}
    missing = undisposed_numbers(consultation)
    if missing:
        shown = ", ".join(f"#{n}" for n in missing[:UNDISPOSED_SHOWN])
        more = "…" if len(missing) > UNDISPOSED_SHOWN else ""
        errors["__all__"] = [
            ngettext(
                "%(count)d contribution has no disposition yet (%(numbers)s): give it one before publishing "
                "the outcome.",
                "%(count)d contributions have no disposition yet (%(numbers)s): give each one a disposition "
                "before publishing the outcome.",
                len(missing),
            )
            % {"count": len(missing), "numbers": shown + more}
        ]
    if not (summary_it or "").strip():
        errors["summary_it"] = [
            _("Write the summary that opens the report: what was done with the contributions.")
        ]
    problem = final_version_error(consultation, final_version or consultation.final_version)
    if problem:
        errors["final_version"] = [problem]
    if errors:
        raise ValidationError(errors)
    before = {
        "outcome_summary_it": consultation.outcome_summary_it,
        "outcome_summary_en": consultation.outcome_summary_en,
        "final_version": consultation.final_version_id,
    }
    consultation.outcome_summary_it = summary_it.strip()
    consultation.outcome_summary_en = (summary_en or "").strip()
    if final_version is not None:
        consultation.final_version = final_version
    consultation.outcome_published_at = timezone.now()
    consultation.save(
        update_fields=[
            "outcome_summary_it",
            "outcome_summary_en",
            "final_version",
            "outcome_published_at",
            "updated_at",
        ]
    )
    _move(actor, consultation, ConsultationState.OUTCOME_PUBLISHED)
    after = {
        "outcome_summary_it": consultation.outcome_summary_it,
        "outcome_summary_en": consultation.outcome_summary_en,
        "final_version": consultation.final_version_id,
    }
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    changes["outcome_published_at"] = [None, consultation.outcome_published_at.isoformat()]
    record(actor, "consultations.outcome.published", consultation, changes)
    notices.notify_outcome_published(consultation)
    return consultation


# --- The report -------------------------------------------------------------------------------------------


@dataclass
class ReportContribution:
    contribution: Contribution
    disposition: Disposition | None
    changed_sections: list[Section]
    url: str = ""  # the contribution's own page, filled in by the web view

    @property
    def is_published(self) -> bool:
        """Text and author are shown unless the author objected to publication."""
        return not self.contribution.objects_to_publication

    @property
    def author_label(self) -> str:
        contribution = self.contribution
        if contribution.organization_id:
            return f"{contribution.organization.name} ({contribution.author_name})"
        return contribution.author_name


@dataclass
class ReportSection:
    """A section of the consulted version (or, when ``consulted`` is None, one added in the new version)."""

    key: str
    consulted: Section | None
    new: Section | None
    has_new_version: bool
    contributions: list[ReportContribution] = field(default_factory=list)

    @property
    def number(self) -> int:
        return (self.consulted or self.new).number

    @property
    def number_label(self) -> str:
        """ "3." for a consulted section; an added one carries its number in the new version, which may
        repeat a consulted section's number ("11. (version 2)"), so it says which version it counts in."""
        if self.consulted is not None:
            return f"{self.consulted.number}."
        return _("%(number)d. (version %(version)d)") % {
            "number": self.new.number,
            "version": self.new.version.number,
        }

    @property
    def heading(self) -> str:
        return (self.consulted or self.new).heading

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"

    @property
    def change(self) -> str:
        """unchanged, modified, added, removed, or "" when there is no new version to compare with."""
        if not self.has_new_version:
            return ""
        if self.consulted is None:
            return SectionChange.ADDED
        if self.new is None:
            return "removed"
        old, new = self.consulted, self.new
        if (old.heading, old.body, old.level) == (new.heading, new.body, new.level):
            return SectionChange.UNCHANGED
        return SectionChange.MODIFIED

    @property
    def change_label(self) -> str:
        labels = {
            SectionChange.UNCHANGED: _("Unchanged in the new version"),
            SectionChange.MODIFIED: _("Changed in the new version"),
            SectionChange.ADDED: _("Added in the new version"),
            "removed": _("Removed in the new version"),
        }
        return str(labels.get(self.change, ""))

    @property
    def heading_diff(self) -> SafeString:
        old = self.consulted.heading if self.consulted else ""
        new = self.new.heading if self.new else ""
        return mark_safe(diff_html(old, new))  # noqa: S308 - diff_html escapes every piece of text

    @property
    def body_diff(self) -> SafeString:
        old = self.consulted.body if self.consulted else ""
        new = self.new.body if self.new else ""
        return mark_safe(diff_html(old, new))  # noqa: S308 - diff_html escapes every piece of text

    @property
    def heading_changed(self) -> bool:
        return bool(self.consulted and self.new and self.consulted.heading != self.new.heading)


@dataclass
class ReportDocument:
    document: Document
    consulted: DocumentVersion | None
    new: DocumentVersion | None
    sections: list[ReportSection]
    whole: list[ReportContribution]

    @property
    def contribution_count(self) -> int:
        return len(self.whole) + sum(len(s.contributions) for s in self.sections)


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str
    label: str
    count: int


@dataclass
class OutcomeFigures:
    contributions: int
    organisations: int
    citizens: int
    objected: int
    sections_changed: int
    by_outcome: list[OutcomeCount]


@dataclass
class OutcomeReport:
    consultation: Consultation
    documents: list[ReportDocument]
    figures: OutcomeFigures

    @property
    def contributions(self) -> list[ReportContribution]:
        """Every contribution of the report in number order (for the CSV)."""
        items = [c for d in self.documents for c in d.whole]
        items += [c for d in self.documents for s in d.sections for c in s.contributions]
        return sorted(items, key=lambda item: item.contribution.number)


def _consulted_version(
    consultation: Consultation, versions: list[DocumentVersion], used: set[int]
) -> DocumentVersion | None:
    """The version partners commented on: the oldest one their contributions cite; without contributions,
    the latest version published by the opening day (documents are published before opening)."""
    cited = [v for v in versions if v.pk in used]
    if cited:
        return min(cited, key=lambda v: v.number)
    before_opening = [
        v for v in versions if v.published_at and timezone.localdate(v.published_at) <= consultation.opens_on
    ]
    if before_opening:
        return max(before_opening, key=lambda v: v.number)
    return min(versions, key=lambda v: v.number) if versions else None


def _new_version(
    consultation: Consultation, versions: list[DocumentVersion], consulted: DocumentVersion | None
) -> DocumentVersion | None:
    """The version the outcome compares with: the final document if it is this one's, else the latest."""
    if consulted is None:
        return None
    final_id = consultation.final_version_id
    for version in versions:
        if version.pk == final_id and version.number > consulted.number:
            return version
    newer = [v for v in versions if v.number > consulted.number]
    return max(newer, key=lambda v: v.number) if newer else None


def build_report(consultation: Consultation) -> OutcomeReport:
    """Everything the outcome page, PDF and CSV show, in a fixed number of queries."""
    documents = list(consultation.documents.order_by("title_it", "pk"))
    versions_by_document: dict[int, list[DocumentVersion]] = defaultdict(list)
    for version in DocumentVersion.objects.filter(
        document__in=documents, status=VersionStatus.PUBLISHED
    ).order_by("number"):
        versions_by_document[version.document_id].append(version)
    contributions = list(
        consultation.contributions.filter(state=ContributionState.SUBMITTED)
        .select_related("organization", "section", "version__document", "current_disposition")
        .prefetch_related(
            Prefetch(
                "current_disposition__changed_sections",
                queryset=Section.objects.select_related("version").order_by("version__number", "order"),
            )
        )
        .order_by("number")
    )
    used_versions = {c.version_id for c in contributions}
    pairs: dict[int, tuple[DocumentVersion | None, DocumentVersion | None]] = {}
    for document in documents:
        versions = versions_by_document[document.pk]
        consulted = _consulted_version(consultation, versions, used_versions)
        pairs[document.pk] = (consulted, _new_version(consultation, versions, consulted))
    wanted = {v.pk for pair in pairs.values() for v in pair if v is not None}
    sections_by_version: dict[int, list[Section]] = defaultdict(list)
    for section in Section.objects.filter(version_id__in=wanted).select_related("version").order_by("order"):
        sections_by_version[section.version_id].append(section)

    report_documents = []
    for document in documents:
        consulted, new = pairs[document.pk]
        old_sections = sections_by_version[consulted.pk] if consulted else []
        new_by_key = {s.key: s for s in sections_by_version[new.pk]} if new else {}
        entries: dict[str, ReportSection] = {}
        for section in old_sections:
            entries[str(section.key)] = ReportSection(
                str(section.key), section, new_by_key.get(section.key), new is not None
            )
        whole: list[ReportContribution] = []
        for contribution in contributions:
            if contribution.version.document_id != document.pk:
                continue
            item = _report_contribution(contribution)
            if contribution.section is None:
                whole.append(item)
                continue
            key = str(contribution.section.key)
            if key not in entries:  # a section of a version later than the consulted one
                entries[key] = ReportSection(
                    key, contribution.section, new_by_key.get(contribution.section.key), new is not None
                )
            entries[key].contributions.append(item)
        ordered = sorted(entries.values(), key=lambda s: s.consulted.order)
        known = {s.key for s in ordered}
        added = [
            ReportSection(str(s.key), None, s, True)
            for s in (sections_by_version[new.pk] if new else [])
            if str(s.key) not in known
        ]
        report_documents.append(ReportDocument(document, consulted, new, ordered + added, whole))
    return OutcomeReport(consultation, report_documents, _figures(contributions, report_documents))


def _report_contribution(contribution: Contribution) -> ReportContribution:
    disposition = contribution.current_disposition
    changed = list(disposition.changed_sections.all()) if disposition else []
    return ReportContribution(contribution, disposition, changed)


def _figures(contributions: list[Contribution], documents: list[ReportDocument]) -> OutcomeFigures:
    counts = Counter(c.current_disposition.outcome for c in contributions if c.current_disposition)
    return OutcomeFigures(
        contributions=len(contributions),
        organisations=len({c.organization_id for c in contributions if c.organization_id}),
        citizens=sum(1 for c in contributions if not c.organization_id),
        objected=sum(1 for c in contributions if c.objects_to_publication),
        sections_changed=sum(
            1
            for d in documents
            for s in d.sections
            if s.change in (SectionChange.MODIFIED, SectionChange.ADDED, "removed")
        ),
        by_outcome=[
            OutcomeCount(value, str(label), counts.get(value, 0))
            for value, label in DispositionOutcome.choices
        ],
    )


# --- The CSV and the PDF ----------------------------------------------------------------------------------

_CSV_HEADERS = (
    ("numero", "number"),
    ("documento", "document"),
    ("versione", "version"),
    ("sezione_numero", "section_number"),
    ("sezione", "section"),
    ("organizzazione", "organisation"),
    ("autore", "author"),
    ("testo_pubblicato", "text_published"),
    ("esito", "disposition"),
    ("esito_descrizione", "disposition_label"),
    ("motivazione", "reason"),
    ("sezioni_modificate", "changed_sections"),
)


def section_reference(section: Section) -> str:
    """“v2 §3 Heading”: the version matters, since numbers can shift between versions."""
    return f"v{section.version.number} §{section.number} {section.heading}"


def outcome_table(report: OutcomeReport) -> tuple[list[str], list[list]]:
    """The public CSV: one row per contribution, with section, organisation, disposition, reason and the
    sections that changed. Objected contributions keep their row (they are counted) without their author."""
    english = get_language() != "it"
    headers = [pair[1] if english else pair[0] for pair in _CSV_HEADERS]
    yes, no = _("yes"), _("no")
    rows = []
    for item in report.contributions:
        contribution = item.contribution
        section = contribution.section
        disposition = item.disposition
        rows.append(
            [
                contribution.number,
                contribution.version.document.title,
                contribution.version.number,
                section.number if section else "",
                section.heading if section else _("The document as a whole"),
                (contribution.organization.name if contribution.organization_id else "")
                if item.is_published
                else "",
                contribution.author_name if item.is_published else "",
                yes if item.is_published else no,
                disposition.outcome if disposition else "",
                disposition.get_outcome_display() if disposition else "",
                disposition.reason if disposition else "",
                "; ".join(section_reference(s) for s in item.changed_sections),
            ]
        )
    return headers, rows


def outcome_pdf(report: OutcomeReport) -> bytes:
    """The report as an archival PDF (PDF/A-3b, A4, page numbers), with the design system's font."""
    html = render_to_string(
        "consultations/outcome/report_pdf.html",
        {"report": report, "consultation": report.consultation, "static_base": STATIC_SCHEME},
    )
    return archival_pdf(html)
