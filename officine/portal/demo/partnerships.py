"""Two demo partnerships: real partner bodies, demo memberships, fictional representatives.

- ``data/organizations.csv``: real Italian bodies of the kind that sit in cohesion-policy partnerships, with
  their real names, categories and a short generic description. No tax codes (we do not invent them), so
  every row is ``is_demo=True``.
- ``data/memberships.csv``: which of them belong to which programme, in which roles, from when, under which
  (demo) selection act.
- People come from :mod:`.people`; priorities below are illustrative headings, not the adopted texts.
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from officine.programmes.models import Membership, Priority, Programme
from officine.registry.models import Organization, Representative, Territory

from .people import OrgForPeople, plan_representatives
from .search import organization_document
from .upsert import LoadStats, clean_demo_organization, upsert

DEMO_DIR = Path(__file__).resolve().parent / "data"
ORGANIZATIONS_CSV = DEMO_DIR / "organizations.csv"
MEMBERSHIPS_CSV = DEMO_DIR / "memberships.csv"

NATIONAL_DEMO_CCI = "2021IT05FFPR003"  # PN Inclusione e lotta alla povertà
REGIONAL_DEMO_CCI = "2021IT05SFPR004"  # PR Emilia-Romagna FSE+
# Planned share of women among the representatives who declare a gender: the national partnership is
# just under the 40 % of ECCP Art. 10, so the representativeness panel shows its warning; the regional
# one is above it.
SHARE_OF_WOMEN = {NATIONAL_DEMO_CCI: 0.38, REGIONAL_DEMO_CCI: 0.47}

PRIORITIES = {
    NATIONAL_DEMO_CCI: [
        (
            "1",
            "Sostegno all'inclusione sociale e lotta alla povertà",
            "Social inclusion and fight against poverty",
        ),
        ("2", "Garanzia infanzia", "Child guarantee"),
        ("3", "Contrasto alla deprivazione materiale", "Tackling material deprivation"),
        ("4", "Infrastrutture per l'inclusione sociale", "Infrastructure for social inclusion"),
        ("5", "Assistenza tecnica", "Technical assistance"),
    ],
    REGIONAL_DEMO_CCI: [
        ("1", "Occupazione", "Employment"),
        ("2", "Istruzione e formazione", "Education and training"),
        ("3", "Inclusione sociale", "Social inclusion"),
        ("4", "Occupazione giovanile", "Youth employment"),
        ("5", "Assistenza tecnica", "Technical assistance"),
    ],
}


@dataclass(frozen=True)
class OrganizationRow:
    key: str
    name: str
    acronym: str
    legal_form: str
    eccp_subcategory: str
    cpr_category: str
    civil_society_focus: list[str]
    territorial_level: str
    territories: list[tuple[str, str]]  # (level, ISTAT code)
    is_umbrella: bool
    member_of: list[str]
    mandate_issuer: str
    website: str
    description_it: str
    description_en: str


@dataclass(frozen=True)
class MembershipRow:
    cci: str
    org_key: str
    committee: bool
    working_group: bool
    start_date: date
    act_number: str
    act_date: date


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _yes(value: str, where: str) -> bool:
    if value not in ("yes", "no"):
        raise CommandError(f"{where}: expected yes or no, found {value!r}")
    return value == "yes"


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(line, row) for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2)]


def read_organizations(path: Path = ORGANIZATIONS_CSV) -> list[OrganizationRow]:
    rows = []
    for line, row in _read(path):
        where = f"{path.name} line {line}"
        territories = []
        for ref in _split(row["territories"]):
            level, _, code = ref.partition(":")
            territories.append((level, code))
        rows.append(
            OrganizationRow(
                key=row["key"],
                name=row["name"],
                acronym=row["acronym"],
                legal_form=row["legal_form"],
                eccp_subcategory=row["eccp_subcategory"],
                cpr_category=row["cpr_category"],
                civil_society_focus=_split(row["civil_society_focus"]),
                territorial_level=row["territorial_level"],
                territories=territories,
                is_umbrella=_yes(row["is_umbrella"], where),
                member_of=_split(row["member_of"]),
                mandate_issuer=row["mandate_issuer"],
                website=row["website"],
                description_it=row["description_it"],
                description_en=row["description_en"],
            )
        )
    return rows


def read_memberships(path: Path = MEMBERSHIPS_CSV) -> list[MembershipRow]:
    rows = []
    for line, row in _read(path):
        where = f"{path.name} line {line}"
        rows.append(
            MembershipRow(
                cci=row["programme"],
                org_key=row["organization"],
                committee=_yes(row["committee"], where),
                working_group=_yes(row["working_group"], where),
                start_date=date.fromisoformat(row["start_date"]),
                act_number=row["act_number"],
                act_date=date.fromisoformat(row["act_date"]),
            )
        )
    return rows


def load_partner_organizations(stats: LoadStats, rows: list[OrganizationRow]) -> dict[str, Organization]:
    """Create or update the partner bodies in file order (an umbrella network comes before its members)."""
    wanted = {ref for row in rows for ref in row.territories}
    territories = {
        (t.level, t.code): t
        for t in Territory.objects.filter(code__in={code for _, code in wanted})
        if (t.level, t.code) in wanted
    }
    organizations: dict[str, Organization] = {}
    for row in rows:
        missing = [f"{level}:{code}" for level, code in row.territories if (level, code) not in territories]
        unknown_networks = [key for key in row.member_of if key not in organizations]
        if missing or unknown_networks:
            raise CommandError(
                f"{ORGANIZATIONS_CSV.name}, {row.key}: unknown territories {missing} or networks "
                f"{unknown_networks} (networks must come earlier in the file)"
            )
        places = [territories[ref] for ref in row.territories]
        organizations[row.key] = upsert(
            Organization,
            {"name": row.name},
            {
                "acronym": row.acronym,
                "legal_form": row.legal_form,
                "eccp_subcategory": row.eccp_subcategory,
                "cpr_category": row.cpr_category,
                "civil_society_focus": row.civil_society_focus,
                "territorial_level": row.territorial_level,
                "is_umbrella": row.is_umbrella,
                "website": row.website,
                "description_it": row.description_it,
                "description_en": row.description_en,
                "is_demo": True,
                "search_document": organization_document(
                    row.name, row.acronym, row.description_it, row.description_en, [t.name for t in places]
                ),
            },
            m2m={
                "territories": [t.pk for t in places],
                "umbrella_networks": [organizations[key].pk for key in row.member_of],
            },
            stats=stats,
            table="organisations",
            clean=clean_demo_organization,
        )
    return organizations


def load_memberships(
    stats: LoadStats,
    rows: list[MembershipRow],
    programmes: dict[str, Programme],
    organizations: dict[str, Organization],
) -> None:
    for row in rows:
        if row.cci not in programmes or row.org_key not in organizations:
            raise CommandError(
                f"{MEMBERSHIPS_CSV.name}: unknown programme {row.cci} or organisation {row.org_key}"
            )
        upsert(
            Membership,
            {
                "programme_id": programmes[row.cci].pk,
                "organization_id": organizations[row.org_key].pk,
                "is_demo": True,
            },
            {
                "is_consultee": True,
                "is_committee_member": row.committee,
                "is_working_group_member": row.working_group,
                "start_date": row.start_date,
                "end_date": None,
                "selection_act_number": row.act_number,
                "selection_act_date": row.act_date,
            },
            stats=stats,
            table="memberships",
        )


def load_representatives(
    stats: LoadStats,
    org_rows: list[OrganizationRow],
    membership_rows: list[MembershipRow],
    organizations: dict[str, Organization],
) -> None:
    by_key = {row.key: row for row in org_rows}
    first_start: dict[str, date] = {}
    for row in membership_rows:
        first_start[row.org_key] = min(row.start_date, first_start.get(row.org_key, row.start_date))
    partnerships = []
    for cci, share in SHARE_OF_WOMEN.items():
        rows = [row for row in membership_rows if row.cci == cci]
        partnerships.append(
            (
                share,
                [
                    OrgForPeople(
                        key=row.org_key,
                        legal_form=by_key[row.org_key].legal_form,
                        mandate_issuer=by_key[row.org_key].mandate_issuer,
                        first_start=first_start[row.org_key],
                        committee=row.committee,
                    )
                    for row in rows
                ],
            )
        )
    for person in plan_representatives(partnerships):
        upsert(
            Representative,
            {"organization_id": organizations[person.org_key].pk, "role": person.role, "is_demo": True},
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "position": person.position,
                "mandate_issuer": person.mandate_issuer,
                "mandate_date": person.mandate_date,
                "mandate_expires": person.mandate_expires,
                "gender": person.gender,
                "is_public": True,
            },
            stats=stats,
            table="representatives",
        )


def load_priorities(stats: LoadStats, programmes: dict[str, Programme]) -> None:
    for cci, priorities in PRIORITIES.items():
        for order, (code, title_it, title_en) in enumerate(priorities, start=1):
            upsert(
                Priority,
                {"programme_id": programmes[cci].pk, "code": code},
                {"title_it": title_it, "title_en": title_en, "order": order, "is_demo": True},
                stats=stats,
                table="priorities",
            )


def load_partnerships(stats: LoadStats, programmes: dict[str, Programme]) -> None:
    for cci in SHARE_OF_WOMEN:
        if cci not in programmes:
            raise CommandError(f"The demo programme {cci} is missing from the programmes file.")
    org_rows = read_organizations()
    membership_rows = read_memberships()
    organizations = load_partner_organizations(stats, org_rows)
    load_memberships(stats, membership_rows, programmes, organizations)
    load_representatives(stats, org_rows, membership_rows, organizations)
    load_priorities(stats, programmes)
