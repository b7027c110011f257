"""Read queries of the programmes app, shaped so that a page's query count does not grow with the data."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from officine.core.search import apply_search
from officine.registry.choices import (
    CivilSocietyFocus,
    CprCategory,
    EccpSubcategory,
    Gender,
    TerritorialLevel,
    TerritoryLevel,
)
from officine.registry.models import Organization, Representative, Territory
from officine.registry.validators import normalize_code

from .models import Fund, Membership, Priority, Programme, ProgrammeKind, ProgrammeStaff

#: ECCP Art. 10: the monitoring committee should aim at gender balance; below this share we warn.
GENDER_THRESHOLD = 40
#: ISTAT codes of the two autonomous provinces, which run their own regional programmes.
AUTONOMOUS_PROVINCE_CODES = ("021", "022")
#: Members acting at this level represent the whole country (or Europe), not one region.
SUPRA_REGIONAL_LEVELS = (TerritorialLevel.NATIONAL, TerritorialLevel.EU)


def _current_q(prefix: str = "", on: date | None = None) -> Q:
    day = on or timezone.localdate()
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


# --- Lists and pages ---------------------------------------------------------------------------------


def programme_regions() -> QuerySet[Territory]:
    """Territories a programme can belong to: the 20 regions and the two autonomous provinces."""
    return Territory.objects.filter(
        Q(level=TerritoryLevel.REGION) | Q(level=TerritoryLevel.PROVINCE, code__in=AUTONOMOUS_PROVINCE_CODES)
    ).order_by("name")


def list_funds() -> QuerySet[Fund]:
    return Fund.objects.all()


def list_programmes(
    cycle: str | None = None,
    fund: str | None = None,
    region_id: int | None = None,
    kind: str | None = None,
    query: str | None = None,
) -> QuerySet[Programme]:
    """Programmes for the public list, each annotated with ``partner_count`` (current memberships).

    Funds are prefetched and region and managing authority joined, so a page of the list costs the same
    number of queries however many programmes or memberships there are. ``fund`` is a fund code (``ERDF``).
    """
    qs = Programme.objects.select_related("region", "managing_authority").prefetch_related("funds")
    if cycle:
        qs = qs.filter(cycle=cycle)
    if kind:
        qs = qs.filter(kind=kind)
    if region_id:
        # Trentino-Alto Adige has no programme of its own: its two autonomous provinces do.
        qs = qs.filter(Q(region_id=region_id) | Q(region__parent_id=region_id))
    if fund:
        qs = qs.filter(funds__code=fund)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(cci__icontains=query.replace(" ", ""))
            | Q(title_it__icontains=query)
            | Q(title_en__icontains=query)
            | Q(managing_authority__name__icontains=query)
        )
    return qs.annotate(
        partner_count=Count("memberships", filter=_current_q("memberships__"), distinct=True)
    ).order_by("-cycle", "kind", "title_it")


def programme_detail(cci: str) -> Programme | None:
    """One programme with what its page shows (funds, priorities, region, managing authority), or None."""
    return (
        Programme.objects.select_related("region", "managing_authority")
        .prefetch_related(
            "funds", Prefetch("priorities", queryset=Priority.objects.order_by("order", "code"))
        )
        .filter(cci=cci.upper())
        .first()
    )


# What the public composition table shows; the organisation's long texts and search document stay unloaded.
COMPOSITION_MEMBERSHIP_FIELDS = (
    "programme_id",
    "organization_id",
    "is_consultee",
    "is_committee_member",
    "is_working_group_member",
    "start_date",
    "end_date",
    "selection_act_number",
    "selection_act_date",
    "selection_url",
    "selection_document",
    "is_demo",
)


def partnership_composition(programme: Programme, on: date | None = None) -> QuerySet[Membership]:
    """Current memberships with their organisation (categories live on it) and selection act.

    A queryset, so that a paginator fetches only the rows of the page it shows.
    """
    return (
        Membership.objects.filter(programme=programme)
        .filter(_current_q(on=on))
        .select_related("organization")
        .only(
            *COMPOSITION_MEMBERSHIP_FIELDS,
            "organization__name",
            "organization__acronym",
            "organization__cpr_category",
            "organization__eccp_subcategory",
        )
        .order_by("organization__cpr_category", "organization__name")
    )


def all_memberships(programme: Programme) -> list[Membership]:
    """Every membership, current, future and ended, for the staff's partnership page."""
    return list(
        Membership.objects.filter(programme=programme)
        .select_related("organization")
        .order_by("organization__name", "-start_date")
    )


def programme_staff(programme: Programme) -> list[ProgrammeStaff]:
    return list(
        ProgrammeStaff.objects.filter(programme=programme).select_related("user").order_by("user__email")
    )


# --- Representativeness (ECCP Art. 2-4 and 10, CPR Art. 8(1)) -------------------------------------------


