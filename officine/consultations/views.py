"""Public consultation pages: the list, a consultation's page, and its published contributions.

Links to pages of the other consultation areas (contributing, Q&A, documents, outcome, staff pages) are
built here with :class:`UrlPattern`, which reverses a URL name once per page and fills in each row's
numbers: long lists stay fast, and a link whose page is not installed is simply left out.
"""

from collections.abc import Callable
from functools import partial

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.registry.choices import CprCategory

from . import selectors
from .forms_public import ConsultationFilterForm, ContributionFilterForm
from .models import Consultation, ConsultationState, DispositionOutcome

LIST_PAGE_SIZE = 20
CONTRIBUTIONS_PAGE_SIZE = 25
_SENTINELS = (987654321, 987654322, 987654323)

#: The steps of the public step indicator (a draft is not one: the public never sees it).
PUBLIC_STEPS = (
    ConsultationState.SCHEDULED,
    ConsultationState.OPEN,
    ConsultationState.CLOSED,
    ConsultationState.OUTCOME_PUBLISHED,
)
_STEP_ORDER = (ConsultationState.DRAFT, *PUBLIC_STEPS)


class UrlPattern:
    """A URL name reversed once with placeholder arguments, then filled in for each row.

    ``reverse()`` per row is what made long tables slow (see bench/README.md).
    """

    def __init__(self, name: str, arity: int = 1):
        self.template = reverse(name, args=_SENTINELS[:arity])

    def __call__(self, *args, query: str = "", anchor: str = "") -> str:
        url = self.template
        for sentinel, value in zip(_SENTINELS, args, strict=False):
            url = url.replace(str(sentinel), str(value))
        return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def _visible_consultation(request: HttpRequest, pk: int) -> Consultation:
    """The consultation, or 404 for a draft seen by someone who may not see it (drafts are not public)."""
    consultation = selectors.consultation_for_page(pk)
    if consultation is None or not request.user.has_perm("consultations.view_consultation", consultation):
        raise Http404(_("No consultation has this number."))
    return consultation


def _breadcrumbs(consultation: Consultation | None = None, current: str | None = None) -> list:
    crumbs = [(_("Consultations"), reverse("consultations:list") if consultation else None)]
    if consultation is not None:
        detail = reverse("consultations:detail", args=[consultation.pk])
        crumbs.append((consultation.title, detail if current else None))
        if current:
            crumbs.append((current, None))
    return crumbs


def _filtered_page(
    request: HttpRequest, form, rows: Callable[..., QuerySet], per_page: int
) -> tuple[Page, dict]:
    """One page of ``rows(**filters)`` for a public list, and what its template needs: the filter form, the
    counts and the elided page links of ``core/pagination.html`` (long lists cost the same to render)."""
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the valid filters; invalid ones are reported and ignored
    filters = form.filters()
    paginator = Paginator(rows(**filters), per_page)
    page = paginator.get_page(request.GET.get("page"))
    return page, {
        "form": form,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "result_count": paginator.count,
        "is_filtered": any(filters.values()),
    }


def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ConsultationFilterForm(request.GET or None)
    page, listing = _filtered_page(request, form, selectors.announced_consultations, LIST_PAGE_SIZE)
    return render(
        request,
        "consultations/public/list.html",
        {
            **listing,
            "consultations": selectors.with_countdown(list(page.object_list)),
            "nav": "consultations",
            "breadcrumbs": _breadcrumbs(),
        },
    )


def _steps(state: str) -> list[tuple[str, str]]:
    """(label, status) per public step; status is "done", "current" or "todo"."""
    position = _STEP_ORDER.index(state)
    steps = []
    for step in PUBLIC_STEPS:
        index = _STEP_ORDER.index(step)
        status = "done" if index < position else "current" if index == position else "todo"
        label = _("Announced") if step == ConsultationState.SCHEDULED else ConsultationState(step).label
        steps.append((label, status))
    return steps


def _link_documents(consultation: Consultation, overview: selectors.ConsultationOverview) -> None:
    """Give each document and section its links (version page, comparison, contribute on this section)."""
    version = UrlPattern("documents:version", 2)
    compare = UrlPattern("documents:compare", 3)
    contribute = UrlPattern("contributions:contribute")
    is_open = consultation.state == ConsultationState.OPEN
    for block in overview.documents:
        doc_pk = block.document.pk
        block.latest_url = version(doc_pk, block.latest.number) if block.latest else ""
        block.consulted_url = version(doc_pk, block.consulted.number) if block.consulted else ""
        block.compare_url = (
            compare(doc_pk, block.previous.number, block.latest.number) if block.previous else ""
        )
        for row in block.sections:
            row.url = (
                version(doc_pk, block.consulted.number, anchor=f"section-{row.section.number}")
                if block.consulted
                else ""
            )
            row.contribute_url = (
                contribute(consultation.pk, query=f"section={row.section.pk}") if is_open else ""
            )


