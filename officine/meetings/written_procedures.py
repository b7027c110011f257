"""Written procedures: decisions a body takes in writing, without meeting (ECCP Art. 11(b) and the body's
rules of procedure, ``docs/eccp-requirements.md`` §3).

The procedure opens with a deadline counted in working days from the opening day (the body's window, or its
urgent window with a recorded reason). Each voting member in force answers once, before the end of the
deadline day: approve, object (with the reasons, so the objection can be addressed) or send observations
without objecting. After the deadline the procedure is closed and its result computed once under the body's
majority rule over all its voting members: when the body's rules say silence means consent, members who did
not answer count as approving. Observations accompany approval (the member agrees and asks for something
to be noted), so they count in favour; only an objection counts against (see ``CHOICE_AS_VOTE``).
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.core.audit import diff, record
from officine.core.models import AuditEvent
from officine.core.workdays import add_working_days
from officine.notifications.services import Notice, notify

from . import quorum
from .auditing import picture
from .models import (
    Body,
    MeetingDocument,
    ProcedureResult,
    ProcedureState,
    ResponseChoice,
    Seat,
    VoteChoice,
    WrittenProcedure,
    WrittenResponse,
)

#: How an answer counts in the tally. Observations accompany approval (the member agrees and asks for
#: something to be noted or clarified), so they do not block it; only an objection counts against.
CHOICE_AS_VOTE: dict[str, str] = {
    ResponseChoice.APPROVE: VoteChoice.FOR,
    ResponseChoice.OBJECT: VoteChoice.AGAINST,
    ResponseChoice.OBSERVATIONS: VoteChoice.FOR,
}


def body_extra_holidays(body: Body) -> tuple[tuple[int, int], ...]:
    """Local holidays of every programme the body serves: a committee of several programmes gives its
    members the longest window any of their calendars implies."""
    days: set[tuple[int, int]] = set()
    for programme in body.programmes.all():
        days.update(programme.extra_holidays)
    return tuple(sorted(days))


def deadline_for(body: Body, opened_on: date, *, urgent: bool = False) -> date:
    """The last day to answer: the body's window (or urgent window) in working days after ``opened_on``."""
    days = body.urgent_written_procedure_working_days if urgent else body.written_procedure_working_days
    return add_working_days(opened_on, days, body_extra_holidays(body))


def _clean_text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@transaction.atomic
def open_procedure(
    actor, body: Body, data: Mapping[str, Any], *, urgent: bool = False, reason: str = "", now=None
) -> WrittenProcedure:
    """Open a written procedure on ``body`` with its deadline; an urgent one needs its reason."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    title_it = _clean_text(data.get("title_it"))
    if not title_it:
        errors["title_it"] = [_("Give the title in Italian.")]
    reason = (reason or "").strip()
    if urgent and not reason:
        errors["urgency_reason"] = [
            _("An urgent written procedure needs its reason, which is recorded and shown.")
        ]
    if errors:
        raise ValidationError(errors)
    procedure = WrittenProcedure(
        body=body,
        title_it=title_it,
        title_en=_clean_text(data.get("title_en")),
        description=(data.get("description") or "").strip(),
        opened_at=now,
        deadline=deadline_for(body, timezone.localdate(now), urgent=urgent),
        is_urgent=urgent,
        urgency_reason=reason if urgent else "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    procedure.full_clean(exclude=["created_by"], validate_constraints=False)
    procedure.save()
    record(actor, "meetings.written_procedure.opened", procedure, diff({}, picture(procedure)))
    notify_opened(procedure)
    return procedure


def _locked(procedure: WrittenProcedure) -> WrittenProcedure:
    return (
        WrittenProcedure.objects.select_for_update(of=("self",)).select_related("body").get(pk=procedure.pk)
    )


@transaction.atomic
def respond(
    actor, procedure: WrittenProcedure, seat: Seat, choice: str, text: str = "", now=None
) -> WrittenResponse:
    """Record one voting member's answer, once, by the end of the deadline day."""
    procedure = _locked(procedure)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if procedure.state != ProcedureState.OPEN:
        raise ValidationError(_("This written procedure is closed."))
    if today > procedure.deadline:
        raise ValidationError(
            _("The deadline to answer was %(date)s.") % {"date": _short(procedure.deadline)}, code="late"
        )
    if seat.body_id != procedure.body_id or not seat.in_force_on(today):
        raise ValidationError(_("%(seat)s does not hold a seat in this body today.") % {"seat": seat})
    if not seat.has_vote:
        raise ValidationError(
            _("%(seat)s has no vote (%(role)s).") % {"seat": seat, "role": seat.get_role_display()}
        )
    if WrittenResponse.objects.filter(procedure=procedure, seat=seat).exists():
        raise ValidationError(_("%(seat)s has already answered.") % {"seat": seat}, code="duplicate")
    text = (text or "").strip()
    if choice not in ResponseChoice.values:
        raise ValidationError({"choice": [_("Choose approve, object or observations.")]})
    if choice == ResponseChoice.OBJECT and not text:
        raise ValidationError({"text": [_("Give the reasons for the objection.")]})
    if choice == ResponseChoice.OBSERVATIONS and not text:
        raise ValidationError({"text": [_("Write the observations.")]})
    response = WrittenResponse.objects.create(
        procedure=procedure, seat=seat, choice=choice, text=text, at=now
    )
    record(actor, "meetings.written_procedure.answered", response, diff({}, picture(response)))
    return response


