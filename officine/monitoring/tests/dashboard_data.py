"""Data for the dashboard tests: a generated progetti_esteso file with the cases the generator never writes,
and the figures recomputed from that CSV with the ``csv`` module alone.

The generator gives every project one programme and one region; OpenCoesione's files also hold projects
funded by several programmes (``:::`` in OC_CODICE_PROGRAMMA, counted under each), projects in several
regions or provinces, a blank status and a beneficiary listed twice on one project. ``edit_generated``
rewrites a few rows of a generated file to have each of them, and ``Expected`` recomputes every figure the
dashboard shows without DuckDB, the snapshot or any code of the app, so that a wrong query cannot agree
with it by sharing a mistake.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path

from officine.monitoring.generator import generate
from officine.programmes.models import Programme
from officine.registry.models import Organization

SEP = ":::"
PN_INCLUSIONE = "2021IT05FFPR003"
PR_FSE_ER = "2021IT05SFPR004"
FUNDING = "OC_FINANZ_TOT_PUB_NETTO"


def make_programme(cci: str, title: str, cycle: str = "2021-2027", kind: str = "national") -> Programme:
    authority, _created = Organization.objects.get_or_create(
        name="Autorità di gestione",
        defaults={
            "legal_form": "public_body",
            "eccp_subcategory": "a.i",
            "cpr_category": "a",
            "territorial_level": "national",
        },
    )
    return Programme.objects.create(
        cci=cci, title_it=title, cycle=cycle, kind=kind, managing_authority=authority
    )


def make_programmes() -> dict[str, Programme]:
    """The two programmes of the generator's demo share, one of the cycle without data, one of 2014-2020."""
    return {
        PN_INCLUSIONE: make_programme(PN_INCLUSIONE, "PN Inclusione e lotta alla povertà"),
        PR_FSE_ER: make_programme(PR_FSE_ER, "PR FSE+ Emilia-Romagna", kind="regional"),
        "none": make_programme("2021IT05FFPR001", "PN Senza dati"),
        "old": make_programme("2014IT05SFOP001", "PON Inclusione", cycle="2014-2020"),
    }


def euro_it(amount: Decimal) -> str:
    """An amount the Italian way, written out by hand (not with the app's filter): € 1.234.567,89."""
    whole, cents = f"{amount:.2f}".split(".")
    return f"€ {int(whole):,}".replace(",", ".") + f",{cents}"


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, header, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def edit_generated(folder: Path, rows: int, *, seed: int = 0) -> Path:
    """A generated file of ``rows`` rows with the special cases above written into its first rows of PN
    Inclusione. Returns the path (named with the release date, 28/02/2025)."""
    source = folder / f"source_{seed}_{rows}.csv"
    generate(source, rows, seed=seed)
    header, data = read_csv(source)
    ours = [r for r in data if r["OC_CODICE_PROGRAMMA"] == PN_INCLUSIONE]
    assert len(ours) >= 8, "too few rows of PN Inclusione to edit"
    ours[0]["OC_CODICE_PROGRAMMA"] = f"{PN_INCLUSIONE}{SEP}{PR_FSE_ER}"  # funded by both programmes
    ours[1]["OC_CODICE_PROGRAMMA"] = f"{PR_FSE_ER}{SEP}{PN_INCLUSIONE}"
    for row in ours[2:4]:  # in two regions
        row["COD_REGIONE"], row["DEN_REGIONE"] = f"008{SEP}015", f"EMILIA-ROMAGNA{SEP}CAMPANIA"
        row["COD_PROVINCIA"], row["DEN_PROVINCIA"] = f"008037{SEP}015063", f"BOLOGNA{SEP}NAPOLI"
    ours[4]["OC_STATO_PROGETTO"] = ""  # no status: shown as "not available", after the four
    ours[5]["OC_CODFISC_BENEFICIARIO"] = f"80000010001{SEP}80000010001"  # listed twice on one project
    ours[5]["OC_DENOM_BENEFICIARIO"] = f"COMUNE DI PROVA{SEP}COMUNE DI PROVA"
    ours[6]["OC_TITOLO_PROGETTO"] = "Progetto con parola ZafferanoBlu nel titolo"
    ours[7]["OC_DENOM_BENEFICIARIO"] = "COOPERATIVA ZAFFERANOBLU"
    path = folder / f"progetti_esteso_20250228_{seed}_{rows}.csv"
    write_csv(path, header, data)
    return path


def money(text: str) -> Decimal:
    return Decimal(text.replace(",", ".")) if text.strip() else Decimal("0")


def programmes_of(row: dict[str, str]) -> list[str]:
    return [c.strip() for c in row["OC_CODICE_PROGRAMMA"].split(SEP) if c.strip()]


def place(code: str) -> str | None:
    code = code.strip()
    return None if not code else "MULTI" if SEP in code else code


@dataclass
class Sums:
    projects: int = 0
    funding: Decimal = Decimal("0")
    commitments: Decimal = Decimal("0")
    payments: Decimal = Decimal("0")

    def add(self, row: dict[str, str]) -> None:
        self.projects += 1
        self.funding += money(row[FUNDING])
        self.commitments += money(row["IMPEGNI"])
        self.payments += money(row["TOT_PAGAMENTI"])


@dataclass
class Expected:
    """Every figure of one programme's dashboard, from the CSV."""

    rows: list[dict[str, str]]
    totals: Sums = field(default_factory=Sums)
    status: dict[str, Sums] = field(default_factory=lambda: defaultdict(Sums))
    theme: dict[str, Sums] = field(default_factory=lambda: defaultdict(Sums))
    region: dict[str | None, Sums] = field(default_factory=lambda: defaultdict(Sums))
    province: dict[str | None, Sums] = field(default_factory=lambda: defaultdict(Sums))
    # subject (tax code, or "#name") -> [projects, funding, payments, tax code, name]
    beneficiaries: dict[str, list] = field(default_factory=dict)

    @classmethod
    def of(cls, path: Path, cci: str) -> Expected:
        _header, data = read_csv(path)
        expected = cls([r for r in data if cci in programmes_of(r)])
        for row in expected.rows:
            expected.totals.add(row)
            expected.status[row["OC_STATO_PROGETTO"].strip() or "n.d."].add(row)
            expected.theme[row["OC_TEMA_SINTETICO"].strip() or "n.d."].add(row)
            expected.region[place(row["COD_REGIONE"])].add(row)
            expected.province[place(row["COD_PROVINCIA"])].add(row)
            # a subject is its tax code, or its name when the code is blank; one project counts once
            codes = row["OC_CODFISC_BENEFICIARIO"].split(SEP)
            names = row["OC_DENOM_BENEFICIARIO"].split(SEP)
            subjects = {}
            for code, name in zip_longest(codes, names, fillvalue=""):
                code, name = code.strip(), name.strip()
                if code or name:
                    subjects.setdefault(code or "#" + name, (code, name))
            for key, (code, name) in subjects.items():
                entry = expected.beneficiaries.setdefault(key, [0, Decimal("0"), Decimal("0"), code, name])
                entry[0] += 1
                entry[1] += money(row[FUNDING])
                entry[2] += money(row["TOT_PAGAMENTI"])
        return expected

    def top_beneficiaries(self, n: int = 10) -> list[tuple[str, int, Decimal]]:
        ranked = sorted(self.beneficiaries.values(), key=lambda v: -v[1])
        return [(v[3], v[0], v[1]) for v in ranked[:n]]
