"""CCI codes: every real code in the programme list passes; malformed ones fail with the right message."""

import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from officine.programmes.validators import CYCLE_YEARS, cci_year, normalize_cci, validate_cci

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "programmi_it.csv"


def real_codes() -> list[tuple[str, str]]:
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return [(row["cci"], row["ciclo"]) for row in rows if row["cci"].strip()]


def test_the_list_has_real_codes_to_check():
    assert len(real_codes()) > 100


@pytest.mark.parametrize(("code", "cycle"), real_codes())
def test_real_codes_are_valid_and_match_their_cycle(code, cycle):
    validate_cci(code)
    assert cci_year(code) in CYCLE_YEARS[cycle]


@pytest.mark.parametrize("code", ["2021it16ffpr001", " 2021 IT16 FFPR001 "])
def test_lower_case_and_spaces_are_normalised(code):
    validate_cci(code)
    assert normalize_cci(code) == "2021IT16FFPR001"


@pytest.mark.parametrize(
    ("code", "error_code", "fragment"),
    [
        ("2021IT16FFPR01", "cci_length", "this one has 14"),
        ("2021IT16FFPR0011", "cci_length", "this one has 16"),
        ("", "cci_length", "this one has 0"),
        ("21IT16FFPR00001", "cci_format", "not a CCI code"),
        ("2021I716FFPR001", "cci_format", "not a CCI code"),
        ("2021ITXXFFPR001", "cci_format", "not a CCI code"),
        ("2021IT16FFPRA01", "cci_format", "not a CCI code"),
        ("1821IT16FFPR001", "cci_format", "not a CCI code"),
    ],
)
def test_malformed_codes_fail_with_their_message(code, error_code, fragment):
    with pytest.raises(ValidationError) as info:
        validate_cci(code)
    assert info.value.code == error_code
    assert fragment in info.value.messages[0]
