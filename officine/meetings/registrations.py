"""Registrations for public events and trainings: capacity, waiting list, cancellation by link.

- Registration is open for events and trainings (not meetings of a body) that are convened and have not
  started (``rules.is_open_for_registration``).
- Places are confirmed in the order people register up to ``Meeting.capacity`` (no capacity: no limit);
  after that people join the waiting list, in order.
- An address registers once per event (a cancelled registration frees it for a new one).
- Each registration has a secret link (``token``) that cancels it, sent by e-mail. Cancelling a confirmed
  place moves the first person waiting up and tells them by e-mail, with the invitation attached.

The meeting row is locked (``select_for_update``) while places are counted and given, so two people
registering for the last place at the same moment cannot both get it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from officine.core.audit import record

from . import invitations
from .models import Meeting, Registration, RegistrationStatus
from .rules import is_open_for_registration

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


def _locked_meeting(meeting_id: int) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).get(pk=meeting_id)


def places_taken(meeting: Meeting) -> int:
    return meeting.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def places_left(meeting: Meeting, taken: int | None = None) -> int | None:
    """Places still free, or ``None`` when the event has no capacity limit."""
    if meeting.capacity is None:
        return None
    taken = places_taken(meeting) if taken is None else taken
    return max(meeting.capacity - taken, 0)


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person waiting; ``None`` for a registration not on the waiting list."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    earlier = Q(created_at__lt=registration.created_at) | Q(
        created_at=registration.created_at, pk__lt=registration.pk
    )
    ahead = Registration.objects.filter(
        earlier, meeting_id=registration.meeting_id, status=RegistrationStatus.WAITING
    ).count()
    return ahead + 1


def _clean_input(name: str, email: str, organization: str) -> tuple[str, str, str]:
    name = " ".join((name or "").split())
    email = (email or "").strip().lower()
    organization = " ".join((organization or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give your name and surname.")]
    elif len(name) > Registration._meta.get_field("name").max_length:
        errors["name"] = [_("The name is too long.")]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Give a valid e-mail address.")]
    if len(organization) > Registration._meta.get_field("organization_name").max_length:
        errors["organization_name"] = [_("The name of the organisation is too long.")]
    if errors:
        raise ValidationError(errors)
    return name, email, organization


def _duplicate_error() -> ValidationError:
    return ValidationError(
        {"email": [_("This e-mail address is already registered for this event.")]}, code="duplicate"
    )


@transaction.atomic
def register(
    meeting: Meeting, *, name: str, email: str, organization: str = "", user=None, now=None
) -> Registration:
    """Register someone: a confirmed place while there is one, otherwise the waiting list. The e-mail
    (with the invitation when the place is confirmed, and the cancellation link) goes out after commit, in
    the language the person is reading the site in."""
    name, email, organization = _clean_input(name, email, organization)
    meeting = _locked_meeting(meeting.pk)
    now = now or timezone.now()
    if not is_open_for_registration(user, meeting) or meeting.starts_at <= now:
        raise ValidationError(_("Registrations for this event are closed."), code="closed")
    if meeting.registrations.filter(email__iexact=email, status__in=ACTIVE).exists():
        raise _duplicate_error()
    left = places_left(meeting)
    status = RegistrationStatus.CONFIRMED if left is None or left > 0 else RegistrationStatus.WAITING
    account = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                meeting=meeting,
                user=account,
                name=name,
                email=email,
                organization_name=organization,
                status=status,
            )
    except IntegrityError:  # the same address, registered in a parallel request
        raise _duplicate_error() from None
    record(account, "meetings.registration.created", registration, {"status": [None, status]})
    position = waiting_position(registration)
    language = translation.get_language()
    event = "confirmed" if status == RegistrationStatus.CONFIRMED else "waiting"
    transaction.on_commit(
        lambda: invitations.send_registration_email(
            registration.pk, event, language=language, position=position
        )
    )
    return registration


def fill_from_waiting_list(meeting: Meeting) -> list[Registration]:
    """Confirm people waiting, first come first served, while places are free. Call it with the meeting
    locked (inside :func:`cancel`, or after raising the capacity). Each promoted person gets an e-mail."""
    promoted: list[Registration] = []
    left = places_left(meeting)
    waiting = meeting.registrations.filter(status=RegistrationStatus.WAITING).order_by("created_at", "pk")
    if left is not None:
        waiting = waiting[:left]
    for registration in waiting:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        record(
            None,
            "meetings.registration.promoted",
            registration,
            {"status": [RegistrationStatus.WAITING, RegistrationStatus.CONFIRMED]},
        )
        promoted.append(registration)
    for registration in promoted:
        registration_id = registration.pk
        transaction.on_commit(lambda pk=registration_id: invitations.send_registration_email(pk, "promoted"))
    return promoted


def registration_by_token(token) -> Registration | None:
    return Registration.objects.select_related("meeting", "meeting__body").filter(token=token).first()


def can_cancel(registration: Registration, now=None) -> bool:
    now = now or timezone.now()
    return registration.status != RegistrationStatus.CANCELLED and registration.meeting.starts_at > now


@transaction.atomic
def cancel(token, *, actor=None, now=None) -> tuple[Registration, list[Registration]]:
    """Cancel the registration whose link holds ``token``; return it and whoever moved up in its place."""
    now = now or timezone.now()
    found = Registration.objects.filter(token=token).values_list("meeting_id", flat=True).first()
    if found is None:
        raise ValidationError(_("This cancellation link is not valid."), code="invalid")
    meeting = _locked_meeting(found)  # the meeting first, as ``register`` does, so the two never deadlock
    registration = Registration.objects.select_for_update(of=("self",)).get(token=token)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("This registration was already cancelled."), code="cancelled")
    if meeting.starts_at <= now:
        raise ValidationError(
            _("The event has already started: the registration can no longer be cancelled."), code="started"
        )
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    before = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    account = actor if getattr(actor, "is_authenticated", False) else None
    record(
        account,
        "meetings.registration.cancelled",
        registration,
        {"status": [before, RegistrationStatus.CANCELLED]},
    )
    language = translation.get_language()
    registration_id = registration.pk
    transaction.on_commit(
        lambda: invitations.send_registration_email(registration_id, "cancelled", language=language)
    )
    promoted = fill_from_waiting_list(meeting) if was_confirmed else []
    return registration, promoted


# --- Staff list ------------------------------------------------------------------------------------------


def registrations_of(meeting: Meeting) -> list[Registration]:
    """Every registration of the event, confirmed first, then waiting (numbered), then cancelled; one
    query. ``position`` is set on the waiting ones."""
    rows = list(
        Registration.objects.filter(meeting=meeting).select_related("user").order_by("created_at", "pk")
    )
    order = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.WAITING: 1, RegistrationStatus.CANCELLED: 2}
    position = 0
    for registration in rows:
        registration.position = None
        if registration.status == RegistrationStatus.WAITING:
            position += 1
            registration.position = position
    rows.sort(key=lambda r: order.get(r.status, 3))  # stable: registration order within each status
    return rows
