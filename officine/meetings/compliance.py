"""Compliance alerts for bodies and programmes, computed from the records (never typed in).

Each rule reads what the law or the rules of procedure ask and reports where the records fall short, with a
link to the record that fails:

- ``mc_setup`` (CPR Art. 38(1)): the monitoring committee is set up within three months of the programme's
  approval; we check that it *met* (a meeting convened or held) by then. Before the deadline, an
  information alert says by when; after it, a missing or late first meeting is reported.
- ``yearly_meeting`` (CPR Art. 38(3)): the monitoring committee meets at least once a year. Every full
  calendar year after the one in which it was constituted (act of constitution, or when it was recorded)
  must have a meeting convened or held; the constitution year is covered by the three-month rule. For the
  current year a warning appears from 1 October (:data:`YEAR_END_WARNING_MONTH`) if nothing is convened.
- ``late_documents`` (ECCP Art. 11(b), rules of procedure): the documents of a meeting go out at least the
  body's notice period in working days before it (its urgent period for an urgent convocation). A document
  published after that day, or still unpublished once it has passed, is late. Withheld documents are left
  out: they are never published.
- ``gender_balance`` (ECCP Art. 10): monitoring committees aim at gender balance; below
  :data:`GENDER_THRESHOLD` % of either women or men among the members whose gender is recorded, a warning
  shows, saying how many members have no recorded gender (they are not counted).
- ``minutes_overdue`` (ECCP Art. 11(c), CPR Art. 38(4)): the minutes of a held meeting are published within
  the programme's ``minutes_publication_working_days`` working days (``selectors_minutes.minutes_overdue``).

Which alerts the public sees: those about what the law requires to be *public or timely in public* — the
committee's yearly meeting (the calendar shows it anyway), documents published late and minutes not
published (CPR Art. 38(4) and 49(1): the rules of procedure and all data shared with the committee are
published). The set-up deadline and the gender balance are management targets (the ECCP says the committee
*aims at* gender balance; the public page shows the neutral figure instead), so they are staff-only.

Every function reads a fixed number of queries whatever the number of meetings or documents.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import prefetch_related_objects
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from officine.core.workdays import add_working_days
from officine.programmes.models import Programme

from .models import Body, BodyKind, Meeting, MeetingDocument, MeetingKind, MeetingState, Seat
from .selectors import MEMBER_ROLES, GenderFigure, has_minutes
from .selectors_minutes import minutes_overdue

#: ECCP Art. 10: below this share of either sex among members with a recorded gender we warn.
GENDER_THRESHOLD = 40
#: CPR Art. 38(1): the committee is set up within this many months of the programme's approval.
SETUP_MONTHS = 3
#: From this month on, a year without a meeting convened yet is flagged (one quarter left).
YEAR_END_WARNING_MONTH = 10

#: States of a meeting that count as the body meeting (a cancelled one does not, a draft is not convened).
MEETING_STATES = (MeetingState.CONVENED, MeetingState.HELD)


class Severity:
    DANGER = "danger"
    WARNING = "warning"
    INFO = "info"


_SEVERITY_ORDER = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2}
_SEVERITY_LABELS = {
    Severity.DANGER: gettext_lazy("Not compliant"),
    Severity.WARNING: gettext_lazy("Attention"),
    Severity.INFO: gettext_lazy("Coming up"),
}
_SEVERITY_ICONS = {Severity.DANGER: "error", Severity.WARNING: "warning-circle", Severity.INFO: "info-circle"}


@dataclass(frozen=True)
class Alert:
    code: str
    severity: str
    message: str
    reference: str
    #: the public record that fails the check (a meeting or body page); may be empty
    url: str = ""
    #: the staff page where it is fixed; shown to staff only
    action_url: str = ""
    #: whether the public page of the body shows it (see the module docstring)
    public: bool = True
    #: the day the alert is about, to sort alerts of the same severity
    day: date | None = None

    @property
    def label(self) -> str:
        return str(_SEVERITY_LABELS[self.severity])

    @property
    def icon(self) -> str:
        return _SEVERITY_ICONS[self.severity]

    @property
    def css(self) -> str:
        return self.severity


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter: 30 Nov + 3 → 28/29 Feb)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _long(day: date) -> str:
    """A day in words in the active language ("9 dicembre 2026", "9 December 2026")."""
    return date_format(day, "j F Y")


def _sorted(alerts: Iterable[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda a: (_SEVERITY_ORDER[a.severity], a.day or date.min, a.code))


# --- Reading the records once --------------------------------------------------------------------------


@dataclass
class _Records:
    bodies: list[Body]
    meetings: dict[int, list[Meeting]]  # body id → body meetings convened or held, by start
    members: dict[int, list[Seat]]  # body id → member seats in force
    documents: dict[int, list]  # meeting id → published_at of its public documents (None = unpublished)


def _read(bodies: list[Body], today: date) -> _Records:
    prefetch_related_objects(bodies, "programmes")
    ids = [body.pk for body in bodies]
    by_pk = {body.pk: body for body in bodies}
    meetings: dict[int, list[Meeting]] = defaultdict(list)
    rows = (
        Meeting.objects.filter(body_id__in=ids, kind=MeetingKind.BODY_MEETING, state__in=MEETING_STATES)
        .select_related("programme", "minutes")
        .order_by("starts_at", "pk")
    )
    for meeting in rows:
        meeting.body = by_pk[meeting.body_id]
        meetings[meeting.body_id].append(meeting)
    members: dict[int, list[Seat]] = defaultdict(list)
    for seat in Seat.objects.filter(body_id__in=ids, role__in=MEMBER_ROLES).in_force(today):
        members[seat.body_id].append(seat)
    documents: dict[int, list] = defaultdict(list)
    meeting_ids = [m.pk for ms in meetings.values() for m in ms]
    if meeting_ids:
        docs = MeetingDocument.objects.filter(meeting_id__in=meeting_ids, is_confidential=False)
        for meeting_id, published_at in docs.values_list("meeting_id", "published_at"):
            documents[meeting_id].append(published_at)
    return _Records(bodies=bodies, meetings=meetings, members=members, documents=documents)


def _holidays(meeting: Meeting) -> tuple:
    """Local holidays for a meeting's deadlines: its programme's, or those of every programme its body
    serves (as ``selectors_minutes`` counts them)."""
    if meeting.programme_id:
        return meeting.programme.extra_holidays
    return tuple(sorted({h for p in meeting.body.programmes.all() for h in p.extra_holidays}))


# --- The rules ------------------------------------------------------------------------------------------


def setup_alerts(programme: Programme, committees: list[Body], records: _Records, today: date) -> list[Alert]:
    """CPR Art. 38(1): a monitoring committee that meets within three months of the programme's approval."""
    if programme.approval_date is None:
        return []
    due = add_months(programme.approval_date, SETUP_MONTHS)
    reference = _("Reg. (EU) 2021/1060, Art. 38(1)")
    facts = {"approved": _long(programme.approval_date), "due": _long(due)}
    if not committees:
        message = _(
            "No monitoring committee is recorded for this programme: it must be set up within three months "
            "of the programme's approval (%(approved)s), by %(due)s."
        )
        return [
            Alert(
                code="mc_setup",
                severity=Severity.DANGER if today > due else Severity.WARNING,
                message=message % facts,
                reference=reference,
                action_url=reverse("manage_meetings:body_create"),
                public=False,
                day=due,
            )
        ]
    first = min(
        (m for body in committees for m in records.meetings.get(body.pk, [])),
        key=lambda m: m.starts_at,
        default=None,
    )
    if first is not None and first.day <= due:
        return []
    if today <= due:
        message = _(
            "The monitoring committee must meet within three months of the programme's approval "
            "(%(approved)s): no meeting is convened yet and the deadline is %(due)s."
        )
        severity = Severity.INFO
    elif first is None:
        message = _(
            "The monitoring committee has not met within three months of the programme's approval "
            "(%(approved)s), by %(due)s, and no meeting is convened yet."
        )
        severity = Severity.DANGER
    else:
        facts["first"] = _long(first.day)
        message = _(
            "The monitoring committee did not meet within three months of the programme's approval "
            "(%(approved)s), by %(due)s: its first meeting was on %(first)s."
        )
        severity = Severity.WARNING
    return [
        Alert(
            code="mc_setup",
            severity=severity,
            message=message % facts,
            reference=reference,
            url=reverse("meetings:detail", args=[first.pk]) if first else "",
            action_url=reverse("manage_meetings:meeting_create") if first is None else "",
            public=False,
            day=due,
        )
    ]


