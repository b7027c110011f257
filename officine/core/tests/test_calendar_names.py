"""Dates on Italian pages write month and day names in lower case, as Italian does."""

import datetime

from django.utils import translation
from django.utils.dateformat import format as format_date


def test_italian_dates_are_in_lower_case():
    day = datetime.date(2026, 3, 16)
    with translation.override("it"):
        assert format_date(day, "l j F Y") == "lunedì 16 marzo 2026"
        assert format_date(day, "j E Y") == "16 marzo 2026"
    with translation.override("en"):
        assert format_date(day, "l j F Y") == "Monday 16 March 2026"
