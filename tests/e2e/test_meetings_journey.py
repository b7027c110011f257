"""The meetings journey of issue 4 (point 11), through the browser, with axe on every page it visits.

The secretariat of a monitoring committee convenes a meeting too late for the ordinary notice: the notice is
refused and nothing is sent; it goes out as an urgent convocation with its reason. After the meeting the
secretariat records attendance (present, substitute, online, absent) with the quorum box following, a
member's conflict of interest on the approval item, the votes (the conflicted member cannot vote) and the
decision; then drafts the minutes, circulates them (a member with an account comments), and once the comment
window is over records their approval at the next meeting and publishes them. A visitor finds the minutes
from the home page through the body's page, reads them and downloads the PDF and the meeting's document.

Everything is done by clicking, except what a browser cannot do: the set-up of the committee and its seats
(composition services), the next meeting that approves the minutes (convening services), and the passing of
time (dates moved in the database, as if the days had passed).
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from officine.conftest import TEST_PASSWORD, enrol_totp, make_programme_staff, make_user
from officine.core.workdays import add_working_days
from officine.meetings import convening, decisions
from officine.meetings.composition import add_seat, create_body
from officine.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    BodyKind,
    ConflictDeclaration,
    DecisionMethod,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingMode,
    MeetingState,
    Minutes,
    MinutesComment,
    MinutesState,
    MinutesVersion,
    Outcome,
    SeatRole,
    Vote,
    VoteChoice,
)
from officine.meetings.tests.factories import make_organization
from officine.notifications.models import Notification
from officine.programmes.models import Programme

from .conftest import ARTIFACTS
from .test_staff import log_in_with_totp

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n" + b"0" * 2000 + b"\n%%EOF"

BODY_NAME = "Comitato di sorveglianza del PN Inclusione e lotta alla povertà 2021-2027"
BODY_NAME_EN = "Monitoring committee of PN Inclusione 2021-2027"
MEETING_TITLE = "Seconda riunione del Comitato di sorveglianza"
APPROVAL_ITEM = "Approvazione della relazione annuale di attuazione"
EXAMINATION_ITEM = "Esame dello stato di avanzamento del programma"
DOCUMENT_TITLE = "Relazione annuale di attuazione 2025"
URGENCY_REASON = (
    "La relazione annuale va trasmessa alla Commissione entro fine mese: il Comitato deve approvarla prima."
)
CONFLICT_NOTE = "L'ente è beneficiario di un'operazione descritta nella relazione."
APPROVAL_DISCUSSION = (
    "Il Comitato discute la relazione; la Segreteria risponde alle domande sugli indicatori."
)
EXAMINATION_DISCUSSION = "L'Autorità di gestione illustra l'avanzamento finanziario al 30 giugno."
CLOSING = "La seduta è tolta alle ore 13:00."
MEMBER_COMMENT = "Chiedo di riportare anche la domanda sugli indicatori di risultato."


@pytest.fixture
def committee(reference_data):
    """PN Inclusione's staff (TOTP enrolled) and its monitoring committee: a chair, four voting members with
    substitutes (one with an account on the platform) and an advisory member, in office for a year."""
    staff = make_programme_staff("segreteria@example.org", full_name="Giulia Segreteria")
    staff.totp_secret = enrol_totp(staff)
    programme = Programme.objects.get(cci="2021IT05FFPR003")
    body = create_body(
        staff,
        {
            "kind": BodyKind.MONITORING_COMMITTEE,
            "name_it": BODY_NAME,
            "name_en": BODY_NAME_EN,
            "constitution_act_number": "DD 45/2022",
            "constitution_act_date": timezone.localdate() - timedelta(days=500),
        },
        [programme],
    )
    member = make_user("marco.rossi@example.org", full_name="Marco Rossi")
    start = timezone.localdate() - timedelta(days=365)
    act = {"start_date": start, "act_number": "DD 12/2025", "act_date": start - timedelta(days=20)}
    specs = [
        ("chair", "Ministero del Lavoro (Autorità di gestione)", SeatRole.CHAIR, "Anna Verdi", "", None),
        ("rossi", "Forum del Terzo Settore", SeatRole.VOTING_MEMBER, "Marco Rossi", "Paola Neri", member),
        ("bianchi", "ANCI", SeatRole.VOTING_MEMBER, "Luca Bianchi", "Sara Galli", None),
        ("esposito", "Regione Campania", SeatRole.VOTING_MEMBER, "Maria Esposito", "Gino Russo", None),
        ("ferrari", "CGIL", SeatRole.VOTING_MEMBER, "Elena Ferrari", "Paolo Conti", None),
        ("colombo", "Commissione europea, DG EMPL", SeatRole.ADVISORY, "Jean Colombo", "", None),
    ]
    seats = {}
    for key, org, role, name, substitute, user in specs:
        seats[key] = add_seat(
            staff,
            body,
            {
                "organization": make_organization(org),
                "role": role,
                "member_name": name,
                "member_user": user,
                "substitute_name": substitute,
            },
            **act,
        )
    return staff, member, body, seats


def submit(page, button) -> None:
    """Press a form's button and wait for the page the server answers with (so the database is up to date)."""
    with page.expect_navigation():
        button.click()


