"""The consultation's set-up, timetable rules and state machine (ECCP Art. 5).

draft → scheduled → open → closed → outcome published. Each step is a service that checks its rule and
says, in a translated message, what is missing; nothing moves a consultation to another state except
these functions.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.core.audit import diff, record, snapshot
from officine.core.workdays import is_working_day, working_days_between

from . import notices
from .models import Audience, Consultation, ConsultationState, Topic, VersionStatus

TRANSITIONS: dict[str, tuple[str, ...]] = {
    ConsultationState.DRAFT: (ConsultationState.SCHEDULED,),
    ConsultationState.SCHEDULED: (ConsultationState.DRAFT, ConsultationState.OPEN),
    ConsultationState.OPEN: (ConsultationState.CLOSED,),
    ConsultationState.CLOSED: (ConsultationState.OUTCOME_PUBLISHED,),
    ConsultationState.OUTCOME_PUBLISHED: (),
}


@dataclass(frozen=True)
class Timetable:
    working_days: int
    minimum: int
    earliest_close: date

    @property
    def is_short(self) -> bool:
        return self.working_days < self.minimum


def minimum_working_days(consultation: Consultation) -> int:
    programme = consultation.programme
    if consultation.audience == Audience.PUBLIC:
        return programme.min_consultation_days_public
    return programme.min_consultation_days_partners


def timetable(consultation: Consultation) -> Timetable:
    """Working days the consultation stays open (opening and closing days included) against the minimum."""
    holidays = consultation.programme.extra_holidays
    days = working_days_between(consultation.opens_on - timedelta(days=1), consultation.closes_on, holidays)
    minimum = minimum_working_days(consultation)
    earliest = consultation.opens_on - timedelta(days=1)
    counted = 0
    while counted < minimum:
        earliest += timedelta(days=1)
        if is_working_day(earliest, holidays):
            counted += 1
    return Timetable(working_days=days, minimum=minimum, earliest_close=earliest)


def validate_consultation(consultation: Consultation) -> None:
    """Rules that hold in every state: dates in order, known topics, minimum length or a public reason."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(consultation.topics or []) - set(Topic.values))
    if unknown:
        errors["topics"] = [_("Unknown topics: %(topics)s.") % {"topics": ", ".join(unknown)}]
    if consultation.opens_on and consultation.closes_on:
        if consultation.closes_on <= consultation.opens_on:
            errors["closes_on"] = [_("The consultation must close after it opens.")]
        else:
            plan = timetable(consultation)
            if plan.is_short and not consultation.urgency_reason.strip():
                errors["closes_on"] = [
                    _(
                        "This period has %(days)d working days; the programme's minimum is %(minimum)d "
                        "(close on %(earliest)s or later), unless you give a reason for urgency, which is "
                        "shown publicly."
                    )
                    % {
                        "days": plan.working_days,
                        "minimum": plan.minimum,
                        "earliest": date_format(plan.earliest_close, "SHORT_DATE_FORMAT"),
                    }
                ]
    if errors:
        raise ValidationError(errors)


def _move(actor, consultation: Consultation, target: str) -> Consultation:
    if target not in TRANSITIONS[consultation.state]:
        raise ValidationError(
            _("A consultation cannot go from “%(source)s” to “%(target)s”.")
            % {
                "source": ConsultationState(consultation.state).label,
                "target": ConsultationState(target).label,
            }
        )
    source = consultation.state
    consultation.state = target
    consultation.save(update_fields=["state", "updated_at"])
    record(actor, f"consultations.consultation.{target}", consultation, {"state": [source, target]})
    return consultation


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().select_related("programme").get(pk=consultation.pk)


@transaction.atomic
def schedule(actor, consultation: Consultation, today: date | None = None) -> Consultation:
    """Fix the timetable: it must be valid, start today or later, and name at least one document."""
    consultation = _locked(consultation)
    today = today or timezone.localdate()
    validate_consultation(consultation)
    if consultation.opens_on < today:
        raise ValidationError({"opens_on": [_("The opening date is in the past.")]})
    if not consultation.documents.exists():
        raise ValidationError(_("Add the documents under consultation before scheduling it."))
    if consultation.documents.exclude(programme_id=consultation.programme_id).exists():
        raise ValidationError(_("Every document must belong to the consultation's programme."))
    return _move(actor, consultation, ConsultationState.SCHEDULED)


@transaction.atomic
def unschedule(actor, consultation: Consultation) -> Consultation:
    """Back to draft, to change the timetable or the documents before opening."""
    return _move(actor, _locked(consultation), ConsultationState.DRAFT)


