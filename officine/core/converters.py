"""URL converters: programmes are addressed by their CCI code, which is stable and meaningful."""

from django.urls import register_converter


class CciConverter:
    regex = r"[0-9]{4}[A-Z]{2}[0-9]{2}[A-Z0-9]{2}[A-Z]{2}[0-9]{3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CciConverter, "cci")
