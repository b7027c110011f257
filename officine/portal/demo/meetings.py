"""Demo monitoring committee, its meetings and a public web conference (issue 4, point 10).

- The committee serves the demo national partnership's programme (PN Inclusione e lotta alla povertà,
  a real programme): its seats are held by real institutions and by the demo partners sitting on the
  committee (``memberships.csv``, ``committee=yes``), with the demo representatives as members and
  substitutes, or fictional people where the partnership names nobody. Acts are numbered ``DEMO-…``:
  neither the composition nor the meetings are the real committee's.
- Everything goes through the services (``composition``, ``convening``, ``documents``, ``decisions``,
  ``minutes``, ``recommendations``, ``written_procedures``) with the ``now`` each step would have had, so the
  demo cannot reach a state the product itself forbids. What the services cannot write for the demo is written
  with the ORM in the shapes they produce and audited as ``demo.create``: the members' genders (the
  composition service does not take them), a member's comment on the minutes (the service needs the member's
  account, and demo people have none), the registrations to the web conference (the service e-mails each
  person) and the time stamps of votes and creations (``auto_now_add``).
- Dates are counted in working days from the day of loading, so "upcoming" stays upcoming: a meeting in
  every calendar year since the committee was set up (the first within three months of the programme's
  approval, CPR Art. 38(1) and 38(3)) and two recent ones, all held with their document pack published on
  time, attendance, decisions and votes (one member recusing on a conflict of interest), and minutes
  circulated, approved (at the next meeting, after a member's comment and a revised version, or by written
  procedure) and published within the programme's period; two recommendations, one answered; one meeting
  convened and still to come; one written procedure open with a few answers; and a public web conference
  of the partnership lab, with its registrations, in the format of the Officine Coesione web conference of
  1 July 2020 (labelled as demo). The committee passes the compliance checks of ``meetings.compliance``.
- Idempotent: the committee is found by its Italian name, the web conference by its title; one that exists
  is left alone (its meetings may have moved on since it was loaded), so a second run changes nothing.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone

from officine.core.audit import record
from officine.core.workdays import add_working_days
from officine.meetings import composition, convening, decisions, recommendations, written_procedures
from officine.meetings import documents as meeting_documents
from officine.meetings import minutes as minutes_service
from officine.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    AttendanceStatus,
    Body,
    BodyKind,
    DecisionMethod,
    Gender,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingMode,
    Minutes,
    MinutesComment,
    MinutesVersion,
    Outcome,
    RecommendationStatus,
    Registration,
    RegistrationStatus,
    ResponseChoice,
    Seat,
    SeatRole,
    Vote,
    VoteChoice,
    WrittenProcedure,
)
from officine.programmes.models import Programme
from officine.registry.choices import RepresentativeRole
from officine.registry.models import Organization, Representative

from .consultations import organizations_by_key
from .partnerships import NATIONAL_DEMO_CCI
from .people import FEMALE_NAMES, MALE_NAMES, SURNAMES
from .search import organization_document
from .upsert import LoadStats, clean_demo_organization, upsert

COMMITTEE_NAME_IT = "Comitato di Sorveglianza del PN Inclusione e lotta alla povertà 2021-2027"
COMMITTEE_NAME_EN = "Monitoring Committee of the PN Social Inclusion and Fight against Poverty 2021-2027"
WEB_CONFERENCE_TITLE_IT = "Web conference del Laboratorio permanente sul partenariato (evento dimostrativo)"
WEB_CONFERENCE_TITLE_EN = "Web conference of the Permanent Partnership Lab (demo event)"

CONSTITUTION_ACT = ("DEMO-DD 2023/004", date(2023, 1, 20))
APPOINTING_ACT = ("DEMO-DD 2023/006", date(2023, 1, 27))
SEATS_FROM = date(2023, 2, 1)
# The programme was approved on 1 December 2022: its committee meets within three months (CPR Art. 38(1)).
INAUGURAL_DAY = date(2023, 2, 28)
CHANGE_ACT = ("DEMO-DD 2025/041", date(2025, 2, 20))
CHANGE_FROM = date(2025, 3, 3)
MINUTES_DRAFTED_AFTER = 5  # working days after the meeting
MINUTES_COMMENT_DAYS = 10  # working days for members' comments

PLACE = "Roma, sede del Ministero del Lavoro e delle Politiche Sociali"
ONLINE_LINK = "https://videoconferenza.example.org/cds-pn-inclusione-demo"
WEB_CONFERENCE_LINK = "https://videoconferenza.example.org/officine-laboratorio-partenariato-demo"

MANAGING_AUTHORITY = "Ministero del Lavoro e delle Politiche Sociali"
EUROPEAN_COMMISSION = "Commissione europea – Direzione generale Occupazione, affari sociali e inclusione"
# Institutions created by the programmes file (managing authorities of other programmes), by exact name.
INSTITUTIONS = (
    "Agenzia per la Coesione Territoriale",
    "Presidenza del Consiglio dei Ministri – Dipartimento per le politiche di coesione e per il Sud",
    "Regione Campania",
    "Regione Puglia",
)
# Demo partners (keys of ``organizations.csv``) sitting on the committee of PN Inclusione, in this order.
PARTNERS = (
    "conf_regioni",
    "anci",
    "upi",
    "unar",
    "consigliera_parita",
    "cgil",
    "cisl",
    "uil",
    "ugl",
    "confindustria",
    "confcommercio",
    "confartigianato",
    "cna",
    "legacoop",
    "forum_ts",
    "alleanza_poverta",
    "caritas",
    "save_children",
    "fish",
    "legambiente",
    "crui",
    "inapp",
)
OBSERVERS = ("inapp",)  # a public research institute follows the work without a vote
RECUSING_PARTNER = "forum_ts"  # its members may apply to the call whose criteria are voted
CHANGED_PARTNER = "cgil"  # a change of member, to show the composition's history

MONTHS_IT = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
TABLES = (
    "bodies",
    "seats",
    "meetings",
    "agenda items",
    "meeting documents",
    "votes",
    "written procedures",
    "minutes",
    "registrations",
    "recommendations",
)


def italian_date(day: date) -> str:
    return f"{day.day} {MONTHS_IT[day.month - 1]} {day.year}"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- Tiny PDF files ------------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def demo_pdf(title: str, lines: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF with ``title`` and ``lines`` in Helvetica (Latin-1 text), a few hundred bytes."""
    body = ["BT", "/F1 16 Tf", "56 780 Td", f"({_pdf_text(title)}) Tj", "/F1 11 Tf"]
    for line in ("", *lines, "", "Documento dimostrativo generato da Officine (dati demo)."):
        body += ["0 -18 Td", f"({_pdf_text(line)}) Tj"]
    body.append("ET")
    stream = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_upload(title: str, lines: tuple[str, ...]) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{_slug(title)}.pdf", demo_pdf(title, lines), "application/pdf")


