"""Reading the minutes: the text of a version as the page and the PDF show it, the history of versions with
what changed between them and the members' comments, and whether a meeting's minutes are late.

Every function reads in a fixed number of queries, whatever the number of items, versions or comments.
"""

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from officine.core.workdays import add_working_days

from .models import (
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingState,
    Minutes,
    MinutesComment,
    MinutesSection,
    MinutesState,
    MinutesVersion,
    Seat,
)

# --- Loading --------------------------------------------------------------------------------------------


def meeting_for_minutes(pk: int) -> Meeting:
    """The meeting with what the minutes pages show about it (body, programmes); raises DoesNotExist."""
    return Meeting.objects.select_related("body", "programme").prefetch_related("body__programmes").get(pk=pk)


def minutes_of(meeting: Meeting) -> Minutes | None:
    """The minutes of ``meeting`` (with how they were approved), or None if they have not been started."""
    minutes = (
        Minutes.objects.select_related("approved_at_meeting", "approved_by_procedure")
        .filter(meeting_id=meeting.pk)
        .first()
    )
    if minutes is not None:
        minutes.meeting = meeting  # the caller's copy, with its body and programmes already loaded
    return minutes


def current_version(minutes: Minutes) -> MinutesVersion | None:
    return minutes.versions.select_related("author").order_by("-number").first()


# --- The text of one version ----------------------------------------------------------------------------


@dataclass
class SectionView:
    item: AgendaItem
    text: str
    comments: list[MinutesComment] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"item-{self.item.order}"


@dataclass
class MinutesDocument:
    minutes: Minutes
    meeting: Meeting
    version: MinutesVersion
    sections: list[SectionView]
    general_comments: list[MinutesComment] = field(default_factory=list)

    @property
    def comment_count(self) -> int:
        return len(self.general_comments) + sum(len(s.comments) for s in self.sections)

    @property
    def is_final(self) -> bool:
        return self.minutes.state in (MinutesState.APPROVED, MinutesState.PUBLISHED)


def _comments_queryset():
    return MinutesComment.objects.select_related("seat__organization", "author", "item").order_by("at", "pk")


def build_document(
    minutes: Minutes, version: MinutesVersion | None = None, *, with_comments: bool = False
) -> MinutesDocument:
    """The text of ``version`` (the current one by default), section by section in agenda order, and with
    ``with_comments`` the members' comments on it. Three queries at most."""
    version = version or current_version(minutes)
    sections = list(
        MinutesSection.objects.filter(version=version).select_related("item").order_by("item__order")
    )
    comments = list(_comments_queryset().filter(version=version)) if with_comments else []
    by_item: dict[int, list[MinutesComment]] = defaultdict(list)
    general: list[MinutesComment] = []
    for note in comments:
        (by_item[note.item_id] if note.item_id else general).append(note)
    views = [SectionView(s.item, s.text, by_item.get(s.item_id, [])) for s in sections]
    return MinutesDocument(minutes, minutes.meeting, version, views, general)


# --- History --------------------------------------------------------------------------------------------

_TOKENS = re.compile(r"\s+|[^\s]+")


