"""A committee with every kind of seat holder, for helper E's written procedure, jobs and permission tests.

Seats (in force from 1 January 2026): the chair and two voting members with accounts (one as member, one
as substitute), a voting member without an account, an observer and the secretariat's seat with accounts.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from officine.conftest import make_user
from officine.meetings import written_procedures as wp
from officine.meetings.models import Body, Seat, SeatRole, WrittenProcedure
from officine.meetings.tests import factories

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name: str = "proposta.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@dataclass
class Committee:
    body: Body
    chair: Seat
    member_seat: Seat
    substitute_seat: Seat
    silent_seat: Seat
    observer_seat: Seat
    secretariat_seat: Seat
    chair_user: object
    member: object
    substitute: object
    observer: object
    secretary: object
    seats: list[Seat] = field(default_factory=list)

    @property
    def voting_seats(self) -> list[Seat]:
        return [self.chair, self.member_seat, self.substitute_seat, self.silent_seat]


def make_committee(body: Body, prefix: str = "") -> Committee:
    chair_user = make_user(f"{prefix}presidente@example.org", full_name="Paola Presidente")
    member = make_user(f"{prefix}componente@example.org", full_name="Carla Componente")
    substitute = make_user(f"{prefix}supplente@example.org", full_name="Sara Supplente")
    observer = make_user(f"{prefix}osservatrice@example.org", full_name="Olga Osservatrice")
    secretary = make_user(f"{prefix}segreteria@example.org", full_name="Sergio Segreteria")
    chair = factories.make_seat(
        body,
        SeatRole.CHAIR,
        member_name="Paola Presidente",
        member_user=chair_user,
        organization=factories.make_organization("Regione Esempio"),
    )
    member_seat = factories.make_seat(
        body,
        member_name="Carla Componente",
        member_user=member,
        organization=factories.make_organization("Associazione Alfa"),
    )
    substitute_seat = factories.make_seat(
        body,
        member_name="Mario Membro",
        substitute_name="Sara Supplente",
        substitute_user=substitute,
        organization=factories.make_organization("Associazione Beta"),
    )
    silent_seat = factories.make_seat(
        body, member_name="Ugo Senzaccount", organization=factories.make_organization("Cooperativa Gamma")
    )
    observer_seat = factories.make_seat(
        body, SeatRole.OBSERVER, member_name="Olga Osservatrice", member_user=observer
    )
    secretariat_seat = factories.make_seat(
        body, SeatRole.SECRETARIAT, member_name="Sergio Segreteria", member_user=secretary
    )
    return Committee(
        body=body,
        chair=chair,
        member_seat=member_seat,
        substitute_seat=substitute_seat,
        silent_seat=silent_seat,
        observer_seat=observer_seat,
        secretariat_seat=secretariat_seat,
        chair_user=chair_user,
        member=member,
        substitute=substitute,
        observer=observer,
        secretary=secretary,
        seats=[chair, member_seat, substitute_seat, silent_seat, observer_seat, secretariat_seat],
    )


def open_procedure(actor, body: Body, now: datetime | None = None, **kwargs) -> WrittenProcedure:
    return wp.open_procedure(
        actor, body, {"title_it": kwargs.pop("title", "Modifica dei criteri di selezione")}, now=now, **kwargs
    )


def closed_procedure(actor, body: Body, answers: dict | None = None) -> WrittenProcedure:
    """A procedure opened 30 days ago and closed today, with ``answers`` ({seat: choice}) given."""
    opened = timezone.now() - timedelta(days=30)
    procedure = open_procedure(actor, body, now=opened)
    for seat, choice in (answers or {}).items():
        text = "" if choice == "approve" else "Motivazioni"
        wp.respond(actor, procedure, seat, choice, text, now=opened + timedelta(hours=1))
    return wp.close_procedure(actor, procedure)
