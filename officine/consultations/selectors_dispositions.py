"""Reads for the staff's disposition work: the filtered contributions list, the sections a disposition may
name, a contribution's history, the outcome checklist.

Every function fetches related rows with ``select_related``/``prefetch_related`` so that a page's query count
stays the same whether the consultation has ten contributions or ten thousand.
"""

from dataclasses import dataclass

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from officine.core.search import apply_search
from officine.programmes.models import Programme
from officine.registry.choices import CprCategory
from officine.registry.models import Organization

from .models import (
    Consultation,
    Contribution,
    ContributionState,
    Disposition,
    DispositionOutcome,
    DispositionTemplate,
    DocumentVersion,
    Section,
    SectionChange,
    VersionStatus,
)

WHOLE_DOCUMENT = "whole"
WITHOUT_DISPOSITION = "none"
CITIZENS = "citizens"
CHANGED = (SectionChange.ADDED, SectionChange.MODIFIED)


@dataclass(frozen=True)
class ContributionFilters:
    """The list's filters, already validated by the form; empty values mean "any"."""

    section: str = ""  # a section pk, or WHOLE_DOCUMENT
    organization: str = ""  # an organisation pk, or CITIZENS
    cpr_category: str = ""
    disposition: str = ""  # an outcome, or WITHOUT_DISPOSITION
    q: str = ""
    group: str = ""  # a ContributionGroup pk of this consultation's latest grouping (triage)


def submitted_contributions(consultation: Consultation) -> QuerySet[Contribution]:
    """The contributions that need a disposition (withdrawn ones do not)."""
    return consultation.contributions.filter(state=ContributionState.SUBMITTED)


def contributions_for_disposition(
    consultation: Consultation, filters: ContributionFilters | None = None
) -> QuerySet[Contribution]:
    """The staff list: submitted contributions with what each row shows, filtered and in number order."""
    filters = filters or ContributionFilters()
    queryset = (
        submitted_contributions(consultation)
        .select_related("organization", "section", "version__document", "current_disposition")
        .annotate(attachment_count=Count("attachments"))
        .order_by("number")
    )
    if filters.section == WHOLE_DOCUMENT:
        queryset = queryset.filter(section__isnull=True)
    elif filters.section:
        queryset = queryset.filter(section_id=int(filters.section))
    if filters.organization == CITIZENS:
        queryset = queryset.filter(organization__isnull=True)
    elif filters.organization:
        queryset = queryset.filter(organization_id=int(filters.organization))
    if filters.cpr_category:
        queryset = queryset.filter(organization__cpr_category=filters.cpr_category)
    if filters.disposition == WITHOUT_DISPOSITION:
        queryset = queryset.filter(current_disposition__isnull=True)
    elif filters.disposition:
        queryset = queryset.filter(current_disposition__outcome=filters.disposition)
    if filters.q:
        queryset = apply_search(queryset, filters.q)
    if filters.group:
        queryset = queryset.filter(groups__pk=int(filters.group), groups__run__consultation=consultation)
    return queryset


@dataclass(frozen=True)
class FilterOptions:
    sections: list[tuple[str, str]]
    organizations: list[tuple[str, str]]
    cpr_categories: list[tuple[str, str]]
    dispositions: list[tuple[str, str]]
    groups: list[tuple[str, str]]


def filter_options(consultation: Consultation) -> FilterOptions:
    """Choices for the filters: only sections and organisations that actually received contributions."""
    sections = (
        Section.objects.filter(contributions__consultation=consultation)
        .distinct()
        .select_related("version__document")
        .order_by("version__document__title_it", "version__number", "order")
    )
    multiple_documents = consultation.documents.count() > 1
    section_choices = [(WHOLE_DOCUMENT, _("The document as a whole"))]
    for section in sections:
        label = f"{section.number}. {section.heading}"
        if multiple_documents:
            label = f"{section.version.document.title} – {label}"
        section_choices.append((str(section.pk), label))
    organizations = (
        Organization.objects.filter(contributions__consultation=consultation).distinct().order_by("name")
    )
    organization_choices = [(str(o.pk), o.name) for o in organizations.only("pk", "name")]
    organization_choices.append((CITIZENS, _("Individual citizens")))
    return FilterOptions(
        sections=section_choices,
        organizations=organization_choices,
        cpr_categories=[(value, f"{value} – {label}") for value, label in CprCategory.choices],
        dispositions=[(WITHOUT_DISPOSITION, _("Without disposition")), *DispositionOutcome.choices],
        groups=_group_choices(consultation),
    )


