"""The minutes as an archival PDF (PDF/A-3b, A4, page numbers), rendered with WeasyPrint like the outcome
report of a consultation (``officine/consultations/outcome.py``, docs/stack.md "PDF minutes").

Only static files (the design system's font) are read, from disk: whatever a text links to, nothing is
fetched over the network while rendering.
"""

import mimetypes

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from . import selectors_minutes
from .models import Minutes, MinutesState

STATIC_SCHEME = "officine-static:"


def static_only_fetcher():
    """A WeasyPrint URL fetcher that reads static files from disk and refuses everything else (the same
    policy as the consultations' outcome PDF; kept here so that meetings does not import a sibling app)."""
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


def render_html(document: selectors_minutes.MinutesDocument) -> str:
    minutes = document.minutes
    return render_to_string(
        "meetings/minutes/pdf.html",
        {
            "document": document,
            "minutes": minutes,
            "meeting": document.meeting,
            "is_draft": minutes.state not in (MinutesState.APPROVED, MinutesState.PUBLISHED),
            "static_base": STATIC_SCHEME,
        },
    )


def render(minutes: Minutes) -> bytes:
    """The current version of ``minutes`` as PDF/A-3b. Minutes not yet approved say so on every page."""
    from weasyprint import HTML

    html = render_html(selectors_minutes.build_document(minutes))
    return HTML(string=html, url_fetcher=static_only_fetcher()).write_pdf(pdf_variant="pdf/a-3b")
