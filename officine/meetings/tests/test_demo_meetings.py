"""The demo monitoring committee, its meetings and procedures, and the web conference (issue 4, point 10)."""

from collections import Counter
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from officine.core.uploads import DOCUMENT_KINDS, validate_upload
from officine.meetings import quorum
from officine.meetings.convening import notice_check
from officine.meetings.models import (
    AgendaItemKind,
    AttendanceStatus,
    Body,
    BodyKind,
    ConflictDeclaration,
    DecisionMethod,
    Gender,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingState,
    MinutesState,
    Outcome,
    ProcedureResult,
    ProcedureState,
    RecommendationStatus,
    RegistrationStatus,
    ResponseChoice,
    Seat,
    SeatRole,
    Vote,
)
from officine.portal.demo import meetings as demo
from officine.portal.demo.loader import load_demo

pytestmark = pytest.mark.django_db

PN_INCLUSIONE = "2021IT05FFPR003"


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def committee() -> Body:
    run_load_demo()
    return Body.objects.get(name_it=demo.COMMITTEE_NAME_IT)


def meetings_of(body: Body):
    return Meeting.objects.filter(body=body).order_by("starts_at")


def test_the_committee_serves_the_demo_programme_with_25_seats_or_more(committee):
    assert committee.is_demo
    assert committee.kind == BodyKind.MONITORING_COMMITTEE
    assert list(committee.programmes.values_list("cci", flat=True)) == [PN_INCLUSIONE]
    assert committee.constitution_act_number.startswith("DEMO-")
    assert committee.constitution_act_date is not None
    assert committee.constitution_document.name and committee.rules_document.name
    seats = list(Seat.objects.filter(body=committee).in_force().select_related("organization"))
    assert len(seats) >= 25
    roles = Counter(seat.role for seat in seats)
    assert roles[SeatRole.CHAIR] == 1 and roles[SeatRole.SECRETARIAT] == 1
    assert roles[SeatRole.ADVISORY] == 1 and roles[SeatRole.VOTING_MEMBER] >= 20
    chair = next(seat for seat in seats if seat.role == SeatRole.CHAIR)
    assert chair.organization.name == "Ministero del Lavoro e delle Politiche Sociali"
    advisory = next(seat for seat in seats if seat.role == SeatRole.ADVISORY)
    assert advisory.organization.name.startswith("Commissione europea")
    names = {seat.organization.name for seat in seats}
    for expected in (
        "Associazione Nazionale Comuni Italiani",
        "Unione delle Province d'Italia",
        "Conferenza delle Regioni e delle Province autonome",
        "Regione Campania",
        "Agenzia per la Coesione Territoriale",
        "Confederazione Generale Italiana del Lavoro",
        "Confederazione Italiana Sindacati Lavoratori",
        "Unione Italiana del Lavoro",
        "Confederazione Generale dell'Industria Italiana",
        "Forum Nazionale del Terzo Settore",
        "Conferenza dei Rettori delle Università Italiane",
        "Legambiente",
        "Ufficio Nazionale Antidiscriminazioni Razziali",
    ):
        assert expected in names, expected
    for seat in seats:
        assert seat.member_name.strip() and seat.substitute_name.strip(), seat
        assert seat.member_gender in Gender.values and seat.substitute_gender in Gender.values, seat
        assert seat.act_number.startswith("DEMO-")
    genders = Counter(seat.member_gender for seat in seats)
    assert genders[Gender.FEMALE] and genders[Gender.MALE]
    # Members are the demo partnership's representatives where it names them.
    assert sum(1 for seat in seats if seat.member_representative_id) >= 15


def test_one_change_of_member_is_in_the_history(committee):
    closed = Seat.objects.filter(body=committee, end_date__isnull=False)
    assert closed.count() == 1
    old = closed.get()
    assert old.end_act_number == demo.CHANGE_ACT[0]
    new = old.replaced_by
    assert new.organization_id == old.organization_id
    assert new.member_name != old.member_name
    assert new.start_date == demo.CHANGE_FROM and new.member_gender