def _constituted_on(body: Body) -> date:
    return body.constitution_act_date or timezone.localdate(body.created_at)


def yearly_alerts(body: Body, meetings: list[Meeting], today: date) -> list[Alert]:
    """CPR Art. 38(3): the monitoring committee meets at least once every calendar year."""
    if body.kind != BodyKind.MONITORING_COMMITTEE:
        return []
    years_met = {m.day.year for m in meetings}
    reference = _("Reg. (EU) 2021/1060, Art. 38(3)")
    body_url = reverse("bodies:detail", args=[body.pk])
    alerts = []
    for year in range(_constituted_on(body).year + 1, today.year):
        if year not in years_met:
            alerts.append(
                Alert(
                    code="yearly_meeting",
                    severity=Severity.DANGER,
                    message=_(
                        "%(body)s did not meet in %(year)d: the monitoring committee must meet at least "
                        "once a year."
                    )
                    % {"body": body.name, "year": year},
                    reference=reference,
                    url=body_url,
                    day=date(year, 12, 31),
                )
            )
    constituted = _constituted_on(body)
    if (
        today.month >= YEAR_END_WARNING_MONTH
        and today.year not in years_met
        and constituted.year < today.year
    ):
        alerts.append(
            Alert(
                code="yearly_meeting",
                severity=Severity.WARNING,
                message=_(
                    "%(body)s has not met and no meeting is convened yet in %(year)d: the monitoring "
                    "committee must meet at least once a year."
                )
                % {"body": body.name, "year": today.year},
                reference=reference,
                url=body_url,
                action_url=reverse("manage_meetings:meeting_create"),
                day=date(today.year, 12, 31),
            )
        )
    return alerts