def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _visible_consultation(request, pk)
    overview = selectors.consultation_overview(consultation)
    _link_documents(consultation, overview)
    state = consultation.state
    today = timezone.localdate()
    links = {
        "contribute": reverse("contributions:contribute", args=[consultation.pk])
        if state == ConsultationState.OPEN
        else "",
        "questions": reverse("contributions:questions", args=[consultation.pk])
        if state != ConsultationState.DRAFT
        else "",
        "contributions": reverse("consultations:contributions", args=[consultation.pk])
        if consultation.contributions_are_public
        else "",
        "outcome": reverse("outcomes:report", args=[consultation.pk])
        if state == ConsultationState.OUTCOME_PUBLISHED
        else "",
        "outcome_pdf": reverse("outcomes:pdf", args=[consultation.pk])
        if state == ConsultationState.OUTCOME_PUBLISHED
        else "",
        "manage": reverse("manage_consultations:detail", args=[consultation.pk])
        if request.user.has_perm("consultations.manage_consultation", consultation)
        else "",
    }
    return render(
        request,
        "consultations/public/detail.html",
        {
            "consultation": consultation,
            "overview": overview,
            "plan": overview.timetable,
            "steps": _steps(state),
            "links": links,
            "days_to_close": (consultation.closes_on - today).days
            if state == ConsultationState.OPEN
            else None,
            "days_to_open": (consultation.opens_on - today).days
            if state == ConsultationState.SCHEDULED
            else None,
            "nav": "consultations",
            "breadcrumbs": _breadcrumbs(consultation),
        },
    )


def _label_contributions(contributions: list) -> list:
    """Resolve each row's links and labels once per page rather than through template lookups per cell
    (the same lesson as the programme page's composition table, see bench/README.md)."""
    cpr_labels = {code: str(label) for code, label in CprCategory.choices}
    outcome_labels = {code: str(label) for code, label in DispositionOutcome.choices}
    changed_label = _("version %(version)s, section %(section)s")
    detail = UrlPattern("contributions:detail")
    version = UrlPattern("documents:version", 2)
    for contribution in contributions:
        contribution.url = detail(contribution.pk)
        contribution.cpr_label = (
            cpr_labels.get(contribution.organization.cpr_category, "") if contribution.organization else ""
        )
        disposition = contribution.current_disposition
        contribution.disposition = disposition
        contribution.disposition_label = outcome_labels.get(disposition.outcome, "") if disposition else ""
        contribution.changed_sections = list(disposition.changed_sections.all()) if disposition else []
        for section in contribution.changed_sections:
            number = section.version.number
            section.label = changed_label % {"version": number, "section": section.number}
            section.url = version(section.version.document_id, number, anchor=f"section-{section.number}")
    return contributions


def consultation_contributions(request: HttpRequest, pk: int) -> HttpResponse:
    """Published contributions with their dispositions; before closing, a page saying when they will be."""
    consultation = _visible_consultation(request, pk)
    context = {
        "consultation": consultation,
        "detail_url": reverse("consultations:detail", args=[consultation.pk]),
        "nav": "consultations",
        "breadcrumbs": _breadcrumbs(consultation, _("Contributions")),
    }
    if not consultation.contributions_are_public:
        return render(request, "consultations/public/contributions_pending.html", context)
    documents = selectors.consulted_sections(consultation)
    form = ContributionFilterForm(request.GET or None, documents=documents)
    page, listing = _filtered_page(
        request, form, partial(selectors.published_contributions, consultation), CONTRIBUTIONS_PAGE_SIZE
    )
    return render(
        request,
        "consultations/public/contributions.html",
        {
            **context,
            **listing,
            "contributions": _label_contributions(list(page.object_list)),
            "withheld_count": selectors.withheld_contribution_count(consultation),
            "several_documents": len(documents) > 1,
            "outcome_url": reverse("outcomes:report", args=[consultation.pk])
            if consultation.state == ConsultationState.OUTCOME_PUBLISHED
            else "",
        },
    )
