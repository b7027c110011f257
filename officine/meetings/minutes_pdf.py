"""The minutes as an archival PDF (PDF/A-3b, A4, page numbers), rendered with WeasyPrint like the outcome
report of a consultation (``officine/core/pdf.py``, docs/stack.md "PDF minutes").

Only static files (the design system's font) are read, from disk: whatever a text links to, nothing is
fetched over the network while rendering.
"""

from django.template.loader import render_to_string

from officine.core.pdf import STATIC_SCHEME, archival_pdf

from . import selectors_minutes
from .models import Minutes, MinutesState


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
    return archival_pdf(render_html(selectors_minutes.build_document(minutes)))
