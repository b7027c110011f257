"""The shared archival PDF renderer: PDF/A output, and no fetching beyond the static files."""

import re
import zlib

import pytest

from officine.core.pdf import STATIC_SCHEME, archival_pdf, static_only_fetcher


def inflated(pdf: bytes) -> bytes:
    """The PDF's streams decompressed (the XMP metadata is in one of them)."""
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            parts.append(match.group(1))
    return b"".join(parts)


def test_static_files_are_served_from_disk():
    response = static_only_fetcher().fetch(f"{STATIC_SCHEME}officine/css/officine.css")
    assert response.content_type == "text/css"
    assert b".badge" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/it/",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "officine-static:nope.css",
    ],
)
def test_anything_else_is_refused(url):
    with pytest.raises(ValueError):
        static_only_fetcher().fetch(url)


def test_renders_pdf_a_even_when_the_text_links_outside():
    pdf = archival_pdf(
        f'<html lang="it"><head><title>Verbale</title><link rel="stylesheet" href="{STATIC_SCHEME}'
        'officine/css/officine.css"></head><body><p>Seduta</p>'
        '<img src="https://example.org/x.png" alt=""></body></html>'
    )
    assert pdf.startswith(b"%PDF")
    assert b"pdfaid:part" in inflated(pdf)
