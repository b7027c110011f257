"""Reads for the implementation dashboards: a programme's figures, its project list, the cycle comparison.

The figures come from the current release's Parquet snapshot (``snapshot.py`` documents its layout), queried
with DuckDB: one in-memory connection per call (DuckDB connections are not shared between threads, and
opening one costs well under a millisecond), every user-supplied value bound with ``?``. Both files are
sorted by ``cci``, so ``WHERE cci = ?`` reads only the row groups of the programme asked for: the work of a
page grows with the size of the programme, never with the size of the release.

Each page costs a fixed, small number of queries: the dashboard two (all breakdowns in one scan with
GROUPING SETS, then the top beneficiaries), the project list two (filter options and the filtered count in
one scan, then the page of rows). The comparison of a cycle reads only the web database
(``ProgrammeCoverage``, whose sums the importer computes once).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db.models import F, FilteredRelation, Q
from django.utils.translation import gettext as _

from officine.programmes.models import Programme
from officine.registry.models import Organization

from . import snapshot
from .models import ProgrammeCoverage, Release, ReleaseStatus, Role
from .services import current_release, release_folder

#: OpenCoesione's project statuses (OC_STATO_PROGETTO), in the order a project goes through them.
STATUSES = ("Non avviato", "In corso", "Liquidato", "Concluso")
NOT_AVAILABLE = "n.d."  # what the importer writes for a blank status or theme
TOP_BENEFICIARIES = 10
MAX_PER_PAGE = 100
CSV_BATCH = 5_000
ZERO = Decimal("0.00")


def _rate(payments: Decimal, funding: Decimal) -> float | None:
    """Payments over public funding, as OpenCoesione computes a programme's progress (None when unfunded)."""
    return float(payments / funding) if funding else None


class _PaymentRate:
    """The payment rate of anything with ``payments`` and ``public_funding`` (totals, breakdown lines)."""

    payments: Decimal
    public_funding: Decimal

    @property
    def payment_rate(self) -> float | None:
        return _rate(self.payments, self.public_funding)


@dataclass(frozen=True)
class Totals(_PaymentRate):
    projects: int
    public_funding: Decimal
    commitments: Decimal
    payments: Decimal


@dataclass(frozen=True)
class Group(_PaymentRate):
    """One line of a breakdown (a status, a theme, a region or a province)."""

    code: str
    label: str
    projects: int
    public_funding: Decimal
    commitments: Decimal
    payments: Decimal


@dataclass(frozen=True)
class Beneficiary:
    tax_code: str
    name: str
    projects: int
    public_funding: Decimal
    payments: Decimal
    organization_id: int | None = None  # one of our organisations, matched by tax code


@dataclass(frozen=True)
class ProgrammeDashboard:
    release: Release
    programme: Programme
    totals: Totals
    by_status: list[Group]
    by_theme: list[Group]
    by_region: list[Group]
    by_province: list[Group]
    top_beneficiaries: list[Beneficiary]

    @property
    def payment_rate(self) -> float | None:
        return self.totals.payment_rate


@dataclass(frozen=True)
class Option:
    """A value of a filter of the project list, with how many projects of the programme have it."""

    value: str
    label: str
    projects: int


@dataclass(frozen=True)
class ProjectRow:
    project_code: str
    cup: str
    title: str
    status: str
    theme: str
    region: str
    province: str
    public_funding: Decimal
    commitments: Decimal
    payments: Decimal
    start_date: date | None
    end_date: date | None
    beneficiary: str

    @property
    def payment_rate(self) -> float | None:
        return _rate(self.payments, self.public_funding)


@dataclass(frozen=True)
class ProjectFilters:
    q: str = ""
    status: str = ""
    theme: str = ""
    region: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.theme or self.region)


@dataclass(frozen=True)
class ProjectPage:
    release: Release
    programme: Programme
    filters: ProjectFilters
    total: int  # projects matching the filters
    rows: list[ProjectRow]
    page: int
    per_page: int
    statuses: list[Option] = field(default_factory=list)
    themes: list[Option] = field(default_factory=list)
    regions: list[Option] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