@transaction.atomic
def open_consultation(
    actor, consultation: Consultation, today: date | None = None, *, notify: bool = True
) -> Consultation:
    """Open on or after the opening day, only if every document has a published version (ECCP Art. 5(a))."""
    consultation = _locked(consultation)
    today = today or timezone.localdate()
    if today < consultation.opens_on:
        raise ValidationError(
            _("The consultation opens on %(date)s.")
            % {"date": date_format(consultation.opens_on, "SHORT_DATE_FORMAT")}
        )
    unpublished = [
        document.title
        for document in consultation.documents.all()
        if not document.versions.filter(status=VersionStatus.PUBLISHED).exists()
    ]
    if unpublished:
        raise ValidationError(
            _("Publish these documents before opening: %(titles)s.") % {"titles": "; ".join(unpublished)}
        )
    consultation = _move(actor, consultation, ConsultationState.OPEN)
    if notify:  # loading past (demo or migrated) consultations must not tell anyone they are open
        notices.notify_consultation_opened(consultation)
    return consultation


@transaction.atomic
def close_consultation(actor, consultation: Consultation, today: date | None = None) -> Consultation:
    """Close after the last day: partners keep the whole announced period (no early closing)."""
    consultation = _locked(consultation)
    today = today or timezone.localdate()
    if today <= consultation.closes_on:
        raise ValidationError(
            _("Contributions are accepted until %(date)s included; close the consultation after that day.")
            % {"date": date_format(consultation.closes_on, "SHORT_DATE_FORMAT")}
        )
    return _move(actor, consultation, ConsultationState.CLOSED)


# --- Setting up a consultation (staff consultation pages) -------------------------------------------------

#: The fields staff set on a consultation; the state and the outcome are set only by the transitions.
EDITABLE_FIELDS = (
    "kind",
    "title_it",
    "title_en",
    "summary_it",
    "summary_en",
    "phase",
    "topics",
    "audience",
    "opens_on",
    "closes_on",
    "urgency_reason",
)
SNAPSHOT = (*EDITABLE_FIELDS, "documents")
_FREE_TEXT = ("summary_it", "summary_en", "urgency_reason")


def _apply(consultation: Consultation, data: Mapping[str, Any]) -> list:
    """Copy the editable fields onto ``consultation``; return the documents (checked later)."""
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip() if name in _FREE_TEXT else " ".join(value.split())
            setattr(consultation, name, value)
    chosen = set(consultation.topics or [])
    # Topics in the order of the list (stable diffs in the audit trail); unknown ones kept to be reported.
    consultation.topics = [t for t in Topic.values if t in chosen] + sorted(chosen - set(Topic.values))
    return list(data.get("documents") or [])


def _check(consultation: Consultation, documents: list) -> None:
    """Model rules, the timetable rule and documents of the same programme, reported together by field."""
    errors: dict[str, list[str]] = {}
    try:
        consultation.full_clean(exclude=["documents", "created_by", "state"], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    try:
        validate_consultation(consultation)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            if field not in errors:
                errors[field] = list(messages)
    foreign = [d.title for d in documents if d.programme_id != consultation.programme_id]
    if foreign:
        errors.setdefault("documents", []).append(
            _("These documents belong to another programme: %(titles)s.") % {"titles": "; ".join(foreign)}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_consultation(actor, programme, data: Mapping[str, Any]) -> Consultation:
    """A new consultation in draft; it is announced only when scheduled."""
    author = actor if getattr(actor, "is_authenticated", False) else None
    consultation = Consultation(programme=programme, created_by=author)
    documents = _apply(consultation, data)
    _check(consultation, documents)
    consultation.save()
    consultation.documents.set(documents)
    record(
        actor, "consultations.consultation.created", consultation, diff({}, snapshot(consultation, SNAPSHOT))
    )
    return consultation


@transaction.atomic
def update_consultation(actor, consultation: Consultation, data: Mapping[str, Any]) -> Consultation:
    """Change a draft consultation. Once scheduled, partners may rely on what was announced: it must be put
    back to draft first, which the audit trail records."""
    consultation = _locked(consultation)
    if consultation.state != ConsultationState.DRAFT:
        raise ValidationError(
            _("Only a draft consultation can be edited: move it back to draft (unschedule it) first.")
        )
    before = snapshot(consultation, SNAPSHOT)
    documents = _apply(consultation, data)
    _check(consultation, documents)
    consultation.save()
    consultation.documents.set(documents)
    changes = diff(before, snapshot(consultation, SNAPSHOT))
    if changes:
        record(actor, "consultations.consultation.updated", consultation, changes)
    return consultation
