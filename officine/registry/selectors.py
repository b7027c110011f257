"""Read queries of the registry, shaped so that a page's query count does not grow with the data.

The directory and the organisation page are public and the most visited pages of the registry: every
list here is annotated or prefetched in a fixed number of queries, whatever the page size.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.search import apply_search

from .choices import TerritoryLevel
from .models import Organization, Representative, Territory


def current_membership_filter(prefix: str = "memberships__") -> Q:
    """Memberships in force today, via the reverse relation (the registry never imports programmes)."""
    today = timezone.localdate()
    return Q(**{f"{prefix}start_date__lte": today}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})
    )


def search_organizations(
    query: str = "",
    cpr_category: str = "",
    eccp_subcategory: str = "",
    region_id: int | None = None,
    programme_id: int | None = None,
    territorial_level: str = "",
    *,
    include_inactive: bool = False,
) -> QuerySet[Organization]:
    """Organisations matching the directory's search box and filters, ready for one page of results.

    Filters on related rows use ``pk__in`` subqueries rather than joins, so no row is repeated. Rows carry
    ``current_programme_count``
    and their territories (with regions) prefetched: rendering a page costs the same few queries for 3
    or 30,000 organisations.
    """
    qs = Organization.objects.all() if include_inactive else Organization.objects.public()
    if cpr_category:
        qs = qs.filter(cpr_category=cpr_category)
    if eccp_subcategory:
        qs = qs.filter(eccp_subcategory=eccp_subcategory)
    if territorial_level:
        qs = qs.filter(territorial_level=territorial_level)
    if region_id:
        through = Organization.territories.through
        qs = qs.filter(
            pk__in=through.objects.filter(territory__region_id=region_id).values("organization_id")
        )
    if programme_id:
        membership_model = Organization._meta.get_field("memberships").related_model
        qs = qs.filter(
            pk__in=membership_model.objects.filter(
                current_membership_filter(prefix=""), programme_id=programme_id
            ).values("organization_id")
        )
    qs = qs.annotate(current_programme_count=current_programme_count()).prefetch_related(
        Prefetch("territories", queryset=Territory.objects.select_related("region"))
    )
    if query and query.strip():
        return apply_search(qs, query).order_by("-search_rank", Lower("name"), "pk")
    return qs.order_by(Lower("name"), "pk")


def current_programme_count() -> Coalesce:
    """Programmes an organisation is currently a partner of, as a correlated subquery: evaluated only for
    the rows of the page, so sorting and slicing can use the name index instead of grouping every row."""
    membership_model = Organization._meta.get_field("memberships").related_model
    counts = (
        membership_model.objects.filter(current_membership_filter(prefix=""), organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("programme", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def region_names(organization: Organization) -> list[str]:
    """Regions an organisation works in, from its prefetched territories (no query)."""
    return sorted({t.region.name for t in organization.territories.all() if t.region_id})


def organization_detail(pk: int, *, include_inactive: bool = False) -> Organization:
    """One organisation with everything its public page shows, in a fixed number of queries.

    ``public_representatives`` holds the representatives whose name is public and whose mandate is in
    force; ``all_representatives`` (for staff) holds every one, expired included.
    """
    active_networks = Organization.objects.public().order_by("name")
    qs = Organization.objects.all() if include_inactive else Organization.objects.public()
    qs = qs.prefetch_related(
        Prefetch(
            "territories", queryset=Territory.objects.select_related("region").order_by("level", "name")
        ),
        Prefetch(
            "representatives",
            queryset=Representative.objects.in_force()
            .filter(is_public=True)
            .order_by("role", "last_name", "first_name"),
            to_attr="public_representatives",
        ),
        Prefetch(
            "representatives",
            queryset=Representative.objects.order_by("role", "last_name", "first_name"),
            to_attr="all_representatives",
        ),
        Prefetch("umbrella_networks", queryset=active_networks),
        Prefetch("network_members", queryset=active_networks),
    )
    return get_object_or_404(qs, pk=pk)


def organization_memberships(organization: Organization) -> QuerySet:
    """The organisation's places in programme partnerships, newest first (current and past)."""
    return organization.memberships.select_related("programme").order_by("-start_date", "programme__cci")


def region_choices() -> list[tuple[int, str]]:
    return list(
        Territory.objects.filter(level=TerritoryLevel.REGION).order_by("name").values_list("pk", "name")
    )