@dataclass(frozen=True)
class ComparisonRow:
    """A programme of the cycle with the headline figures of the current release (``has_data`` False when
    the release holds no project of it)."""

    cci: str
    title: str
    kind: str
    region: str
    has_data: bool
    projects: int
    public_funding: Decimal
    commitments: Decimal
    payments: Decimal

    @property
    def payment_rate(self) -> float | None:
        return _rate(self.payments, self.public_funding) if self.has_data else None


# --- labels ----------------------------------------------------------------------------------------------


_ELIDED = re.compile(r"(?<=\w )(D|Dell|Nell|Sull|Dall)'(?=\w)")


def _place(name: str | None) -> str:
    """OpenCoesione writes places in capitals ("REGGIO NELL'EMILIA"); pages show them as names ("Reggio
    nell'Emilia", "Valle d'Aosta", but "L'Aquila")."""
    titled = (name or "").strip().title()
    return _ELIDED.sub(lambda m: m[1].lower() + "'", titled)


def region_label(code: str | None, name: str | None) -> str:
    if code == snapshot.MULTI:
        return _("Several regions")
    if not code:
        return _("Not specified")
    return _place(name) or code


def province_label(code: str | None, name: str | None) -> str:
    if code == snapshot.MULTI:
        return _("Several provinces")
    if not code:
        return _("Not specified")
    return _place(name) or code


def _plain_label(value: str | None) -> str:
    return _("Not available") if not value or value == NOT_AVAILABLE else value


# --- DuckDB helpers --------------------------------------------------------------------------------------


def _folder(release: Release) -> Path:
    return release_folder(release)


def _query(sql: str, params: list) -> list[tuple]:
    connection = snapshot.connect()
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _money(value) -> Decimal:
    return Decimal(value).quantize(ZERO) if value is not None else ZERO


def _group(code, label, n, funding, commitments, payments) -> Group:
    return Group(
        code=code or "",
        label=label,
        projects=int(n or 0),
        public_funding=_money(funding),
        commitments=_money(commitments),
        payments=_money(payments),
    )


def _by_funding(groups: list[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.public_funding, -g.projects, g.label))


# --- the dashboard ---------------------------------------------------------------------------------------

# GROUPING(status, theme, region_code, province_code): a bit set for each column *not* grouped on.
_ALL, _STATUS, _THEME, _REGION, _PROVINCE = 0b1111, 0b0111, 0b1011, 0b1101, 0b1110


def programme_dashboard(programme: Programme, *, release: Release | None = None) -> ProgrammeDashboard | None:
    """A programme's implementation figures in the current release (None when no release is in use).

    A release without projects of the programme gives zero totals and the four statuses at zero: the page
    says the programme is not in the release rather than failing."""
    release = release or current_release()
    if release is None:
        return None
    folder = _folder(release)
    rows = _query(
        f"""SELECT GROUPING(status, theme, region_code, province_code) AS g,
                   status, theme, region_code, min(region_name), province_code, min(province_name),
                   count(*), sum(public_funding), sum(commitments), sum(payments)
            FROM {snapshot.parquet(folder, snapshot.PROJECTS)}
            WHERE cci = ?
            GROUP BY GROUPING SETS ((), (status), (theme), (region_code), (province_code))""",
        [programme.cci],
    )
    totals = Totals(0, ZERO, ZERO, ZERO)
    statuses: dict[str, Group] = {}
    themes, regions, provinces = [], [], []
    for g, status, theme, region, region_name, province, province_name, n, fund, comm, paid in rows:
        if g == _ALL:
            totals = Totals(int(n), _money(fund), _money(comm), _money(paid))
        elif g == _STATUS:
            statuses[status] = _group(status, _plain_label(status), n, fund, comm, paid)
        elif g == _THEME:
            themes.append(_group(theme, _plain_label(theme), n, fund, comm, paid))
        elif g == _REGION:
            regions.append(_group(region, region_label(region, region_name), n, fund, comm, paid))
        elif g == _PROVINCE:
            provinces.append(_group(province, province_label(province, province_name), n, fund, comm, paid))
    by_status = [statuses.pop(s, None) or _group(s, s, 0, 0, 0, 0) for s in STATUSES]
    by_status += sorted(statuses.values(), key=lambda g: g.label)
    return ProgrammeDashboard(
        release=release,
        programme=programme,
        totals=totals,
        by_status=by_status,
        by_theme=_by_funding(themes),
        by_region=_by_funding(regions),
        by_province=_by_funding(provinces),
        top_beneficiaries=_top_beneficiaries(folder, programme.cci) if totals.projects else [],
    )


