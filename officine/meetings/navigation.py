"""Where a meeting's public pages sit in the site: a body's meeting is reached through the bodies, an event
through the calendar. The meeting page, its minutes and its registration pages share one trail so that a
visitor always sees the same path back."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Meeting


def meeting_section(meeting: Meeting) -> str:
    """The main-menu entry to mark as current (``core.context_processors.site``)."""
    return "bodies" if meeting.body_id else "calendar"


def meeting_crumbs(meeting: Meeting, *tail: tuple) -> list[tuple]:
    """Breadcrumbs down to the meeting (linked when ``tail`` continues below it)."""
    if meeting.body_id:
        trail = [
            (_("Bodies"), reverse("bodies:list")),
            (meeting.body.name, reverse("bodies:detail", args=[meeting.body_id])),
        ]
    else:
        trail = [(_("Calendar"), reverse("meetings:calendar"))]
    link = reverse("meetings:detail", args=[meeting.pk]) if tail else None
    return [*trail, (meeting.title, link), *tail]