def area_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Regions and provinces grouped by region, for a select with one optgroup per region (one query)."""
    rows = Territory.objects.filter(level__in=[TerritoryLevel.REGION, TerritoryLevel.PROVINCE]).values_list(
        "pk", "level", "name", "region_id"
    )
    regions: dict[int, str] = {}
    provinces: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, level, name, region_id in rows:
        if level == TerritoryLevel.REGION:
            regions[pk] = name
        else:
            provinces[region_id].append((pk, name))
    groups = []
    for region_pk, region_name in sorted(regions.items(), key=lambda item: item[1]):
        options = [(region_pk, _("%(region)s – whole region") % {"region": region_name})]
        options += sorted(provinces.get(region_pk, []), key=lambda item: item[1])
        groups.append((region_name, options))
    return groups


# --- Territory names and codes typed by people --------------------------------------------------------------

_PLATE_SUFFIX = re.compile(r"^(?P<name>.+?)\s*\((?P<plate>[A-Za-z]{2})\)$")
_LEVEL_PREFIXES = {
    TerritoryLevel.REGION: ("regione ", "region "),
    TerritoryLevel.PROVINCE: (
        "provincia di ",
        "provincia autonoma di ",
        "citta metropolitana di ",
        "province of ",
        "metropolitan city of ",
    ),
    TerritoryLevel.MUNICIPALITY: ("comune di ", "municipality of "),
}
_CODE_LENGTHS = {TerritoryLevel.REGION: 2, TerritoryLevel.PROVINCE: 3, TerritoryLevel.MUNICIPALITY: 6}


def normalize_name(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces: how people type place names."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class TerritoryRef:
    pk: int
    level: str
    code: str
    name: str
    car_plate: str

    @property
    def label(self) -> str:
        if self.level == TerritoryLevel.MUNICIPALITY and self.car_plate:
            return f"{self.name} ({self.car_plate})"
        return self.name


class TerritoryLookupError(Exception):
    """An entry that names no territory, or more than one; the message says which and how to fix it."""


class TerritoryResolver:
    """Turn ISTAT codes or names typed in a form or a spreadsheet into territories.

    Accepted: an ISTAT code (2 digits region, 3 province, 6 municipality; leading zeros dropped by a
    spreadsheet are restored), a name in either language of a bilingual name (``Bolzano`` or
    ``Bolzano/Bozen``), ``Name (XX)`` with the province's abbreviation for a municipality, and a prefix
    such as ``Provincia di`` or ``Comune di`` to pick a level when a name exists at several. The whole
    list of the wanted levels is read once (about 8,000 rows), so resolving a file of any length costs
    one query.
    """

    def __init__(self, levels: tuple[str, ...] = tuple(TerritoryLevel.values)) -> None:
        self.levels = levels
        self._loaded = False
        self._by_code: dict[tuple[str, str], TerritoryRef] = {}
        self._by_name: dict[str, list[TerritoryRef]] = defaultdict(list)

    def _load(self) -> None:
        if self._loaded:
            return
        rows = Territory.objects.filter(level__in=self.levels).values_list(
            "pk", "level", "code", "name", "car_plate"
        )
        for row in rows:
            ref = TerritoryRef(*row)
            self._by_code[(ref.level, ref.code)] = ref
            names = {normalize_name(ref.name)} | {normalize_name(part) for part in ref.name.split("/")}
            for name in names:
                self._by_name[name].append(ref)
        self._loaded = True

    def resolve(self, entry: str) -> TerritoryRef:
        self._load()
        text = entry.strip()
        if text.isdigit():
            return self._resolve_code(text)
        levels = self.levels
        wanted_plate = ""
        name = normalize_name(text)
        for level, prefixes in _LEVEL_PREFIXES.items():
            for prefix in prefixes:
                if name.startswith(prefix) and level in self.levels:
                    levels, name = (level,), name.removeprefix(prefix).strip()
                    break
        match = _PLATE_SUFFIX.match(name)
        if match and TerritoryLevel.MUNICIPALITY in levels:
            name, wanted_plate = match["name"].strip(), match["plate"].upper()
            levels = (TerritoryLevel.MUNICIPALITY,)
        candidates = [ref for ref in self._by_name.get(name, []) if ref.level in levels]
        if wanted_plate:
            candidates = [ref for ref in candidates if ref.car_plate == wanted_plate]
        if not candidates:
            raise TerritoryLookupError(
                _("“%(entry)s” is not in the ISTAT list of %(what)s.") % {"entry": text, "what": self._what()}
            )
        if len(candidates) > 1:
            options = "; ".join(f"{ref.label} [{ref.code}]" for ref in candidates[:6])
            raise TerritoryLookupError(
                _("“%(entry)s” matches more than one place: %(options)s. Use the ISTAT code in brackets.")
                % {"entry": text, "options": options}
            )
        return candidates[0]

    def _resolve_code(self, digits: str) -> TerritoryRef:
        level = self._level_for_code(digits)
        if level is not None:
            ref = self._by_code.get((level, digits.zfill(_CODE_LENGTHS[level])))
            if ref is not None:
                return ref
        raise TerritoryLookupError(
            _("“%(entry)s” is not an ISTAT code of %(what)s.") % {"entry": digits, "what": self._what()}
        )

    def _level_for_code(self, digits: str) -> str | None:
        if len(digits) > 6:
            return None
        if self.levels == (TerritoryLevel.MUNICIPALITY,):
            return TerritoryLevel.MUNICIPALITY
        if len(digits) <= 2 and TerritoryLevel.REGION in self.levels:
            return TerritoryLevel.REGION
        if len(digits) == 3 and TerritoryLevel.PROVINCE in self.levels:
            return TerritoryLevel.PROVINCE
        if len(digits) >= 4 and TerritoryLevel.MUNICIPALITY in self.levels:
            return TerritoryLevel.MUNICIPALITY
        return None

    def _what(self) -> str:
        if self.levels == (TerritoryLevel.MUNICIPALITY,):
            return _("municipalities")
        return _("regions, provinces and municipalities")

    def resolve_many(self, text: str, separators: str = ",;") -> tuple[list[TerritoryRef], list[str]]:
        """Split ``text`` on any of ``separators`` and resolve each entry; return (found, error messages)."""
        found: list[TerritoryRef] = []
        errors: list[str] = []
        for entry in split_entries(text, separators):
            try:
                ref = self.resolve(entry)
            except TerritoryLookupError as exc:
                errors.append(str(exc))
            else:
                if ref not in found:
                    found.append(ref)
        return found, errors


def split_entries(text: str, separators: str) -> list[str]:
    pattern = "[" + re.escape(separators) + "\n]"
    return [part.strip() for part in re.split(pattern, text or "") if part.strip()]