def _top_beneficiaries(folder: Path, cci: str, limit: int = TOP_BENEFICIARIES) -> list[Beneficiary]:
    """The beneficiaries (role 3) with the most public funding in the programme's projects.

    A subject is its tax code (or its name when the file gives none); a project counts once per subject even
    if the subject is listed twice on it. Each subject is credited with the whole funding of its projects, as
    on OpenCoesione's subject pages, so shares of a project with several beneficiaries are not split."""
    subjects = snapshot.parquet(folder, snapshot.SUBJECTS)
    subject = "coalesce(tax_code, '#' || name)"
    # DISTINCT (subject, project) before summing: cheaper than grouping with any_value(), and the names
    # are joined to the ten winners only.
    rows = _query(
        f"""WITH top AS (
                SELECT subject, count(*) AS projects, sum(public_funding) AS funding, sum(payments) AS paid
                FROM (SELECT DISTINCT {subject} AS subject, project_code, public_funding, payments
                      FROM {subjects} WHERE cci = ? AND role = ?)
                GROUP BY subject
                ORDER BY funding DESC, subject
                LIMIT ?
            ),
            names AS (
                SELECT {subject} AS subject, any_value(tax_code) AS tax_code, min(name) AS name
                FROM {subjects} WHERE cci = ? AND role = ?
                GROUP BY subject
            )
            SELECT names.tax_code, names.name, top.projects, top.funding, top.paid
            FROM top JOIN names USING (subject)
            ORDER BY top.funding DESC, top.subject""",
        [cci, Role.BENEFICIARY.value, limit, cci, Role.BENEFICIARY.value],
    )
    codes = [r[0].upper() for r in rows if r[0]]
    ours = {}
    if codes:
        ours = dict(Organization.objects.filter(tax_code__in=codes).values_list("tax_code", "pk"))
    return [
        Beneficiary(
            tax_code=tax_code or "",
            name=name or tax_code or "",
            projects=int(n),
            public_funding=_money(funding),
            payments=_money(paid),
            organization_id=ours.get((tax_code or "").upper()),
        )
        for tax_code, name, n, funding, paid in rows
    ]


# --- the project list ------------------------------------------------------------------------------------


def _filter_sql(filters: ProjectFilters) -> tuple[str, list]:
    """The WHERE clause of the filters (after ``cci = ?``) and its bound values."""
    clauses, params = [], []
    if filters.status:
        clauses.append("status = ?")
        params.append(filters.status)
    if filters.theme:
        clauses.append("theme = ?")
        params.append(filters.theme)
    if filters.region:
        if filters.region == "-":  # projects without a region
            clauses.append("region_code IS NULL")
        else:
            clauses.append("region_code = ?")
            params.append(filters.region)
    if filters.q:
        needle = filters.q.lower()
        clauses.append(
            "(contains(lower(coalesce(title, '')), ?) OR contains(lower(coalesce(cup, '')), ?)"
            " OR contains(lower(project_code), ?) OR contains(lower(coalesce(beneficiary, '')), ?))"
        )
        params += [needle] * 4
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


