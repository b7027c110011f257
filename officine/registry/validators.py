"""Validators for Italian identifiers: check digits are verified, not just the shape.

- Partita IVA and the numeric codice fiscale of legal persons: 11 digits, the last one a Luhn-style check
  digit (DM 23 dicembre 1976, as used by the Agenzia delle Entrate).
- Codice fiscale of natural persons (sole traders): 16 characters, the last one a check letter computed
  from odd/even position tables (DM 23 dicembre 1976, annex).
- IPA code (Indice dei domicili digitali della PA): short lower-case code such as ``c_h501`` or ``m_lps``.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ODD_VALUES = {
    **dict(zip("0123456789", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23),
            strict=True,
        )
    ),
}
_EVEN_VALUES = {
    **{str(d): d for d in range(10)},
    **{chr(ord("A") + i): i for i in range(26)},
}
_PERSON_CF = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)
_IPA = re.compile(r"^[a-z0-9_]{2,20}$")


def normalize_code(value: str | None) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def numeric_check_digit(first_ten: str) -> int:
    total = 0
    for index, char in enumerate(first_ten):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def person_check_letter(first_fifteen: str) -> str:
    total = 0
    for index, char in enumerate(first_fifteen):
        total += _ODD_VALUES[char] if index % 2 == 0 else _EVEN_VALUES[char]
    return chr(ord("A") + total % 26)


def is_valid_vat_number(value: str) -> bool:
    code = normalize_code(value)
    if code.startswith("IT"):
        code = code[2:]
    return bool(re.fullmatch(r"\d{11}", code)) and numeric_check_digit(code[:10]) == int(code[10])


def is_valid_tax_code(value: str) -> bool:
    """True for an 11-digit numeric codice fiscale / partita IVA or a 16-character personal one."""
    code = normalize_code(value)
    if len(code) == 11:
        return is_valid_vat_number(code)
    if len(code) == 16 and _PERSON_CF.match(code):
        return person_check_letter(code[:15]) == code[15]
    return False


def validate_tax_code(value: str) -> None:
    code = normalize_code(value)
    if not code:
        return
    if len(code) not in (11, 16):
        raise ValidationError(
            _("An Italian tax code has 11 digits (bodies) or 16 characters (persons); this one has %(n)d."),
            code="tax_code_length",
            params={"n": len(code)},
        )
    if not is_valid_tax_code(code):
        raise ValidationError(
            _("The check character of this tax code is wrong: please check it for typing errors."),
            code="tax_code_check",
        )


def validate_vat_number(value: str) -> None:
    code = normalize_code(value)
    if not code:
        return
    digits = code[2:] if code.startswith("IT") else code
    if not re.fullmatch(r"\d{11}", digits):
        raise ValidationError(_("An Italian VAT number has 11 digits."), code="vat_length")
    if not is_valid_vat_number(digits):
        raise ValidationError(
            _("The check digit of this VAT number is wrong: please check it for typing errors."),
            code="vat_check",
        )


def validate_ipa_code(value: str) -> None:
    if value and not _IPA.match(value.strip().lower()):
        raise ValidationError(
            _("An IPA code has 2 to 20 letters, digits or underscores (e.g. c_h501)."), code="ipa_format"
        )
