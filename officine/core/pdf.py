"""Archival PDFs (PDF/A-3b) with WeasyPrint, shared by every app that publishes a document: consultation
outcome reports, agendas and minutes.

Templates refer to static files (the design system's font) as ``{{ static_base }}path``; the fetcher reads
them from disk and refuses everything else, so rendering never makes a network request, whatever a text
written by staff or partners links to.
"""

import mimetypes

from django.contrib.staticfiles import finders

STATIC_SCHEME = "officine-static:"


def static_only_fetcher():
    """A WeasyPrint URL fetcher that serves ``officine-static:`` URLs from the static files and refuses any
    other URL (no HTTP request to ourselves or to anyone else)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_SCHEME):
                raise ValueError(f"Refusing to fetch {url!r} while rendering a PDF.")
            path = finders.find(url[len(STATIC_SCHEME) :].lstrip("/"))
            if not path:
                raise ValueError(f"No static file for {url!r}.")
            with open(path, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def archival_pdf(html: str) -> bytes:
    """``html`` rendered as PDF/A-3b, reading only static files."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=static_only_fetcher()).write_pdf(pdf_variant="pdf/a-3b")