def documents_deadline(meeting: Meeting) -> date:
    """The last day to publish a meeting's documents: the body's notice period (urgent period for an urgent
    convocation) in working days before the meeting day."""
    body = meeting.body
    days = body.urgent_notice_working_days if meeting.is_urgent else body.notice_working_days
    return add_working_days(meeting.day, -days, _holidays(meeting))


def late_document_alerts(meeting: Meeting, published: list, today: date) -> list[Alert]:
    """ECCP Art. 11(b): the documents go out with the notice, the notice period before the meeting."""
    deadline = documents_deadline(meeting)
    late = sum(1 for at in published if at is not None and timezone.localdate(at) > deadline)
    missing = sum(1 for at in published if at is None) if today > deadline else 0
    pack_late = (
        meeting.documents_published_at is not None
        and timezone.localdate(meeting.documents_published_at) > deadline
    )
    if not (late or missing or pack_late):
        return []
    body = meeting.body
    days = body.urgent_notice_working_days if meeting.is_urgent else body.notice_working_days
    facts = {"date": _long(meeting.day), "deadline": _long(deadline), "days": days, "title": meeting.title}
    parts = []
    if late or pack_late:
        n = max(late, 1)
        parts.append(
            ngettext(
                "%(n)d document of the meeting “%(title)s” of %(date)s was published after %(deadline)s.",
                "%(n)d documents of the meeting “%(title)s” of %(date)s were published after %(deadline)s.",
                n,
            )
            % {**facts, "n": n}
        )
    if missing:
        parts.append(
            ngettext(
                "%(n)d document of the meeting “%(title)s” of %(date)s is not published yet, though the "
                "deadline was %(deadline)s.",
                "%(n)d documents of the meeting “%(title)s” of %(date)s are not published yet, though the "
                "deadline was %(deadline)s.",
                missing,
            )
            % {**facts, "n": missing}
        )
    parts.append(
        ngettext(
            "The rules of procedure require them %(days)d working day before the meeting.",
            "The rules of procedure require them %(days)d working days before the meeting.",
            days,
        )
        % {"days": days}
    )
    return [
        Alert(
            code="late_documents",
            severity=Severity.WARNING,
            message=" ".join(parts),
            reference=_("Reg. (EU) 240/2014, Art. 11(b)"),
            url=reverse("meetings:detail", args=[meeting.pk]) + "#documents",
            action_url=reverse("manage_meetings:meeting", args=[meeting.pk]),
            day=meeting.day,
        )
    ]


