"""Write paths for bodies and their composition (CPR Art. 38-39, ECCP Art. 10-11).

The composition is a history of seats: adding a member opens a seat, a change of member closes the old
seat the day before the new one starts and opens its successor, and ending a seat closes it. Each step
names the formal act (number and date) that decided it; no step rewrites a past period, so the member list
on any past date, and every change with its act, can be published (CPR Art. 39(1)).
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.core.audit import diff, record
from officine.core.uploads import DOCUMENT_KINDS, validate_upload
from officine.programmes.models import Programme
from officine.registry.models import Representative

from .auditing import picture
from .models import Body, Seat

BODY_FIELDS = (
    "kind",
    "name_it",
    "name_en",
    "constitution_act_number",
    "constitution_act_date",
    "notice_working_days",
    "urgent_notice_working_days",
    "written_procedure_working_days",
    "urgent_written_procedure_working_days",
    "silent_consent",
    "quorum_fraction",
    "majority_rule",
    "qualified_threshold",
    "agenda_request_working_days",
)
BODY_FILES = ("constitution_document", "rules_document")

SEAT_FIELDS = (
    "organization",
    "role",
    "member_name",
    "member_representative",
    "member_user",
    "member_gender",
    "substitute_name",
    "substitute_gender",
    "substitute_representative",
    "substitute_user",
)


def _check_files(data: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in BODY_FILES:
        upload = data.get(name)
        if upload and hasattr(upload, "size"):
            try:
                validate_upload(upload, DOCUMENT_KINDS)
            except ValidationError as error:
                errors[name] = list(error.messages)
    return errors


@transaction.atomic
def create_body(actor, data: Mapping[str, Any], programmes: Iterable[Programme] = ()) -> Body:
    """A new body with its rules-of-procedure parameters (defaults from ECCP Art. 11 and Italian rules)."""
    body = Body()
    for name in (*BODY_FIELDS, *BODY_FILES):
        if name in data and data[name] is not None:
            value = data[name]
            setattr(body, name, " ".join(value.split()) if isinstance(value, str) else value)
    errors = _check_files(data)
    try:
        body.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    body.save()
    body.programmes.set(list(programmes))
    record(actor, "meetings.body.created", body, diff({}, picture(body)))
    return body


@transaction.atomic
def update_body(actor, body: Body, data: Mapping[str, Any]) -> Body:
    """Change the body's name, act of constitution or rules of procedure; ``programmes`` if given."""
    body = Body.objects.select_for_update().get(pk=body.pk)
    before = picture(body)
    for name in (*BODY_FIELDS, *BODY_FILES):
        if name in data:
            value = data[name]
            setattr(body, name, " ".join(value.split()) if isinstance(value, str) else value)
    errors = _check_files(data)
    try:
        body.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    body.save()
    if "programmes" in data:
        body.programmes.set(list(data["programmes"]))
    changes = diff(before, picture(body))
    if changes:
        record(actor, "meetings.body.updated", body, changes)
    return body


def _fill_people(seat: Seat) -> None:
    """Take the names and accounts from the registry's representatives when they are linked."""
    for who in ("member", "substitute"):
        representative: Representative | None = getattr(seat, f"{who}_representative")
        if representative is None:
            continue
        if not getattr(seat, f"{who}_name").strip():
            setattr(seat, f"{who}_name", representative.full_name)
        if getattr(seat, f"{who}_user_id") is None and representative.user_id:
            setattr(seat, f"{who}_user_id", representative.user_id)


def _validate_seat(seat: Seat) -> None:
    errors: dict[str, list[str]] = {}
    try:
        seat.full_clean(exclude=["replaces"])
    except ValidationError as error:
        errors.update({k: list(v) for k, v in error.message_dict.items()})
    for who in ("member", "substitute"):
        representative = getattr(seat, f"{who}_representative")
        if representative is not None and representative.organization_id != seat.organization_id:
            errors.setdefault(f"{who}_representative", []).append(
                _("This person represents another organisation.")
            )
    if seat.start_date and seat.act_date and seat.act_date > seat.start_date:
        errors.setdefault("act_date", []).append(_("The act must come before the seat starts."))
    if errors:
        raise ValidationError(errors)