def tally(choices: Iterable[str], silent: int, silent_consent: bool) -> quorum.Tally:
    """The votes of a written procedure: the answers, plus the silent members as in favour when silence
    means consent (otherwise they count for nothing, like absent members)."""
    votes = [CHOICE_AS_VOTE[choice] for choice in choices]
    if silent_consent:
        votes += [VoteChoice.FOR] * silent
    return quorum.Tally.of(votes)


@transaction.atomic
def close_procedure(actor, procedure: WrittenProcedure, now=None) -> WrittenProcedure:
    """Close the procedure after its deadline and compute the result over the body's voting members."""
    procedure = _locked(procedure)
    now = now or timezone.now()
    if procedure.state != ProcedureState.OPEN:
        raise ValidationError(_("This written procedure is already closed."))
    if timezone.localdate(now) <= procedure.deadline:
        raise ValidationError(
            _("Members may answer until %(date)s: the procedure can be closed only after that day.")
            % {"date": _short(procedure.deadline)},
            code="early",
        )
    body = procedure.body
    answers = dict(WrittenResponse.objects.filter(procedure=procedure).values_list("seat_id", "choice"))
    voting = set(quorum.voting_seats(body, procedure.deadline).values_list("pk", flat=True)) | set(answers)
    silent = len(voting - set(answers))
    counted = tally(answers.values(), silent, body.silent_consent)
    passed = quorum.passes(body.majority_rule, counted, len(voting), body.qualified_threshold)
    before = picture(procedure)
    procedure.state = ProcedureState.CLOSED
    procedure.closed_at = now
    procedure.result = ProcedureResult.APPROVED if passed else ProcedureResult.REJECTED
    procedure.silent_consent_applied = body.silent_consent and silent > 0
    procedure.save(update_fields=["state", "closed_at", "result", "silent_consent_applied", "updated_at"])
    changes = diff(before, picture(procedure))
    changes["tally"] = [None, [counted.in_favour, counted.against, counted.abstentions, silent]]
    record(actor, "meetings.written_procedure.closed", procedure, changes)
    notify_closed(procedure, counted, silent)
    return procedure


# --- Documents ------------------------------------------------------------------------------------------


@transaction.atomic
def add_document(actor, procedure: WrittenProcedure, data: Mapping[str, Any], now=None) -> MeetingDocument:
    """Add a document to an open procedure (published at once: members decide on it). A closed procedure's
    file is the record of what was decided and takes no new documents."""
    from . import documents  # documents imports convening, which would make a cycle at import time

    procedure = _locked(procedure)
    if procedure.state != ProcedureState.OPEN:
        raise ValidationError(_("This written procedure is closed: its documents cannot change."))
    return documents.upload_document(actor, procedure, data, now=now)


# --- Notices to the members -----------------------------------------------------------------------------

#: Kind of the notices about written procedures (``notifications.Notification.kind``).
NOTICE_KIND = "meetings_written_procedure"
#: Audit action of a reminder; ``changes["automatic"]`` tells the daily job's from the secretariat's.
REMINDED = "meetings.written_procedure.reminded"


def _procedure_url(procedure: WrittenProcedure) -> str:
    return reverse("procedures:detail", kwargs={"pk": procedure.pk})


def seat_accounts(seats) -> Any:
    """Active accounts of the members and substitutes of ``seats`` (a queryset of seats)."""
    return get_user_model().objects.filter(
        Q(pk__in=seats.values("member_user_id")) | Q(pk__in=seats.values("substitute_user_id")),
        is_active=True,
    )


def voting_seats_today(procedure: WrittenProcedure, today: date | None = None):
    return quorum.voting_seats(procedure.body, today or timezone.localdate())


