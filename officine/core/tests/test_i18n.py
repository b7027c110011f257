from django.utils import translation

from officine.core.i18n import localized


def test_english_page_shows_english_text_when_there_is_one():
    with translation.override("en"):
        assert localized("Programma", "Programme") == "Programme"
        assert localized("Programma", "") == "Programma"


def test_italian_page_shows_italian_text_and_falls_back_to_english():
    with translation.override("it"):
        assert localized("Programma", "Programme") == "Programma"
        assert localized("", "Programme") == "Programme"