def _check_no_overlap(seat: Seat) -> None:
    """One seat per organisation and member at a time: the same person cannot sit twice in one body."""
    overlapping = Seat.objects.filter(
        body_id=seat.body_id, organization_id=seat.organization_id, member_name__iexact=seat.member_name
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=seat.start_date))
    if seat.end_date:
        overlapping = overlapping.filter(start_date__lte=seat.end_date)
    if seat.pk:
        overlapping = overlapping.exclude(pk=seat.pk)
    if overlapping.exists():
        raise ValidationError(
            {"member_name": [_("This person already holds a seat for this organisation in that period.")]}
        )


def _new_seat(body: Body, data: Mapping[str, Any], start_date: date, act_number: str, act_date: date) -> Seat:
    seat = Seat(
        body=body, start_date=start_date, act_number=" ".join((act_number or "").split()), act_date=act_date
    )
    for name in SEAT_FIELDS:
        if name in data:
            value = data[name]
            setattr(seat, name, " ".join(value.split()) if isinstance(value, str) else value)
    _fill_people(seat)
    _validate_seat(seat)
    _check_no_overlap(seat)
    return seat


@transaction.atomic
def add_seat(
    actor, body: Body, data: Mapping[str, Any], *, start_date: date, act_number: str, act_date: date
) -> Seat:
    """Open a seat from ``start_date`` by the act ``act_number`` of ``act_date``."""
    seat = _new_seat(body, data, start_date, act_number, act_date)
    seat.save()
    record(actor, "meetings.seat.added", seat, diff({}, picture(seat)))
    return seat


def _locked_in_force(seat: Seat, on: date) -> Seat:
    seat = Seat.objects.select_for_update(of=("self",)).select_related("body").get(pk=seat.pk)
    if seat.end_date is not None and seat.end_date < on:
        raise ValidationError(
            _("This seat already ended on %(date)s.")
            % {"date": date_format(seat.end_date, "SHORT_DATE_FORMAT")}
        )
    return seat


def _close(seat: Seat, last_day: date, act_number: str, act_date: date) -> None:
    errors: dict[str, list[str]] = {}
    if last_day < seat.start_date:
        errors["end_date"] = [
            _("The seat started on %(date)s: it cannot end before that.")
            % {"date": date_format(seat.start_date, "SHORT_DATE_FORMAT")}
        ]
    if not (act_number or "").strip():
        errors["act_number"] = [_("Give the number of the act that makes this change.")]
    if act_date is None:
        errors["act_date"] = [_("Give the date of the act that makes this change.")]
    if errors:
        raise ValidationError(errors)
    seat.end_date = last_day
    seat.end_act_number = " ".join(act_number.split())
    seat.end_act_date = act_date
    seat.save(update_fields=["end_date", "end_act_number", "end_act_date", "updated_at"])


@transaction.atomic
def end_seat(actor, seat: Seat, *, end_date: date, act_number: str, act_date: date) -> Seat:
    """Close a seat: ``end_date`` is its last day. The seat and its period stay in the history."""
    seat = _locked_in_force(seat, end_date)
    before = picture(seat)
    _close(seat, end_date, act_number, act_date)
    record(actor, "meetings.seat.ended", seat, diff(before, picture(seat)))
    return seat


@transaction.atomic
def replace_seat(
    actor, seat: Seat, data: Mapping[str, Any], *, start_date: date, act_number: str, act_date: date
) -> Seat:
    """A change of member (or substitute, or role): the old seat ends the day before ``start_date`` and a
    new seat, linked to it, opens on ``start_date``; both name the act. Fields not in ``data`` are
    carried over (the organisation stays unless given)."""
    old = _locked_in_force(seat, start_date)
    if start_date <= old.start_date:
        raise ValidationError(
            {
                "start_date": [
                    _("The replacement must start after %(date)s, when the current seat started.")
                    % {"date": date_format(old.start_date, "SHORT_DATE_FORMAT")}
                ]
            }
        )
    before = picture(old)
    _close(old, start_date - timedelta(days=1), act_number, act_date)
    carried = {name: getattr(old, name) for name in SEAT_FIELDS}
    # A new member is a new person: do not carry the old member's registry link or account.
    if "member_name" in data or "member_representative" in data:
        carried.update(member_representative=None, member_user=None, member_name="")
    if "substitute_name" in data or "substitute_representative" in data:
        carried.update(substitute_representative=None, substitute_user=None, substitute_name="")
    new = _new_seat(old.body, {**carried, **data}, start_date, act_number, act_date)
    new.replaces = old
    new.save()
    record(actor, "meetings.seat.ended", old, diff(before, picture(old)))
    record(actor, "meetings.seat.added", new, {**diff({}, picture(new)), "replaces": [None, old.pk]})
    return new
