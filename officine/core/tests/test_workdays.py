from datetime import date

import pytest

from officine.core.workdays import (
    add_working_days,
    easter_sunday,
    is_working_day,
    national_holidays,
    working_days_between,
)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ],
)
def test_easter_sunday_known_dates(year, expected):
    assert easter_sunday(year) == expected


def test_national_holidays_include_easter_monday_and_fixed_days():
    holidays = national_holidays(2025)
    assert date(2025, 4, 21) in holidays  # Lunedì dell'Angelo
    assert date(2025, 4, 25) in holidays
    assert date(2025, 6, 2) in holidays
    assert date(2025, 12, 26) in holidays
    assert date(2025, 10, 4) not in holidays
    assert date(2026, 10, 4) in national_holidays(2026)


def test_weekends_and_holidays_are_not_working_days():
    assert not is_working_day(date(2025, 6, 7))  # Saturday
    assert not is_working_day(date(2025, 6, 2))  # Festa della Repubblica, a Monday
    assert is_working_day(date(2025, 6, 3))
    assert not is_working_day(
        date(2025, 12, 7), extra_holidays=[(12, 7)]
    )  # Sant'Ambrogio in Milan (a Sunday)
    assert not is_working_day(date(2026, 12, 7), extra_holidays=[(12, 7)])


def test_add_working_days_skips_weekends_and_holidays():
    # Ten working days after Wednesday 16 April 2025: Easter Monday 21/4, 25/4 and 1/5 are holidays.
    assert add_working_days(date(2025, 4, 16), 10) == date(2025, 5, 5)
    assert add_working_days(date(2025, 5, 5), -10) == date(2025, 4, 16)
    assert add_working_days(date(2025, 4, 16), 0) == date(2025, 4, 16)


def test_working_days_between_matches_add_working_days():
    start = date(2025, 12, 19)
    end = add_working_days(start, 10)
    assert working_days_between(start, end) == 10
    assert working_days_between(end, start) == 0