def _slug(text: str) -> str:
    keep = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in keep.split("-") if part)[:60]


# --- People --------------------------------------------------------------------------------------


def fictional_person(seed: str) -> tuple[str, str]:
    """A fictional name and its gender, the same for the same ``seed``."""
    rng = random.Random(f"seat-person:{seed}")
    gender = rng.choice((Gender.FEMALE, Gender.MALE))
    names = FEMALE_NAMES if gender == Gender.FEMALE else MALE_NAMES
    return f"{rng.choice(names)} {rng.choice(SURNAMES)}", gender


def _gender_of(representative: Representative | None) -> str:
    if representative is None:
        return ""
    return representative.gender if representative.gender in (Gender.FEMALE, Gender.MALE) else Gender.OTHER


@dataclass(frozen=True)
class SeatPlan:
    key: str
    organization: Organization
    role: str


def _european_commission(stats: LoadStats) -> Organization:
    description_it = "Partecipa ai comitati di sorveglianza a titolo consultivo (art. 39, par. 2, RDC)."
    description_en = "Takes part in monitoring committees in an advisory capacity (CPR Art. 39(2))."
    return upsert(
        Organization,
        {"name": EUROPEAN_COMMISSION},
        {
            "legal_form": "public_body",
            "country": "BE",
            "eccp_subcategory": "a.i",
            "cpr_category": "a",
            "territorial_level": "eu",
            "website": "https://commission.europa.eu/",
            "description_it": description_it,
            "description_en": description_en,
            "is_demo": True,
            "search_document": organization_document(
                EUROPEAN_COMMISSION, "", description_it, description_en, []
            ),
        },
        stats=stats,
        table="organisations",
        clean=clean_demo_organization,
    )


def plan_seats(stats: LoadStats) -> list[SeatPlan]:
    """The committee's seats in their order on the member list: chair, institutions, partners, the
    Commission (advisory) and the secretariat."""
    wanted = (MANAGING_AUTHORITY, *INSTITUTIONS)
    by_name = {o.name: o for o in Organization.objects.filter(name__in=wanted)}
    missing = [name for name in wanted if name not in by_name]
    partners = organizations_by_key()
    missing += [key for key in PARTNERS if key not in partners]
    if missing:
        raise CommandError(f"Demo committee: organisations not loaded: {missing}")
    authority = by_name[MANAGING_AUTHORITY]
    plan = [SeatPlan("chair", authority, SeatRole.CHAIR)]
    plan += [
        SeatPlan(f"inst{n}", by_name[name], SeatRole.VOTING_MEMBER) for n, name in enumerate(INSTITUTIONS)
    ]
    plan += [
        SeatPlan(key, partners[key], SeatRole.OBSERVER if key in OBSERVERS else SeatRole.VOTING_MEMBER)
        for key in PARTNERS
    ]
    plan.append(SeatPlan("commission", _european_commission(stats), SeatRole.ADVISORY))
    plan.append(SeatPlan("secretariat", authority, SeatRole.SECRETARIAT))
    return plan


def _seat_data(plan: SeatPlan) -> dict:
    people = {
        r.role: r
        for r in Representative.objects.filter(organization=plan.organization, is_demo=True).order_by("-pk")
    }
    member = people.get(RepresentativeRole.DELEGATE) if plan.role != SeatRole.SECRETARIAT else None
    substitute = people.get(RepresentativeRole.SUBSTITUTE) if plan.role != SeatRole.SECRETARIAT else None
    data = {"organization": plan.organization, "role": plan.role}
    if member is not None:
        data.update(member_representative=member, member_gender=_gender_of(member))
    else:
        name, gender = fictional_person(f"{plan.key}:member")
        data.update(member_name=name, member_gender=gender)
    if substitute is not None:
        data.update(substitute_representative=substitute, substitute_gender=_gender_of(substitute))
    else:
        name, gender = fictional_person(f"{plan.key}:substitute")
        data.update(substitute_name=name, substitute_gender=gender)
    return data


# --- Loading -------------------------------------------------------------------------------------


def load_meetings(stats: LoadStats, programmes: dict[str, Programme], today: date | None = None) -> None:
    """The demo committee with its meetings and procedures, and the web conference, each only if missing."""
    today = today or timezone.localdate()
    for table in TABLES:
        stats.tally(table)
    programme = programmes.get(NATIONAL_DEMO_CCI)
    if programme is None:
        raise CommandError(f"The demo programme {NATIONAL_DEMO_CCI} is missing: the committee serves it.")
    try:
        load_committee(stats, programme, today)
        load_web_conference(stats, today)
    except ValidationError as exc:
        raise CommandError(f"Demo meetings: {'; '.join(exc.messages)}") from exc


