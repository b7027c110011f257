"""Read queries for the contribution and Q&A pages, shaped so that a page's query count stays flat.

The contribute form needs the sections of the current versions (one query for the versions, one for all
their sections); the contribution page needs its disposition with the sections it changed and the
versions they belong to (prefetched together).
"""

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from .contributions import current_versions
from .models import (
    Consultation,
    Contribution,
    DocumentVersion,
    Question,
    Section,
)

WHOLE_DOCUMENT_PREFIX = "doc-"
SECTION_PREFIX = "sec-"


@dataclass
class DocumentTargets:
    """One document under consultation, its current version and the sections one may comment on."""

    version: DocumentVersion
    sections: list[Section] = field(default_factory=list)
    whole_document: bool = True  # False for an earlier version kept only for the section already chosen

    @property
    def document(self):
        return self.version.document


def document_targets(consultation: Consultation) -> list[DocumentTargets]:
    """Current published version of each document, with its sections in reading order (two queries)."""
    versions = sorted(current_versions(consultation).values(), key=lambda v: (v.document.title, v.pk))
    targets = {v.pk: DocumentTargets(version=v) for v in versions}
    for section in Section.objects.filter(version_id__in=targets).order_by("version_id", "order"):
        targets[section.version_id].sections.append(section)
    return list(targets.values())


def target_choices(targets: list[DocumentTargets]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for the "what is it about" select: per document, the whole of it and each section."""
    from django.utils.translation import gettext as _

    groups = []
    for target in targets:
        options = []
        if target.whole_document:
            options.append((f"{WHOLE_DOCUMENT_PREFIX}{target.document.pk}", _("The document as a whole")))
        options += [(f"{SECTION_PREFIX}{s.pk}", f"{s.number}. {s.heading}") for s in target.sections]
        groups.append((f"{target.document.title} (v{target.version.number})", options))
    return groups


def edit_targets(contribution: Contribution) -> list[DocumentTargets]:
    """The current targets, plus the section the contribution is on if a newer version replaced it."""
    targets = document_targets(contribution.consultation)
    if contribution.section_id and all(t.version.pk != contribution.version_id for t in targets):
        targets.append(
            DocumentTargets(
                version=contribution.version, sections=[contribution.section], whole_document=False
            )
        )
    return targets


def target_value(contribution: Contribution) -> str:
    """The select value that designates what ``contribution`` is anchored to."""
    if contribution.section_id:
        return f"{SECTION_PREFIX}{contribution.section_id}"
    return f"{WHOLE_DOCUMENT_PREFIX}{contribution.version.document_id}"


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "consultation__programme",
        "version__document",
        "section",
        "organization",
        "current_disposition",
    ).prefetch_related(
        "attachments",
        Prefetch(
            "current_disposition__changed_sections",
            queryset=Section.objects.select_related("version__document").order_by("version_id", "order"),
        ),
    )


def contribution_detail(pk: int) -> Contribution:
    """One contribution with its anchor, attachments and current disposition (with changed sections)."""
    return _with_details(Contribution.objects.all()).get(pk=pk)


def user_contributions(user, consultation: Consultation) -> list[Contribution]:
    """The signed-in person's own contributions to ``consultation``, withdrawn ones included (marked)."""
    if not user.is_authenticated:
        return []
    return list(
        _with_details(Contribution.objects.filter(consultation=consultation, author=user)).order_by("number")
    )


# --- Questions --------------------------------------------------------------------------------------------


def public_questions(consultation: Consultation, user) -> list[Question]:
    """Answered questions (public) and, for the signed-in person, their own questions still pending."""
    from django.db.models import Q

    visible = Q(answered_at__isnull=False)
    if user.is_authenticated:
        visible |= Q(asked_by=user)
    return list(consultation.questions.filter(visible).order_by("created_at", "pk"))


def staff_questions(consultation: Consultation) -> list[Question]:
    """Every question, unanswered first (oldest first within each group), with who asked and answered."""
    pending_first = Case(
        When(answered_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        consultation.questions.select_related("asked_by", "answered_by")
        .annotate(pending_order=pending_first)
        .order_by("pending_order", "created_at", "pk")
    )