def follow(page, link) -> None:
    with page.expect_navigation():
        link.click()


def choose(page, selector: str) -> None:
    """Tick a checkbox or radio by clicking its label, as people do (Bootstrap Italia draws the box on it)."""
    box = page.locator(selector)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def log_in(page, base: str, user, lang: str = "it") -> None:
    """Password login for members (no second factor)."""
    page.goto(f"{base}/{lang}/account/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def url(name: str, *args, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def move_meeting(meeting: Meeting, days: int) -> None:
    """Move the meeting ``days`` back in time with its notice and document pack, as if the days had passed."""
    delta = timedelta(days=days)
    meeting.refresh_from_db()
    fields = {"starts_at": meeting.starts_at - delta, "ends_at": meeting.ends_at - delta}
    for name in ("notice_sent_at", "documents_published_at"):
        if getattr(meeting, name):
            fields[name] = getattr(meeting, name) - delta
    Meeting.objects.filter(pk=meeting.pk).update(**fields)
    for document in MeetingDocument.objects.filter(meeting=meeting, published_at__isnull=False):
        MeetingDocument.objects.filter(pk=document.pk).update(published_at=document.published_at - delta)
    meeting.refresh_from_db()


def move_circulation(minutes: Minutes, days: int) -> None:
    """Move the circulation of the minutes, their comment window and the comments ``days`` back in time."""
    delta = timedelta(days=days)
    minutes.refresh_from_db()
    Minutes.objects.filter(pk=minutes.pk).update(comments_deadline=minutes.comments_deadline - delta)
    for version in MinutesVersion.objects.filter(minutes=minutes, circulated_at__isnull=False):
        MinutesVersion.objects.filter(pk=version.pk).update(circulated_at=version.circulated_at - delta)
    for note in MinutesComment.objects.filter(version__minutes=minutes):
        MinutesComment.objects.filter(pk=note.pk).update(at=note.at - delta)
    minutes.refresh_from_db()


def hold_next_meeting(staff, body) -> Meeting:
    """The next meeting of the committee, convened in time and held on the last working day: the one that
    approves the minutes."""
    tz = timezone.get_current_timezone()
    day = add_working_days(timezone.localdate(), -1)
    starts = datetime.combine(day, time(10, 0), tzinfo=tz)
    meeting = convening.create_meeting(
        staff,
        {
            "body": body,
            "programme": body.programmes.get(),
            "kind": MeetingKind.BODY_MEETING,
            "title_it": "Terza riunione del Comitato di sorveglianza",
            "mode": MeetingMode.IN_PERSON,
            "place": "Roma, Via Fornovo 8",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
        },
    )
    decisions.add_agenda_item(
        staff,
        meeting,
        {"title_it": "Approvazione del verbale della seduta precedente", "kind": AgendaItemKind.APPROVAL},
    )
    convening.send_notice(staff, meeting, now=starts - timedelta(days=30))
    return convening.mark_held(staff, meeting)


def test_meetings_journey(live_server, page, new_person, audit_page, committee):
    violations: list[str] = []

    def check_any_page(some_page, name: str) -> None:
        violations.extend(audit_page(some_page, name))

    staff, member, body, seats = committee
    base = live_server.url
    today = timezone.localdate()
    # Seven working days ahead: too late for the ordinary notice (10 working days), in time for an urgent
    # one (5), the body's defaults (docs/eccp-requirements.md §3).
    meeting_day = add_working_days(today, 7)

    # --- 1. The secretariat creates the meeting, its agenda and its document pack ------------------------
    log_in_with_totp(page, base, staff)
    page.goto(base + url("manage_meetings:index"))
    check_any_page(page, "meetings-01-staff-index-en")
    follow(page, page.locator(f"main a[href='{url('manage_meetings:body', body.pk)}']").first)
    expect(page.locator("h1")).to_have_text(BODY_NAME_EN)  # English pages show the English name
    check_any_page(page, "meetings-02-staff-body-en")

    follow(page, page.locator(f"main a[href='{url('manage_meetings:meeting_create')}?body={body.pk}']"))
    expect(page.locator("[name=body]")).to_have_value(str(body.pk))
    page.select_option("[name=kind]", MeetingKind.BODY_MEETING)
    page.fill("[name=title_it]", MEETING_TITLE)
    page.fill("[name=title_en]", "Second meeting of the monitoring committee")
    page.select_option("[name=mode]", MeetingMode.IN_PERSON)
    page.fill("[name=place]", "Roma, Ministero del Lavoro, Via Fornovo 8, sala Biagi")
    page.fill("[name=starts_at]", f"{meeting_day.isoformat()}T10:00")
    page.fill("[name=ends_at]", f"{meeting_day.isoformat()}T13:00")
    check_any_page(page, "meetings-03-staff-meeting-form-en")
    submit(page, page.locator("main form button[type=submit]"))
    meeting = Meeting.objects.get(title_it=MEETING_TITLE)
    assert meeting.state == MeetingState.DRAFT
    assert meeting.body_id == body.pk and meeting.programme.cci == "2021IT05FFPR003"
    assert timezone.localtime(meeting.starts_at).hour == 10 and meeting.day == meeting_day
    page.wait_for_url(f"**{url('manage_meetings:meeting', meeting.pk)}")

    item_add = url("manage_meetings:item_add", meeting.pk)
    follow(page, page.locator(f"main a[href='{item_add}']"))
    page.fill("[name=title_it]", APPROVAL_ITEM)
    page.fill("[name=presenter]", "Autorità di gestione")
    page.select_option("[name=kind]", AgendaItemKind.APPROVAL)
    check_any_page(page, "meetings-04-staff-item-form-en")
    submit(page, page.locator("main form button[name=another]"))
    page.wait_for_url(f"**{item_add}")
    page.fill("[name=title_it]", EXAMINATION_ITEM)
    page.select_option("[name=kind]", AgendaItemKind.EXAMINATION)
    submit(page, page.locator("main form button[type=submit]:not([name])"))
    approval, examination = AgendaItem.objects.filter(meeting=meeting).order_by("order")
    assert (approval.title_it, approval.kind) == (APPROVAL_ITEM, AgendaItemKind.APPROVAL)
    assert (examination.title_it, examination.kind) == (EXAMINATION_ITEM, AgendaItemKind.EXAMINATION)
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(2)

    follow(page, page.locator(f"main a[href='{url('manage_meetings:document_add', meeting.pk)}']"))
    page.fill("[name=title_it]", DOCUMENT_TITLE)
    page.set_input_files(
        "[name=file]", {"name": "relazione-2025.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.select_option("[name=item]", str(approval.pk))
    check_any_page(page, "meetings-05-staff-document-form-en")
    submit(page, page.locator("main form button[type=submit]"))
    document = MeetingDocument.objects.get(meeting=meeting)
    assert document.item_id == approval.pk and document.published_at is None  # waits for the notice
    expect(page.locator("main")).to_contain_text(DOCUMENT_TITLE)
    check_any_page(page, "meetings-06-staff-meeting-draft-en")

    # --- 2. The ordinary notice is refused; the urgent one, with its reason, goes out --------------------
    notice_form = page.locator(f"main form[action='{url('manage_meetings:send_notice', meeting.pk)}']")
    expect(notice_form.locator("[name=urgent]")).not_to_be_checked()
    submit(page, notice_form.locator("button[type=submit]"))
    page.wait_for_url(f"**{url('manage_meetings:send_notice', meeting.pk)}")
    expect(page.locator("main")).to_contain_text(
        re.compile(r"at least 10 working days|almeno 10 giorni lavorativi", re.IGNORECASE)
    )
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.DRAFT and meeting.notice_sent_at is None
    assert not meeting.is_urgent and meeting.documents_published_at is None
    assert MeetingDocument.objects.get(pk=document.pk).published_at is None
    assert not meeting.dispatches.exists()
    check_any_page(page, "meetings-07-staff-notice-refused-en")

    choose(page, "main [name=urgent]")
    page.fill("[name=urgency_reason]", URGENCY_REASON)
    check_any_page(page, "meetings-08-staff-notice-urgent-en")
    submit(page, page.locator("main form button[type=submit]"))
    page.wait_for_url(f"**{url('manage_meetings:meeting', meeting.pk)}")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CONVENED, page.locator("main").inner_text()
    assert meeting.is_urgent and meeting.urgency_reason == URGENCY_REASON
    assert MeetingDocument.objects.get(pk=document.pk).published_at is not None
    expect(page.locator("main")).to_contain_text(URGENCY_REASON)
    check_any_page(page, "meetings-09-staff-meeting-convened-en")

    # --- 3. The meeting has been held: attendance, conflict, votes, decision -----------------------------
    # Four weeks have passed (not just a day: the minutes, their comment window and the next meeting must
    # all fit between the meeting and today, and the minutes' text carries the meeting's date).
    held_on = add_working_days(today, -20)
    move_meeting(meeting, (meeting_day - held_on).days)
    assert meeting.day == held_on
    page.reload()
    submit(page, page.locator(f"main form[action='{url('manage_meetings:mark_held', meeting.pk)}'] button"))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD, page.locator("main").inner_text()

    follow(page, page.locator(f"main a[href='{url('manage_meetings:attendance', meeting.pk)}']"))
    quorum_box = page.locator("#quorum-live [data-quorum-met]")
    expect(quorum_box).to_have_attribute("data-quorum-met", "false")
    check_any_page(page, "meetings-10-staff-attendance-empty-en")
    attendance_url = url("manage_meetings:attendance", meeting.pk)
    statuses = {
        "chair": AttendanceStatus.PRESENT,
        "rossi": AttendanceStatus.PRESENT,
        "bianchi": AttendanceStatus.SUBSTITUTE,
        "esposito": AttendanceStatus.ONLINE,
        "ferrari": AttendanceStatus.ABSENT,
        "colombo": AttendanceStatus.PRESENT,
    }
    for key, status in statuses.items():
        # Each choice is saved as it is made (attendance.js); wait for the server to answer before the next.
        with page.expect_response(lambda r: r.url.endswith(attendance_url) and r.request.method == "POST"):
            page.select_option(f"[name=status-{seats[key].pk}]", status)
    expect(page.locator("#quorum-live [data-quorum=present]")).to_have_text("4")
    expect(quorum_box).to_have_attribute("data-quorum-met", "true")
    expect(page.locator("#attendance-status")).not_to_be_empty()
    check_any_page(page, "meetings-11-staff-attendance-recorded-en")
    # "Save attendance" (the path without JavaScript) has nothing left to change and brings the page back.
    submit(page, page.locator("#attendance-form button[type=submit]"))
    recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("seat_id", "status"))
    assert recorded == {seats[key].pk: status for key, status in statuses.items()}
    for key, status in statuses.items():
        expect(page.locator(f"[name=status-{seats[key].pk}]")).to_have_value(status)
    expect(page.locator("#quorum-live [data-quorum=present]")).to_have_text("4")

    follow(page, page.locator(f"main a[href='{url('manage_meetings:meeting', meeting.pk)}']").first)
    follow(page, page.locator(f"main a[href='{url('manage_meetings:item_decide', approval.pk)}']"))
    check_any_page(page, "meetings-12-staff-decide-en")
    follow(page, page.locator(f"main a[href='{url('manage_meetings:conflict_add', approval.pk)}']"))
    page.select_option("[name=seat]", str(seats["rossi"].pk))
    page.fill("[name=note]", CONFLICT_NOTE)
    check_any_page(page, "meetings-13-staff-conflict-en")
    submit(page, page.locator("main form button[type=submit]"))
    page.wait_for_url(f"**{url('manage_meetings:item_decide', approval.pk)}")
    assert ConflictDeclaration.objects.filter(item=approval, seat=seats["rossi"]).exists()
    # The member with a conflict cannot vote on the item, nor can the absent one or the advisory member.
    for key in ("rossi", "ferrari", "colombo"):
        expect(page.locator(f"[name=vote-{seats[key].pk}]")).to_have_count(0)
    expect(page.locator("main tr", has_text="Marco Rossi")).to_contain_text(CONFLICT_NOTE)
    choose(page, f"[name=vote-{seats['chair'].pk}][value=for]")
    choose(page, f"[name=vote-{seats['bianchi'].pk}][value=for]")
    choose(page, f"[name=vote-{seats['esposito'].pk}][value=against]")
    expect(page.locator("[name=decided_by]")).to_have_value(DecisionMethod.VOTE)
    check_any_page(page, "meetings-14-staff-votes-en")
    submit(page, page.locator("main form button[type=submit]"))
    page.wait_for_url(f"**{url('manage_meetings:meeting', meeting.pk)}")
    approval.refresh_from_db()
    assert approval.outcome == Outcome.APPROVED and approval.decided_by == DecisionMethod.VOTE
    votes = dict(Vote.objects.filter(item=approval).values_list("seat_id", "choice"))
    assert votes == {
        seats["chair"].pk: VoteChoice.FOR,
        seats["bianchi"].pk: VoteChoice.FOR,
        seats["esposito"].pk: VoteChoice.AGAINST,
    }
    approval_row = page.locator("main table").first.locator("tbody tr").first
    expect(approval_row.locator("strong")).to_have_text("Approved")  # the outcome, in English
    expect(approval_row).to_contain_text("Marco Rossi")  # the declared conflict
    check_any_page(page, "meetings-15-staff-meeting-held-en")

    # --- 4. Minutes: drafted, circulated, commented, approved at the next meeting, published -------------
    minutes_url = url("manage_minutes:edit", meeting.pk)
    follow(page, page.locator(f"main a[href='{minutes_url}']").first)
    check_any_page(page, "meetings-16-staff-minutes-start-en")
    submit(page, page.locator("main form button[type=submit]"))
    minutes = meeting.minutes
    version = minutes.versions.get()
    assert "Marco Rossi" in version.sections.get(item=approval).text  # pre-filled with the recusal
    opening = page.locator("[name=opening]")
    expect(opening).not_to_be_empty()
    approval_text = page.locator(f"[name=item_{approval.pk}]")
    approval_text.fill(approval_text.input_value() + "\n" + APPROVAL_DISCUSSION)
    examination_text = page.locator(f"[name=item_{examination.pk}]")
    examination_text.fill(examination_text.input_value() + "\n" + EXAMINATION_DISCUSSION)
    page.fill("[name=closing]", CLOSING)
    check_any_page(page, "meetings-17-staff-minutes-draft-en")
    submit(page, page.locator("main form button[type=submit]"))
    version.refresh_from_db()
    assert version.closing == CLOSING
    assert APPROVAL_DISCUSSION in version.sections.get(item=approval).text
    assert EXAMINATION_DISCUSSION in version.sections.get(item=examination).text

    follow(page, page.locator(f"main a[href='{url('manage_minutes:circulate', meeting.pk)}']"))
    expect(page.locator("[name=working_days]")).to_have_value("10")
    check_any_page(page, "meetings-18-staff-minutes-circulate-en")
    submit(page, page.locator("main form button[type=submit]"))
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.CIRCULATED, page.locator("main").inner_text()
    assert minutes.comments_deadline > today
    assert Notification.objects.filter(recipient=member, kind="meetings.minutes_circulated").exists()
    check_any_page(page, "meetings-19-staff-minutes-circulated-en")

    # The member with an account is told, and comments on the approval item.
    member_page = new_person()
    log_in(member_page, base, member)
    member_page.goto(base + url("minutes:detail", meeting.pk, lang="it"))
    expect(member_page.locator("main")).to_contain_text(APPROVAL_DISCUSSION)
    member_page.select_option("[name=item]", str(approval.pk))
    member_page.fill("[name=text]", MEMBER_COMMENT)
    check_any_page(member_page, "meetings-20-member-minutes-circulated-it")
    submit(member_page, member_page.locator("main form button[type=submit]"))
    note = MinutesComment.objects.get(version=version)
    assert (note.item_id, note.seat_id, note.text) == (approval.pk, seats["rossi"].pk, MEMBER_COMMENT)
    expect(member_page.locator("main")).to_contain_text(MEMBER_COMMENT)

    # The comment window closes; the committee meets again and approves the minutes.
    move_circulation(minutes, (minutes.comments_deadline - today).days + 1)
    assert minutes.comments_deadline == today - timedelta(days=1)
    assert timezone.localdate(minutes.versions.get().circulated_at) >= held_on
    next_meeting = hold_next_meeting(staff, body)
    page.reload()
    expect(page.locator("main")).to_contain_text(MEMBER_COMMENT)
    follow(page, page.locator(f"main a[href='{url('manage_minutes:approve', meeting.pk)}']"))
    page.select_option("[name=approval]", f"meeting:{next_meeting.pk}")
    check_any_page(page, "meetings-21-staff-minutes-approve-en")
    submit(page, page.locator("main form button[type=submit]"))
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.APPROVED, page.locator("main").inner_text()
    assert minutes.approved_at_meeting_id == next_meeting.pk

    follow(page, page.locator(f"main a[href='{url('manage_minutes:publish', meeting.pk)}']"))
    check_any_page(page, "meetings-22-staff-minutes-publish-en")
    submit(page, page.locator("main form button[type=submit]"))
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.PUBLISHED and minutes.pdf
    page.wait_for_url(f"**{url('minutes:detail', meeting.pk)}")

    # --- 5. A visitor finds the minutes from the home page ----------------------------------------------
    visitor = new_person()
    visitor.goto(f"{base}/it/")
    follow(visitor, visitor.locator(f"#main-navigation a[href='{url('bodies:list', lang='it')}']"))
    check_any_page(visitor, "meetings-23-visitor-bodies-it")
    follow(visitor, visitor.get_by_role("link", name=BODY_NAME))
    visitor.wait_for_url(f"**{url('bodies:detail', body.pk, lang='it')}")
    past = visitor.locator(
        "main table", has=visitor.locator(f"a[href='{url('minutes:detail', meeting.pk, lang='it')}']")
    )
    expect(past).to_contain_text(MEETING_TITLE)
    check_any_page(visitor, "meetings-24-visitor-body-it")
    follow(visitor, past.locator(f"a[href='{url('meetings:detail', meeting.pk, lang='it')}']"))

    main = visitor.locator("main")
    expect(visitor.locator("h1")).to_have_text(MEETING_TITLE)
    expect(main).to_contain_text(URGENCY_REASON)
    expect(main).to_contain_text(APPROVAL_ITEM)
    expect(main).to_contain_text(EXAMINATION_ITEM)
    check_any_page(visitor, "meetings-25-visitor-meeting-it")
    document_link = main.locator(f"a[href='{url('meetings:document', document.pk, lang='it')}']").first
    expect(document_link).to_have_text(DOCUMENT_TITLE)
    pack = visitor.request.get(base + document_link.get_attribute("href"))
    assert pack.ok and pack.body().startswith(b"%PDF")

    follow(visitor, main.locator(f"a[href='{url('minutes:detail', meeting.pk, lang='it')}']").first)
    expect(main).to_contain_text(APPROVAL_DISCUSSION)
    expect(main).to_contain_text(EXAMINATION_DISCUSSION)
    expect(main).to_contain_text(CLOSING)
    expect(main).not_to_contain_text(MEMBER_COMMENT)  # comments go to the secretariat, not the public
    check_any_page(visitor, "meetings-26-visitor-minutes-it")
    pdf_link = main.locator(f"a[href='{url('minutes:pdf', meeting.pk, lang='it')}']")
    expect(pdf_link).to_be_visible()
    pdf = visitor.request.get(base + pdf_link.get_attribute("href"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    (ARTIFACTS / "meetings-26-visitor-minutes-it.pdf").write_bytes(pdf.body())  # for review

    assert not violations, "axe found serious/critical violations:\n" + "\n".join(violations)
