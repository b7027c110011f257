"""Test data shared by the contribution, question, citizen and permission tests.

One programme with its staff, a partnership (a consulted member, a third-sector member with a RUNTS number,
a body that is not a member), a representative of each, and a published document with three sections;
consultations are created per test in the state the test needs (the state machine has its own tests).
"""

import io
import itertools
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from officine.conftest import make_user
from officine.consultations import services
from officine.consultations.models import (
    Audience,
    Consultation,
    ConsultationState,
    Contribution,
    Document,
    ProcedureKind,
)
from officine.consultations.tests import factories
from officine.programmes.models import Membership, Programme
from officine.registry.models import Organization, Representative

_seq = itertools.count(1)

SECTIONS = [
    {"heading": "Obiettivi", "body": "Il programma sostiene l'inclusione attiva."},
    {"heading": "Priorità", "body": "Tre priorità: lavoro, casa, servizi."},
    {"heading": "Dotazione finanziaria", "body": "La dotazione è di 4 miliardi di euro."},
]

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def pdf(name: str = "osservazioni.pdf", size: int | None = None) -> SimpleUploadedFile:
    content = PDF_BYTES if size is None else PDF_BYTES + b"0" * (size - len(PDF_BYTES))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name: str = "proposta.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def odt(name: str = "proposta.odt") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def png(name: str = "foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES)


def make_org(**fields) -> Organization:
    n = next(_seq)
    defaults = {
        "name": f"Associazione di prova {n:04d}",
        "legal_form": "association",
        "country": "IT",
        "eccp_subcategory": "c.i",
        "cpr_category": "c",
        "territorial_level": "national",
    }
    return Organization.objects.create(**{**defaults, **fields})


def make_member(programme: Programme, org: Organization) -> Membership:
    return Membership.objects.create(
        programme=programme,
        organization=org,
        is_consultee=True,
        start_date=date(2023, 1, 1),
        selection_act_number="DD 12/2023",
        selection_act_date=date(2022, 12, 1),
    )


def make_representative(org: Organization, email: str, full_name: str):
    user = make_user(email, full_name=full_name)
    first, _, last = full_name.partition(" ")
    Representative.objects.create(
        organization=org,
        user=user,
        first_name=first,
        last_name=last or "Rossi",
        role="delegate",
        mandate_issuer="Presidente",
        mandate_date=date(2023, 1, 1),
    )
    return user


@dataclass
class World:
    programme: Programme
    other_programme: Programme
    staff: object
    staff_other: object
    admin: object
    member_org: Organization
    third_sector_org: Organization
    non_member_org: Organization
    rep_member: object
    rep_member_colleague: object
    rep_third_sector: object
    rep_non_member: object
    citizen: object
    unverified: object
    document: Document

    @property
    def version(self):
        return self.document.versions.get(number=1)

    def section(self, number: int):
        return self.version.sections.get(order=number)

    def consultation(
        self,
        state: str = ConsultationState.OPEN,
        *,
        audience: str = Audience.PARTNERS,
        kind: str = ProcedureKind.CONSULTATION,
        documents: tuple[Document, ...] | None = None,
        **fields,
    ) -> Consultation:
        today = timezone.localdate()
        defaults = {
            "title_it": "Consultazione sulla bozza del programma",
            "opens_on": today - timedelta(days=7),
            "closes_on": today + timedelta(days=21),
        }
        return factories.make_consultation(
            self.programme,
            documents or (self.document,),
            kind=kind,
            audience=audience,
            state=state,
            **{**defaults, **fields},
        )

    def contribution(self, consultation: Consultation, author=None, **fields) -> Contribution:
        """A contribution written straight to the database (for pages and rules, not for the services)."""
        author = author or self.rep_member_colleague
        number = fields.pop("number", Contribution.objects.filter(consultation=consultation).count() + 1)
        return Contribution.objects.create(
            consultation=consultation,
            number=number,
            version=fields.pop("version", self.version),
            section=fields.pop("section", self.section(2)),
            author=author,
            author_name=author.get_full_name(),
            organization=fields.pop("organization", self.member_org),
            body=fields.pop("body", "Chiediamo di rafforzare i servizi per la casa."),
            **fields,
        )


def build_world() -> World:
    staff = factories.make_staff(full_name="Giulia Staff")
    programme = factories.staff_programme()
    other_programme = factories.make_other_programme(programme)
    staff_other = factories.add_staff(other_programme, "staff-altro@example.org", full_name="Marco Altro")
    admin = factories.make_admin(full_name="Amministratrice")

    member_org = make_org(name="Forum del Terzo Settore regionale")
    third_sector_org = make_org(name="Cooperativa sociale Il Ponte", runts_number="RUNTS-000123")
    non_member_org = make_org(name="Associazione non selezionata")
    make_member(programme, member_org)
    make_member(programme, third_sector_org)

    rep_member = make_representative(member_org, "delegata@example.org", "Anna Bianchi")
    rep_member_colleague = make_representative(member_org, "collega@example.org", "Luca Verdi")
    rep_third_sector = make_representative(third_sector_org, "ponte@example.org", "Sara Neri")
    rep_non_member = make_representative(non_member_org, "esterno@example.org", "Paolo Gialli")
    citizen = make_user("cittadina@example.org", full_name="Maria Cittadina")
    unverified = get_user_model().objects.create_user(
        email="nonverificato@example.org", password="x-long-pass-1"
    )

    document = services.create_document(
        staff, programme, title_it="Bozza del Programma Inclusione", sections=SECTIONS
    )
    services.publish_version(staff, document.versions.get())
    return World(
        programme=programme,
        other_programme=other_programme,
        staff=staff,
        staff_other=staff_other,
        admin=admin,
        member_org=member_org,
        third_sector_org=third_sector_org,
        non_member_org=non_member_org,
        rep_member=rep_member,
        rep_member_colleague=rep_member_colleague,
        rep_third_sector=rep_third_sector,
        rep_non_member=rep_non_member,
        citizen=citizen,
        unverified=unverified,
        document=document,
    )


def fresh(user):
    """The same user without per-instance caches (represented organisations, verified e-mail)."""
    return get_user_model().objects.get(pk=user.pk)
