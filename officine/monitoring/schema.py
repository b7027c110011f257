"""What the OpenCoesione open-data files look like, column by column.

The importer maps columns by *name* (OpenCoesione adds and renames columns between releases, see
docs/open-data.md §1.2), so this module describes columns by exact name plus a few name patterns that also
catch
columns added later (a new ``FINANZ_*`` column is money, a new ``DATA_*`` column is a date). Everything that
is not
money, a date or an indicator value stays text: codes above all, because a code read as a number loses its
leading
zeros (the xniola sample shows the damage) and the reader restores them to the widths below.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from importlib import resources

#: Separator OpenCoesione puts between the values of a multi-valued field (several comuni, several
# beneficiaries).
MULTI_VALUE_SEPARATOR = ":::"

PROGETTI = "progetti"
PROGETTI_ESTESO = "progetti_esteso"
SOGGETTI = "soggetti"
LOCALIZZAZIONI = "localizzazioni"

# Money: gross and net funding, savings, commitments, payments, costs. Patterns rather than names so that
# columns
# added by later releases (FINANZ_UE_ALTRO, OC_FINANZ_UE_ALTRO_NETTO in 06/2026) are typed without a code
# change.
_MONEY_RE = re.compile(
    r"^(OC_)?(FINANZ_|ECONOMIE_|IMPEGNI|IMPEGNI_|TOT_PAGAMENTI|PAGAMENTI_|COSTO_)"
    r"|^OC_(FINANZ_|IMPEGNI_|TOT_PAGAMENTI_|PAGAMENTI_|COSTO_)"
)
_DATE_RE = re.compile(r"^(OC_)?DATA_")
# Indicator targets and results are measures (km, people, m²), not euros: DOUBLE, not DECIMAL(18,2).
_MEASURE_RE = re.compile(r"^(PROGRAMMATO|REALIZZATO)_INDICATORE_\d+$")


@dataclass(frozen=True)
class Dataset:
    """One OpenCoesione dataset: the columns it must have and how to type the ones it has."""

    name: str
    required: tuple[str, ...]
    known: tuple[str, ...]
    #: code column → zero-padded width (None: text, width not verified, so never padded).
    codes: dict[str, int | None] = field(default_factory=dict)
    #: columns whose values may be joined with MULTI_VALUE_SEPARATOR.
    multi_value: frozenset[str] = frozenset()

    def is_money(self, column: str) -> bool:
        """Money: decimal comma in the file, DECIMAL(18,2) in Parquet."""
        return self.name in (PROGETTI, PROGETTI_ESTESO) and bool(_MONEY_RE.match(column))

    def is_date(self, column: str) -> bool:
        """Dates: YYYYMMDD in the file, DATE in Parquet (empty or invalid → NULL)."""
        return bool(_DATE_RE.match(column))

    def is_measure(self, column: str) -> bool:
        """Indicator values: decimal comma in the file, DOUBLE in Parquet."""
        return bool(_MEASURE_RE.match(column))

    def padded_codes(self, columns: list[str]) -> dict[str, int]:
        """The code columns of ``columns`` that have a known width, so that lost zeros can be restored."""
        return {c: w for c in columns if (w := self.codes.get(c)) is not None}


def _reference_columns() -> tuple[str, ...]:
    """The 199 columns of progetti_esteso_20250228, in order (package data, with fill counts)."""
    text = resources.files("officine.monitoring").joinpath("data/progetti_esteso_20250228_columns.csv")
    with text.open(encoding="utf-8", newline="") as handle:
        return tuple(row["column"] for row in csv.DictReader(handle, delimiter=";"))


# Numeric tax codes (codice fiscale of a company = partita IVA) are always 11 digits, so a shorter all-digit
# value
# lost its zeros; personal tax codes have letters and are never padded.
_TAX_CODE_WIDTH = 11
_ROLES = ("PROGRAMMATORE", "ATTUATORE", "BENEFICIARIO", "REALIZZATORE")

_PROGETTI_CODES: dict[str, int | None] = {
    # COD_COMUNE is region(3) + province(3) + comune(3) in progetti (e.g. 016072006, Bari); COD_REGIONE is
    # the same
    # 3-digit code as in localizzazioni. COD_PROVINCIA's width in progetti is not verified (3 or
    # region+province):
    # kept as text, never padded, rather than padded to a guess.
    "COD_REGIONE": 3,
    "COD_PROVINCIA": None,
    "COD_COMUNE": 9,
    # SLL 2011 codes are 4 digits (region 2 + number 2): the xniola sample has 710 next to 1612.
    "OC_COD_SLL": 4,
    "CUP": None,
    "OC_CODICE_PROGRAMMA": None,
    "OC_COD_CICLO": None,
    "OC_COD_TEMA_SINTETICO": None,
    "OC_COD_FONTE": None,
    "COD_ATECO": None,
    "COD_OB_TEMATICO": None,
    "COD_PRIORITA_INVEST": None,
    "OC_COD_CATEGORIA_SPESA": None,
    "CUP_COD_NATURA": None,
    "CUP_COD_TIPOLOGIA": None,
    "CUP_COD_SETTORE": None,
    "CUP_COD_SOTTOSETTORE": None,
    "CUP_COD_CATEGORIA": None,
    **{f"OC_CODFISC_{role}": _TAX_CODE_WIDTH for role in _ROLES},
    **{f"OC_COD_FORMA_GIU_{role}": None for role in _ROLES},
}
_PROGETTI_MULTI = frozenset(
    {
        "COD_REGIONE",
        "DEN_REGIONE",
        "COD_PROVINCIA",
        "DEN_PROVINCIA",
        "COD_COMUNE",
        "DEN_COMUNE",
        "OC_COD_SLL",
        "OC_DENOMINAZIONE_SLL",
        "OC_CODICE_PROGRAMMA",
        "OC_DESCRIZIONE_PROGRAMMA",
        "OC_COD_FONTE",
        "OC_DESCR_FONTE",
        "FONDO_COMUNITARIO",
        *(f"{prefix}_{role}" for role in _ROLES for prefix in ("OC_CODFISC", "OC_DENOM")),
        *(f"{prefix}_{role}" for role in _ROLES for prefix in ("OC_COD_FORMA_GIU", "OC_DESCR_FORMA_GIU")),
    }
)
# The columns docs/open-data.md §1.4 lists as needed by the platform: present in every release seen.
_PROGETTI_ESTESO_REQUIRED = (
    "COD_LOCALE_PROGETTO",
    "CUP",
    "OC_TITOLO_PROGETTO",
    "OC_FINANZ_TOT_PUB_NETTO",
    "TOT_PAGAMENTI",
    "OC_STATO_PROGETTO",
    "COD_REGIONE",
    "DEN_REGIONE",
    "OC_COD_CICLO",
    "OC_CODICE_PROGRAMMA",
    "OC_DESCRIZIONE_PROGRAMMA",
    "OC_TEMA_SINTETICO",
)
# The base layout's header is not in our reference data: require only what identifies a project and its
# programme.
_PROGETTI_REQUIRED = ("COD_LOCALE_PROGETTO", "CUP", "OC_TITOLO_PROGETTO", "OC_CODICE_PROGRAMMA")

_SOGGETTI_COLUMNS = (
    "COD_LOCALE_PROGETTO",
    "SOGG_COD_RUOLO",
    "SOGG_DESCR_RUOLO",
    "SOGG_PROGR_RUOLO",
    "OC_CODICE_FISCALE_SOGG",
    "OC_DENOMINAZIONE_SOGG",
    "COD_FORMA_GIURIDICA_SOGG",
    "DESCR_FORMA_GIURIDICA_SOGG",
    "COD_COMUNE_SEDE_SOGG",
    "INDIRIZZO_SOGG",
    "CAP_SOGG",
    "COD_ATECO_SOGG",
    "DESCRIZIONE_ATECO_SOGG",
    "COD_ADDETTI_SOGG",
    "DESCR_ADDETTI_SOGG",
    "COD_DIMENSIONE_SOGG",
    "DESCR_DIMENSIONE_SOGG",
    "CODICE_FISCALE_SOGGETTO",
    "DENOMINAZIONE_SOGGETTO",
    "OC_COD_ENTE_BDAP",
    "OC_COD_ENTE_IPA",
)
_LOCALIZZAZIONI_COLUMNS = (
    "COD_LOCALE_PROGETTO",
    "COD_REGIONE",
    "DEN_REGIONE",
    "COD_PROVINCIA",
    "DEN_PROVINCIA",
    "COD_COMUNE",
    "DEN_COMUNE",
    "COD_SLL",
    "DEN_SLL",
    "INDIRIZZO_PROG",
    "CAP_PROG",
    "OC_TERRITORIO_PROG",
    "OC_FLAG_CAP_PROG",
    "COD_AREA_INTERNA",
    "DEN_AREA_INTERNA",
    "CLASSIF_AREA_INTERNA",
)

DATASETS: dict[str, Dataset] = {
    PROGETTI_ESTESO: Dataset(
        PROGETTI_ESTESO, _PROGETTI_ESTESO_REQUIRED, _reference_columns(), _PROGETTI_CODES, _PROGETTI_MULTI
    ),
    PROGETTI: Dataset(PROGETTI, _PROGETTI_REQUIRED, _reference_columns(), _PROGETTI_CODES, _PROGETTI_MULTI),
    SOGGETTI: Dataset(
        SOGGETTI,
        ("COD_LOCALE_PROGETTO", "SOGG_COD_RUOLO", "OC_CODICE_FISCALE_SOGG", "OC_DENOMINAZIONE_SOGG"),
        _SOGGETTI_COLUMNS,
        {
            "SOGG_COD_RUOLO": None,
            "OC_CODICE_FISCALE_SOGG": _TAX_CODE_WIDTH,
            "CODICE_FISCALE_SOGGETTO": _TAX_CODE_WIDTH,
            "COD_FORMA_GIURIDICA_SOGG": None,
            # 9 digits like progetti's COD_COMUNE is likely but not verified on a real file: not padded.
            "COD_COMUNE_SEDE_SOGG": None,
            "CAP_SOGG": None,
            "COD_ATECO_SOGG": None,
            "OC_COD_ENTE_BDAP": None,
            "OC_COD_ENTE_IPA": None,
        },
    ),
    LOCALIZZAZIONI: Dataset(
        LOCALIZZAZIONI,
        ("COD_LOCALE_PROGETTO", "COD_REGIONE", "DEN_REGIONE", "COD_PROVINCIA", "COD_COMUNE", "DEN_COMUNE"),
        _LOCALIZZAZIONI_COLUMNS,
        {
            "COD_REGIONE": 3,
            "COD_PROVINCIA": 3,
            "COD_COMUNE": 3,
            "COD_SLL": 4,
            # Foreign rows (OC_TERRITORIO_PROG = E) have foreign postcodes such as 1000 (Tirana): never
            # padded.
            "CAP_PROG": None,
            "COD_AREA_INTERNA": None,
        },
    ),
}

# Columns that only one dataset has, used to recognise a file from its header.
_SOGGETTI_MARKERS = {"SOGG_COD_RUOLO", "OC_DENOMINAZIONE_SOGG", "OC_CODICE_FISCALE_SOGG"}
_LOCALIZZAZIONI_MARKERS = {"OC_TERRITORIO_PROG", "INDIRIZZO_PROG", "DEN_SLL", "CAP_PROG"}
_ESTESO_MARKERS = {
    "OC_DENOM_BENEFICIARIO",
    "OC_CODFISC_BENEFICIARIO",
    "COD_INDICATORE_1",
    "DATA_INIZIO_PREV_STUDIO_FATT",
}


def detect_dataset(header: list[str]) -> str | None:
    """Name the dataset of a header, or None: files are dated and renamed, headers are what is stable."""
    names = set(header)
    if names & _SOGGETTI_MARKERS:
        return SOGGETTI
    if "OC_TITOLO_PROGETTO" in names:
        return PROGETTI_ESTESO if names & _ESTESO_MARKERS else PROGETTI
    if names & _LOCALIZZAZIONI_MARKERS and "COD_LOCALE_PROGETTO" in names:
        return LOCALIZZAZIONI
    return None


def split_values_sql(column: str) -> str:
    """DuckDB expression giving a multi-valued column as a list, for queries on the Parquet snapshot.

    The snapshot keeps the text as published (one column per source column, same names as the CSV) and leaves
    the
    split to queries: most queries only filter or display, and a list column per multi-valued field would
    double
    what is stored.
    """
    quoted = '"' + column.replace('"', '""') + '"'
    return f"string_split({quoted}, '{MULTI_VALUE_SEPARATOR}')"