def silent_seats(procedure: WrittenProcedure, today: date | None = None):
    """Voting seats in force that have not answered yet."""
    return voting_seats_today(procedure, today).exclude(written_responses__procedure=procedure)


def _values(procedure: WrittenProcedure) -> dict[str, str]:
    return {
        "title": procedure.title_it,
        "body": procedure.body.name_it,
        "deadline": date_format(procedure.deadline, "DATE_FORMAT"),
    }


def notify_opened(procedure: WrittenProcedure) -> int:
    """Tell the members and substitutes of the voting seats that a procedure awaits their answer."""
    with translation.override(settings.LANGUAGE_CODE):
        values = _values(procedure)
        notice = Notice(
            kind=NOTICE_KIND,
            key=f"meetings.procedure.{procedure.pk}.opened",
            subject=_("Written procedure: %(title)s") % values,
            body=(
                _(
                    "%(body)s has opened the written procedure “%(title)s”. Read the documents and give your "
                    "answer (approve, object or observations) by %(deadline)s included."
                )
                % values
            )
            + (
                " " + _("Urgent procedure: %(reason)s") % {"reason": procedure.urgency_reason}
                if procedure.is_urgent
                else ""
            ),
            url=_procedure_url(procedure),
        )
        return len(notify(seat_accounts(voting_seats_today(procedure)), notice))


@transaction.atomic
def send_reminder(actor, procedure: WrittenProcedure, *, automatic: bool = False, now=None) -> int:
    """Remind the voting seats that have not answered; return how many people were notified.

    The daily job's reminder goes out once per procedure (its notice key and the audit event say so); the
    secretariat may also remind by hand, at most once a day (the key carries the day)."""
    procedure = _locked(procedure)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if procedure.state != ProcedureState.OPEN:
        raise ValidationError(_("This written procedure is closed."))
    if today > procedure.deadline:
        raise ValidationError(
            _("The deadline to answer was %(date)s: there is nobody left to remind.")
            % {"date": _short(procedure.deadline)}
        )
    seats = silent_seats(procedure, today)
    seat_count = seats.count()
    if not seat_count:
        return 0
    suffix = "auto" if automatic else today.isoformat()
    with translation.override(settings.LANGUAGE_CODE):
        values = _values(procedure)
        notice = Notice(
            kind=NOTICE_KIND,
            key=f"meetings.procedure.{procedure.pk}.reminder.{suffix}",
            subject=_("Reminder – written procedure: %(title)s") % values,
            body=_(
                "Your seat has not answered the written procedure “%(title)s” of %(body)s yet. Answers are "
                "accepted until %(deadline)s included."
            )
            % values
            + (
                " " + _("When nobody answers, the body's rules take silence as consent.")
                if procedure.body.silent_consent
                else ""
            ),
            url=_procedure_url(procedure),
        )
        notified = len(notify(seat_accounts(seats), notice))
    record(
        actor,
        REMINDED,
        procedure,
        {"automatic": [None, automatic], "seats": [None, seat_count], "notified": [None, notified]},
    )
    return notified


def was_reminded_automatically(procedure: WrittenProcedure) -> bool:
    return AuditEvent.objects.filter(
        action=REMINDED,
        target_type=WrittenProcedure._meta.label_lower,
        target_id=str(procedure.pk),
        changes__automatic=[None, True],
    ).exists()


def notify_closed(procedure: WrittenProcedure, counted: quorum.Tally, silent: int) -> int:
    """Tell every member and substitute of the body (all seats in force) the result."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            **_values(procedure),
            "result": procedure.get_result_display(),
            "in_favour": counted.in_favour,
            "against": counted.against,
            "abstentions": counted.abstentions,
            "silent": silent,
        }
        body = (
            _(
                "The written procedure “%(title)s” of %(body)s is closed: %(result)s. In favour "
                "%(in_favour)d, against %(against)d, abstentions %(abstentions)d; seats that did not answer: "
                "%(silent)d."
            )
            % values
        )
        if procedure.silent_consent_applied:
            body += " " + _("Under the body's rules, silence counted as consent.")
        notice = Notice(
            kind=NOTICE_KIND,
            key=f"meetings.procedure.{procedure.pk}.closed",
            subject=_("Written procedure closed: %(title)s – %(result)s") % values,
            body=body,
            url=_procedure_url(procedure),
        )
        seats = Seat.objects.in_force(timezone.localdate()).filter(body=procedure.body)
        return len(notify(seat_accounts(seats), notice))