def load_committee(stats: LoadStats, programme: Programme, today: date) -> Body:
    existing = Body.objects.filter(name_it=COMMITTEE_NAME_IT, is_demo=True).first()
    if existing is not None:
        _european_commission(stats)
        _count_unchanged(stats, existing)
        return existing
    plan = plan_seats(stats)
    body = composition.create_body(
        None,
        {
            "kind": BodyKind.MONITORING_COMMITTEE,
            "name_it": COMMITTEE_NAME_IT,
            "name_en": COMMITTEE_NAME_EN,
            "constitution_act_number": CONSTITUTION_ACT[0],
            "constitution_act_date": CONSTITUTION_ACT[1],
            "constitution_document": SimpleUploadedFile(
                "decreto-costituzione-cds-demo.pdf",
                demo_pdf(
                    "Decreto di costituzione del Comitato di Sorveglianza (demo)",
                    (f"{CONSTITUTION_ACT[0]} del {italian_date(CONSTITUTION_ACT[1])}", COMMITTEE_NAME_IT),
                ),
                "application/pdf",
            ),
            "rules_document": SimpleUploadedFile(
                "regolamento-interno-cds-demo.pdf",
                demo_pdf(
                    "Regolamento interno del Comitato di Sorveglianza (demo)",
                    (
                        "Convocazione e documenti: almeno 10 giorni lavorativi prima (5 se urgente).",
                        "Procedura scritta: 10 giorni lavorativi (5 se urgente); il silenzio vale assenso.",
                        "Quorum: metà dei componenti con diritto di voto. Maggioranza semplice.",
                    ),
                ),
                "application/pdf",
            ),
        },
        programmes=[programme],
    )
    Body.objects.filter(pk=body.pk).update(is_demo=True, created_at=at(CONSTITUTION_ACT[1], 12))
    stats.tally("bodies").created += 1
    seats = {}
    for seat_plan in plan:
        data = _seat_data(seat_plan)
        seat = composition.add_seat(
            None,
            body,
            data,
            start_date=SEATS_FROM,
            act_number=APPOINTING_ACT[0],
            act_date=APPOINTING_ACT[1],
        )
        seats[seat_plan.key] = _set_genders(seat, data)
        stats.tally("seats").created += 1
    name, gender = fictional_person(f"{CHANGED_PARTNER}:member:2025")
    data = {"member_name": name, "member_gender": gender}
    seat = composition.replace_seat(
        None,
        seats[CHANGED_PARTNER],
        data,
        start_date=CHANGE_FROM,
        act_number=CHANGE_ACT[0],
        act_date=CHANGE_ACT[1],
    )
    history = {key: [seat] for key, seat in seats.items()}
    history[CHANGED_PARTNER].append(_set_genders(seat, data))
    stats.tally("seats").created += 1
    _CommitteeLife(stats, body, programme, history, today).run()
    return body


def _set_genders(seat: Seat, data: dict) -> Seat:
    """The genders of member and substitute (used only for the ECCP Art. 10 balance indicator), which the
    composition service does not take (yet): written on the seat it has just opened, and audited."""
    genders = {
        name: data[name]
        for name in ("member_gender", "substitute_gender")
        if name in data and getattr(seat, name) != data[name]
    }
    if genders:
        before = {name: getattr(seat, name) for name in genders}
        Seat.objects.filter(pk=seat.pk).update(**genders)
        for name, value in genders.items():
            setattr(seat, name, value)
        record(None, "demo.update", seat, {name: [before[name], value] for name, value in genders.items()})
    return seat


def _count_unchanged(stats: LoadStats, body: Body) -> None:
    stats.tally("bodies").unchanged += 1
    stats.tally("seats").unchanged += body.seats.count()
    meetings = Meeting.objects.filter(body=body)
    stats.tally("meetings").unchanged += meetings.count()
    stats.tally("agenda items").unchanged += AgendaItem.objects.filter(meeting__in=meetings).count()
    stats.tally("meeting documents").unchanged += MeetingDocument.objects.filter(
        Q(meeting__in=meetings) | Q(procedure__body=body)
    ).count()
    stats.tally("votes").unchanged += Vote.objects.filter(item__meeting__in=meetings).count()
    stats.tally("written procedures").unchanged += body.written_procedures.count()
    stats.tally("minutes").unchanged += Minutes.objects.filter(meeting__in=meetings).count()
    stats.tally("recommendations").unchanged += body.recommendations.count()


@dataclass(frozen=True)
class ItemPlan:
    title_it: str
    title_en: str
    kind: str
    presenter: str
    minutes: str
    document: str = ""
    outcome: str = ""  # by consensus; empty with votes
    votes: dict[str, str] | None = None  # seat key -> choice; the others present vote in favour
    conflict: str = ""  # seat key that declares a conflict of interest
    conflict_note: str = ""


