"""The real 2021-2027 Italian programmes (PN and PR) from ``officine/programmes/data/programmi_it.csv``.

The file is public reference data (see its README in the research folder): CCI code, titles, funds,
region, managing authority, Commission decision and sources. Programmes are real, so they are stored with
``is_demo=False``; their managing authorities are created as organisations without a tax code (we do not
invent one), hence ``is_demo=True`` on those.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from officine.programmes.models import Cycle, Fund, Programme, ProgrammeKind
from officine.programmes.validators import validate_cci
from officine.registry.models import Organization, Territory

from .search import organization_document
from .upsert import LoadStats, clean_demo_organization, upsert

PROGRAMMES_CSV = Path(__file__).resolve().parents[2] / "programmes" / "data" / "programmi_it.csv"

FUND_CODES = {
    "FESR": ["ERDF"],
    "FSE+": ["ESF+"],
    "FESR+FSE+": ["ERDF", "ESF+"],
    "JTF": ["JTF"],
    "FEAMPA": ["EMFAF"],
}
KIND_BY_TYPE = {"PN": ProgrammeKind.NATIONAL, "PR": ProgrammeKind.REGIONAL}
# Autonomous provinces run their own programmes: they are ISTAT provinces (UTS codes), not regions.
AUTONOMOUS_PROVINCES = {"P.A. Bolzano": "021", "P.A. Trento": "022"}
OWNER_SUFFIX = "(amministrazione titolare)"
ENGLISH_SOURCE_SUFFIX = "(da fonte in inglese)"
AUTHORITY_DESCRIPTION_IT = "Amministrazione titolare di programmi della politica di coesione."
AUTHORITY_DESCRIPTION_EN = "Administration that owns cohesion-policy programmes."
_DATE_IN_TEXT = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


@dataclass(frozen=True)
class ProgrammeRow:
    cci: str
    title_it: str
    title_en: str
    kind: str
    region_name: str
    fund_codes: list[str]
    authority: str
    decision: str
    sources: str


def read_programme_rows(path: Path = PROGRAMMES_CSV) -> list[ProgrammeRow]:
    """2021-2027 PN and PR rows that have a CCI code (the PN FEAMPA row has none and is skipped)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    result = []
    for row in rows:
        if row["ciclo"] != Cycle.C2021 or row["tipo"] not in KIND_BY_TYPE or not row["cci"].strip():
            continue
        if row["fondi"] not in FUND_CODES:
            raise CommandError(f"{path.name}: unknown fund mix {row['fondi']!r} for {row['cci']}")
        result.append(
            ProgrammeRow(
                cci=row["cci"].strip(),
                title_it=row["titolo_it"].strip(),
                title_en=row["titolo_en"].strip(),
                kind=KIND_BY_TYPE[row["tipo"]],
                region_name=row["regione"].strip(),
                fund_codes=FUND_CODES[row["fondi"]],
                authority=row["autorita_di_gestione"].strip(),
                decision=row["decisione_ce"].strip(),
                sources=row["fonte"].strip(),
            )
        )
    return result


def parse_decision_date(text: str) -> date | None:
    """The date in "C(2022) 9029 final del 01/12/2022" or "approvato dalla CE il 01/12/2022 (...)"."""
    match = _DATE_IN_TEXT.search(text or "")
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


def authority_name_and_notes(raw: str) -> tuple[str, list[str]]:
    """The managing authority's organisation name, and what the CSV said about it beyond the name.

    "Regione Puglia (amministrazione titolare)" means only the owning administration is known, and
    "X (titolare iniziale), poi Y" means the authority changed: the current one is Y.
    """
    notes = []
    name = raw
    if ", poi " in name:
        notes.append(f"Autorità di gestione: {raw}.")
        name = name.split(", poi ", 1)[1].strip()
        name = re.sub(r"^PCM\b", "Presidenza del Consiglio dei Ministri", name)
    if name.endswith(OWNER_SUFFIX):
        name = name.removesuffix(OWNER_SUFFIX).strip()
        notes.append(
            "Autorità di gestione: indicata l'amministrazione titolare; "
            "la struttura che esercita la funzione non è stata verificata."
        )
    if name.endswith(ENGLISH_SOURCE_SUFFIX):
        name = name.removesuffix(ENGLISH_SOURCE_SUFFIX).strip()
        notes.append("Autorità di gestione: denominazione tradotta da una fonte in inglese.")
    return name, notes


def _normalise(name: str) -> str:
    """Compare region names ignoring accents, case, punctuation and the second-language part after "/"."""
    first = name.split("/")[0]
    plain = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", plain)


def territory_for_region(
    name: str, regions: dict[str, Territory], provinces: dict[str, Territory]
) -> Territory:
    if name in AUTONOMOUS_PROVINCES:
        territory = provinces.get(AUTONOMOUS_PROVINCES[name])
    else:
        territory = regions.get(_normalise(name))
    if territory is None:
        raise CommandError(f"No ISTAT territory matches the region {name!r}: are the territories loaded?")
    return territory


def load_programmes(stats: LoadStats) -> dict[str, Programme]:
    """Create or update every reference programme; return them by CCI code."""
    rows = read_programme_rows()
    regions = {_normalise(t.name): t for t in Territory.objects.filter(level="region")}
    provinces = {
        t.code: t for t in Territory.objects.filter(level="province", code__in=AUTONOMOUS_PROVINCES.values())
    }
    funds = dict(Fund.objects.values_list("code", "pk"))
    missing_funds = {code for row in rows for code in row.fund_codes} - set(funds)
    if missing_funds:
        raise CommandError(
            f"Funds missing from the database: {', '.join(sorted(missing_funds))}. Run migrate."
        )
    programmes: dict[str, Programme] = {}
    authorities: dict[str, Organization] = {}
    for row in rows:
        validate_cci(row.cci)
        region = territory_for_region(row.region_name, regions, provinces) if row.region_name else None
        authority_name, notes = authority_name_and_notes(row.authority)
        if authority_name not in authorities:
            authorities[authority_name] = upsert(
                Organization,
                {"name": authority_name},
                {
                    "legal_form": "public_body",
                    "eccp_subcategory": "a.i",
                    "cpr_category": "a",
                    "territorial_level": "regional" if region else "national",
                    "description_it": AUTHORITY_DESCRIPTION_IT,
                    "description_en": AUTHORITY_DESCRIPTION_EN,
                    "is_demo": True,
                    "search_document": organization_document(
                        authority_name,
                        "",
                        AUTHORITY_DESCRIPTION_IT,
                        AUTHORITY_DESCRIPTION_EN,
                        [region.name] if region else [],
                    ),
                },
                m2m={"territories": [region.pk] if region else []},
                stats=stats,
                table="organisations",
                clean=clean_demo_organization,
            )
        authority = authorities[authority_name]
        source_note = "\n".join([*notes, f"Fonti: {row.sources}"])
        programmes[row.cci] = upsert(
            Programme,
            {"cci": row.cci},
            {
                "title_it": row.title_it,
                "title_en": row.title_en,
                "cycle": Cycle.C2021,
                "kind": row.kind,
                "region_id": region.pk if region else None,
                "managing_authority_id": authority.pk,
                "commission_decision": row.decision[:120],
                "approval_date": parse_decision_date(row.decision),
                "source_note": source_note,
                "is_demo": False,
            },
            m2m={"funds": [funds[code] for code in row.fund_codes]},
            stats=stats,
            table="programmes",
        )
    return programmes
