"""Public implementation pages (namespace ``monitoring``, at ``/<lang>/implementation/``): a programme's
dashboard, its project list, the CSV of each table, the comparison of a cycle; and the staff action that
attaches an implementation snapshot to a meeting's document pack.

Views stay thin: one selector call per page (``selectors.py`` keeps each to a fixed number of DuckDB
queries). Without a release in use the pages answer 200 and say so, with how staff import one, rather than
404: the programme exists, only its data are missing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from officine.core.tabular import EXPORT_FORMATS, escape_cell, write_table
from officine.core.viewtools import download_response, message_service_errors, permission_required
from officine.meetings.models import Meeting
from officine.programmes.models import Cycle, Programme

from . import selectors, services_meetings
from .forms_dashboard import ProjectFilterForm
from .services import current_release

BREAKDOWNS = ("status", "theme", "region", "province")
CSV_TABLES = (*BREAKDOWNS, "beneficiaries", "projects")
PER_PAGE = 25
CHART_MAX_BARS = 15  # the table beside the chart always lists every line


def _programme(cci: str) -> Programme:
    return get_object_or_404(Programme.objects.select_related("region"), cci=cci)


def _crumbs(programme: Programme, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    dashboard = reverse("monitoring:programme_dashboard", args=[programme.cci]) if tail else None
    return [
        (_("Programmes"), reverse("portal:programme_list")),
        (programme.title, programme.get_absolute_url()),
        (_("Implementation"), dashboard),
        *tail,
    ]


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "") for key in ("q", "status", "theme", "region")}


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _million(amount) -> float:
    return round(float(amount) / 1_000_000, 2)


def _chart(kind: str, label: str, groups: list[selectors.Group], value) -> dict:
    """Data for ``officine/js/charts.js``: the first lines only, so that a chart stays readable."""
    shown = groups[:CHART_MAX_BARS]
    return {
        "type": kind,
        "label": label,
        "labels": [g.label for g in shown],
        "values": [value(g) for g in shown],
    }


@require_GET
def programme_dashboard(request: HttpRequest, cci: str) -> HttpResponse:
    programme = _programme(cci)
    dashboard = selectors.programme_dashboard(programme)
    charts = {}
    if dashboard is not None and dashboard.totals.projects:
        funding = _("Public funding (million €)")
        charts = {
            "status": _chart("bar", _("Projects"), dashboard.by_status, lambda g: g.projects),
            "theme": _chart("bar", funding, dashboard.by_theme, lambda g: _million(g.public_funding)),
            "region": _chart("bar", funding, dashboard.by_region, lambda g: _million(g.public_funding)),
        }
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "programme": programme,
            "dashboard": dashboard,
            "release": dashboard.release if dashboard else None,
            "charts": charts,
            "chart_max_bars": CHART_MAX_BARS,
            "nav": "programmes",
            "breadcrumbs": _crumbs(programme),
        },
    )


@require_GET
def programme_projects(request: HttpRequest, cci: str) -> HttpResponse:
    programme = _programme(cci)
    filters = _filters(request)
    result = selectors.programme_projects(programme, **filters, page=_page_number(request), per_page=PER_PAGE)
    form = page_obj = None
    if result is not None:
        form = ProjectFilterForm(
            request.GET or None, statuses=result.statuses, themes=result.themes, regions=result.regions
        )
        if form.is_bound:
            form.is_valid()  # shows a value no project has (an old link) next to its field
        # A Paginator over a range: the pagination links without holding any row.
        page_obj = Paginator(range(result.total), result.per_page).get_page(result.page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoring/projects.html",
        {
            "programme": programme,
            "result": result,
            "release": result.release if result else None,
            "form": form,
            "page_obj": page_obj,
            "csv_query": query.urlencode(),
            "nav": "programmes",
            "breadcrumbs": _crumbs(programme, (_("Projects"), None)),
        },
    )


def _column_name(table: str) -> str:
    names = {"status": _("Status"), "theme": _("Theme"), "region": _("Region"), "province": _("Province")}
    return names[table]


def _stamp(release) -> str:
    """The release date in a file name, and a word saying the data are synthetic when they are: a CSV
    travels without the page's callout."""
    return f"{release.release_date:%Y%m%d}" + (f"-{_('synthetic')}" if release.is_synthetic else "")


def _csv_name(*parts: str) -> str:
    return "-".join(p for p in parts if p) + ".csv"


def _amount(value) -> str:
    """Amounts in CSV files are plain decimals with a point (machine-readable, as in open data)."""
    return f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


@require_GET
def programme_csv(request: HttpRequest, cci: str, table: str) -> HttpResponse:
    """Each table of the dashboard as CSV; ``projects`` streams every project matching the list's filters."""
    if table not in CSV_TABLES:
        raise Http404
    programme = _programme(cci)
    release = current_release()
    if release is None:
        raise Http404(_("No implementation data have been imported yet."))
    stamp = _stamp(release)
    if table == "projects":
        name = _csv_name(programme.cci, _("projects"), stamp)
        return _projects_csv(programme, release, _filters(request), name)
    dashboard = selectors.programme_dashboard(programme, release=release)
    if table == "beneficiaries":
        headers = [_("Tax code"), _("Beneficiary"), _("Projects"), _("Public funding (€)"), _("Payments (€)")]
        rows = [
            [b.tax_code, b.name, b.projects, _amount(b.public_funding), _amount(b.payments)]
            for b in dashboard.top_beneficiaries
        ]
    else:
        headers = [
            _("Code"),
            _column_name(table),
            _("Projects"),
            _("Public funding (€)"),
            _("Commitments (€)"),
            _("Payments (€)"),
            _("Payment rate"),
        ]
        rows = [
            [
                g.code,
                g.label,
                g.projects,
                _amount(g.public_funding),
                _amount(g.commitments),
                _amount(g.payments),
                _ratio(g.payment_rate),
            ]
            for g in getattr(dashboard, f"by_{table}")
        ]
    names = {"status": _("status"), "theme": _("theme"), "region": _("region"), "province": _("province")}
    name = _csv_name(programme.cci, names.get(table, _("beneficiaries")), stamp)
    return download_response(write_table(headers, rows, "csv"), EXPORT_FORMATS["csv"].content_type, name)


