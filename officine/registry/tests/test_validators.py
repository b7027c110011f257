"""Italian identifiers: real public codes pass, one-character typos fail, shapes are explained."""

import pytest
from django.core.exceptions import ValidationError

from officine.registry.tests.conftest import body_tax_code
from officine.registry.validators import (
    is_valid_tax_code,
    is_valid_vat_number,
    validate_ipa_code,
    validate_tax_code,
    validate_vat_number,
)

# Published codes of public bodies (their websites' footers) and the textbook personal code.
REAL_BODY_CODES = ["06363391001", "02438750586", "80111810588"]  # Agenzia delle Entrate, Roma Capitale, ISTAT
REAL_PERSON_CODE = "RSSMRA85T10A562S"


@pytest.mark.parametrize("code", REAL_BODY_CODES)
def test_real_body_codes_are_valid(code):
    assert is_valid_tax_code(code)
    assert is_valid_vat_number(code)
    validate_tax_code(code)
    validate_vat_number(code)


@pytest.mark.parametrize("code", ["06363391002", "06363391011", "16363391001"])
def test_body_code_with_a_typo_is_refused(code):
    assert not is_valid_tax_code(code)
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(code)
    assert exc.value.code == "tax_code_check"


def test_person_code_is_valid_and_typos_are_refused():
    assert is_valid_tax_code(REAL_PERSON_CODE)
    assert is_valid_tax_code(REAL_PERSON_CODE.lower())
    assert not is_valid_tax_code("RSSMRA85T10A562T")
    assert not is_valid_tax_code("RSSMRA85T10A563S")


def test_codes_are_normalised_before_checking():
    assert is_valid_tax_code(" 063 633 910 01 ")
    validate_vat_number("IT06363391001")


def test_wrong_length_says_how_long_a_code_is():
    with pytest.raises(ValidationError) as exc:
        validate_tax_code("1234567")
    assert exc.value.code == "tax_code_length"
    assert "7" in exc.value.messages[0]


def test_vat_number_must_be_eleven_digits():
    with pytest.raises(ValidationError) as exc:
        validate_vat_number("ABC")
    assert exc.value.code == "vat_length"
    with pytest.raises(ValidationError) as exc:
        validate_vat_number("06363391002")
    assert exc.value.code == "vat_check"


def test_empty_values_are_allowed_by_the_field_validators():
    validate_tax_code("")
    validate_vat_number("")
    validate_ipa_code("")


@pytest.mark.parametrize("code", ["c_h501", "m_lps", "aci"])
def test_ipa_codes(code):
    validate_ipa_code(code)


def test_bad_ipa_code():
    with pytest.raises(ValidationError):
        validate_ipa_code("c-h501!")


def test_fixture_codes_follow_the_same_algorithm():
    """The codes the fixtures invent pass the validator (and are not accidentally real ones)."""
    codes = [body_tax_code(n) for n in range(1, 200)]
    assert all(is_valid_tax_code(c) for c in codes)
    assert not set(codes) & set(REAL_BODY_CODES)
