"""Partners as beneficiaries: the projects of an organisation in the current release, and for programme staff
which partners of a programme benefit from it (issue 5, point 5).

Why it exists: ECCP Art. 12-13 ask that partners who advise a programme do not steer decisions they benefit
from. The registry knows who the partners are; OpenCoesione knows who receives the money. They meet on the
tax code (codice fiscale) or the IPA code, as the importer's ``BeneficiaryLink`` rows record.

Two reads, two costs:

- :func:`organization_projects` lists projects, so it reads ``subjects.parquet`` with DuckDB (parameters
  bound). The organisation's links of the current release say which programme codes to read, and the file is
  sorted by ``cci`` then ``tax_code``, so DuckDB skips the row groups of other programmes. When the links
  cannot be trusted (the organisation was edited after the import, perhaps its codes) the whole file is read.
- :func:`partners_as_beneficiaries` needs only counts and sums per programme, which the importer already
  stored in ``BeneficiaryLink``: a few ORM queries whatever the size of the partnership or of the release.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
from django.core.paginator import Page, Paginator
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from officine.core.i18n import localized
from officine.core.tabular import Export, export_table
from officine.programmes.models import Membership, Programme
from officine.registry.models import Organization

from . import services, snapshot
from .models import BeneficiaryLink, ProgrammeCoverage, Release, Role

logger = logging.getLogger(__name__)

#: The roles that mean "receives or spends the programme's money": beneficiary and implementer.
PARTNER_ROLES = (Role.BENEFICIARY.value, Role.IMPLEMENTER.value)
ROLE_LABELS = {Role.BENEFICIARY.value: Role.BENEFICIARY.label, Role.IMPLEMENTER.value: Role.IMPLEMENTER.label}
DASHBOARD_URL_NAME = "monitoring:programme_dashboard"
ZERO = Decimal("0.00")


def dashboard_url(cci: str) -> str | None:
    """The implementation dashboard of a programme, or None while that page does not exist (yet)."""
    try:
        return reverse(DASHBOARD_URL_NAME, args=[cci])
    except NoReverseMatch:
        return None


def _codes(organization: Organization) -> tuple[str, str]:
    """The codes matched, normalised as the importer normalises them (upper tax code, lower IPA code)."""
    return (organization.tax_code or "").strip().upper(), (organization.ipa_code or "").strip().lower()


def links_are_current(organization: Organization, release: Release) -> bool:
    """Whether the release's links were computed from the organisation's present codes.

    Links are computed at import; an organisation created or edited afterwards may have other codes now.
    ``updated_at`` moves on any edit, so this errs on the side of reading the snapshot again."""
    return release.finished_at is not None and organization.updated_at <= release.finished_at


# --- An organisation's projects -----------------------------------------------------------------------


class ProjectsState(enum.StrEnum):
    NO_RELEASE = "no_release"
    NO_CODE = "no_code"
    NO_PROJECTS = "no_projects"
    FOUND = "found"
    UNAVAILABLE = "unavailable"  # the snapshot cannot be read (folder missing or damaged)


@dataclass(frozen=True)
class ProgrammeRef:
    """A programme code of a project, with our programme's title and a link when the programme is ours."""

    code: str
    title: str = ""
    url: str | None = None


@dataclass(frozen=True)
class OrganizationProject:
    project_code: str
    title: str
    status: str
    roles: tuple[str, ...]  # labels, beneficiary before implementer
    programmes: tuple[ProgrammeRef, ...]
    public_funding: Decimal
    payments: Decimal


@dataclass
class OrganizationProjects:
    """What the organisation page shows; ``page`` is None unless ``state`` is FOUND."""

    state: ProjectsState
    release: Release | None = None
    page: Page | None = None
    page_range: list = field(default_factory=list)
    project_count: int = 0
    beneficiary_count: int = 0
    implementer_count: int = 0
    public_funding: Decimal = ZERO
    payments: Decimal = ZERO


