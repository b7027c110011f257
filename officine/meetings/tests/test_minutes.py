"""The minutes services and selectors: start (pre-filled from the record), draft, circulation with its comment
window, comments, revision, approval at a later meeting or by written procedure, publication as PDF/A, the
history of versions and the "minutes late" check."""

import re
import zlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from officine.conftest import make_user
from officine.core.models import AuditEvent
from officine.meetings import minutes as services
from officine.meetings import selectors_minutes as selectors
from officine.meetings.models import (
    AgendaItemKind,
    MeetingState,
    Minutes,
    MinutesComment,
    MinutesState,
    ProcedureResult,
    ProcedureState,
    WrittenProcedure,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories import rome
from officine.meetings.tests.factories_b import make_minutes_world
from officine.notifications.models import Notification

pytestmark = pytest.mark.django_db

CIRCULATED_AT = rome(2026, 10, 20, 9)  # Tuesday
DEADLINE = date(2026, 11, 3)  # 10 working days later (1 November is a Sunday anyway)
AFTER_DEADLINE = rome(2026, 11, 20, 9)


@pytest.fixture
def world(body):
    return make_minutes_world(body)


@pytest.fixture
def started(world, staff):
    return services.start_minutes(staff, world.meeting)


def actions(target) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def circulated(minutes, staff, at=CIRCULATED_AT):
    return services.circulate(staff, minutes, now=at)


def approved(minutes, staff, world):
    circulated(minutes, staff)
    return services.approve(staff, minutes, meeting=world.next_meeting, now=AFTER_DEADLINE)


PROCEDURE_OPENED_AT = rome(2026, 10, 21)


def closed_procedure(body, opened_at=PROCEDURE_OPENED_AT, result=ProcedureResult.APPROVED, **fields):
    return WrittenProcedure.objects.create(
        body=body,
        title_it="Approvazione del verbale di ottobre",
        opened_at=opened_at,
        deadline=date(2026, 11, 4),
        state=fields.pop("state", ProcedureState.CLOSED),
        closed_at=rome(2026, 11, 5),
        result=result,
        **fields,
    )


# --- Start ----------------------------------------------------------------------------------------------


def test_start_creates_version_one_with_one_section_per_item_prefilled_from_the_record(world, staff):
    minutes = services.start_minutes(staff, world.meeting)
    assert minutes.state == MinutesState.DRAFT
    version = minutes.versions.get()
    assert version.number == 1 and not version.is_frozen and version.author == staff
    sections = list(version.sections.order_by("item__order"))
    assert [s.item for s in sections] == [world.approval_item, world.info_item]
    voted = sections[0].text
    assert "Autorità di Gestione" in voted  # presenter
    assert "Ugo Interessato" in voted and "Beneficiario potenziale" in voted  # recusal with its note
    assert re.search(r"\b2\b.*\b1\b.*\b0\b", voted.splitlines()[-1])  # 2 for, 1 against, 0 abstentions
    noted = sections[1].text
    assert "Ugo Interessato" not in noted and "0" not in noted  # no recusal, no tally by consensus
    opening = version.opening
    assert "Paola Presidente" in opening  # chair
    assert "Sara Supplente" in opening  # the substitute, not the member, attended
    assert "Olga Osservatrice" in opening  # absent, listed as such
    assert "Sergio Segreteria" not in opening  # the secretariat has no vote and no recorded attendance
    # 4 voting seats (chair, member, substitute's seat, conflicted), all present; half of 4 = 2 required.
    assert re.search(r"\b4\b.*\b4\b.*\b2\b", opening)
    assert actions(minutes) == ["meetings.minutes.started"]


def test_start_twice_returns_the_same_minutes(world, staff):
    first = services.start_minutes(staff, world.meeting)
    again = services.start_minutes(staff, world.meeting)
    assert again.pk == first.pk
    assert first.versions.count() == 1
    assert actions(first) == ["meetings.minutes.started"]


@pytest.mark.parametrize("state", [MeetingState.DRAFT, MeetingState.CONVENED, MeetingState.CANCELLED])
def test_start_refuses_a_meeting_not_held(body, staff, state):
    meeting = factories.make_meeting(body, rome(2026, 10, 14), state=state)
    with pytest.raises(ValidationError, match="once the meeting has been held"):
        services.start_minutes(staff, meeting)
    assert not Minutes.objects.exists()


def test_start_refuses_a_public_event(programme, staff):
    event = factories.make_meeting(None, rome(2026, 10, 14), programme=programme, state=MeetingState.HELD)
    with pytest.raises(ValidationError, match="meetings of a body"):
        services.start_minutes(staff, event)


# --- Draft ----------------------------------------------------------------------------------------------


def test_save_draft_changes_the_texts_and_audits_what_changed(world, staff, started):
    version = services.save_draft(
        staff,
        started,
        {
            "opening": "  Apertura\r\nseconda riga ",
            "closing": "La seduta è tolta alle 13.",
            "sections": {str(world.info_item.pk): "Informativa resa."},
        },
    )
    assert version.opening == "Apertura\nseconda riga"
    assert version.closing == "La seduta è tolta alle 13."
    assert version.sections.get(item=world.info_item).text == "Informativa resa."
    event = AuditEvent.objects.get(action="meetings.minutes.draft_saved")
    assert set(event.changes) == {"opening", "closing", f"section:{world.info_item.pk}"}


def test_save_draft_without_changes_records_nothing(world, staff, started):
    version = started.versions.get()
    services.save_draft(staff, started, {"opening": version.opening})
    assert not AuditEvent.objects.filter(action="meetings.minutes.draft_saved").exists()


def test_save_draft_refuses_an_item_not_in_the_minutes(world, body, staff, started):
    other = factories.add_item(world.next_meeting, AgendaItemKind.INFORMATION, "Altro")
    with pytest.raises(ValidationError, match="not part of the minutes"):
        services.save_draft(staff, started, {"sections": {other.pk: "x"}})


def test_a_circulated_version_cannot_be_edited(world, staff, started):
    circulated(started, staff)
    with pytest.raises(ValidationError, match="circulated and cannot change"):
        services.save_draft(staff, started, {"opening": "Nuovo"})
    assert started.versions.get().opening != "Nuovo"


# --- Circulation ----------------------------------------------------------------------------------------


def test_circulate_freezes_the_version_sets_the_deadline_and_notifies_every_seat_holder(
    world, staff, started
):
    minutes = circulated(started, staff)
    assert minutes.state == MinutesState.CIRCULATED
    assert minutes.comments_deadline == DEADLINE
    version = minutes.versions.get()
    assert version.is_frozen and version.circulated_at == CIRCULATED_AT
    notified = set(Notification.objects.values_list("recipient_id", flat=True))
    assert notified == {world.member.pk, world.substitute.pk, world.observer.pk, world.secretary.pk}
    notice = Notification.objects.filter(recipient=world.member).get()
    assert notice.url.endswith(f"/meetings/{world.meeting.pk}/minutes/")
    assert actions(minutes) == ["meetings.minutes.started", "meetings.minutes.circulated"]
    event = AuditEvent.objects.get(action="meetings.minutes.circulated")
    assert event.changes["state"] == ["draft", "circulated"]
    assert event.changes["comments_deadline"] == [None, "2026-11-03"]


def test_circulate_counts_the_local_holiday_of_the_bodys_programme(world, programme, staff, started):
    programme.local_holiday = "10-29"
    programme.save()
    minutes = circulated(started, staff)
    assert minutes.comments_deadline == date(2026, 11, 4)


def test_circulate_with_a_chosen_window(world, staff, started):
    minutes = services.circulate(staff, started, working_days=5, now=CIRCULATED_AT)
    assert minutes.comments_deadline == date(2026, 10, 27)


@pytest.mark.parametrize("days", [4, 31, "many", None])
def test_circulate_refuses_a_window_out_of_range(world, staff, started, days):
    with pytest.raises(ValidationError) as raised:
        services.circulate(staff, started, working_days=days, now=CIRCULATED_AT)
    assert "working_days" in raised.value.error_dict
    assert Minutes.objects.get().state == MinutesState.DRAFT


def test_circulate_refuses_empty_minutes(world, staff, started):
    services.save_draft(
        staff, started, {"opening": "", "sections": {world.approval_item.pk: "", world.info_item.pk: " "}}
    )
    with pytest.raises(ValidationError, match="Write the minutes"):
        circulated(started, staff)


def test_circulate_twice_is_refused(world, staff, started):
    circulated(started, staff)
    with pytest.raises(ValidationError, match="already circulated"):
        circulated(started, staff)


# --- Comments -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "substitute", "observer", "secretary"])
def test_members_and_substitutes_comment_within_the_window(world, staff, started, who):
    circulated(started, staff)
    user = getattr(world, who)
    note = services.comment(
        user, started, "Correggere il nome.", world.approval_item, now=rome(2026, 11, 3, 23)
    )
    expected_seat = {
        "member": world.member_seat,
        "substitute": world.substitute_seat,
        "observer": world.observer_seat,
        "secretary": world.secretariat_seat,
    }[who]
    assert note.seat == expected_seat and note.author == user and note.item == world.approval_item
    assert note.version == started.versions.get()
    assert AuditEvent.objects.filter(action="meetings.minutes.commented", actor=user).exists()


def test_a_general_comment_has_no_item(world, staff, started):
    circulated(started, staff)
    note = services.comment(world.member, started, "Nel complesso va bene.", now=CIRCULATED_AT)
    assert note.item is None


def test_comments_are_append_only(world, staff, started):
    circulated(started, staff)
    note = services.comment(world.member, started, "Primo.", now=CIRCULATED_AT)
    note.text = "Cambiato"
    with pytest.raises(ValidationError):
        note.save()
    with pytest.raises(ValidationError):
        note.delete()


def test_comment_after_the_deadline_is_refused(world, staff, started):
    circulated(started, staff)
    with pytest.raises(ValidationError, match="deadline for comments was"):
        services.comment(world.member, started, "Tardi.", now=rome(2026, 11, 4, 0, 5))


def test_comment_on_a_draft_is_refused(world, started):
    with pytest.raises(ValidationError, match="only while the minutes are circulated"):
        services.comment(world.member, started, "Troppo presto.", now=CIRCULATED_AT)


@pytest.mark.parametrize("who", ["staff", "outsider", "former"])
def test_comment_by_someone_without_a_seat_in_force_is_refused(world, staff, started, who):
    circulated(started, staff)
    if who == "outsider":
        user = make_user("esterno@example.org")
    elif who == "former":
        user = make_user("ex@example.org")
        factories.make_seat(world.body, member_user=user, end_date=date(2026, 9, 30))
    else:
        user = staff
    with pytest.raises(ValidationError, match="Only members and substitutes"):
        services.comment(user, started, "Osservazione.", now=CIRCULATED_AT)
    assert not MinutesComment.objects.exists()


def test_comment_on_an_item_of_another_meeting_or_empty_is_refused(world, staff, started):
    circulated(started, staff)
    other = factories.add_item(world.next_meeting, AgendaItemKind.INFORMATION, "Altro")
    with pytest.raises(ValidationError) as raised:
        services.comment(world.member, started, "Testo", other, now=CIRCULATED_AT)
    assert "item" in raised.value.error_dict
    with pytest.raises(ValidationError) as raised:
        services.comment(world.member, started, "   ", now=CIRCULATED_AT)
    assert "text" in raised.value.error_dict


# --- Revision -------------------------------------------------------------------------------------------


def test_revise_opens_a_new_draft_version_copied_from_the_last(world, staff, started):
    services.save_draft(staff, started, {"closing": "Chiusura v1"})
    circulated(started, staff)
    services.comment(world.member, started, "Aggiungere la replica.", now=CIRCULATED_AT)
    version = services.revise(staff, started, "Accolta l'osservazione sul punto 1.")
    minutes = Minutes.objects.get()
    assert minutes.state == MinutesState.DRAFT and minutes.comments_deadline is None
    assert version.number == 2 and not version.is_frozen
    assert version.change_note == "Accolta l'osservazione sul punto 1."
    first = minutes.versions.get(number=1)
    assert version.closing == "Chiusura v1" and version.opening == first.opening
    assert [(s.item_id, s.text) for s in version.sections.order_by("item__order")] == [
        (s.item_id, s.text) for s in first.sections.order_by("item__order")
    ]
    assert first.is_frozen and first.comments.count() == 1  # the old version keeps its comments
    event = AuditEvent.objects.get(action="meetings.minutes.revised")
    assert event.changes["version"] == [1, 2]
    # The new version is edited and circulated again, with a new window.
    services.save_draft(staff, minutes, {"closing": "Chiusura v2"})
    again = services.circulate(staff, minutes, now=rome(2026, 11, 5))
    assert again.comments_deadline == date(2026, 11, 19)


def test_revise_needs_a_change_note(world, staff, started):
    circulated(started, staff)
    with pytest.raises(ValidationError) as raised:
        services.revise(staff, started, "  ")
    assert "change_note" in raised.value.error_dict
    assert started.versions.count() == 1


def test_revise_a_draft_is_refused(world, staff, started):
    with pytest.raises(ValidationError, match="still a draft"):
        services.revise(staff, started, "Nota")


# --- Approval -------------------------------------------------------------------------------------------


def test_approve_at_a_later_meeting_of_the_body(world, staff, started):
    minutes = approved(started, staff, world)
    assert minutes.state == MinutesState.APPROVED
    assert minutes.approved_at == AFTER_DEADLINE
    assert minutes.approved_at_meeting == world.next_meeting and minutes.approved_by_procedure is None
    event = AuditEvent.objects.get(action="meetings.minutes.approved")
    assert event.changes["state"] == ["circulated", "approved"]
    assert event.changes["approved_at_meeting"] == [None, world.next_meeting.pk]


def test_approve_by_written_procedure(world, staff, started):
    circulated(started, staff)
    procedure = closed_procedure(world.body)
    minutes = services.approve(staff, started, procedure=procedure, now=AFTER_DEADLINE)
    assert minutes.state == MinutesState.APPROVED and minutes.approved_by_procedure == procedure


def test_approve_while_members_may_still_comment_is_refused(world, staff, started):
    circulated(started, staff)
    with pytest.raises(ValidationError, match="can be approved only after"):
        services.approve(staff, started, meeting=world.next_meeting, now=rome(2026, 11, 3, 18))


def test_approve_a_draft_is_refused(world, staff, started):
    with pytest.raises(ValidationError, match="Only circulated minutes"):
        services.approve(staff, started, meeting=world.next_meeting, now=AFTER_DEADLINE)


def test_approve_needs_exactly_one_of_meeting_and_procedure(world, staff, started):
    circulated(started, staff)
    with pytest.raises(ValidationError, match="Choose the meeting or the written procedure"):
        services.approve(staff, started, now=AFTER_DEADLINE)
    with pytest.raises(ValidationError, match="Choose the meeting or the written procedure"):
        services.approve(
            staff,
            started,
            meeting=world.next_meeting,
            procedure=closed_procedure(world.body),
            now=AFTER_DEADLINE,
        )


def test_approve_at_the_minuted_meeting_is_refused(world, staff, started):
    circulated(started, staff)
    with pytest.raises(ValidationError, match="not at the meeting they record"):
        services.approve(staff, started, meeting=world.meeting, now=AFTER_DEADLINE)


@pytest.mark.parametrize("case", ["other_body", "not_held", "earlier", "before_circulation"])
def test_approve_at_an_unsuitable_meeting_is_refused(world, staff, started, programme, case):
    circulated(started, staff)
    if case == "other_body":
        meeting = factories.make_meeting(
            factories.make_body([programme], name_it="Tavolo"), rome(2026, 11, 18), state=MeetingState.HELD
        )
    elif case == "not_held":
        meeting = factories.make_meeting(world.body, rome(2026, 12, 16), state=MeetingState.CONVENED)
    elif case == "earlier":
        meeting = factories.make_meeting(world.body, rome(2026, 9, 16), state=MeetingState.HELD)
    else:  # after the minuted meeting but before the minutes were circulated
        meeting = factories.make_meeting(world.body, rome(2026, 10, 19), state=MeetingState.HELD)
    with pytest.raises(ValidationError, match="held meeting of the same body"):
        services.approve(staff, started, meeting=meeting, now=AFTER_DEADLINE)
    assert Minutes.objects.get().state == MinutesState.CIRCULATED


@pytest.mark.parametrize("case", ["open", "rejected", "other_body", "opened_before_circulation"])
def test_approve_by_an_unsuitable_procedure_is_refused(world, staff, started, programme, case):
    circulated(started, staff)
    if case == "open":
        procedure = closed_procedure(world.body, state=ProcedureState.OPEN, result="")
    elif case == "rejected":
        procedure = closed_procedure(world.body, result=ProcedureResult.REJECTED)
    elif case == "other_body":
        procedure = closed_procedure(factories.make_body([programme], name_it="Tavolo"))
    else:
        procedure = closed_procedure(world.body, opened_at=rome(2026, 10, 19))
    with pytest.raises(ValidationError, match="written procedure must be"):
        services.approve(staff, started, procedure=procedure, now=AFTER_DEADLINE)


def test_approved_minutes_cannot_change(world, staff, started):
    approved(started, staff, world)
    with pytest.raises(ValidationError, match="Approved minutes cannot change"):
        services.save_draft(staff, started, {"opening": "x"})
    with pytest.raises(ValidationError, match="Approved minutes cannot change"):
        services.revise(staff, started, "x")
    with pytest.raises(ValidationError, match="Approved minutes cannot change"):
        services.circulate(staff, started)
    with pytest.raises(ValidationError, match="Approved minutes cannot change"):
        services.approve(staff, started, meeting=world.next_meeting, now=AFTER_DEADLINE)


# --- Publication and the PDF/A --------------------------------------------------------------------------


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams expanded (metadata sit in deflated streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_publish_keeps_a_pdf_a_and_makes_the_minutes_public(world, staff, started):
    approved(started, staff, world)
    minutes = services.publish(staff, started, now=rome(2026, 11, 23))
    assert minutes.state == MinutesState.PUBLISHED and minutes.is_public
    assert minutes.published_at == rome(2026, 11, 23)
    stored = Minutes.objects.get()
    assert stored.pdf.name.endswith(".pdf")
    with stored.pdf.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    assert b"pdfaid:part" in inflated(content)  # PDF/A identification in the XMP metadata
    event = AuditEvent.objects.get(action="meetings.minutes.published")
    assert event.changes["state"] == ["approved", "published"]


@pytest.mark.parametrize("state", ["draft", "circulated"])
def test_publish_before_approval_is_refused(world, staff, started, state):
    if state == "circulated":
        circulated(started, staff)
    with pytest.raises(ValidationError, match="Only approved minutes"):
        services.publish(staff, started)
    assert not Minutes.objects.get().pdf


def test_published_minutes_are_immutable(world, staff, started):
    approved(started, staff, world)
    services.publish(staff, started)
    with pytest.raises(ValidationError, match="Published minutes cannot change"):
        services.save_draft(staff, started, {"opening": "x"})
    with pytest.raises(ValidationError, match="Published minutes cannot change"):
        services.revise(staff, started, "x")
    with pytest.raises(ValidationError, match="Published minutes cannot change"):
        services.circulate(staff, started)
    with pytest.raises(ValidationError, match="Published minutes cannot change"):
        services.approve(staff, started, meeting=world.next_meeting, now=AFTER_DEADLINE)
    with pytest.raises(ValidationError, match="already published"):
        services.publish(staff, started)
    with pytest.raises(ValidationError, match="only while the minutes are circulated"):
        services.comment(world.member, started, "x")


def test_a_missing_pdf_is_made_again_for_published_minutes(world, staff, started):
    approved(started, staff, world)
    services.publish(staff, started)
    Minutes.objects.update(pdf="")
    minutes = services.store_missing_pdf(Minutes.objects.get())
    assert minutes.pdf and minutes.pdf.open("rb").read(4) == b"%PDF"


# --- History --------------------------------------------------------------------------------------------

LABELS = {"opening": "Apertura", "closing": "Chiusura"}


def test_history_shows_each_version_with_its_changes_and_comments(world, staff, started):
    services.save_draft(staff, started, {"sections": {world.info_item.pk: "Informativa <b>resa</b>."}})
    circulated(started, staff)
    services.comment(world.member, started, "Precisare.", world.info_item, now=CIRCULATED_AT)
    services.comment(world.substitute, started, "In generale ok.", now=CIRCULATED_AT)
    services.revise(staff, started, "Precisato il punto 2.")
    services.save_draft(
        staff, started, {"sections": {world.info_item.pk: "Informativa <b>resa</b> e discussa."}}
    )
    minutes = selectors.minutes_of(world.meeting)
    entries = selectors.history(minutes, LABELS)
    assert [e.version.number for e in entries] == [2, 1]
    newest, first = entries
    assert first.changes == [] and first.document.comment_count == 2
    assert [c.text for c in first.document.general_comments] == ["In generale ok."]
    changed = newest.changed_parts
    assert [c.item for c in changed] == [world.info_item]
    html = str(changed[0].diff)
    assert "<ins> e discussa.</ins>" in html or "<ins>" in html and "discussa" in html
    assert "&lt;b&gt;" in html and "<b>" not in html  # the text is escaped
    assert newest.document.comment_count == 0


def test_diff_marks_deleted_and_inserted_words():
    html = str(selectors.diff_html("il punto uno", "il punto due"))
    assert html == "il punto <del>uno</del><ins>due</ins>"


def test_history_reads_in_a_fixed_number_of_queries(world, staff, started):
    def count() -> int:
        minutes = selectors.minutes_of(world.meeting)
        with CaptureQueriesContext(connection) as queries:
            selectors.history(minutes, LABELS)
        return len(queries)

    circulated(started, staff)
    services.comment(world.member, started, "Uno.", world.info_item, now=CIRCULATED_AT)
    small = count()
    for number in range(3):
        services.revise(staff, started, f"Revisione {number}")
        services.save_draft(staff, started, {"closing": f"Chiusura {number}"})
        services.circulate(staff, started, now=CIRCULATED_AT)
        services.comment(world.member, started, "Altro.", world.approval_item, now=CIRCULATED_AT)
        services.comment(world.substitute, started, "Ancora.", now=CIRCULATED_AT)
    assert count() == small


# --- Minutes late ---------------------------------------------------------------------------------------


def test_minutes_due_date_counts_the_programmes_working_days(world):
    # 14 October 2026 + 30 working days (1 November is a Sunday; no holiday falls inside).
    assert selectors.minutes_due_date(world.meeting) == date(2026, 11, 25)


def test_minutes_overdue(world, staff, started):
    meeting = world.meeting
    due = date(2026, 11, 25)
    assert selectors.minutes_overdue(meeting, date(2026, 11, 25)) is None  # the due day itself is in time
    assert selectors.minutes_overdue(meeting, date(2026, 11, 26)) == due  # started but not published
    approved(started, staff, world)
    services.publish(staff, started, now=rome(2026, 11, 25, 18))
    meeting.refresh_from_db()
    assert selectors.minutes_overdue(meeting, date(2026, 12, 30)) is None


def test_minutes_published_after_the_due_date_are_late(world, staff, started):
    approved(started, staff, world)
    services.publish(staff, started, now=rome(2026, 11, 26, 9))
    world.meeting.refresh_from_db()
    assert selectors.minutes_overdue(world.meeting, date(2026, 12, 30)) == date(2026, 11, 25)


def test_minutes_never_started_are_overdue(world):
    assert selectors.minutes_overdue(world.meeting, date(2026, 12, 1)) == date(2026, 11, 25)


def test_no_minutes_are_due_for_meetings_not_held_or_without_a_body(body, programme):
    convened = factories.make_meeting(body, rome(2026, 10, 14), state=MeetingState.CONVENED)
    event = factories.make_meeting(None, rome(2026, 10, 14), programme=programme, state=MeetingState.HELD)
    assert selectors.minutes_overdue(convened, date(2027, 6, 1)) is None
    assert selectors.minutes_overdue(event, date(2027, 6, 1)) is None
    orphan = factories.make_meeting(factories.make_body([]), rome(2026, 10, 14), state=MeetingState.HELD)
    assert selectors.minutes_overdue(orphan, date(2027, 6, 1)) is None


def test_a_body_of_several_programmes_takes_the_strictest_rule(world, programme, other_programme):
    other_programme.minutes_publication_working_days = 20
    other_programme.save()
    world.body.programmes.add(other_programme)
    assert selectors.minutes_due_date(world.meeting) == date(2026, 11, 11)
    world.meeting.programme = programme  # the meeting's own programme wins when it is set
    assert selectors.minutes_due_date(world.meeting) == date(2026, 11, 25)


def test_minutes_overdue_on_a_list_reads_nothing_more_when_preloaded(world, body, staff, started):
    from officine.meetings.models import Meeting

    for day in (2, 9, 16):
        factories.make_meeting(body, rome(2026, 9, day), state=MeetingState.HELD)
    meetings = list(
        Meeting.objects.select_related("programme", "minutes").prefetch_related("body__programmes")
    )
    with CaptureQueriesContext(connection) as queries:
        late = [selectors.minutes_overdue(m, date(2026, 12, 30)) for m in meetings]
    assert len(queries) == 0
    assert sum(1 for d in late if d) == 4  # the three September meetings and October's