def test_held_meetings_with_their_packs_on_time_attendance_votes_and_minutes(committee):
    now = timezone.now()
    held = list(meetings_of(committee).filter(state=MeetingState.HELD))
    years = {meeting.day.year for meeting in held}
    assert len(held) >= 3 and years >= set(range(2023, timezone.localdate().year))
    assert held[0].day == demo.INAUGURAL_DAY
    for meeting in held:
        assert meeting.is_demo and meeting.ends_at < now
        check = notice_check(committee, meeting.day, timezone.localdate(meeting.notice_sent_at))
        assert check.is_timely and not meeting.is_urgent
        documents = list(meeting.documents.all())
        assert len(documents) >= 3, "the agenda and a document for the items that have one"
        for document in documents:
            assert document.published_at is not None
            assert timezone.localdate(document.published_at) <= check.latest, "the pack is not late"
            assert document.file.read(5) == b"%PDF-" and document.size == document.file.size
        # Every seat in force has its attendance, and the quorum was met.
        assert (
            meeting.attendances.count() == Seat.objects.filter(body=committee).in_force(meeting.day).count()
        )
        assert Counter(meeting.attendances.values_list("status", flat=True))[AttendanceStatus.ABSENT] >= 1
        assert quorum.meeting_quorum(meeting).is_met
        items = list(meeting.agenda_items.all())
        assert all(item.is_decided for item in items)
        approvals = [item for item in items if item.kind == AgendaItemKind.APPROVAL]
        assert approvals and all(item.outcome == Outcome.APPROVED for item in approvals)
        voted = [item for item in approvals if item.decided_by == DecisionMethod.VOTE]
        assert voted, "at least one approval item decided by vote"
        for item in voted:
            tally = quorum.item_tally(item)
            assert tally.in_favour > tally.against and tally.total == item.votes.count()
            assert all(meeting.starts_at <= vote.cast_at <= meeting.ends_at for vote in item.votes.all())
        minutes = meeting.minutes
        assert minutes.state == MinutesState.PUBLISHED
        assert minutes.pdf.name and minutes.pdf.read(5) == b"%PDF-"
        assert meeting.ends_at < minutes.approved_at <= minutes.published_at < now
        versions = list(minutes.versions.all())
        assert versions[-1].sections.count() == len(items)
        assert all(version.circulated_at for version in versions)
        if minutes.approved_at_meeting is None:
            procedure = minutes.approved_by_procedure
            assert procedure.state == ProcedureState.CLOSED and procedure.result == ProcedureResult.APPROVED
            assert procedure.silent_consent_applied and procedure.opened_at > versions[-1].circulated_at
    # The minutes of the last but one are approved at the last meeting, after a comment and a revision.
    first, second = held[-2:]
    assert first.minutes.approved_at_meeting == second
    versions = list(first.minutes.versions.all())
    assert [v.number for v in versions] == [1, 2] and versions[0].comments.count() == 1
    assert versions[1].change_note
    assert second.minutes.approved_by_procedure is not None


def test_the_committee_passes_its_compliance_checks(committee):
    """Met within three months of the programme's approval and every year since, packs on time, minutes
    published within the programme's period: the demo shows a committee that works as the law asks."""
    from officine.meetings.compliance import body_alerts, programme_alerts

    failing = {"mc_setup", "yearly_meeting", "late_documents", "minutes_overdue"}
    alerts = [*body_alerts(committee), *programme_alerts(committee.programmes.get())]
    assert not [a.message for a in alerts if a.code in failing and a.severity != "info"]


def test_recommendations_one_answered_one_awaiting_its_reply(committee):
    statuses = Counter(committee.recommendations.values_list("status", flat=True))
    assert statuses == {RecommendationStatus.ACCEPTED: 1, RecommendationStatus.OPEN: 1}
    answered = committee.recommendations.get(status=RecommendationStatus.ACCEPTED)
    assert answered.reply and answered.reply_date > answered.date
    assert answered.meeting.body == committee


def test_one_member_recuses_on_a_conflict_of_interest_and_does_not_vote(committee):
    declaration = ConflictDeclaration.objects.select_related("seat__organization", "item").get(
        item__meeting__body=committee
    )
    assert declaration.seat.organization.name == "Forum Nazionale del Terzo Settore"
    assert declaration.note
    assert declaration.item.kind == AgendaItemKind.APPROVAL and declaration.item.outcome == Outcome.APPROVED
    assert not Vote.objects.filter(item=declaration.item, seat=declaration.seat).exists()
    assert quorum.item_quorum(declaration.item).excluded == 1
    # The seat was present (recusal, not absence) and voted on the meeting's other voted items, if any.
    assert declaration.item.meeting.attendances.get(seat=declaration.seat).status != AttendanceStatus.ABSENT