def _group_choices(consultation: Consultation) -> list[tuple[str, str]]:
    """The groups of the latest finished grouping, so staff can answer similar contributions together."""
    from .selectors_triage import latest_done_run

    run = latest_done_run(consultation)
    if run is None:
        return []
    choices = []
    for group in run.groups.annotate(size=Count("contributions")).order_by("kind", "-size", "pk"):
        terms = ", ".join(group.key_terms[:4]) or group.get_kind_display()
        label = _("%(kind)s: %(terms)s (%(size)d)") % {
            "kind": group.get_kind_display(),
            "terms": terms,
            "size": group.size,
        }
        choices.append((str(group.pk), label))
    return choices


@dataclass(frozen=True)
class DispositionProgress:
    submitted: int
    disposed: int
    withdrawn: int

    @property
    def missing(self) -> int:
        return self.submitted - self.disposed


def disposition_progress(consultation: Consultation) -> DispositionProgress:
    counts = consultation.contributions.aggregate(
        submitted=Count("pk", filter=Q(state=ContributionState.SUBMITTED)),
        disposed=Count("pk", filter=Q(state=ContributionState.SUBMITTED, current_disposition__isnull=False)),
        withdrawn=Count("pk", filter=Q(state=ContributionState.WITHDRAWN)),
    )
    return DispositionProgress(**counts)


def sections_changed_after(contribution: Contribution) -> list[Section]:
    """The sections a disposition of ``contribution`` may name: added or modified in a published version of
    the same document newer than the one the contribution is about."""
    return list(
        Section.objects.filter(
            version__document_id=contribution.version.document_id,
            version__status=VersionStatus.PUBLISHED,
            version__number__gt=contribution.version.number,
            change__in=CHANGED,
        )
        .select_related("version__document")
        .order_by("version__number", "order")
    )


def changed_sections_for_consultation(consultation: Consultation) -> list[Section]:
    """For the bulk form: sections changed in versions newer than the oldest one contributions cite, per
    document (each contribution is still checked against its own version when the disposition is saved)."""
    oldest = dict(
        submitted_contributions(consultation)
        .values("version__document_id")
        .annotate(n=Min("version__number"))
        .values_list("version__document_id", "n")
    )
    if not oldest:
        return []
    condition = Q()
    for document_id, number in oldest.items():
        condition |= Q(version__document_id=document_id, version__number__gt=number)
    return list(
        Section.objects.filter(condition, version__status=VersionStatus.PUBLISHED, change__in=CHANGED)
        .select_related("version__document")
        .order_by("version__document__title_it", "version__number", "order")
    )


def contribution_for_disposition(pk: int) -> Contribution:
    """One contribution with what its disposition page shows (attachments, section, current disposition)."""
    return (
        Contribution.objects.select_related(
            "consultation__programme", "organization", "section", "version__document", "current_disposition"
        )
        .prefetch_related("attachments")
        .get(pk=pk)
    )


def disposition_history(contribution: Contribution) -> list[Disposition]:
    """Every disposition the contribution received, latest first (the record is append-only)."""
    return list(
        contribution.dispositions.select_related("decided_by", "template")
        .prefetch_related(
            Prefetch("changed_sections", queryset=Section.objects.select_related("version").order_by("order"))
        )
        .order_by("-decided_at", "-pk")
    )


def templates_for_programme(programme: Programme) -> list[DispositionTemplate]:
    return list(DispositionTemplate.objects.filter(programme=programme).order_by("title"))


def undisposed_contributions(consultation: Consultation, limit: int | None = None) -> list[Contribution]:
    queryset = (
        submitted_contributions(consultation)
        .filter(current_disposition__isnull=True)
        .select_related("organization", "section")
        .order_by("number")
    )
    return list(queryset[:limit] if limit else queryset)


def next_undisposed(consultation: Consultation, after_number: int) -> Contribution | None:
    """Where to go after saving a disposition: the next contribution still waiting, else the first one."""
    waiting = (
        submitted_contributions(consultation).filter(current_disposition__isnull=True).order_by("number")
    )
    return waiting.filter(number__gt=after_number).first() or waiting.first()


def final_version_choices(consultation: Consultation) -> QuerySet[DocumentVersion]:
    """Published versions of the consultation's documents: one of them may be the final document."""
    return (
        DocumentVersion.objects.filter(
            document__in=consultation.documents.all(), status=VersionStatus.PUBLISHED
        )
        .select_related("document")
        .order_by("document__title_it", "-number")
    )
