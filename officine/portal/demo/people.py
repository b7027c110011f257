"""Fictional representatives for the demo partnerships: plausible Italian names, positions and mandates.

Everything is derived deterministically from the organisation's key, so running ``load_demo`` twice gives
the same people (idempotence), and the gender mix of each demo partnership is planned rather than left to
chance: one partnership sits just under the 40 % threshold of ECCP Art. 10 (so the warning shows), the
other above it. Nobody here is a real person and every e-mail address is on ``example.org``.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

FEMALE_NAMES = (
    "Alessandra",
    "Anna",
    "Antonella",
    "Barbara",
    "Beatrice",
    "Carla",
    "Caterina",
    "Chiara",
    "Cristina",
    "Daniela",
    "Elena",
    "Elisa",
    "Federica",
    "Francesca",
    "Gabriella",
    "Giada",
    "Giovanna",
    "Giulia",
    "Ilaria",
    "Laura",
    "Lucia",
    "Luisa",
    "Manuela",
    "Marina",
    "Marta",
    "Martina",
    "Michela",
    "Monica",
    "Nadia",
    "Paola",
    "Patrizia",
    "Roberta",
    "Rosa",
    "Sara",
    "Serena",
    "Silvia",
    "Simona",
    "Sofia",
    "Stefania",
    "Teresa",
    "Valentina",
    "Valeria",
)
MALE_NAMES = (
    "Alberto",
    "Alessandro",
    "Andrea",
    "Antonio",
    "Carlo",
    "Claudio",
    "Daniele",
    "Davide",
    "Enrico",
    "Fabio",
    "Federico",
    "Filippo",
    "Francesco",
    "Gabriele",
    "Giacomo",
    "Gianluca",
    "Giorgio",
    "Giovanni",
    "Giuseppe",
    "Lorenzo",
    "Luca",
    "Marco",
    "Massimo",
    "Matteo",
    "Michele",
    "Mario",
    "Nicola",
    "Paolo",
    "Pietro",
    "Raffaele",
    "Riccardo",
    "Roberto",
    "Salvatore",
    "Sergio",
    "Simone",
    "Stefano",
    "Tommaso",
    "Vincenzo",
    "Walter",
)
SURNAMES = (
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "De Santis",
    "D'Angelo",
    "Marchetti",
    "Parisi",
    "Villa",
    "Conte",
    "Ferraro",
    "Ferri",
    "Fabbri",
    "Bianco",
    "Marini",
    "Grasso",
    "Valentini",
    "Messina",
    "Sala",
    "De Angelis",
    "Gatti",
    "Pellegrini",
    "Palumbo",
    "Sanna",
    "Farina",
    "Rizzi",
    "Monti",
    "Cattaneo",
    "Morelli",
    "Amato",
    "Silvestri",
    "Mazza",
    "Testa",
    "Grassi",
    "Pellegrino",
    "Carbone",
    "Giuliani",
    "Benedetti",
    "Barone",
    "Rossetti",
    "Caputo",
    "Montanari",
    "Guerra",
    "Palmieri",
    "Bernardi",
    "Martino",
    "Fiore",
    "De Rosa",
    "Ferretti",
    "Bellini",
    "Basile",
    "Riva",
    "Donati",
    "Piras",
    "Vitali",
    "Battaglia",
    "Sartori",
    "Neri",
    "Costantini",
    "Milani",
    "Pagano",
    "Ruggiero",
    "Orlando",
    "Negri",
    "Mele",
    "Zanetti",
    "Bassi",
    "Tedesco",
    "Cirillo",
    "Fumagalli",
    "Guidi",
    "Sorrentino",
    "Zanella",
    "Bertolini",
)

# (masculine, feminine) forms of the position, per legal form, for the delegate and the substitute.
_POSITIONS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "trade_union": (
        ("Segretario confederale", "Segretaria confederale"),
        ("Responsabile politiche sociali", "Responsabile politiche sociali"),
    ),
    "employers_association": (
        ("Vicepresidente", "Vicepresidente"),
        ("Responsabile relazioni istituzionali", "Responsabile relazioni istituzionali"),
    ),
    "chamber": (
        ("Segretario generale", "Segretaria generale"),
        ("Responsabile area studi", "Responsabile area studi"),
    ),
    "public_body": (("Dirigente", "Dirigente"), ("Funzionario", "Funzionaria")),
    "university": (
        ("Delegato del Rettore per la terza missione", "Delegata del Rettore per la terza missione"),
        ("Professore associato", "Professoressa associata"),
    ),
    "research_body": (("Dirigente di ricerca", "Dirigente di ricerca"), ("Ricercatore", "Ricercatrice")),
}
_DEFAULT_POSITIONS = (
    ("Componente dell'ufficio di presidenza", "Componente dell'ufficio di presidenza"),
    ("Responsabile progettazione", "Responsabile progettazione"),
)

MANDATE_EXPIRY = date(2029, 12, 31)  # end of the 2021-2027 eligibility period
SHORT_MANDATE_EXPIRY = date(2027, 12, 31)
UNDECLARED_EVERY = 9  # about one person in nine does not declare a gender


@dataclass(frozen=True)
class PersonSpec:
    """One demo representative, before it becomes a ``Representative`` row."""

    org_key: str
    role: str  # "delegate" | "substitute"
    first_name: str
    last_name: str
    gender: str  # "F", "M" or "" (not declared)
    position: str
    mandate_issuer: str
    mandate_date: date
    mandate_expires: date | None

    @property
    def email(self) -> str:
        local = f"{self.first_name}.{self.last_name}.{self.org_key}".lower()
        ascii_local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
        return "".join(c for c in ascii_local if c.isalnum() or c == ".").replace("..", ".") + "@example.org"


@dataclass(frozen=True)
class OrgForPeople:
    """What the planner needs to know about an organisation."""

    key: str
    legal_form: str
    mandate_issuer: str
    first_start: date  # start of the organisation's first demo membership
    committee: bool  # sits on the monitoring committee of the partnership being planned


ROLES = ("delegate", "substitute")


def has_substitute(org_key: str) -> bool:
    """About three organisations in four also name a substitute."""
    return random.Random(f"substitute:{org_key}").random() < 0.75


def plan_representatives(partnerships: list[tuple[float, list[OrgForPeople]]]) -> list[PersonSpec]:
    """People for every organisation of the given partnerships, hitting each one's share of women.

    ``partnerships`` is a list of ``(share_of_women, organisations)``. Within each partnership the share is
    met separately for committee and other members, delegates and substitutes, so every view of the
    representativeness panel shows about the same balance. An organisation in two partnerships gets its
    people once: the second partnership counts them as given and balances with its own organisations.
    """
    genders: dict[tuple[str, str], str] = {}
    first_seen: dict[str, OrgForPeople] = {}
    for share, orgs in partnerships:
        for org in orgs:
            first_seen.setdefault(org.key, org)
        for committee in (True, False):
            for role in ROLES:
                stratum = [
                    o.key
                    for o in orgs
                    if o.committee == committee and (role == "delegate" or has_substitute(o.key))
                ]
                _assign_genders(genders, stratum, role, share)
    return [
        _person(org, role, genders[(key, role)])
        for key, org in first_seen.items()
        for role in ROLES
        if (key, role) in genders
    ]


def _assign_genders(genders: dict[tuple[str, str], str], keys: list[str], role: str, share: float) -> None:
    """Give a gender to the slots of ``keys`` not yet planned, so the whole group reaches ``share`` women."""
    given = [genders[(k, role)] for k in keys if (k, role) in genders]
    new = [k for k in keys if (k, role) not in genders]
    random.Random(f"order:{role}:{share}:{len(keys)}").shuffle(new)
    undeclared = set(new[::UNDECLARED_EVERY])
    declared = [k for k in new if k not in undeclared]
    declared_total = len(declared) + sum(1 for g in given if g)
    women = int(share * declared_total + 0.5) - given.count("F")
    women = max(0, min(women, len(declared)))
    for index, key in enumerate(declared):
        genders[(key, role)] = "F" if index < women else "M"
    for key in undeclared:
        genders[(key, role)] = ""


def _person(org: OrgForPeople, role: str, gender: str) -> PersonSpec:
    rng = random.Random(f"person:{org.key}:{role}")
    feminine = gender == "F" or (gender == "" and rng.random() < 0.5)
    first_name = rng.choice(FEMALE_NAMES if feminine else MALE_NAMES)
    last_name = rng.choice(SURNAMES)
    delegate_forms, substitute_forms = _POSITIONS.get(org.legal_form, _DEFAULT_POSITIONS)
    forms = delegate_forms if role == "delegate" else substitute_forms
    mandate_date = org.first_start - timedelta(days=rng.randint(5, 40))
    expires = SHORT_MANDATE_EXPIRY if rng.random() < 0.15 else MANDATE_EXPIRY
    return PersonSpec(
        org_key=org.key,
        role=role,
        first_name=first_name,
        last_name=last_name,
        gender=gender,
        position=forms[1] if feminine else forms[0],
        mandate_issuer=org.mandate_issuer,
        mandate_date=mandate_date,
        mandate_expires=expires,
    )
