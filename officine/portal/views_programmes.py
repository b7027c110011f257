"""Public programme pages: the filterable list and a programme's page with its partnership.

Both cost a fixed number of queries whatever the number of programmes or partners (see the selectors).
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format, get_format
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from officine.consultations.selectors import programme_consultations
from officine.meetings import compliance
from officine.meetings.selectors import programme_bodies, upcoming_meetings
from officine.monitoring.selectors import programme_summary
from officine.programmes import selectors
from officine.programmes.forms import ProgrammeFilterForm
from officine.registry.choices import CprCategory, EccpSubcategory

PAGE_SIZE = 25
COMPOSITION_PAGE_SIZE = 60  # one page for most partnerships (30-60 members); larger ones page through


def programme_list(request: HttpRequest) -> HttpResponse:
    form = ProgrammeFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the valid filters; invalid ones are reported and ignored
    filters = form.filters()
    paginator = Paginator(selectors.list_programmes(**filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/programmes/list.html",
        {
            "form": form,
            "page_obj": page,
            "programmes": page.object_list,
            "result_count": paginator.count,
            "is_filtered": any(filters.values()),
            "can_add": request.user.has_perm("programmes.add_programme"),
            "nav": "programmes",
            "breadcrumbs": [(_("Programmes"), None)],
        },
    )


def programme_detail(request: HttpRequest, cci: str) -> HttpResponse:
    programme = selectors.programme_detail(cci)
    if programme is None:
        raise Http404(_("No programme has this CCI code."))
    panel = selectors.representativeness(programme)
    # Large partnerships (a few hundred members) are shown a page at a time; the chart and the
    # representativeness panel always cover the whole partnership.
    members_page = Paginator(selectors.partnership_composition(programme), COMPOSITION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    user = request.user
    can_change = user.has_perm("programmes.change_programme", programme)
    return render(
        request,
        "portal/programmes/detail.html",
        {
            "programme": programme,
            "memberships": composition_rows(programme, members_page.object_list),
            "page_obj": members_page,
            "panel": panel,
            "chart_data": panel.chart,
            "consultations": programme_consultations(programme),
            "bodies": programme_bodies(programme),
            "upcoming_meetings": upcoming_meetings(programme),
            "implementation": programme_summary(programme),  # one query, no Parquet read
            "calendar_query": f"programme={programme.pk}",
            # compliance of its monitoring committee and bodies, for the programme's staff (issue 4 point 9)
            "compliance_alerts": compliance.programme_alerts(programme) if can_change else [],
            "can_change": can_change,
            "can_manage_partnership": user.has_perm("programmes.manage_partnership", programme),
            "can_manage_staff": user.has_perm("programmes.manage_staff", programme),
            "nav": "programmes",
            "breadcrumbs": [(_("Programmes"), reverse("portal:programme_list")), (programme.title, None)],
        },
    )


@dataclass(frozen=True)
class CompositionRow:
    """One line of the public composition table, with every label already resolved."""

    pk: int
    name: str
    acronym: str
    url: str
    is_demo: bool
    cpr_code: str
    cpr_label: str
    eccp_label: str
    roles: str  # an HTML list, built once with format_html_join
    since: str
    act_number: str
    act_date: str
    act_url: str
    document_url: str


def composition_rows(programme, memberships) -> list[CompositionRow]:
    """Resolve labels, dates and links once per page rather than once per cell.

    A partnership can hold a few hundred members; rendering each cell through template lookups, gettext
    and ``reverse`` made this table the slowest part of the programme page (see bench/README.md).
    """
    cpr_labels = {code: str(label) for code, label in CprCategory.choices}
    eccp_labels = {code: str(label) for code, label in EccpSubcategory.choices}
    role_names = (str(_("Consulted partner")), str(_("Monitoring committee")), str(_("Working group")))
    org_url = reverse("portal:organization_detail", args=[0])[: -len("0/")]
    doc_url = reverse("portal:selection_document", args=[programme.cci, 0])[: -len("0/")]
    short_date = _strftime_pattern(get_format("SHORT_DATE_FORMAT"))
    rows = []
    for m in memberships:
        org = m.organization
        flags = (m.is_consultee, m.is_committee_member, m.is_working_group_member)
        rows.append(
            CompositionRow(
                pk=m.pk,
                name=org.name,
                acronym=org.acronym,
                url=f"{org_url}{org.pk}/",
                is_demo=m.is_demo,
                cpr_code=org.cpr_category,
                cpr_label=cpr_labels.get(org.cpr_category, ""),
                eccp_label=eccp_labels.get(org.eccp_subcategory, ""),
                roles=format_html_join(
                    "", "<li>{}</li>", ((name,) for name, on in zip(role_names, flags, strict=True) if on)
                ),
                since=_format_date(m.start_date, short_date),
                act_number=m.selection_act_number,
                act_date=_format_date(m.selection_act_date, short_date),
                act_url=m.selection_url,
                document_url=f"{doc_url}{m.pk}/" if m.selection_document else "",
            )
        )
    return rows


def _strftime_pattern(django_format: str) -> str | None:
    """Turn a day/month/year Django date format into a strftime pattern (None if it uses anything else)."""
    mapping = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}
    if any(ch.isalpha() and ch not in mapping for ch in django_format):
        return None
    return "".join(mapping.get(ch, ch) for ch in django_format)


def _format_date(value, pattern: str | None) -> str:
    if value is None:
        return ""
    return value.strftime(pattern) if pattern else date_format(value, "SHORT_DATE_FORMAT")


def selection_document(request: HttpRequest, cci: str, pk: int) -> HttpResponse:
    """The act that selected a partner: public (ECCP Art. 2), served from storage whatever the deployment.

    Media are not served by the web server in production, so documents go through a view; this one needs no
    permission check because selection acts are published by law.
    """
    from django.http import FileResponse
    from django.shortcuts import get_object_or_404

    from officine.programmes.models import Membership

    membership = get_object_or_404(Membership.objects.select_related("programme"), pk=pk, programme__cci=cci)
    if not membership.selection_document:
        raise Http404
    document = membership.selection_document
    return FileResponse(document.open("rb"), as_attachment=False, filename=document.name.rsplit("/", 1)[-1])
