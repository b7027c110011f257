"""Synthetic data at scale for benchmarks: organisations, programmes, memberships, representatives, and
optionally one consultation with many contributions (``synthetic_consultation``).

Rows are written with ``bulk_create`` in batches (no per-row validation: the values are generated to be
valid), are ``is_demo=True``, and carry unmistakable markers so ``--clear`` finds exactly them and nothing
else:

- organisations: acronym ``SYN-00042`` and a name containing "Sintetic…";
- programmes: CCI codes ``2021XX16FFPR001``…, country ``XX`` being no real country, so no clash with a
  real CCI is possible;
- memberships and representatives hang on those, and go with them;
- the synthetic consultation (``is_demo``) and its document hang on the first synthetic programme;
- synthetic bodies (``Organismo sintetico …``) serve the synthetic programmes, their seats are held by the
  synthetic organisations, and their meetings and the synthetic public events (``Evento sintetico …``) go
  with them (``synthetic_meetings``).
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models, transaction

from officine.core.models import AuditEvent
from officine.programmes.models import Cycle, Fund, Membership, Programme, ProgrammeKind
from officine.registry.models import Organization, Representative, Territory
from officine.registry.services import organization_search_document

from .people import FEMALE_NAMES, MALE_NAMES
from .synthetic_consultation import clear_consultations, seed_consultation, synthetic_consultations
from .synthetic_meetings import clear_meetings, seed_meetings

SYNTHETIC_CCI_PREFIX = "2021XX16FFPR"
SYNTHETIC_ACRONYM_PREFIX = "SYN-"
MAX_PROGRAMMES = 999
MIN_MEMBERS, MAX_MEMBERS = 30, 200

# (CPR category, weight, name stem, legal form, ECCP sub-categories, territorial levels)
_KINDS = [
    ("a", 20, "Ente Pubblico Sintetico", "public_body", ["a.i", "a.iii"], ["local", "regional"]),
    ("b", 12, "Sindacato Sintetico", "trade_union", ["b.i"], ["national", "regional", "local"]),
    ("b", 13, "Associazione Sintetica di Imprese", "employers_association", ["b.ii"], ["regional", "local"]),
    ("c", 40, "Associazione Sintetica", "association", ["c.i", "c.ii"], ["national", "regional", "local"]),
    ("d", 15, "Istituto di Ricerca Sintetico", "research_body", ["a.ii"], ["national", "regional"]),
]
_THEMES = [
    ("per l'inclusione sociale", "social_inclusion", "social inclusion"),
    ("per l'ambiente", "environment", "the environment"),
    ("per i diritti fondamentali", "fundamental_rights", "fundamental rights"),
    ("per i diritti delle persone con disabilità", "disability", "disability rights"),
    ("per la parità di genere", "gender_equality", "gender equality"),
    ("contro le discriminazioni", "non_discrimination", "non-discrimination"),
    ("per il lavoro", "", "work"),
    ("per l'innovazione", "", "innovation"),
]


@dataclass
class SeedReport:
    """Rows written and seconds spent per table, in order."""

    tables: dict[str, tuple[int, float]] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(rows for rows, _ in self.tables.values())

    @property
    def total_seconds(self) -> float:
        return sum(seconds for _, seconds in self.tables.values())


def synthetic_organizations() -> models.QuerySet:
    return Organization.objects.filter(is_demo=True, acronym__startswith=SYNTHETIC_ACRONYM_PREFIX)


def synthetic_programmes() -> models.QuerySet:
    return Programme.objects.filter(is_demo=True, cci__startswith=SYNTHETIC_CCI_PREFIX)


def synthetic_contribution_count() -> int:
    """Contributions in the synthetic consultations (kept out of ``synthetic_counts``, whose keys are the
    registry's sizes)."""
    from officine.consultations.models import Contribution

    return Contribution.objects.filter(
        consultation__in=synthetic_consultations(synthetic_programmes())
    ).count()


def synthetic_counts() -> dict[str, int]:
    return {
        "organisations": synthetic_organizations().count(),
        "programmes": synthetic_programmes().count(),
        "representatives": Representative.objects.filter(organization__in=synthetic_organizations()).count(),
    }


@transaction.atomic
def clear_synthetic() -> dict[str, int]:
    """Delete every synthetic row and only those; return how many of each went."""
    orgs = synthetic_organizations()
    progs = synthetic_programmes()
    memberships = Membership.objects.filter(models.Q(programme__in=progs) | models.Q(organization__in=orgs))
    deleted = {"memberships": _delete(memberships)}
    # Meetings and bodies protect their programmes, and seats their organisations: they go first.
    deleted.update(clear_meetings())
    # Contributions protect their organisations, sections and versions: they go first.
    deleted.update(clear_consultations(progs))
    # Programmes reference their managing authority with PROTECT: they go before the organisations.
    deleted["programmes"] = _delete(progs)
    deleted["representatives"] = _delete(Representative.objects.filter(organization__in=orgs))
    deleted["organisations"] = _delete(orgs)
    return deleted


def _delete(queryset: models.QuerySet) -> int:
    """Rows of the queryset's own model that were deleted (not counting cascaded link rows)."""
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


@transaction.atomic
def seed_scale(
    organisations: int,
    programmes: int,
    representatives: int,
    *,
    seed: int = 2021,
    batch_size: int = 2000,
    progress: Callable[[str, int, float], None] | None = None,
    contributions: int = 0,
    bodies: int = 0,
    meetings: int = 0,
) -> SeedReport:
    """Write the synthetic data set; the caller decides whether to clear earlier synthetic rows first.

    With ``contributions`` > 0, also one closed consultation in the first programme with that many
    contributions from the synthetic organisations (see ``synthetic_consultation``). With ``bodies`` and
    ``meetings`` > 0, also that many bodies serving the synthetic programmes and that many meetings, with
    seats, agenda items, documents, attendance, votes, minutes and registrations (``synthetic_meetings``).
    """
    if not 1 <= programmes <= MAX_PROGRAMMES:
        raise ValueError(f"programmes must be between 1 and {MAX_PROGRAMMES}")
    if organisations < 1 or representatives < 0:
        raise ValueError("organisations must be at least 1 and representatives not negative")
    if contributions < 0:
        raise ValueError("contributions must not be negative")
    if bodies < 0 or meetings < 0:
        raise ValueError("bodies and meetings must not be negative")
    rng = random.Random(seed)
    report = SeedReport()

    def timed(table: str, write: Callable[[], int]) -> None:
        started = time.perf_counter()
        rows = write()
        elapsed = time.perf_counter() - started
        report.tables[table] = (rows, elapsed)
        if progress:
            progress(table, rows, elapsed)

    places = _Places.load()
    orgs: list[Organization] = []
    org_places: list[int | None] = []

    def write_organisations() -> int:
        built = [_organization(i, rng, places) for i in range(1, organisations + 1)]
        org_places.extend(place for _, place in built)
        orgs.extend(Organization.objects.bulk_create([org for org, _ in built], batch_size=batch_size))
        return len(orgs)

    def write_territory_links() -> int:
        through = Organization.territories.through
        links = [
            through(organization_id=org.pk, territory_id=place)
            for org, place in zip(orgs, org_places, strict=True)
            if place
        ]
        through.objects.bulk_create(links, batch_size=batch_size)
        return len(links)

    progs: list[Programme] = []

    def write_programmes() -> int:
        authorities = [o for o in orgs if o.cpr_category == "a"] or orgs
        built = [
            _programme(j, rng, places, authorities[(j - 1) % len(authorities)])
            for j in range(1, programmes + 1)
        ]
        progs.extend(Programme.objects.bulk_create(built, batch_size=batch_size))
        fund_ids = list(Fund.objects.filter(code__in=["ERDF", "ESF+", "JTF"]).values_list("pk", flat=True))
        through = Programme.funds.through
        links = [
            through(programme_id=p.pk, fund_id=fund_id)
            for p in progs
            for fund_id in rng.sample(fund_ids, k=rng.randint(1, min(2, len(fund_ids))))
        ]
        through.objects.bulk_create(links, batch_size=batch_size)
        return len(progs)

    def write_memberships() -> int:
        rows = []
        for number, programme in enumerate(progs, start=1):
            size = min(len(orgs), rng.randint(MIN_MEMBERS, MAX_MEMBERS))
            act_date = date(2022, 1, 10) + timedelta(days=rng.randint(0, 540))
            for org in rng.sample(orgs, size):
                rows.append(
                    Membership(
                        programme=programme,
                        organization=org,
                        is_consultee=True,
                        is_committee_member=rng.random() < 0.2,
                        is_working_group_member=rng.random() < 0.1,
                        start_date=act_date + timedelta(days=rng.randint(5, 60)),
                        selection_act_number=f"SYN-{act_date.year}/{number:03d}",
                        selection_act_date=act_date,
                        is_demo=True,
                    )
                )
        Membership.objects.bulk_create(rows, batch_size=batch_size)
        return len(rows)

    def write_representatives() -> int:
        rows = []
        for k in range(representatives):
            org = orgs[k % len(orgs)]
            gender = rng.choice("FFMMMX ")
            first_names = (
                FEMALE_NAMES if gender == "F" or (gender in " X" and rng.random() < 0.5) else MALE_NAMES
            )
            mandate_date = date(2022, 1, 1) + timedelta(days=rng.randint(0, 700))
            rows.append(
                Representative(
                    organization=org,
                    first_name=rng.choice(first_names),
                    last_name=f"Sintetico {k + 1:06d}",
                    email=f"rappresentante{k + 1:06d}@example.org",
                    position="Rappresentante sintetico",
                    role="delegate" if k < len(orgs) else "substitute",
                    mandate_issuer="Presidente",
                    mandate_date=mandate_date,
                    mandate_expires=date(2029, 12, 31),
                    gender=gender.strip(),
                    is_demo=True,
                )
            )
        Representative.objects.bulk_create(rows, batch_size=batch_size)
        return len(rows)

    timed("organisations", write_organisations)
    timed("territory links", write_territory_links)
    timed("programmes", write_programmes)
    timed("memberships", write_memberships)
    timed("representatives", write_representatives)
    if contributions:
        seed_consultation(contributions, progs[0], orgs, rng=rng, batch_size=batch_size, timed=timed)
    if bodies or meetings:
        seed_meetings(
            bodies, meetings, progs, orgs, rng=random.Random(seed + 1), batch_size=batch_size, timed=timed
        )
    AuditEvent.objects.create(
        action="seed_scale",
        target_type="registry.organization",
        target_label=f"{report.total_rows} synthetic rows",
        changes={table: rows for table, (rows, _) in report.tables.items()},
    )
    return report


@dataclass
class _Places:
    regions: list[Territory]
    municipalities: list[tuple[int, str]]  # (pk, name)

    @classmethod
    def load(cls) -> "_Places":
        regions = list(Territory.objects.filter(level="region").order_by("code"))
        municipalities = list(
            Territory.objects.filter(level="municipality").order_by("code").values_list("pk", "name")
        )
        if not regions or not municipalities:
            raise ValueError("No ISTAT territories in the database: run migrate first.")
        return cls(regions, municipalities)


def _pick_kind(rng: random.Random) -> tuple:
    return rng.choices(_KINDS, weights=[k[1] for k in _KINDS])[0]


def _organization(number: int, rng: random.Random, places: _Places) -> tuple[Organization, int | None]:
    category, _, stem, legal_form, subcategories, levels = _pick_kind(rng)
    level = rng.choice(levels)
    place_id, place_name = None, ""
    if level == "regional":
        region = rng.choice(places.regions)
        place_id, place_name = region.pk, region.name
    elif level == "local":
        place_id, place_name = rng.choice(places.municipalities)
    theme_it, focus, theme_en = rng.choice(_THEMES)
    name = f"{stem} {number:05d} {theme_it}" + (f" – {place_name}" if place_name else "")
    acronym = f"{SYNTHETIC_ACRONYM_PREFIX}{number:05d}"
    description_it = f"Organizzazione sintetica generata per le prove di carico ({theme_it})."
    description_en = f"Synthetic organisation generated for load tests ({theme_en})."
    org = Organization(
        name=name[:300],
        acronym=acronym,
        legal_form=legal_form,
        eccp_subcategory=rng.choice(subcategories),
        cpr_category=category,
        civil_society_focus=[focus] if category == "c" and focus else [],
        territorial_level=level,
        description_it=description_it,
        description_en=description_en,
        is_demo=True,
    )
    org.search_document = organization_search_document(org, [place_name] if place_name else [])
    return org, place_id


def _programme(number: int, rng: random.Random, places: _Places, authority: Organization) -> Programme:
    regional = number % 3 != 0
    region = rng.choice(places.regions) if regional else None
    where_it = region.name if region else "nazionale"
    where_en = region.name if region else "national"
    return Programme(
        cci=f"{SYNTHETIC_CCI_PREFIX}{number:03d}",
        title_it=f"Programma Sintetico {number:03d} – {where_it}",
        title_en=f"Synthetic Programme {number:03d} – {where_en}",
        cycle=Cycle.C2021,
        kind=ProgrammeKind.REGIONAL if regional else ProgrammeKind.NATIONAL,
        region=region,
        managing_authority=authority,
        approval_date=date(2022, 6, 1) + timedelta(days=rng.randint(0, 300)),
        summary_it="Programma sintetico generato per le prove di carico.",
        summary_en="Synthetic programme generated for load tests.",
        is_demo=True,
    )
