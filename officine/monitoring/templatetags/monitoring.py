"""Template filters of the implementation pages: rounded amounts and payment rates, the locale's way."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from officine.core.templatetags.officine import euro

register = template.Library()


@register.filter
def rate(value: float | None, decimals: int = 1) -> str:
    """A ratio (0.4567) as a percentage with the locale's decimal mark: "45,7 %" in Italian; "—" when the
    rate does not exist (a programme with no funding)."""
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, int(decimals))} %"


@register.filter
def rate_percent(value: float | None) -> int:
    """A ratio as a whole percentage clamped to 0-100, for the width of a bar (``width_class``)."""
    if value is None or value == "":
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.filter
def whole_euro(value) -> str:
    """An amount rounded (half up) to the euro, then written as ``euro`` writes it: "€ 35.351.107".

    Django's number formatting cuts the decimals off rather than rounding them, which would show
    35,351,106.60 as 35,351,106; key figures round to the nearest euro instead."""
    if value in (None, ""):
        return ""
    try:
        rounded = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    return euro(rounded, 0)