class _Query:
    """The DuckDB filter selecting one organisation's rows of ``subjects.parquet``, with bound parameters."""

    def __init__(self, folder: Path, tax_code: str, ipa_code: str, programme_codes: list[str] | None) -> None:
        self.folder = folder
        conditions, params = [], []
        if tax_code:
            # Plain equality, not upper(tax_code) as the importer's join: the file is sorted by tax code
            # within each programme, so equality lets DuckDB skip row groups (4x faster on 1M projects).
            # Codes are upper case in OpenCoesione; a personal code written in lower case is also tried.
            variants = sorted({tax_code, tax_code.lower()})
            conditions.append(f"tax_code IN ({', '.join('?' for _v in variants)})")
            params.extend(variants)
        if ipa_code:
            conditions.append("ipa_code = ?")
            params.append(ipa_code)
        where = f"role IN ('2', '3') AND ({' OR '.join(conditions)})"
        if programme_codes is not None:
            where += f" AND cci IN ({', '.join('?' for _c in programme_codes)})"
            params.extend(programme_codes)
        self.subjects = snapshot.parquet(folder, snapshot.SUBJECTS)
        self.projects = snapshot.parquet(folder, snapshot.PROJECTS)
        # One row per project: a project funded by several programmes is listed under each in the file.
        self.grouped = f"""
            SELECT project_code,
                   list(DISTINCT cci ORDER BY cci) AS ccis,
                   list(DISTINCT role ORDER BY role DESC) AS roles,
                   max(public_funding) AS public_funding,
                   max(payments) AS payments
            FROM {self.subjects} WHERE {where}
            GROUP BY project_code"""
        self.params = params

    def totals(self, connection: duckdb.DuckDBPyConnection) -> tuple[int, int, int, Decimal, Decimal]:
        row = connection.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE list_contains(roles, '3')),
                       count(*) FILTER (WHERE list_contains(roles, '2')),
                       coalesce(sum(public_funding), 0), coalesce(sum(payments), 0)
                FROM ({self.grouped})""",
            self.params,
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2]), Decimal(row[3]), Decimal(row[4])

    def rows(self, connection: duckdb.DuckDBPyConnection, offset: int, limit: int) -> list[tuple]:
        """One page of projects (largest funding first), with title and status from ``projects.parquet``."""
        page = connection.execute(
            f"""SELECT project_code, ccis, roles, public_funding, payments FROM ({self.grouped})
                ORDER BY public_funding DESC, project_code LIMIT ? OFFSET ?""",
            [*self.params, limit, offset],
        ).fetchall()
        if not page:
            return []
        codes = [r[0] for r in page]
        ccis = sorted({c for r in page for c in r[1]})
        amounts = [r[3] for r in page]
        # The file is sorted by cci, then funding (descending): filtering on both lets DuckDB skip the row
        # groups that cannot hold these projects (their min/max statistics), rather than read every code.
        details = {
            code: (title, status)
            for code, title, status in connection.execute(
                f"""SELECT project_code, any_value(title), any_value(status) FROM {self.projects}
                    WHERE cci IN ({", ".join("?" for _c in ccis)})
                      AND public_funding BETWEEN ? AND ?
                      AND project_code IN ({", ".join("?" for _c in codes)})
                    GROUP BY project_code""",
                [*ccis, min(amounts), max(amounts), *codes],
            ).fetchall()
        }
        return [(*r, *details.get(r[0], ("", ""))) for r in page]


class _LazyProjects:
    """A sequence for ``Paginator``: the count is known from the totals, a slice runs one page query."""

    def __init__(self, query: _Query, connection: duckdb.DuckDBPyConnection, count: int) -> None:
        self.query, self.connection, self._count = query, connection, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: slice) -> list[OrganizationProject]:
        if not isinstance(index, slice):
            raise TypeError("only slices of the project list are supported")
        start, stop = index.start or 0, index.stop if index.stop is not None else self._count
        rows = self.query.rows(self.connection, start, max(0, stop - start))
        ours = {
            cci: localized(title_it, title_en)
            for cci, title_it, title_en in Programme.objects.filter(
                cci__in={c for r in rows for c in r[1]}
            ).values_list("cci", "title_it", "title_en")
        }
        result = []
        for code, ccis, roles, funding, payments, title, status in rows:
            programmes = tuple(
                ProgrammeRef(c, ours[c], dashboard_url(c) or reverse("portal:programme_detail", args=[c]))
                if c in ours
                else ProgrammeRef(c)
                for c in ccis
            )
            result.append(
                OrganizationProject(
                    project_code=code,
                    title=title or code,
                    status=status or "",
                    roles=tuple(str(ROLE_LABELS[r]) for r in roles if r in ROLE_LABELS),
                    programmes=programmes,
                    public_funding=Decimal(funding or 0),
                    payments=Decimal(payments or 0),
                )
            )
        return result


def organization_projects(
    organization: Organization, *, page: int | str | None = 1, per_page: int = 20
) -> OrganizationProjects:
    """The projects of the current release where ``organization`` is beneficiary or implementer.

    Matched by tax code or IPA code on ``subjects.parquet``. Costs one ORM query for the release and one
    for the links; then no DuckDB query when the links say there is nothing, otherwise three on one
    connection (totals, the page, titles), plus one ORM query for the titles of our programmes. ``page``
    may be the raw query parameter."""
    release = services.current_release()
    if release is None:
        return OrganizationProjects(ProjectsState.NO_RELEASE)
    tax_code, ipa_code = _codes(organization)
    if not tax_code and not ipa_code:
        return OrganizationProjects(ProjectsState.NO_CODE, release)
    programme_codes: list[str] | None = None
    if links_are_current(organization, release):
        programme_codes = sorted(
            set(
                BeneficiaryLink.objects.filter(
                    release=release, organization=organization, role__in=PARTNER_ROLES
                ).values_list("programme_code", flat=True)
            )
        )
        if not programme_codes:
            return OrganizationProjects(ProjectsState.NO_PROJECTS, release)
    query = _Query(services.release_folder(release), tax_code, ipa_code, programme_codes)
    connection = snapshot.connect()  # one for the totals and the page: opening one costs ~10 ms
    try:
        count, beneficiary, implementer, funding, payments = query.totals(connection)
        if not count:
            return OrganizationProjects(ProjectsState.NO_PROJECTS, release)
        paginator = Paginator(_LazyProjects(query, connection, count), per_page)
        page_obj = paginator.get_page(page)  # slices the list, so the page query runs here
    except duckdb.IOException:
        # A public page should not fail because a snapshot folder went missing: say the data are unavailable.
        logger.exception("Snapshot of release %s cannot be read", release.pk)
        return OrganizationProjects(ProjectsState.UNAVAILABLE, release)
    finally:
        connection.close()
    return OrganizationProjects(
        ProjectsState.FOUND,
        release,
        page=page_obj,
        page_range=list(paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)),
        project_count=count,
        beneficiary_count=beneficiary,
        implementer_count=implementer,
        public_funding=funding,
        payments=payments,
    )


# --- The partners of a programme as beneficiaries ----------------------------------------------------


class PartnerState(enum.StrEnum):
    """Ordered as the staff page lists them: what needs a look first."""

    BENEFITS = "benefits"
    ELSEWHERE = "elsewhere"
    NOT_FOUND = "not_found"
    CANNOT_CHECK = "cannot_check"
    NO_RELEASE = "no_release"


STATE_LABELS = {
    PartnerState.BENEFITS: gettext_lazy("Beneficiary or implementer in this programme"),
    PartnerState.ELSEWHERE: gettext_lazy("Only in other programmes"),
    PartnerState.NOT_FOUND: gettext_lazy("Not found in the release"),
    PartnerState.CANNOT_CHECK: gettext_lazy("Cannot be checked: no tax code or IPA code"),
    PartnerState.NO_RELEASE: gettext_lazy("No release imported"),
}
_STATE_ORDER = {state: i for i, state in enumerate(PartnerState)}


@dataclass(frozen=True)
class RoleFigure:
    role: str
    label: str
    project_count: int
    public_funding: Decimal
    matched_on: str


@dataclass(frozen=True)
class OtherProgramme:
    code: str
    title: str
    roles: tuple[RoleFigure, ...]

    @property
    def project_count(self) -> int:
        """The largest count over roles: an organisation both beneficiary and implementer of the same
        projects would be counted twice by a sum."""
        return max((r.project_count for r in self.roles), default=0)


@dataclass(frozen=True)
class PartnerCheck:
    membership: Membership
    organization: Organization
    state: PartnerState
    in_programme: tuple[RoleFigure, ...] = ()
    elsewhere: tuple[OtherProgramme, ...] = ()
    edited_after_import: bool = False

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def matched_on(self) -> str:
        kinds = {r.matched_on for r in self.in_programme} | {
            r.matched_on for o in self.elsewhere for r in o.roles
        }
        labels = {"tax_code": _("tax code"), "ipa": _("IPA code")}
        return ", ".join(str(labels[k]) for k in sorted(kinds, reverse=True) if k in labels)


@dataclass
class PartnersReport:
    programme: Programme
    release: Release | None
    programme_in_release: bool
    rows: list[PartnerCheck]

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def benefits_count(self) -> int:
        return self.count(PartnerState.BENEFITS)

    @property
    def elsewhere_count(self) -> int:
        return self.count(PartnerState.ELSEWHERE)

    @property
    def not_found_count(self) -> int:
        return self.count(PartnerState.NOT_FOUND)

    @property
    def cannot_check_count(self) -> int:
        return self.count(PartnerState.CANNOT_CHECK)


def _figure(link: BeneficiaryLink) -> RoleFigure:
    return RoleFigure(
        link.role, str(ROLE_LABELS[link.role]), link.project_count, link.public_funding, link.matched_on
    )


def partners_as_beneficiaries(programme: Programme) -> PartnersReport:
    """For each current partner of ``programme``: whether it is beneficiary or implementer of the programme's
    projects in the current release, and of which other programmes.

    From ``BeneficiaryLink`` only (computed at import): four queries — partners, release, coverage, links —
    whatever the number of partners or projects. A partner with neither tax code nor IPA code cannot be
    matched and is said so, rather than shown as "not found"."""
    memberships = list(
        Membership.objects.current()
        .filter(programme=programme)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    release = services.current_release()
    in_release = False
    by_org: dict[int, list[BeneficiaryLink]] = defaultdict(list)
    titles: dict[str, str] = {}
    if release is not None:
        in_release = ProgrammeCoverage.objects.filter(release=release, programme=programme).exists()
        links = (
            BeneficiaryLink.objects.filter(
                release=release,
                organization_id__in=[m.organization_id for m in memberships],
                role__in=PARTNER_ROLES,
            )
            .select_related("programme")
            .order_by("programme_code", "-role")
        )
        for link in links:
            by_org[link.organization_id].append(link)
            if link.programme is not None:
                titles[link.programme_code] = link.programme.title
    rows = []
    for membership in memberships:
        organization = membership.organization
        tax_code, ipa_code = _codes(organization)
        if release is None:
            rows.append(PartnerCheck(membership, organization, PartnerState.NO_RELEASE))
            continue
        if not tax_code and not ipa_code:
            rows.append(PartnerCheck(membership, organization, PartnerState.CANNOT_CHECK))
            continue
        mine = tuple(_figure(link) for link in by_org[organization.pk] if link.programme_id == programme.pk)
        others: dict[str, list[RoleFigure]] = defaultdict(list)
        for link in by_org[organization.pk]:
            if link.programme_id != programme.pk:
                others[link.programme_code].append(_figure(link))
        elsewhere = tuple(
            OtherProgramme(code, titles.get(code, ""), tuple(figures)) for code, figures in others.items()
        )
        state = (
            PartnerState.BENEFITS if mine else PartnerState.ELSEWHERE if elsewhere else PartnerState.NOT_FOUND
        )
        rows.append(
            PartnerCheck(
                membership,
                organization,
                state,
                mine,
                elsewhere,
                edited_after_import=not links_are_current(organization, release),
            )
        )
    rows.sort(key=lambda r: _STATE_ORDER[r.state])  # stable: alphabetical within a state
    return PartnersReport(programme, release, in_release, rows)


def partners_export(report: PartnersReport) -> Export:
    """The staff table as a CSV file: one line per partner, figures for this programme by role, the other
    programmes as ``code: n projects`` text. Amounts are plain decimals with a point, as
    machine-readable data should be."""
    roles = (Role.BENEFICIARY.value, Role.IMPLEMENTER.value)
    headers = [
        _("Organisation"),
        _("Tax code"),
        _("IPA code"),
        _("Role in the partnership"),
        _("Check result"),
        _("Projects as beneficiary"),
        _("Public funding as beneficiary (EUR)"),
        _("Projects as implementer"),
        _("Public funding as implementer (EUR)"),
        _("Matched on"),
        _("Other programmes"),
        _("Registry record edited after the import"),
        _("Release date"),
    ]
    release_date = report.release.release_date if report.release else None
    rows = []
    for row in report.rows:
        figures = {f.role: f for f in row.in_programme}
        by_role = []
        for role in roles:
            figure = figures.get(role)
            by_role += [figure.project_count, figure.public_funding] if figure else [0, ZERO]
        rows.append(
            [
                row.organization.name,
                row.organization.tax_code,
                row.organization.ipa_code,
                ", ".join(row.membership.role_labels),
                row.state_label,
                *by_role,
                row.matched_on,
                "; ".join(
                    _("%(code)s: %(count)d projects") % {"code": o.code, "count": o.project_count}
                    for o in row.elsewhere
                ),
                _("yes") if row.edited_after_import else _("no"),
                release_date,
            ]
        )
    return export_table(
        headers,
        rows,
        "csv",
        title=_("Partner beneficiaries"),
        name=f"partner-beneficiaries-{report.programme.cci}",
    )