class _CommitteeLife:
    """The committee's life: a meeting every year since it was set up and two recent ones, held, with their
    minutes approved (by written procedure, or at the next meeting) and published; one meeting convened;
    one written procedure open."""

    def __init__(
        self, stats: LoadStats, body: Body, programme: Programme, history: dict[str, list[Seat]], today: date
    ):
        self.stats = stats
        self.body = body
        self.programme = programme
        self.history = history
        self.today = today
        self.holidays = programme.extra_holidays
        self.plans: dict[int, list[ItemPlan]] = {}

    def wd(self, day: date, days: int) -> date:
        return add_working_days(day, days, self.holidays)

    def seats_on(self, day: date) -> dict[str, Seat]:
        """The seat of each place in force on ``day`` (a replaced member's successor after the change)."""
        return {key: seat for key, seats in self.history.items() for seat in seats if seat.in_force_on(day)}

    def history_days(self, recent: date) -> list[date]:
        """One earlier meeting for every calendar year since the committee was set up that the recent
        meetings do not cover (CPR Art. 38(3): at least once a year), the first within three months of
        the programme's approval (CPR Art. 38(1))."""
        days = [INAUGURAL_DAY]
        for year in range(INAUGURAL_DAY.year + 1, recent.year):
            days.append(self.wd(date(year, 5, 14), 1))
        return [day for day in days if day < recent - timedelta(days=90)]

    def run(self) -> None:
        recent_day = self.wd(self.today, -62)
        second_day = self.wd(self.today, -40)
        upcoming_day = self.wd(self.today, 18)
        for number, day in enumerate(self.history_days(recent_day)):
            absent = ("ugl", "crui", "inst2")[: 1 + number % 3]
            meeting = self.held_meeting(day, earlier_items(day, inaugural=number == 0), absent=absent)
            self.approve_by_procedure(self.draft_and_circulate_minutes(meeting))
        first = self.held_meeting(recent_day, FIRST_MEETING, absent=("ugl", "confcommercio", "legambiente"))
        first_minutes = self.draft_and_circulate_minutes(first, comment=True)
        second = self.held_meeting(
            second_day,
            second_items(recent_day),
            absent=("upi", "confartigianato", "crui", "inst3"),
            substitutes=("anci", "caritas"),
        )
        # Approved at the next meeting, whose first item is that approval.
        approval = second.agenda_items.get(order=1)
        self.approve_and_publish(
            first_minutes, approval.decided_at + timedelta(minutes=1), meeting=second, publish_on=second_day
        )
        self.approve_by_procedure(self.draft_and_circulate_minutes(second))
        self.recommendations(first, second)
        self.upcoming_meeting(upcoming_day)
        self.open_procedure()

    # --- meetings ---

    def _meeting(self, day: date, title_it: str, title_en: str, notice_on: date, items: list[ItemPlan]):
        created = at(self.wd(notice_on, -3), 11)
        meeting = convening.create_meeting(
            None,
            {
                "body": self.body,
                "programme": self.programme,
                "kind": MeetingKind.BODY_MEETING,
                "title_it": title_it,
                "title_en": title_en,
                "mode": MeetingMode.HYBRID,
                "place": PLACE,
                "online_link": ONLINE_LINK,
                "starts_at": at(day, 10),
                "ends_at": at(day, 13, 30),
            },
        )
        Meeting.objects.filter(pk=meeting.pk).update(is_demo=True, created_at=created, updated_at=created)
        self.stats.tally("meetings").created += 1
        for plan in items:
            decisions.add_agenda_item(
                None,
                meeting,
                {
                    "title_it": plan.title_it,
                    "title_en": plan.title_en,
                    "kind": plan.kind,
                    "presenter": plan.presenter,
                },
            )
            self.stats.tally("agenda items").created += 1
        self.documents(meeting, items, created + timedelta(hours=2))
        # The notice and the pack go out together (``documents.convene``): on time, so no document is late.
        return meeting_documents.convene(None, meeting, now=at(notice_on, 9, 30))

    def documents(self, meeting: Meeting, items: list[ItemPlan], uploaded: datetime) -> None:
        """The pack, uploaded while the meeting is a draft (published with the notice): the agenda and one
        document per item that has one."""
        rows = [(None, f"Ordine del giorno – {italian_date(meeting.day)}")]
        by_order = {item.order: item for item in meeting.agenda_items.all()}
        rows += [(by_order[n], plan.document) for n, plan in enumerate(items, start=1) if plan.document]
        for item, title in rows:
            lines = [meeting.title_it, f"Seduta del {italian_date(meeting.day)}"]
            if item is not None:
                lines.append(f"Punto {item.order} all'ordine del giorno: {item.title_it}")
            document = meeting_documents.upload_document(
                None, meeting, {"file": _pdf_upload(title, tuple(lines)), "title_it": title}, item=item
            )
            MeetingDocument.objects.filter(pk=document.pk).update(created_at=uploaded, updated_at=uploaded)
            self.stats.tally("meeting documents").created += 1

    def held_meeting(
        self, day: date, plans: tuple, absent: tuple[str, ...], substitutes: tuple[str, ...] = ()
    ) -> Meeting:
        title_it, title_en, items = plans
        meeting = self._meeting(day, title_it, title_en, self.wd(day, -15), items)
        self.plans[meeting.pk] = items
        started = at(day, 10, 5)
        meeting = convening.mark_held(None, meeting, now=started)
        seats = self.seats_on(day)
        for key, seat in seats.items():
            if key in absent:
                status = AttendanceStatus.ABSENT
            elif key in substitutes:
                status = AttendanceStatus.SUBSTITUTE
            elif key in ("inst1", "inst3", "unar", "crui", "save_children"):
                status = AttendanceStatus.ONLINE
            else:
                status = AttendanceStatus.PRESENT
            decisions.record_attendance(None, meeting, seat, status)
        present = {key for key in seats if key not in absent}
        for minute, (item, plan) in enumerate(
            zip(meeting.agenda_items.order_by("order"), items, strict=True)
        ):
            decided = at(day, 10, 20) + timedelta(minutes=35 * minute)
            if plan.conflict:
                decisions.declare_conflict(None, item, seats[plan.conflict], plan.conflict_note)
            if plan.votes is not None:
                votes = {
                    seat: plan.votes.get(key, VoteChoice.FOR)
                    for key, seat in seats.items()
                    if key in present and seat.has_vote and key != plan.conflict
                }
                decisions.record_votes(None, item, votes)
                Vote.objects.filter(item=item).update(cast_at=decided - timedelta(minutes=5))
                self.stats.tally("votes").created += len(votes)
                decisions.decide_item(None, item, DecisionMethod.VOTE, now=decided)
            else:
                decisions.decide_item(None, item, DecisionMethod.CONSENSUS, plan.outcome, now=decided)
        return meeting

    def upcoming_meeting(self, day: date) -> Meeting:
        title_it = f"Riunione del Comitato di Sorveglianza del {italian_date(day)}"
        title_en = f"Monitoring Committee meeting of {day.isoformat()}"
        return self._meeting(day, title_it, title_en, self.wd(self.today, -2), upcoming_items())

    # --- minutes ---

    def draft_and_circulate_minutes(self, meeting: Meeting, *, comment: bool = False) -> Minutes:
        """The minutes' workflow up to a version ready for approval (``minutes`` service): started after the
        meeting (pre-filled from the record), completed and circulated for the members' comments. With
        ``comment``, a member comments (written directly: demo members have no account to sign with), the
        answer goes into version 2, which is circulated again; the approval can follow within the
        programme's 30 working days for publishing minutes either way."""
        drafted_on = self.wd(meeting.day, MINUTES_DRAFTED_AFTER if comment else 3)
        minutes = minutes_service.start_minutes(None, meeting, now=at(drafted_on, 9))
        version = minutes_service.current_version(minutes)
        items = list(meeting.agenda_items.order_by("order"))
        prefilled = {section.item_id: section.text for section in version.sections.all()}
        texts = {
            item.pk: "\n\n".join(filter(None, (plan.minutes, prefilled.get(item.pk, ""))))
            for item, plan in zip(items, self.plans[meeting.pk], strict=True)
        }
        closing = (
            "Esauriti i punti all'ordine del giorno, il Presidente dichiara chiusa la seduta alle ore 13:15."
        )
        minutes_service.save_draft(None, minutes, {"sections": texts, "closing": closing})
        minutes = minutes_service.circulate(
            None, minutes, working_days=MINUTES_COMMENT_DAYS, now=at(drafted_on, 16)
        )
        Minutes.objects.filter(pk=minutes.pk).update(created_at=at(drafted_on, 9))
        MinutesVersion.objects.filter(pk=version.pk).update(created_at=at(drafted_on, 9))
        if not comment:
            return minutes
        note = MinutesComment.objects.create(
            version=version,
            item=items[-1],
            seat=self.seats_on(meeting.day)["alleanza_poverta"],
            author=None,
            text="Chiediamo di riportare che l'Alleanza ha chiesto un aggiornamento sugli indicatori "
            "di risultato.",
            at=at(self.wd(drafted_on, 3), 11),
        )
        record(None, "demo.create", note, {"version": [None, version.number], "item": [None, items[-1].pk]})
        revised = at(self.wd(minutes.comments_deadline, 1), 9)
        minutes_service.revise(
            None,
            minutes,
            "Accolta l'osservazione dell'Alleanza contro la Povertà sul punto finale.",
            now=revised,
        )
        texts[items[-1].pk] += (
            " L'Alleanza contro la Povertà in Italia chiede un aggiornamento sugli indicatori di risultato "
            "alla prossima riunione."
        )
        second = minutes_service.save_draft(None, minutes, {"sections": {items[-1].pk: texts[items[-1].pk]}})
        minutes = minutes_service.circulate(
            None,
            minutes,
            working_days=minutes_service.MIN_COMMENT_WORKING_DAYS,
            now=revised + timedelta(hours=7),
        )
        MinutesVersion.objects.filter(pk=second.pk).update(created_at=revised)
        return minutes

    def approve_by_procedure(self, minutes: Minutes) -> None:
        procedure = self.closed_procedure_on_minutes(minutes)
        self.approve_and_publish(
            minutes,
            procedure.closed_at + timedelta(hours=1),
            procedure=procedure,
            publish_on=timezone.localdate(procedure.closed_at),
        )

    def approve_and_publish(
        self, minutes: Minutes, approved: datetime, *, publish_on: date, **approval
    ) -> None:
        minutes = minutes_service.approve(None, minutes, now=approved, **approval)
        minutes_service.publish(None, minutes, now=at(self.wd(publish_on, 1), 12))
        self.stats.tally("minutes").created += 1

    # --- recommendations ---

    def recommendations(self, first: Meeting, second: Meeting) -> None:
        """Two recommendations of the committee (CPR Art. 40(3)): one answered by the managing authority,
        one still awaiting its reply."""
        answered = recommendations.record_recommendation(
            None,
            self.body,
            {
                "meeting": second,
                "date": second.day,
                "text_it": "Semplificare la rendicontazione delle spese per gli enti beneficiari di piccole "
                "dimensioni, anche con l'uso di opzioni di costo semplificate.",
                "text_en": "Simplify expenditure reporting for small beneficiaries, including through "
                "simplified cost options.",
            },
        )
        recommendations.reply_to_recommendation(
            None,
            answered,
            "L'Autorità di gestione ha avviato l'adozione di costi unitari standard per le attività di "
            "accompagnamento; la proposta sarà presentata al Comitato nella prossima riunione.",
            RecommendationStatus.ACCEPTED,
            on=self.wd(second.day, 12),
        )
        recommendations.record_recommendation(
            None,
            self.body,
            {
                "meeting": first,
                "date": first.day,
                "text_it": "Aggiornare il Comitato sugli indicatori di risultato della Priorità 2 e sulla "
                "loro disaggregazione per genere.",
                "text_en": "Report to the Committee on the result indicators of Priority 2, broken down by "
                "gender.",
            },
        )
        self.stats.tally("recommendations").created += 2

    # --- written procedures ---

    def closed_procedure_on_minutes(self, minutes: Minutes) -> WrittenProcedure:
        """A written procedure approving the minutes, opened the day after the comments on their last
        version closed."""
        meeting = minutes.meeting
        opened_on = self.wd(minutes.comments_deadline, 1)
        procedure = written_procedures.open_procedure(
            None,
            self.body,
            {
                "title_it": f"Approvazione del verbale della riunione del {italian_date(meeting.day)}",
                "title_en": f"Approval of the minutes of the meeting of {meeting.day.isoformat()}",
                "description": "Il verbale, circolato ai componenti per osservazioni, è sottoposto ad "
                "approvazione con procedura scritta come previsto dal regolamento interno.",
            },
            now=at(opened_on, 9),
        )
        self.stats.tally("written procedures").created += 1
        answers = [("chair", ResponseChoice.APPROVE, ""), ("anci", ResponseChoice.APPROVE, "")]
        answers += [("cisl", ResponseChoice.APPROVE, ""), ("confindustria", ResponseChoice.APPROVE, "")]
        answers += [
            (
                "caritas",
                ResponseChoice.OBSERVATIONS,
                "Nessuna obiezione; si segnala un refuso nell'elenco dei presenti.",
            )
        ]
        seats = self.seats_on(opened_on)
        for n, (key, choice, text) in enumerate(answers):
            written_procedures.respond(
                None, procedure, seats[key], choice, text, now=at(self.wd(opened_on, 1 + n), 15)
            )
        return written_procedures.close_procedure(None, procedure, now=at(self.wd(procedure.deadline, 1), 9))

    def open_procedure(self) -> WrittenProcedure:
        opened_on = self.wd(self.today, -3)
        procedure = written_procedures.open_procedure(
            None,
            self.body,
            {
                "title_it": "Modifica dei criteri di selezione delle operazioni della Priorità 2 – "
                "Garanzia infanzia",
                "title_en": "Amendment of the selection criteria of Priority 2 – Child guarantee",
                "description": "Si propone di integrare i criteri di selezione con una premialità per i "
                "progetti nei comuni con minore copertura dei servizi per la prima infanzia "
                "(documento allegato). Le risposte sono attese entro il termine indicato.",
            },
            now=at(opened_on, 9),
        )
        title = "Proposta di modifica dei criteri di selezione – Priorità 2"
        upload = _pdf_upload(title, (f"Procedura scritta del {italian_date(opened_on)}", self.body.name_it))
        meeting_documents.upload_document(
            None, procedure, {"file": upload, "title_it": title}, now=at(opened_on, 9, 5)
        )
        self.stats.tally("meeting documents").created += 1
        self.stats.tally("written procedures").created += 1
        answers = [
            ("chair", ResponseChoice.APPROVE, ""),
            ("inst0", ResponseChoice.APPROVE, ""),
            ("anci", ResponseChoice.APPROVE, ""),
            (
                "save_children",
                ResponseChoice.OBSERVATIONS,
                "Si suggerisce di considerare anche la quota di bambini in povertà relativa.",
            ),
            (
                "cgil",
                ResponseChoice.OBJECT,
                "La premialità rischia di escludere i comuni che hanno già investito: si chiede un "
                "criterio basato sul fabbisogno residuo.",
            ),
        ]
        now = timezone.now()
        seats = self.seats_on(self.today)
        for n, (key, choice, text) in enumerate(answers):
            moment = min(at(self.wd(opened_on, n // 2), 11 + n), now - timedelta(minutes=5 * (5 - n)))
            written_procedures.respond(None, procedure, seats[key], choice, text, now=moment)
        return procedure


# --- Agendas and minutes texts ----------------------------------------------------------------------

FIRST_MEETING = (
    "Riunione del Comitato di Sorveglianza – esame della relazione annuale e dei criteri di selezione",
    "Monitoring Committee meeting – annual report and selection criteria",
    [
        ItemPlan(
            "Approvazione dell'ordine del giorno",
            "Adoption of the agenda",
            AgendaItemKind.APPROVAL,
            "Presidente",
            "Il Comitato approva all'unanimità l'ordine del giorno.",
            outcome=Outcome.APPROVED,
        ),
        ItemPlan(
            "Stato di attuazione del programma e avanzamento verso i target intermedi",
            "Progress of the programme towards its milestones",
            AgendaItemKind.EXAMINATION,
            "Autorità di gestione",
            "L'Autorità di gestione illustra l'avanzamento finanziario e fisico del programma. Il Comitato "
            "prende atto e chiede un approfondimento sulla Priorità 2.",
            document="Relazione sullo stato di attuazione del programma",
            outcome=Outcome.NOTED,
        ),
        ItemPlan(
            "Approvazione dei criteri di selezione delle operazioni per l'avviso rivolto agli enti del "
            "Terzo settore (Priorità 1)",
            "Approval of the selection criteria for the call to third-sector bodies (Priority 1)",
            AgendaItemKind.APPROVAL,
            "Autorità di gestione",
            "Il rappresentante del Forum Nazionale del Terzo Settore dichiara un conflitto di interessi, "
            "poiché enti associati potranno partecipare all'avviso, e non partecipa né alla discussione né "
            "al voto. Il Comitato approva i criteri a maggioranza.",
            document="Metodologia e criteri di selezione – Priorità 1",
            votes={
                "confindustria": VoteChoice.ABSTAIN,
                "ugl": VoteChoice.ABSTAIN,
                "cgil": VoteChoice.AGAINST,
            },
            conflict=RECUSING_PARTNER,
            conflict_note="Enti aderenti al Forum potranno presentare proposte a valere sull'avviso.",
        ),
        ItemPlan(
            "Informativa sulla strategia di comunicazione",
            "Information on the communication strategy",
            AgendaItemKind.INFORMATION,
            "Autorità di gestione",
            "L'Autorità di gestione presenta le attività di comunicazione svolte e programmate.",
            outcome=Outcome.NOTED,
        ),
    ],
)


def earlier_items(day: date, *, inaugural: bool) -> tuple:
    """The agenda of an earlier yearly meeting; the first one is the committee's inaugural meeting."""
    if inaugural:
        return (
            "Riunione di insediamento del Comitato di Sorveglianza",
            "Inaugural meeting of the Monitoring Committee",
            [
                ItemPlan(
                    "Insediamento del Comitato e approvazione del regolamento interno",
                    "Constitution of the Committee and adoption of its rules of procedure",
                    AgendaItemKind.APPROVAL,
                    "Presidente",
                    "Il Comitato si insedia e approva all'unanimità il regolamento interno.",
                    document="Regolamento interno – proposta",
                    outcome=Outcome.APPROVED,
                ),
                ItemPlan(
                    "Approvazione della metodologia e dei criteri di selezione delle operazioni",
                    "Approval of the methodology and criteria for selecting operations",
                    AgendaItemKind.APPROVAL,
                    "Autorità di gestione",
                    "Il Comitato approva la metodologia e i criteri di selezione a maggioranza.",
                    document="Metodologia e criteri di selezione delle operazioni",
                    votes={"ugl": VoteChoice.ABSTAIN},
                ),
                ItemPlan(
                    "Informativa sulla strategia di comunicazione del programma",
                    "Information on the programme's communication strategy",
                    AgendaItemKind.INFORMATION,
                    "Autorità di gestione",
                    "L'Autorità di gestione presenta la strategia di comunicazione.",
                    outcome=Outcome.NOTED,
                ),
            ],
        )
    return (
        f"Riunione annuale del Comitato di Sorveglianza – {day.year}",
        f"Annual meeting of the Monitoring Committee – {day.year}",
        [
            ItemPlan(
                "Stato di attuazione del programma e avanzamento verso i target",
                "Progress of the programme towards its targets",
                AgendaItemKind.EXAMINATION,
                "Autorità di gestione",
                "L'Autorità di gestione illustra l'avanzamento del programma. Il Comitato prende atto.",
                document=f"Relazione sullo stato di attuazione {day.year}",
                outcome=Outcome.NOTED,
            ),
            ItemPlan(
                "Approvazione delle modifiche ai criteri di selezione delle operazioni",
                "Approval of amendments to the selection criteria",
                AgendaItemKind.APPROVAL,
                "Autorità di gestione",
                "Il Comitato approva le modifiche ai criteri di selezione a maggioranza.",
                document="Criteri di selezione – testo con le modifiche proposte",
                votes={"confindustria": VoteChoice.ABSTAIN},
            ),
            ItemPlan(
                "Informativa sulle attività di valutazione",
                "Information on evaluation activities",
                AgendaItemKind.INFORMATION,
                "Autorità di gestione",
                "Il Comitato prende atto dell'avanzamento del Piano di valutazione.",
                outcome=Outcome.NOTED,
            ),
        ],
    )


def second_items(first_day: date) -> tuple:
    return (
        "Riunione del Comitato di Sorveglianza – valutazione e modifica del programma",
        "Monitoring Committee meeting – evaluation and programme amendment",
        [
            ItemPlan(
                f"Approvazione del verbale della riunione del {italian_date(first_day)}",
                f"Approval of the minutes of the meeting of {first_day.isoformat()}",
                AgendaItemKind.APPROVAL,
                "Presidente",
                "Il Comitato approva il verbale della riunione precedente, nella versione circolata.",
                outcome=Outcome.APPROVED,
            ),
            ItemPlan(
                "Approvazione della proposta di modifica del programma (riprogrammazione tra priorità)",
                "Approval of the proposed programme amendment (reallocation between priorities)",
                AgendaItemKind.APPROVAL,
                "Autorità di gestione",
                "L'Autorità di gestione illustra la proposta di modifica. Dopo la discussione il Comitato "
                "approva la proposta a maggioranza.",
                document="Proposta di modifica del programma – nota illustrativa",
                votes={"legambiente": VoteChoice.ABSTAIN, "uil": VoteChoice.AGAINST},
            ),
            ItemPlan(
                "Esame degli esiti della valutazione sulla Priorità 1 e seguiti",
                "Evaluation findings on Priority 1 and follow-up",
                AgendaItemKind.EXAMINATION,
                "Nucleo di valutazione",
                "Il valutatore presenta gli esiti. Il Comitato prende atto e raccomanda di semplificare la "
                "rendicontazione per gli enti di piccole dimensioni.",
                document="Rapporto di valutazione – sintesi",
                outcome=Outcome.NOTED,
            ),
            ItemPlan(
                "Varie ed eventuali",
                "Any other business",
                AgendaItemKind.INFORMATION,
                "Presidente",
                "Non vi sono ulteriori argomenti.",
                outcome=Outcome.NOTED,
            ),
        ],
    )


def upcoming_items() -> list[ItemPlan]:
    return [
        ItemPlan(
            "Comunicazioni del Presidente",
            "Chair's communications",
            AgendaItemKind.INFORMATION,
            "Presidente",
            "",
        ),
        ItemPlan(
            "Relazione annuale di riesame: avanzamento, target intermedi e capacità amministrativa "
            "dei partner",
            "Annual review: progress, milestones and partners' administrative capacity",
            AgendaItemKind.EXAMINATION,
            "Autorità di gestione",
            "",
            document="Relazione annuale di riesame (bozza)",
        ),
        ItemPlan(
            "Approvazione dell'aggiornamento del Piano di valutazione",
            "Approval of the updated evaluation plan",
            AgendaItemKind.APPROVAL,
            "Autorità di gestione",
            "",
            document="Piano di valutazione – aggiornamento",
        ),
        ItemPlan("Varie ed eventuali", "Any other business", AgendaItemKind.INFORMATION, "Presidente", ""),
    ]


# --- The web conference --------------------------------------------------------------------------

WEB_CONFERENCE_DESCRIPTION_IT = (
    "Evento dimostrativo, con dati di esempio. Riprende il formato della web conference con cui, il 1° "
    "luglio 2020, l'Agenzia per la Coesione Territoriale e il Laboratorio Permanente sul Partenariato "
    "riattivarono il percorso di Officine Coesione: una prima parte sul progetto (profilo complessivo e "
    "attività in corso, obiettivi e attività previste, modalità organizzative per la co-conduzione "
    "partenariale) e una seconda parte di confronto sulla co-progettazione, a partire dall'efficienza e "
    "dall'efficacia amministrativa nella prospettiva 2021-2027."
)
WEB_CONFERENCE_DESCRIPTION_EN = (
    "Demo event with sample data. It follows the format of the web conference with which, on 1 July 2020, "
    "the Agency for Territorial Cohesion and the Permanent Partnership Lab relaunched Officine Coesione: a "
    "first part on the project (overall profile and ongoing work, objectives and planned activities, how "
    "the partnership co-conducts it) and a second part on co-design, starting from administrative "
    "efficiency and effectiveness in the 2021-2027 period."
)
WEB_CONFERENCE_AGENDA = (
    (
        "Prima parte – Aggiornamento sul profilo complessivo del progetto e sulle attività in corso",
        "Part one – The project's overall profile and ongoing work",
    ),
    ("Prima parte – Obiettivi e attività previste", "Part one – Objectives and planned activities"),
    (
        "Prima parte – Modalità organizzative per la co-conduzione partenariale del progetto",
        "Part one – How the partnership co-conducts the project",
    ),
    (
        "Seconda parte – La co-progettazione: efficienza ed efficacia amministrativa nella prospettiva "
        "2021-2027",
        "Part two – Co-design: administrative efficiency and effectiveness in 2021-2027",
    ),
    ("Seconda parte – Confronto con i partecipanti e conclusioni", "Part two – Discussion and conclusions"),
)
REGISTRANTS = (
    ("Associazione Nazionale Comuni Italiani", 0),
    ("Forum Nazionale del Terzo Settore", 1),
    ("Confederazione Italiana Sindacati Lavoratori", 2),
    ("Regione Puglia", 3),
    ("Regione Campania", 4),
    ("Legambiente", 5),
    ("Università degli Studi di Napoli Federico II", 6),
    ("Caritas Italiana", 7),
    ("Confederazione Nazionale dell'Artigianato e della Piccola e Media Impresa", 8),
    ("ANCI Emilia-Romagna", 9),
    ("Cittadinanzattiva", 10),
    ("Agenzia per la Coesione Territoriale", 11),
    ("", 12),
    ("", 13),
)
WEB_CONFERENCE_CAPACITY = 150


def load_web_conference(stats: LoadStats, today: date) -> Meeting:
    existing = Meeting.objects.filter(title_it=WEB_CONFERENCE_TITLE_IT, is_demo=True).first()
    if existing is not None:
        stats.tally("meetings").unchanged += 1
        stats.tally("agenda items").unchanged += existing.agenda_items.count()
        stats.tally("registrations").unchanged += existing.registrations.count()
        stats.tally("meeting documents").unchanged += existing.documents.count()
        return existing
    day = add_working_days(today, 12)
    announced_on = add_working_days(today, -6)
    created = at(add_working_days(announced_on, -2), 10)
    meeting = convening.create_meeting(
        None,
        {
            "kind": MeetingKind.PUBLIC_EVENT,
            "title_it": WEB_CONFERENCE_TITLE_IT,
            "title_en": WEB_CONFERENCE_TITLE_EN,
            "mode": MeetingMode.ONLINE,
            "online_link": WEB_CONFERENCE_LINK,
            "online_link_is_public": False,
            "starts_at": at(day, 10),
            "ends_at": at(day, 13),
            "capacity": WEB_CONFERENCE_CAPACITY,
        },
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        is_demo=True,
        description_it=WEB_CONFERENCE_DESCRIPTION_IT,
        description_en=WEB_CONFERENCE_DESCRIPTION_EN,
        created_at=created,
    )
    stats.tally("meetings").created += 1
    for title_it, title_en in WEB_CONFERENCE_AGENDA:
        presenter = (
            "Agenzia per la Coesione Territoriale"
            if title_it.startswith("Prima")
            else "Laboratorio permanente sul partenariato"
        )
        decisions.add_agenda_item(
            None,
            meeting,
            {
                "title_it": title_it,
                "title_en": title_en,
                "kind": AgendaItemKind.INFORMATION,
                "presenter": presenter,
            },
        )
        stats.tally("agenda items").created += 1
    title = "Programma della web conference (evento dimostrativo)"
    lines = tuple(title_it for title_it, _title_en in WEB_CONFERENCE_AGENDA)
    meeting_documents.upload_document(None, meeting, {"file": _pdf_upload(title, lines), "title_it": title})
    stats.tally("meeting documents").created += 1
    meeting = meeting_documents.convene(None, meeting, now=at(announced_on, 12))
    registered = []
    for organization_name, n in REGISTRANTS:
        name, _gender = fictional_person(f"webconference:{n}")
        local = unicodedata.normalize("NFKD", _slug(name)).encode("ascii", "ignore").decode()
        email = f"{local.replace('-', '.')}.{n}@example.org"
        cancelled = n == 5
        registration = Registration.objects.create(
            meeting=meeting,
            name=name,
            email=email,
            organization_name=organization_name,
            status=RegistrationStatus.CANCELLED if cancelled else RegistrationStatus.CONFIRMED,
        )
        when = min(at(add_working_days(announced_on, n // 3), 9 + n % 8, 15), timezone.now())
        Registration.objects.filter(pk=registration.pk).update(
            created_at=when,
            updated_at=when,
            cancelled_at=min(when + timedelta(days=1), timezone.now()) if cancelled else None,
        )
        registered.append(registration)
        stats.tally("registrations").created += 1
    record(None, "demo.create", meeting, {"registrations": [None, len(registered)]})
    return meeting