def _clean_filters(q: str, status: str, theme: str, region: str) -> ProjectFilters:
    return ProjectFilters(
        q=" ".join((q or "").split())[:200],
        status=(status or "").strip()[:100],
        theme=(theme or "").strip()[:200],
        region=(region or "").strip()[:10],
    )


_PROJECT_COLUMNS = """project_code, cup, title, status, theme, region_code, region_name, province_code,
    province_name, public_funding, commitments, payments, start_date, end_date, beneficiary"""


def _project_row(values: tuple) -> ProjectRow:
    (code, cup, title, status, theme, region, region_name, province, province_name, funding, commitments,
     payments, start, end, beneficiary) = values  # fmt: skip
    return ProjectRow(
        project_code=code or "",
        cup=cup or "",
        title=title or "",
        status=_plain_label(status),
        theme=_plain_label(theme),
        region=region_label(region, region_name),
        province=province_label(province, province_name) if province or region else "",
        public_funding=_money(funding),
        commitments=_money(commitments),
        payments=_money(payments),
        start_date=start,
        end_date=end,
        beneficiary=beneficiary or "",
    )


def programme_projects(
    programme: Programme,
    *,
    q: str = "",
    status: str = "",
    theme: str = "",
    region: str = "",
    page: int = 1,
    per_page: int = 25,
    release: Release | None = None,
) -> ProjectPage | None:
    """One page of the programme's projects, largest public funding first, with the filters' options.

    ``q`` searches the title, CUP, local project code and beneficiary names, case-insensitively; ``region``
    is an ISTAT region code, ``MULTI`` (several regions) or ``-`` (none given). A page past the end gives
    the last page. None when no release is in use."""
    release = release or current_release()
    if release is None:
        return None
    filters = _clean_filters(q, status, theme, region)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    folder = _folder(release)
    source = snapshot.parquet(folder, snapshot.PROJECTS)
    where, params = _filter_sql(filters)
    # One scan: the options of each filter (on the whole programme) and the count of the filtered projects.
    counts = _query(
        f"""SELECT GROUPING(status, theme, region_code) AS g, status, theme, region_code, min(region_name),
                   count(*), count(*) FILTER (WHERE true {where})
            FROM {source}
            WHERE cci = ?
            GROUP BY GROUPING SETS ((), (status), (theme), (region_code))""",
        [*params, programme.cci],
    )
    total, statuses, themes, regions = 0, {}, [], []
    for g, status_value, theme_value, region_code, region_name, n, matching in counts:
        if g == 0b111:
            total = int(matching)
        elif g == 0b011:
            statuses[status_value] = Option(status_value, _plain_label(status_value), int(n))
        elif g == 0b101:
            themes.append(Option(theme_value, _plain_label(theme_value), int(n)))
        elif g == 0b110:
            regions.append(Option(region_code or "-", region_label(region_code, region_name), int(n)))
    status_options = [statuses.pop(s) for s in STATUSES if s in statuses]
    status_options += sorted(statuses.values(), key=lambda o: o.label)
    num_pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), num_pages))
    rows = []
    if total:
        rows = [
            _project_row(r)
            for r in _query(
                f"""SELECT {_PROJECT_COLUMNS} FROM {source}
                    WHERE cci = ? {where}
                    ORDER BY public_funding DESC, project_code
                    LIMIT ? OFFSET ?""",
                [programme.cci, *params, per_page, (page - 1) * per_page],
            )
        ]
    return ProjectPage(
        release=release,
        programme=programme,
        filters=filters,
        total=total,
        rows=rows,
        page=page,
        per_page=per_page,
        statuses=status_options,
        themes=sorted(themes, key=lambda o: o.label),
        regions=sorted(regions, key=lambda o: (o.value in (snapshot.MULTI, "-"), o.label)),
    )