def gender_alerts(body: Body, members: list[Seat]) -> list[Alert]:
    """ECCP Art. 10: a monitoring committee aims at gender balance among its members."""
    if body.kind != BodyKind.MONITORING_COMMITTEE or not members:
        return []
    figure = GenderFigure.of(seat.member_gender for seat in members)
    reference = _("Reg. (EU) 240/2014, Art. 10")
    action_url = reverse("manage_meetings:body", args=[body.pk])
    if not figure.counted:
        return [
            Alert(
                code="gender_balance",
                severity=Severity.INFO,
                message=ngettext(
                    "The gender of the only member is not recorded: the gender balance cannot be checked.",
                    "The gender of the %(n)d members is not recorded: the gender balance cannot be checked.",
                    figure.not_counted,
                )
                % {"n": figure.not_counted},
                reference=reference,
                action_url=action_url,
                public=False,
            )
        ]
    alerts = []
    for label, n in ((_("Women"), figure.women), (_("Men"), figure.men)):
        if 100 * n < GENDER_THRESHOLD * figure.counted:
            message = _(
                "%(who)s are %(share)s %% of the members whose gender is recorded (%(n)d of %(counted)d), "
                "below the %(threshold)d %% balance the committee aims at."
            ) % {
                "who": label,
                "share": floatformat(100 * n / figure.counted, -1),
                "n": n,
                "counted": figure.counted,
                "threshold": GENDER_THRESHOLD,
            }
            if figure.not_counted:
                message += " " + ngettext(
                    "%(n)d member has no recorded gender and is not counted.",
                    "%(n)d members have no recorded gender and are not counted.",
                    figure.not_counted,
                ) % {"n": figure.not_counted}
            alerts.append(
                Alert(
                    code="gender_balance",
                    severity=Severity.WARNING,
                    message=message,
                    reference=reference,
                    url=reverse("bodies:detail", args=[body.pk]) + "#composition",
                    action_url=action_url,
                    public=False,
                )
            )
    return alerts


def minutes_working_days(meeting: Meeting) -> int:
    """The programme's period for publishing minutes (the strictest when the body serves several)."""
    if meeting.programme_id:
        return meeting.programme.minutes_publication_working_days
    programmes = list(meeting.body.programmes.all())
    return min(p.minutes_publication_working_days for p in programmes) if programmes else 0


def minutes_alerts(meeting: Meeting, today: date) -> list[Alert]:
    """ECCP Art. 11(c), CPR Art. 38(4): minutes of a held meeting are published within the programme's
    period. The rule itself is helper B's ``selectors_minutes.minutes_overdue`` (minutes still unpublished,
    or published after the due date, once that date has passed), so the minutes pages and these alerts
    agree."""
    due = minutes_overdue(meeting, today)
    if due is None:
        return []
    facts = {
        "title": meeting.title,
        "date": _long(meeting.day),
        "due": _long(due),
        "days": minutes_working_days(meeting),
    }
    published_at = meeting.minutes.published_at if has_minutes(meeting) else None
    if published_at is not None:
        facts["published"] = _long(timezone.localdate(published_at))
        message = _(
            "The minutes of the meeting “%(title)s” of %(date)s were published on %(published)s, after "
            "%(due)s, the %(days)d working days after the meeting that the programme sets."
        )
    else:
        message = _(
            "The minutes of the meeting “%(title)s” of %(date)s are not published yet: they were due by "
            "%(due)s, %(days)d working days after the meeting."
        )
    return [
        Alert(
            code="minutes_overdue",
            severity=Severity.WARNING,
            message=message % facts,
            reference=_("Reg. (EU) 240/2014, Art. 11(c)"),
            url=reverse("meetings:detail", args=[meeting.pk]),
            action_url=reverse("manage_minutes:edit", args=[meeting.pk]),
            day=meeting.day,
        )
    ]


def _body_alerts(body: Body, records: _Records, today: date) -> list[Alert]:
    meetings = records.meetings.get(body.pk, [])
    alerts = [*yearly_alerts(body, meetings, today), *gender_alerts(body, records.members.get(body.pk, []))]
    for meeting in meetings:
        alerts.extend(late_document_alerts(meeting, records.documents.get(meeting.pk, []), today))
        alerts.extend(minutes_alerts(meeting, today))
    return alerts


# --- Entry points ---------------------------------------------------------------------------------------


def body_alerts(body: Body, today: date | None = None, *, public_only: bool = False) -> list[Alert]:
    """The alerts of one body (for its public page with ``public_only``, and its manage page)."""
    today = today or timezone.localdate()
    alerts = _sorted(_body_alerts(body, _read([body], today), today))
    return [a for a in alerts if a.public] if public_only else alerts


def programme_alerts(programme: Programme, today: date | None = None) -> list[Alert]:
    """The alerts of a programme: the set-up of its monitoring committee and those of every body serving
    it (for the staff's view of the programme)."""
    today = today or timezone.localdate()
    bodies = list(Body.objects.filter(programmes=programme).order_by("name_it"))
    records = _read(bodies, today)
    committees = [b for b in bodies if b.kind == BodyKind.MONITORING_COMMITTEE]
    alerts = setup_alerts(programme, committees, records, today)
    for body in bodies:
        alerts.extend(_body_alerts(body, records, today))
    return _sorted(alerts)
