"""Translated content fields come in `_it` and `_en` columns (DESIGN.md): one rule picks which to show."""

from django.utils.translation import get_language


def localized(italian: str, english: str) -> str:
    """The English text on English pages when there is one, otherwise the Italian (or whichever exists)."""
    if get_language() == "en" and english:
        return english
    return italian or english
