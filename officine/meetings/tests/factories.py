"""Builders for the meetings tests (plain functions; the fixtures in ``../conftest.py`` wrap them).

Bodies, seats and meetings are written straight to the database in whatever shape a test needs: the
services that create them have their own tests. Times are aware datetimes in Europe/Rome, the project's
time zone, because the notice rule counts calendar days there.
"""

from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

from officine.conftest import enrol_totp, make_programme_staff, make_user
from officine.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Body,
    BodyKind,
    Meeting,
    MeetingKind,
    Seat,
    SeatRole,
)
from officine.programmes.models import Programme, ProgrammeStaff
from officine.registry.models import Organization, Representative

ROME = ZoneInfo("Europe/Rome")
PROGRAMME_CCI = "2021IT05FFPR003"  # PN Inclusione, created by ``make_programme_staff``
OTHER_PROGRAMME_CCI = "2021IT05FFPR001"
SEATS_FROM = date(2026, 1, 1)

_numbers = count(1)


def rome(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME)


def make_staff(email: str = "staff@example.org", **user_fields):
    """Staff of PN Inclusione (created with its managing authority), TOTP enrolled."""
    user = make_programme_staff(email, **user_fields)
    enrol_totp(user)
    return user


def staff_programme() -> Programme:
    return Programme.objects.get(cci=PROGRAMME_CCI)


def make_other_programme(programme: Programme) -> Programme:
    return Programme.objects.create(
        cci=OTHER_PROGRAMME_CCI,
        title_it="PN Scuola e competenze 2021-2027",
        cycle="2021-2027",
        kind="national",
        managing_authority=programme.managing_authority,
    )


def add_staff(programme: Programme, email: str):
    user = make_user(email)
    ProgrammeStaff.objects.create(programme=programme, user=user)
    enrol_totp(user)
    return user


def make_admin(email: str = "admin@example.org"):
    user = make_user(email, is_superuser=True, is_staff=True)
    enrol_totp(user)
    return user


def make_organization(name: str | None = None, **fields) -> Organization:
    number = next(_numbers)
    defaults = {
        "name": name or f"Associazione partner {number}",
        "legal_form": "association",
        "eccp_subcategory": "c.ii",
        "cpr_category": "c",
        "territorial_level": "national",
    }
    return Organization.objects.create(**{**defaults, **fields})


def make_representative(
    organization: Organization, first_name: str, last_name: str, user=None
) -> Representative:
    return Representative.objects.create(
        organization=organization,
        user=user,
        first_name=first_name,
        last_name=last_name,
        role="delegate",
        mandate_issuer="Presidente",
        mandate_date=date(2025, 12, 1),
    )


def make_body(programmes=(), **fields) -> Body:
    """A monitoring committee with the default rules of procedure unless ``fields`` say otherwise."""
    defaults = {"kind": BodyKind.MONITORING_COMMITTEE, "name_it": "Comitato di Sorveglianza"}
    body = Body.objects.create(**{**defaults, **fields})
    body.programmes.set(programmes)
    return body


def make_seat(body: Body, role: str = SeatRole.VOTING_MEMBER, **fields) -> Seat:
    number = next(_numbers)
    defaults = {
        "organization": fields.pop("organization", None) or make_organization(),
        "member_name": f"Componente {number}",
        "substitute_name": f"Supplente {number}",
        "start_date": SEATS_FROM,
        "act_number": "DD 1/2025",
        "act_date": date(2025, 12, 15),
    }
    return Seat.objects.create(body=body, role=role, **{**defaults, **fields})


def make_seats(body: Body, how_many: int, role: str = SeatRole.VOTING_MEMBER) -> list[Seat]:
    return [make_seat(body, role) for _ in range(how_many)]


def make_meeting(body: Body | None, starts_at: datetime | None = None, **fields) -> Meeting:
    """A body meeting on Wednesday 9 December 2026, 10:00-13:00 in Rome; draft unless ``state`` is given."""
    starts = starts_at or rome(2026, 12, 9, 10)
    defaults = {
        "kind": MeetingKind.BODY_MEETING if body else MeetingKind.PUBLIC_EVENT,
        "title_it": "Riunione del Comitato",
        "place": "Roma, via Sicilia 162",
        "starts_at": starts,
        "ends_at": starts.replace(hour=starts.hour + 3),
    }
    return Meeting.objects.create(body=body, **{**defaults, **fields})


def add_item(
    meeting: Meeting, kind: str = AgendaItemKind.APPROVAL, title: str = "Approvazione"
) -> AgendaItem:
    order = meeting.agenda_items.count() + 1
    return AgendaItem.objects.create(meeting=meeting, order=order, title_it=title, kind=kind)