def iter_programme_projects(
    programme: Programme,
    release: Release,
    *,
    q: str = "",
    status: str = "",
    theme: str = "",
    region: str = "",
) -> Iterator[ProjectRow]:
    """Every project matching the filters, in the list's order, fetched in batches (the CSV download
    streams it, so a programme of 200,000 projects never sits in memory at once)."""
    where, params = _filter_sql(_clean_filters(q, status, theme, region))
    connection = snapshot.connect()
    try:
        cursor = connection.execute(
            f"""SELECT {_PROJECT_COLUMNS} FROM {snapshot.parquet(_folder(release), snapshot.PROJECTS)}
                WHERE cci = ? {where}
                ORDER BY public_funding DESC, project_code""",
            [programme.cci, *params],
        )
        while batch := cursor.fetchmany(CSV_BATCH):
            yield from (_project_row(r) for r in batch)
    finally:
        connection.close()


# --- the comparison of a cycle and the programme page's summary ------------------------------------------


def cycle_comparison(cycle: str, *, release: Release | None = None) -> list[ComparisonRow]:
    """Every programme of ``cycle`` with its headline figures in the current release, largest funding first;
    programmes the release does not hold (or every programme, when no release is in use) come last with
    ``has_data`` False. One query (two without ``release``), from the sums the importer stored."""
    release = release or current_release()
    programmes = Programme.objects.filter(cycle=cycle).select_related("region")
    if release is not None:
        programmes = programmes.annotate(
            cov=FilteredRelation(
                "implementation_coverage", condition=Q(implementation_coverage__release=release)
            ),
            cov_id=F("cov__id"),
            cov_projects=F("cov__project_count"),
            cov_funding=F("cov__public_funding"),
            cov_commitments=F("cov__commitments"),
            cov_payments=F("cov__payments"),
        )
    rows = []
    for p in programmes:
        has_data = getattr(p, "cov_id", None) is not None
        rows.append(
            ComparisonRow(
                cci=p.cci,
                title=p.title,
                kind=p.get_kind_display(),
                region=p.region.name if p.region_id else "",
                has_data=has_data,
                projects=p.cov_projects if has_data else 0,
                public_funding=_money(p.cov_funding) if has_data else ZERO,
                commitments=_money(p.cov_commitments) if has_data else ZERO,
                payments=_money(p.cov_payments) if has_data else ZERO,
            )
        )
    return sorted(rows, key=lambda r: (not r.has_data, -r.public_funding, r.title))


def comparison_totals(rows: list[ComparisonRow]) -> Totals:
    with_data = [r for r in rows if r.has_data]
    return Totals(
        projects=sum(r.projects for r in with_data),
        public_funding=sum((r.public_funding for r in with_data), ZERO),
        commitments=sum((r.commitments for r in with_data), ZERO),
        payments=sum((r.payments for r in with_data), ZERO),
    )


@dataclass(frozen=True)
class ProgrammeSummary:
    """What the programme page shows of the implementation: the current release and the programme's sums
    in it (``coverage`` None when the release holds no project of the programme)."""

    release: Release | None
    coverage: ProgrammeCoverage | None


def programme_summary(programme: Programme) -> ProgrammeSummary:
    """The programme page's "Implementation" box, from the web database only and in one query (the current
    release with the programme's sums joined to it): no Parquet read on the busiest public page."""
    release = (
        Release.objects.filter(status=ReleaseStatus.CURRENT)
        .annotate(
            cov=FilteredRelation("coverage", condition=Q(coverage__programme=programme)),
            cov_id=F("cov__id"),
            cov_projects=F("cov__project_count"),
            cov_funding=F("cov__public_funding"),
            cov_commitments=F("cov__commitments"),
            cov_payments=F("cov__payments"),
        )
        .first()
    )
    if release is None or release.cov_id is None:
        return ProgrammeSummary(release, None)
    coverage = ProgrammeCoverage(
        pk=release.cov_id,
        release=release,
        programme=programme,
        project_count=release.cov_projects,
        public_funding=release.cov_funding,
        commitments=release.cov_commitments,
        payments=release.cov_payments,
    )
    return ProgrammeSummary(release, coverage)
