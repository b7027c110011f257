"""CCI codes: the Commission's identifier of a programme (e.g. ``2021IT16FFPR001``).

Layout: 4-digit first year of the period, 2-letter country (``TC`` for Interreg), 2-digit fund/objective
code, 2 characters for the fund mix (``RF``, ``FF``, ``M2``, ``SF``…), 2 letters for the kind of programme
(``PR``, ``OP``, ``TA``, ``CB``, ``TN``…), 3-digit serial number.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CCI_PATTERN = re.compile(
    r"^(?P<year>(19|20)\d{2})(?P<country>[A-Z]{2})(?P<fund>\d{2})(?P<mix>[A-Z0-9]{2})"
    r"(?P<kind>[A-Z]{2})(?P<serial>\d{3})$"
)
CYCLE_YEARS = {"2014-2020": range(2014, 2021), "2021-2027": range(2021, 2028)}


def normalize_cci(value: str | None) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_cci(value: str) -> None:
    code = normalize_cci(value)
    if len(code) != 15:
        raise ValidationError(
            _("A CCI code has 15 characters (e.g. 2021IT16FFPR001); this one has %(n)d."),
            code="cci_length",
            params={"n": len(code)},
        )
    if not CCI_PATTERN.match(code):
        raise ValidationError(
            _("This is not a CCI code: expected year, country, fund and number, as in 2021IT16FFPR001."),
            code="cci_format",
        )


def cci_year(value: str) -> int | None:
    match = CCI_PATTERN.match(normalize_cci(value))
    return int(match.group("year")) if match else None