@dataclass(frozen=True)
class CategoryCount:
    code: str
    label: str
    count: int
    percent: int

    @property
    def is_empty(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class RegionCount:
    id: int
    name: str
    count: int


@dataclass(frozen=True)
class GenderBalance:
    """Representatives (delegates and substitutes, mandate in force) of the member organisations."""

    female: int
    male: int
    other: int
    undeclared: int
    threshold: int = GENDER_THRESHOLD

    @property
    def total(self) -> int:
        return self.female + self.male + self.other + self.undeclared

    @property
    def declared(self) -> int:
        return self.female + self.male + self.other

    @property
    def has_data(self) -> bool:
        return self.declared > 0

    @property
    def percent_female(self) -> float | None:
        return round(100 * self.female / self.declared, 1) if self.declared else None

    @property
    def percent_male(self) -> float | None:
        return round(100 * self.male / self.declared, 1) if self.declared else None

    @property
    def underrepresented(self) -> list[str]:
        """The sexes whose share of the declared is below the threshold (exactly at it is balanced)."""
        if not self.has_data:
            return []
        result = []
        if 100 * self.female < self.threshold * self.declared:
            result.append(str(_("women")))
        if 100 * self.male < self.threshold * self.declared:
            result.append(str(_("men")))
        return result

    @property
    def warning(self) -> bool:
        return bool(self.underrepresented)


@dataclass(frozen=True)
class Representativeness:
    total_members: int
    cpr_categories: list[CategoryCount]
    eccp_subcategories: list[CategoryCount]
    civil_society_focus: list[CategoryCount]
    regions_covered: list[RegionCount]
    supra_regional_members: int
    members_without_territory: int
    gender: GenderBalance
    #: Only for national programmes (a regional one is expected to sit in its own region); else None.
    regions_not_covered: list[str] | None = None
    is_national: bool = False
    chart: dict = field(default_factory=dict)

    @property
    def missing_cpr_categories(self) -> list[CategoryCount]:
        return [c for c in self.cpr_categories if c.is_empty]

    @property
    def missing_focus(self) -> list[CategoryCount]:
        return [c for c in self.civil_society_focus if c.is_empty]


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def _counts(choices, counter: Counter, total: int) -> list[CategoryCount]:
    return [
        CategoryCount(
            code=value,
            label=str(label),
            count=counter.get(value, 0),
            percent=_percent(counter.get(value, 0), total),
        )
        for value, label in choices
    ]


def representativeness(programme: Programme, on: date | None = None) -> Representativeness:
    """Check a partnership against CPR Art. 8(1) and ECCP Art. 2-4 and 10, in a fixed number of queries.

    One fetch of the few organisation fields needed (members are at most a few hundred), one aggregate for
    regions, one aggregate for gender, and for national programmes the list of regions.
    """
    current = Membership.objects.filter(programme=programme).filter(_current_q(on=on))
    member_ids = current.values("organization_id")
    members = list(
        Organization.objects.filter(pk__in=member_ids).values(
            "pk", "cpr_category", "eccp_subcategory", "civil_society_focus", "territorial_level"
        )
    )
    total = len(members)
    cpr = Counter(m["cpr_category"] for m in members)
    eccp = Counter(m["eccp_subcategory"] for m in members)
    focus: Counter = Counter()
    for m in members:
        for value in set(m["civil_society_focus"] or []):
            focus[value] += 1
    supra = sum(1 for m in members if m["territorial_level"] in SUPRA_REGIONAL_LEVELS)

    through = Organization.territories.through
    region_rows = (
        through.objects.filter(organization_id__in=member_ids, territory__region__isnull=False)
        .values("territory__region_id", "territory__region__name")
        .annotate(n=Count("organization_id", distinct=True))
        .order_by("territory__region__name")
    )
    regions = [
        RegionCount(r["territory__region_id"], r["territory__region__name"], r["n"]) for r in region_rows
    ]
    with_territory = (
        through.objects.filter(organization_id__in=member_ids).values("organization_id").distinct().count()
    )

    day = on or timezone.localdate()
    gender_rows = (
        Representative.objects.filter(organization_id__in=member_ids)
        .filter(Q(mandate_expires__isnull=True) | Q(mandate_expires__gte=day))
        .values("gender")
        .annotate(n=Count("pk"))
    )
    by_gender = {r["gender"]: r["n"] for r in gender_rows}
    gender = GenderBalance(
        female=by_gender.get(Gender.FEMALE, 0),
        male=by_gender.get(Gender.MALE, 0),
        other=by_gender.get(Gender.OTHER, 0),
        undeclared=sum(
            n for g, n in by_gender.items() if g not in (Gender.FEMALE, Gender.MALE, Gender.OTHER)
        ),
    )

    is_national = programme.kind == ProgrammeKind.NATIONAL
    not_covered = None
    if is_national:
        covered = {r.id for r in regions}
        not_covered = [
            t.name
            for t in Territory.objects.filter(level=TerritoryLevel.REGION).order_by("name")
            if t.pk not in covered
        ]

    cpr_counts = _counts(CprCategory.choices, cpr, total)
    return Representativeness(
        total_members=total,
        cpr_categories=cpr_counts,
        eccp_subcategories=_counts(EccpSubcategory.choices, eccp, total),
        civil_society_focus=_counts(CivilSocietyFocus.choices, focus, total),
        regions_covered=regions,
        supra_regional_members=supra,
        members_without_territory=total - with_territory,
        gender=gender,
        regions_not_covered=not_covered,
        is_national=is_national,
        chart={
            "type": "bar",
            "label": str(_("Members")),
            "labels": [f"{c.code}) {c.label}" for c in cpr_counts],
            "values": [c.count for c in cpr_counts],
        },
    )


def find_organizations(text: str, limit: int = 10) -> list[Organization]:
    """Organisations whose name, acronym or codes match ``text``, for picking a new partner by name."""
    text = text.strip()
    code = normalize_code(text)
    vat = code.removeprefix("IT")
    by_text = Q(name__icontains=text) | Q(acronym__iexact=text)
    if code:
        by_text |= Q(tax_code=code)
    if vat:
        by_text |= Q(vat_number=vat)
    searched = apply_search(Organization.objects.all(), text).values("pk")
    return list(Organization.objects.filter(by_text | Q(pk__in=searched)).order_by("name")[:limit])
