"""Property-based tests of the Italian working-day calendar across many years.

Deadlines for notices, written procedures and minutes are all computed with ``add_working_days``; a
mistake around Easter Monday or a weekend holiday would shift a legal deadline, so the properties are
checked on thousands of generated dates rather than on a few hand-picked examples. The reference
computations below are written independently of the module (a naive day-by-day walk and a Easter
table from another algorithm, Meeus/Jones/Butcher)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from officine.core.workdays import (
    add_working_days,
    easter_sunday,
    is_working_day,
    national_holidays,
    working_days_between,
)

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
SPANS = st.integers(min_value=0, max_value=80)
PATRONS = st.lists(
    st.tuples(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=28)), max_size=2
)


def easter_meeus(year: int) -> date:
    """Meeus/Jones/Butcher Gregorian Easter, as an independent reference."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def naive_add(start: date, days: int, extra=()) -> date:
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        holiday = current in national_holidays(current.year) or (current.month, current.day) in set(extra)
        if current.weekday() < 5 and not holiday:
            remaining -= 1
    return current


@settings(max_examples=300, deadline=None)
@given(year=st.integers(min_value=1900, max_value=2200))
def test_easter_matches_an_independent_algorithm_and_monday_is_a_holiday(year):
    sunday = easter_sunday(year)
    assert sunday == easter_meeus(year)
    assert sunday.weekday() == 6
    assert date(year, 3, 22) <= sunday <= date(year, 4, 25)
    assert not is_working_day(sunday + timedelta(days=1))


@settings(max_examples=400, deadline=None)
@given(start=DATES, days=SPANS, extra=PATRONS)
def test_adding_working_days_lands_on_a_working_day_and_counts_back(start, days, extra):
    end = add_working_days(start, days, extra)
    assert end == naive_add(start, days, extra)
    assert working_days_between(start, end, extra) == days
    if days:
        assert end > start
        assert is_working_day(end, extra)


@settings(max_examples=300, deadline=None)
@given(start=DATES, days=st.integers(min_value=1, max_value=60))
def test_going_back_undoes_going_forward_from_a_working_day(start, days):
    while not is_working_day(start):
        start += timedelta(days=1)
    assert add_working_days(add_working_days(start, days), -days) == start


@settings(max_examples=200, deadline=None)
@given(start=DATES, a=SPANS, b=SPANS)
def test_adding_is_additive(start, a, b):
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b)


@settings(max_examples=200, deadline=None)
@given(start=DATES, end=DATES)
def test_counting_is_monotonic_and_never_exceeds_calendar_days(start, end):
    count = working_days_between(start, end)
    assert 0 <= count <= max((end - start).days, 0)
    assert working_days_between(start, end + timedelta(days=7)) >= count


@settings(max_examples=100, deadline=None)
@given(year=st.integers(min_value=1990, max_value=2100))
def test_a_year_has_the_expected_number_of_working_days(year):
    first, last = date(year, 1, 1), date(year, 12, 31)
    weekdays = sum(1 for n in range((last - first).days + 1) if (first + timedelta(days=n)).weekday() < 5)
    weekday_holidays = sum(1 for day in national_holidays(year) if day.weekday() < 5)
    assert working_days_between(first - timedelta(days=1), last) == weekdays - weekday_holidays


def test_known_deadlines():
    """Hand-checked examples: Easter Monday 2025 (21 April), Liberazione and Festa del Lavoro, and
    San Francesco (4 October) from 2026 on."""
    assert add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 18)
    assert add_working_days(date(2025, 4, 18), 1) == date(2025, 4, 22)
    assert add_working_days(date(2025, 4, 24), 1) == date(2025, 4, 28)
    assert add_working_days(date(2025, 4, 30), 1) == date(2025, 5, 2)
    assert is_working_day(date(2025, 10, 3)) and not is_working_day(date(2027, 10, 4))
    assert is_working_day(date(2027, 10, 5))