def diff_html(old: str, new: str) -> SafeString:
    """A word diff as escaped HTML: deleted words in <del>, inserted ones in <ins> (the tags say what
    changed, so the result does not rely on colour)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


@dataclass
class PartChange:
    """One part of the text (opening, an item, closing) compared with the previous version."""

    label: str
    item: AgendaItem | None
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def diff(self) -> SafeString:
        return diff_html(self.old, self.new)


@dataclass
class VersionEntry:
    version: MinutesVersion
    document: MinutesDocument
    changes: list[PartChange]  # empty for the first version

    @property
    def changed_parts(self) -> list[PartChange]:
        return [change for change in self.changes if change.changed]


def history(minutes: Minutes, labels: dict[str, str]) -> list[VersionEntry]:
    """Every version, newest first, each with its text, its comments and what changed from the version
    before it. ``labels`` names the opening and closing (``{"opening": …, "closing": …}``) in the page's
    language. Three queries whatever the number of versions."""
    versions = list(
        minutes.versions.select_related("author")
        .prefetch_related(
            Prefetch(
                "sections", queryset=MinutesSection.objects.select_related("item").order_by("item__order")
            ),
            Prefetch("comments", queryset=_comments_queryset()),
        )
        .order_by("number")
    )
    entries: list[VersionEntry] = []
    previous: MinutesVersion | None = None
    for version in versions:
        by_item: dict[int, list[MinutesComment]] = defaultdict(list)
        general: list[MinutesComment] = []
        for note in version.comments.all():
            (by_item[note.item_id] if note.item_id else general).append(note)
        sections = list(version.sections.all())
        document = MinutesDocument(
            minutes,
            minutes.meeting,
            version,
            [SectionView(s.item, s.text, by_item.get(s.item_id, [])) for s in sections],
            general,
        )
        changes: list[PartChange] = []
        if previous is not None:
            old_sections = {s.item_id: s.text for s in previous.sections.all()}
            changes.append(PartChange(labels["opening"], None, previous.opening, version.opening))
            changes += [
                PartChange(str(s.item), s.item, old_sections.get(s.item_id, ""), s.text) for s in sections
            ]
            changes.append(PartChange(labels["closing"], None, previous.closing, version.closing))
        entries.append(VersionEntry(version, document, changes))
        previous = version
    entries.reverse()
    return entries


# --- Members and choices --------------------------------------------------------------------------------


def commenting_seat(user, minutes: Minutes, today: date | None = None) -> Seat | None:
    """The seat in force under which ``user`` comments on the minutes of the body, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Seat.objects.in_force(today)
        .filter(Q(member_user=user) | Q(substitute_user=user), body_id=minutes.meeting.body_id)
        .select_related("organization")
        .order_by("role", "pk")
        .first()
    )


# --- Deadlines ------------------------------------------------------------------------------------------


def _publication_rule(meeting: Meeting) -> tuple[int, tuple[tuple[int, int], ...]] | None:
    """Working days allowed to publish the minutes and the local holidays: the meeting's programme, or
    the strictest programme the body serves (a committee of several programmes answers to each)."""
    if meeting.programme_id is not None:
        programme = meeting.programme
        return programme.minutes_publication_working_days, programme.extra_holidays
    programmes = list(meeting.body.programmes.all()) if meeting.body_id else []
    if not programmes:
        return None
    days = min(p.minutes_publication_working_days for p in programmes)
    holidays = tuple(sorted({h for p in programmes for h in p.extra_holidays}))
    return days, holidays


def minutes_due_date(meeting: Meeting) -> date | None:
    """The last day to publish the minutes of a held body meeting: the programme's
    ``minutes_publication_working_days`` working days after the meeting day. None when no minutes are due
    (not a held body meeting, or no programme to take the rule from)."""
    if meeting.kind != MeetingKind.BODY_MEETING or meeting.state != MeetingState.HELD:
        return None
    rule = _publication_rule(meeting)
    if rule is None:
        return None
    days, holidays = rule
    return add_working_days(meeting.day, days, holidays)


def minutes_overdue(meeting: Meeting, today: date) -> date | None:
    """The due date when the minutes of ``meeting`` are late on ``today``, else None.

    Late means: the due date (:func:`minutes_due_date`) has passed and the minutes were not published by
    then, whether they are still unpublished or were published after the due date (both fail the check).
    Pure apart from reading the meeting's programme(s) and minutes: pass a meeting loaded with
    ``select_related("programme", "minutes")`` and ``prefetch_related("body__programmes")`` to keep a list
    of meetings at a fixed number of queries.
    """
    due = minutes_due_date(meeting)
    if due is None or today <= due:
        return None
    try:
        minutes = meeting.minutes
    except Minutes.DoesNotExist:
        return due
    if minutes.published_at is not None and timezone.localdate(minutes.published_at) <= due:
        return None
    return due