def test_the_upcoming_meeting_is_convened_with_its_notice_and_pack(committee):
    upcoming = meetings_of(committee).get(state=MeetingState.CONVENED)
    assert upcoming.starts_at > timezone.now()
    assert upcoming.notice_sent_at <= timezone.now()
    assert notice_check(committee, upcoming.day, timezone.localdate(upcoming.notice_sent_at)).is_timely
    assert upcoming.agenda_items.count() >= 3 and not any(i.is_decided for i in upcoming.agenda_items.all())
    assert upcoming.documents.filter(published_at__lte=upcoming.notice_sent_at).count() >= 2


def test_the_open_written_procedure_has_a_few_answers(committee):
    procedure = committee.written_procedures.get(state=ProcedureState.OPEN)
    assert procedure.deadline >= timezone.localdate()
    answers = Counter(procedure.responses.values_list("choice", flat=True))
    assert sum(answers.values()) >= 3
    assert answers[ResponseChoice.OBJECT] == 1 and answers[ResponseChoice.APPROVE] >= 2
    objection = procedure.responses.get(choice=ResponseChoice.OBJECT)
    assert objection.text.strip()
    assert all(procedure.opened_at <= r.at <= timezone.now() for r in procedure.responses.all())
    assert procedure.documents.count() == 1


def test_the_web_conference_has_a_two_part_agenda_and_registrations():
    run_load_demo()
    event = Meeting.objects.get(title_it=demo.WEB_CONFERENCE_TITLE_IT)
    assert event.is_demo and event.body is None and event.kind == MeetingKind.PUBLIC_EVENT
    assert event.state == MeetingState.CONVENED and event.starts_at > timezone.now()
    assert "dimostrativo" in event.title_it and "dimostrativo" in event.description_it
    assert "1° luglio 2020" in event.description_it
    titles = list(event.agenda_items.values_list("title_it", flat=True))
    parts = Counter(title.split(" – ")[0] for title in titles)
    assert parts == {"Prima parte": 3, "Seconda parte": 2}
    registrations = Counter(event.registrations.values_list("status", flat=True))
    assert registrations[RegistrationStatus.CONFIRMED] >= 10
    assert registrations[RegistrationStatus.CONFIRMED] <= event.capacity
    assert all(r.email.endswith("@example.org") for r in event.registrations.all())
    assert event.documents.get().published_at == event.notice_sent_at


def test_a_second_run_changes_nothing():
    run_load_demo()
    before = {
        "meetings": Meeting.objects.count(),
        "seats": Seat.objects.count(),
        "documents": MeetingDocument.objects.count(),
        "votes": Vote.objects.count(),
    }
    stats = load_demo()
    for table in demo.TABLES:
        tally = stats.tally(table)
        assert tally.created == 0 and tally.updated == 0, table
    assert stats.tally("seats").unchanged == before["seats"]
    assert stats.tally("meeting documents").unchanged == before["documents"]
    assert {
        "meetings": Meeting.objects.count(),
        "seats": Seat.objects.count(),
        "documents": MeetingDocument.objects.count(),
        "votes": Vote.objects.count(),
    } == before


def test_a_missing_partner_stops_the_load_and_leaves_nothing(monkeypatch):
    monkeypatch.setattr(demo, "PARTNERS", (*demo.PARTNERS, "no_such_partner"))
    with pytest.raises(CommandError, match="no_such_partner"):
        run_load_demo()
    assert not Body.objects.exists() and not Meeting.objects.exists()


def test_a_service_refusal_is_reported_as_a_load_error(monkeypatch):
    """The demo goes through the services: a rule they enforce stops the load with its message."""
    real_wd = demo._CommitteeLife.wd

    def notice_on_the_day(self, day, days):  # the held meetings' notice (15 working days before) goes late
        return day if days == -15 else real_wd(self, day, days)

    monkeypatch.setattr(demo._CommitteeLife, "wd", notice_on_the_day)
    with pytest.raises(CommandError, match="working days before the meeting"):
        run_load_demo()
    assert not Body.objects.exists()


def test_demo_documents_are_valid_pdf_uploads():
    content = demo.demo_pdf("Relazione (prova) – àèìòù", ("riga \\ con (parentesi)",))
    upload = SimpleUploadedFile("relazione.pdf", content, "application/pdf")
    assert validate_upload(upload, DOCUMENT_KINDS) == "pdf"
    assert content.rstrip().endswith(b"%%EOF")
