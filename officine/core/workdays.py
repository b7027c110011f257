"""Italian working-day calendar: deadlines in the ECCP and in committees' rules are counted in working days.

Holidays are the national ones (Legge 260/1949 and later amendments) plus Easter Monday; a programme may
add its patron-saint day through ``extra_holidays``. Saturdays and Sundays are never working days.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1),  # Capodanno
    (1, 6),  # Epifania
    (4, 25),  # Festa della Liberazione
    (5, 1),  # Festa del Lavoro
    (6, 2),  # Festa della Repubblica
    (8, 15),  # Ferragosto
    (11, 1),  # Ognissanti
    (12, 8),  # Immacolata Concezione
    (12, 25),  # Natale
    (12, 26),  # Santo Stefano
)
# San Francesco d'Assisi (4 October) is a national holiday again from 2026 (law approved in October 2025).
SAINT_FRANCIS_FROM_YEAR = 2026


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm, valid for any year after 1583)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    days = {date(year, month, day) for month, day in FIXED_HOLIDAYS}
    days.add(easter_sunday(year) + timedelta(days=1))  # Lunedì dell'Angelo
    if year >= SAINT_FRANCIS_FROM_YEAR:
        days.add(date(year, 10, 4))
    return frozenset(days)


def is_working_day(day: date, extra_holidays: Iterable[tuple[int, int]] = ()) -> bool:
    if day.weekday() >= 5:
        return False
    if day in national_holidays(day.year):
        return False
    return (day.month, day.day) not in set(extra_holidays)


def add_working_days(start: date, days: int, extra_holidays: Iterable[tuple[int, int]] = ()) -> date:
    """The date ``days`` working days after ``start`` (before it when ``days`` is negative)."""
    extra = tuple(extra_holidays)
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current, extra):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, extra_holidays: Iterable[tuple[int, int]] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    extra = tuple(extra_holidays)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, extra):
            count += 1
    return count