class _Echo:
    """A file-like object whose ``write`` returns the line, so that csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _projects_csv(programme: Programme, release, filters: dict[str, str], name: str) -> StreamingHttpResponse:
    headers = [
        _("Project code"),
        _("CUP"),
        _("Title"),
        _("Status"),
        _("Theme"),
        _("Region"),
        _("Province"),
        _("Beneficiary"),
        _("Public funding (€)"),
        _("Commitments (€)"),
        _("Payments (€)"),
        _("Payment rate"),
        _("Start date"),
        _("Expected end date"),
    ]
    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([escape_cell(str(h)) for h in headers])
        for r in selectors.iter_programme_projects(programme, release, **filters):
            yield writer.writerow(
                [
                    escape_cell(r.project_code),
                    escape_cell(r.cup),
                    escape_cell(r.title),
                    escape_cell(r.status),
                    escape_cell(r.theme),
                    escape_cell(r.region),
                    escape_cell(r.province),
                    escape_cell(r.beneficiary),
                    _amount(r.public_funding),
                    _amount(r.commitments),
                    _amount(r.payments),
                    _ratio(r.payment_rate),
                    r.start_date.isoformat() if r.start_date else "",
                    r.end_date.isoformat() if r.end_date else "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type=EXPORT_FORMATS["csv"].content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cycle(cycle: str) -> str:
    if cycle not in Cycle.values:
        raise Http404(_("No programming period is called so."))
    return cycle


@require_GET
def cycle_comparison(request: HttpRequest, cycle: str) -> HttpResponse:
    cycle = _cycle(cycle)
    release = current_release()
    rows = selectors.cycle_comparison(cycle, release=release) if release else []
    with_data = [r for r in rows if r.has_data]
    chart = {
        "type": "bar",
        "label": _("Payment rate (%)"),
        "labels": [r.title for r in with_data[:CHART_MAX_BARS]],
        "values": [round((r.payment_rate or 0) * 100, 1) for r in with_data[:CHART_MAX_BARS]],
    }
    return render(
        request,
        "monitoring/compare.html",
        {
            "cycle": cycle,
            "cycles": Cycle.values,
            "release": release,
            "rows": rows,
            "with_data": len(with_data),
            "totals": selectors.comparison_totals(rows),
            "chart": chart,
            "nav": "programmes",
            "breadcrumbs": [
                (_("Programmes"), reverse("portal:programme_list")),
                (_("Implementation of the programmes %(cycle)s") % {"cycle": cycle}, None),
            ],
        },
    )


@require_GET
def cycle_comparison_csv(request: HttpRequest, cycle: str) -> HttpResponse:
    cycle = _cycle(cycle)
    release = current_release()
    if release is None:
        raise Http404(_("No implementation data have been imported yet."))
    headers = [
        _("CCI code"),
        _("Programme"),
        _("Type"),
        _("Region"),
        _("In the release"),
        _("Projects"),
        _("Public funding (€)"),
        _("Commitments (€)"),
        _("Payments (€)"),
        _("Payment rate"),
    ]
    rows = [
        [
            r.cci,
            r.title,
            r.kind,
            r.region,
            _("yes") if r.has_data else _("no"),
            r.projects if r.has_data else "",
            _amount(r.public_funding) if r.has_data else "",
            _amount(r.commitments) if r.has_data else "",
            _amount(r.payments) if r.has_data else "",
            _ratio(r.payment_rate),
        ]
        for r in selectors.cycle_comparison(cycle, release=release)
    ]
    name = _csv_name(_("programmes"), cycle, _stamp(release))
    return download_response(write_table(headers, rows, "csv"), EXPORT_FORMATS["csv"].content_type, name)


# --- staff: the snapshot in a meeting's pack --------------------------------------------------------------


def _meeting(request: HttpRequest, pk: int, **_kwargs) -> Meeting:
    cached = getattr(request, "_officine_meeting", None)
    if cached is None or cached.pk != pk:
        cached = get_object_or_404(
            Meeting.objects.select_related("body", "programme").prefetch_related("body__programmes"), pk=pk
        )
        request._officine_meeting = cached
    return cached


@require_POST
@permission_required("meetings.manage_meeting", _meeting)
def attach_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the implementation snapshot of each programme the meeting's body serves to its document pack."""
    meeting = _meeting(request, pk)
    try:
        outcome = services_meetings.attach_snapshots(meeting, request.user)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        for document in outcome.created:
            messages.success(request, _("Added to the pack: %(title)s.") % {"title": document.title})
        for title in outcome.skipped:
            messages.info(request, _("Already in the pack: %(title)s.") % {"title": title})
    return redirect("manage_meetings:meeting", pk=meeting.pk)
