"""Public reads of consultations: the list, a consultation's page, its published contributions, and the
"open and recent" blocks of the home and programme pages.

Every function costs a fixed number of queries whatever the number of consultations, sections or
contributions (counts are grouped in one query, relations joined or prefetched), so the pages stay fast at
10,000 contributions in one consultation (see ``bench/README.md``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from officine.core.search import apply_search

from .lifecycle import Timetable, timetable
from .models import (
    Consultation,
    ConsultationState,
    Contribution,
    ContributionAttachment,
    ContributionState,
    Disposition,
    DispositionOutcome,
    DocumentVersion,
    Question,
    Section,
    Topic,
    VersionStatus,
)

#: The public state filter: "upcoming" is what the state machine calls *scheduled*.
STATE_FILTERS: dict[str, tuple[str, ...]] = {
    "open": (ConsultationState.OPEN,),
    "upcoming": (ConsultationState.SCHEDULED,),
    "closed": (ConsultationState.CLOSED,),
    "outcome_published": (ConsultationState.OUTCOME_PUBLISHED,),
}
#: The "open and recent" blocks leave out consultations that have not opened yet.
RECENT_STATES = (ConsultationState.OPEN, ConsultationState.CLOSED, ConsultationState.OUTCOME_PUBLISHED)
#: Filter value for contributions that have no disposition yet.
UNDECIDED = "none"
#: Filter value for contributions of individual citizens (no organisation).
CITIZENS = "citizen"


# --- Lists of consultations -------------------------------------------------------------------------------


def _count_of(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT per consultation row: no GROUP BY over the joined page, no row multiplication."""
    counted = (
        queryset.filter(consultation=OuterRef("pk"))
        .order_by()
        .values("consultation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _public_order(queryset: QuerySet) -> QuerySet:
    """Open ones first (closing soonest), then upcoming (opening soonest), then the rest, latest first."""
    rank = Case(
        When(state=ConsultationState.OPEN, then=Value(0)),
        When(state=ConsultationState.SCHEDULED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    soonest = Case(
        When(state=ConsultationState.OPEN, then=F("closes_on")),
        When(state=ConsultationState.SCHEDULED, then=F("opens_on")),
        default=None,
    )
    latest = Case(
        When(state__in=(ConsultationState.CLOSED, ConsultationState.OUTCOME_PUBLISHED), then=F("closes_on")),
        default=None,
    )
    return queryset.annotate(public_rank=rank).order_by(
        "public_rank", soonest.asc(nulls_last=True), latest.desc(nulls_last=True), "title_it", "pk"
    )


def announced_consultations(
    *,
    programme_id: int | None = None,
    state: str | None = None,
    phase: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    kind: str | None = None,
    query: str | None = None,
) -> QuerySet[Consultation]:
    """Consultations the public may see (every state but draft), filtered, with their counts.

    Each row carries ``contribution_count`` (submitted, not withdrawn) and ``answered_question_count``.
    """
    qs = Consultation.objects.exclude(state=ConsultationState.DRAFT).select_related("programme")
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if state in STATE_FILTERS:
        qs = qs.filter(state__in=STATE_FILTERS[state])
    if phase:
        qs = qs.filter(phase=phase)
    if topic:
        # Topics are a JSON list of known codes: matching the quoted code in its text works the same on
        # SQLite (which has no JSON "contains") and PostgreSQL.
        qs = qs.annotate(topics_text=Cast("topics", TextField())).filter(topics_text__contains=f'"{topic}"')
    if audience:
        qs = qs.filter(audience=audience)
    if kind:
        qs = qs.filter(kind=kind)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(title_it__icontains=query)
            | Q(title_en__icontains=query)
            | Q(programme__title_it__icontains=query)
        )
    qs = qs.annotate(
        contribution_count=_count_of(Contribution.objects.filter(state=ContributionState.SUBMITTED)),
        answered_question_count=_count_of(Question.objects.filter(answered_at__isnull=False)),
    )
    return _public_order(qs)


def programmes_with_consultations() -> QuerySet:
    """Programmes that have at least one announced consultation: the choices of the list's filter."""
    from officine.programmes.models import Programme

    announced = Consultation.objects.exclude(state=ConsultationState.DRAFT).values("programme_id")
    return Programme.objects.filter(pk__in=announced).order_by("title_it")


def open_and_recent(limit: int = 5) -> list[Consultation]:
    """The home page block: open consultations first, then the most recently closed ones."""
    qs = Consultation.objects.filter(state__in=RECENT_STATES).select_related("programme")
    return with_countdown(list(_public_order(qs)[:limit]))


def programme_consultations(programme) -> list[Consultation]:
    """Every announced consultation of a programme, for its page, with contribution counts."""
    qs = Consultation.objects.filter(programme=programme).exclude(state=ConsultationState.DRAFT)
    qs = qs.annotate(
        contribution_count=_count_of(Contribution.objects.filter(state=ContributionState.SUBMITTED))
    )
    consultations = list(_public_order(qs))
    for consultation in consultations:
        consultation.programme = programme  # already loaded: no query per row
    return with_countdown(consultations)


def with_countdown(consultations: list[Consultation], today: date | None = None) -> list[Consultation]:
    """Set ``days_to_close`` (open ones) and ``days_to_open`` (upcoming ones) in calendar days, and the
    topics' labels, so templates show "closes in 3 days" without arithmetic."""
    today = today or timezone.localdate()
    labels = dict(Topic.choices)
    for consultation in consultations:
        consultation.days_to_close = (
            (consultation.closes_on - today).days if consultation.state == ConsultationState.OPEN else None
        )
        consultation.days_to_open = (
            (consultation.opens_on - today).days
            if consultation.state == ConsultationState.SCHEDULED
            else None
        )
        consultation.topic_labels = [labels[t] for t in consultation.topics or [] if t in labels]
    return consultations


# --- One consultation -------------------------------------------------------------------------------------


def consultation_for_page(pk: int) -> Consultation | None:
    """The consultation with its programme (for the timetable's calendar and the breadcrumbs), or None."""
    return Consultation.objects.select_related("programme").filter(pk=pk).first()


@dataclass
class SectionRow:
    section: Section
    contribution_count: int


@dataclass
class DocumentBlock:
    """A document under consultation: the version consulted, the latest one and the sections' counts."""

    document: object
    consulted: DocumentVersion | None
    latest: DocumentVersion | None
    previous: DocumentVersion | None  # the published version before ``latest``, for the comparison link
    published_count: int
    sections: list[SectionRow] = field(default_factory=list)
    whole_document_count: int = 0

    @property
    def has_later_version(self) -> bool:
        return bool(self.latest and self.consulted and self.latest.number > self.consulted.number)


@dataclass
class OutcomeFigures:
    contributions: int
    organisations: int
    citizens: int
    by_outcome: list[tuple[str, str, int]]  # (code, label, count)
    undecided: int
    sections_changed: int


@dataclass
class ConsultationOverview:
    consultation: Consultation
    timetable: Timetable
    documents: list[DocumentBlock]
    contribution_count: int
    answered_question_count: int
    topic_labels: list[str]
    figures: OutcomeFigures | None


def _consulted_version(
    consultation: Consultation, published: list[DocumentVersion]
) -> DocumentVersion | None:
    """The version partners commented on: the latest published by the closing day (for a closed
    consultation, later versions are the result of the consultation, not its subject)."""
    if not published:
        return None
    if not consultation.contributions_are_public:
        return published[-1]
    end = timezone.make_aware(datetime.combine(consultation.closes_on, time.max))
    by_closing = [v for v in published if v.published_at and v.published_at <= end]
    return by_closing[-1] if by_closing else published[0]


def _documents_with_published_versions(consultation: Consultation) -> list:
    """The consultation's documents, each with ``published_versions`` in number order (two queries)."""
    published = Prefetch(
        "versions",
        queryset=DocumentVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .only("pk", "document_id", "number", "published_at", "status")
        .order_by("number"),
        to_attr="published_versions",
    )
    return list(consultation.documents.prefetch_related(published).order_by("title_it", "pk"))


def consultation_overview(consultation: Consultation) -> ConsultationOverview:
    """What the consultation page shows, in six queries whatever the number of sections or contributions."""
    blocks = []
    for document in _documents_with_published_versions(consultation):
        published = document.published_versions
        latest = published[-1] if published else None
        blocks.append(
            DocumentBlock(
                document=document,
                consulted=_consulted_version(consultation, published),
                latest=latest,
                previous=published[-2] if len(published) >= 2 else None,
                published_count=len(published),
            )
        )
    consulted_ids = [b.consulted.pk for b in blocks if b.consulted]
    sections_by_version: dict[int, list[Section]] = defaultdict(list)
    if consulted_ids:
        for section in (
            Section.objects.filter(version_id__in=consulted_ids)
            .only("pk", "version_id", "key", "order", "level", "heading")
            .order_by("version_id", "order")
        ):
            sections_by_version[section.version_id].append(section)
    # One grouped query for every count: by document and section identity (key), so a contribution made on
    # a section of an earlier version of the same document still counts for that section.
    counts: dict[tuple[int, object], int] = {}
    total = 0
    for row in (
        Contribution.objects.filter(consultation=consultation, state=ContributionState.SUBMITTED)
        .values("version__document_id", "section__key")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(row["version__document_id"], row["section__key"])] = row["n"]
        total += row["n"]
    for block in blocks:
        doc_id = block.document.pk
        block.whole_document_count = counts.get((doc_id, None), 0)
        if block.consulted:
            block.sections = [
                SectionRow(section=s, contribution_count=counts.get((doc_id, s.key), 0))
                for s in sections_by_version[block.consulted.pk]
            ]
    answered = Question.objects.filter(consultation=consultation, answered_at__isnull=False).count()
    labels = dict(Topic.choices)
    figures = (
        outcome_figures(consultation) if consultation.state == ConsultationState.OUTCOME_PUBLISHED else None
    )
    return ConsultationOverview(
        consultation=consultation,
        timetable=timetable(consultation),
        documents=blocks,
        contribution_count=total,
        answered_question_count=answered,
        topic_labels=[labels[t] for t in consultation.topics or [] if t in labels],
        figures=figures,
    )


def outcome_figures(consultation: Consultation) -> OutcomeFigures:
    """Headline figures of the outcome: contributions, who sent them, dispositions, sections changed."""
    submitted = Contribution.objects.filter(consultation=consultation, state=ContributionState.SUBMITTED)
    aggregates = {
        "total": Count("pk"),
        "organisations": Count("organization", distinct=True),
        "citizens": Count("pk", filter=Q(organization__isnull=True)),
        "undecided": Count("pk", filter=Q(current_disposition__isnull=True)),
    }
    for code in DispositionOutcome.values:
        aggregates[code] = Count("pk", filter=Q(current_disposition__outcome=code))
    row = submitted.aggregate(**aggregates)
    through = Disposition.changed_sections.through
    sections_changed = (
        through.objects.filter(
            disposition__contribution__consultation=consultation,
            disposition__contribution__state=ContributionState.SUBMITTED,
            disposition__contribution__current_disposition=F("disposition_id"),
        )
        .values("section_id")
        .distinct()
        .count()
    )
    return OutcomeFigures(
        contributions=row["total"],
        organisations=row["organisations"],
        citizens=row["citizens"],
        by_outcome=[(code, label, row[code]) for code, label in DispositionOutcome.choices],
        undecided=row["undecided"],
        sections_changed=sections_changed,
    )


# --- Published contributions ------------------------------------------------------------------------------


def consulted_sections(consultation: Consultation) -> list[tuple[object, list[Section]]]:
    """(document, sections of its consulted version) for the section filter, in two queries."""
    overview_docs = _documents_with_published_versions(consultation)
    consulted = {d.pk: _consulted_version(consultation, d.published_versions) for d in overview_docs}
    ids = [v.pk for v in consulted.values() if v]
    by_version: dict[int, list[Section]] = defaultdict(list)
    for section in (
        Section.objects.filter(version_id__in=ids)
        .only("pk", "version_id", "key", "order", "heading")
        .order_by("version_id", "order")
    ):
        by_version[section.version_id].append(section)
    return [(d, by_version[consulted[d.pk].pk] if consulted[d.pk] else []) for d in overview_docs]


def _published(consultation: Consultation) -> QuerySet[Contribution]:
    return Contribution.objects.filter(
        consultation=consultation, state=ContributionState.SUBMITTED, objects_to_publication=False
    )


def published_contributions(
    consultation: Consultation,
    *,
    section_key=None,
    whole_document: bool = False,
    organization: str = "",
    cpr_category: str = "",
    disposition: str = "",
    query: str = "",
) -> QuerySet[Contribution]:
    """Submitted contributions whose authors did not object to publication, filtered, in number order.

    ``section_key`` selects a section by identity (all versions); ``whole_document`` the comments on the
    document as a whole; ``organization`` is part of an organisation's name or acronym; ``cpr_category`` a
    CPR category code or ``"citizen"``; ``disposition`` an outcome code or ``"none"`` (not yet decided).
    Each row has its section, document, organisation and current disposition joined, the changed sections
    prefetched and ``attachment_count`` annotated: a page costs the same queries however many rows match.
    """
    qs = _published(consultation)
    if section_key:
        qs = qs.filter(section__key=section_key)
    elif whole_document:
        qs = qs.filter(section__isnull=True)
    organization = (organization or "").strip()
    if organization:
        qs = qs.filter(
            Q(organization__name__icontains=organization) | Q(organization__acronym__iexact=organization)
        )
    if cpr_category == CITIZENS:
        qs = qs.filter(organization__isnull=True)
    elif cpr_category:
        qs = qs.filter(organization__cpr_category=cpr_category)
    if disposition == UNDECIDED:
        qs = qs.filter(current_disposition__isnull=True)
    elif disposition:
        qs = qs.filter(current_disposition__outcome=disposition)
    qs = apply_search(qs, query or "")
    attachments = (
        ContributionAttachment.objects.filter(contribution=OuterRef("pk"))
        .order_by()
        .values("contribution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    changed = Section.objects.select_related("version").only(
        "pk", "order", "heading", "version__number", "version__document_id"
    )
    return (
        qs.select_related("section", "version__document", "organization", "current_disposition")
        .only(
            "pk",
            "consultation_id",
            "number",
            "created_at",
            "author_name",
            "body",
            "proposed_wording",
            "state",
            "objects_to_publication",
            "section",
            "version",
            "version__document",
            "organization",
            "current_disposition",
            "section__key",
            "section__order",
            "section__heading",
            "version__number",
            "version__document__title_it",
            "version__document__title_en",
            "organization__name",
            "organization__acronym",
            "organization__cpr_category",
            "organization__is_demo",
            "current_disposition__outcome",
            "current_disposition__reason",
            "current_disposition__decided_at",
        )
        .annotate(attachment_count=Coalesce(Subquery(attachments, output_field=IntegerField()), 0))
        .prefetch_related(Prefetch("current_disposition__changed_sections", queryset=changed))
        .order_by("number")
    )


WITHHELD_CACHE_SECONDS = 600


def withheld_contribution_count(consultation: Consultation) -> int:
    """Contributions not published because their authors objected (counted, never shown).

    Counting them reads every contribution row of the consultation (the flag is in no index), which at
    10,000 contributions costs as much as the page itself. Once the consultation is closed its
    contributions can no longer be edited, objected to or withdrawn, so the count is cached per state; the
    key carries the creation time too, so a reused primary key (tests, restored databases) never hits an old
    entry, and the timeout bounds any change made outside the services.
    """
    count = Contribution.objects.filter(
        consultation=consultation, state=ContributionState.SUBMITTED, objects_to_publication=True
    ).count
    if not consultation.contributions_are_public:
        return count()
    key = (
        f"consultations:withheld:{consultation.pk}:{consultation.state}:{consultation.created_at.timestamp()}"
    )
    return cache.get_or_set(key, count, WITHHELD_CACHE_SECONDS)
