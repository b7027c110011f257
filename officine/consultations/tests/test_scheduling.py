"""The daily jobs: consultations open and close on their days, partners are reminded, digests go out."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from officine.consultations import scheduling, services
from officine.consultations.models import ConsultationState
from officine.core.models import AuditEvent
from officine.notifications.models import Frequency, Notification, NotificationPreference

from .test_notices import build_partnership, make_consultation, recipients

# December 2026: Tuesday 8 is the Immacolata (a national holiday); 5-6 and 12-13 are weekends.
MON_30_NOV = date(2026, 11, 30)
TUE_1_DEC, WED_2_DEC, THU_3_DEC, FRI_4_DEC = (date(2026, 12, d) for d in (1, 2, 3, 4))
TUE_8_DEC, WED_9_DEC, THU_10_DEC, FRI_11_DEC = (date(2026, 12, d) for d in (8, 9, 10, 11))
TUE_15_DEC = date(2026, 12, 15)


@pytest.fixture
def p(db):
    return build_partnership()


def reminded(consultation) -> set[str]:
    return set(
        Notification.objects.filter(
            kind="consultation_closing", key=f"consultation:{consultation.pk}:closing"
        ).values_list("recipient__email", flat=True)
    )


# --- (a) opening -------------------------------------------------------------------------------------------


def test_scheduled_consultations_open_on_their_day_and_partners_are_told(p):
    due = make_consultation(p, state=ConsultationState.SCHEDULED, opens_on=TUE_1_DEC, closes_on=TUE_15_DEC)
    late = make_consultation(p, state=ConsultationState.SCHEDULED, opens_on=MON_30_NOV, closes_on=TUE_15_DEC)
    future = make_consultation(p, state=ConsultationState.SCHEDULED, opens_on=WED_2_DEC, closes_on=TUE_15_DEC)

    report = scheduling.run_daily_jobs(TUE_1_DEC)

    assert {c.pk for c in report.opened} == {due.pk, late.pk}
    for consultation, state in ((due, "open"), (late, "open"), (future, "scheduled")):
        consultation.refresh_from_db()
        assert consultation.state == state
    # lifecycle.open_consultation announces the opening to the invited partners (and only to them)
    assert recipients("consultation_opened") == {"member@example.org"}
    assert Notification.objects.filter(kind="consultation_opened").count() == 2
    event = AuditEvent.objects.get(action="consultations.consultation.open", target_id=str(due.pk))
    assert event.actor is None  # the system did it
    # opened today: the opening notice already gives the last day, so no reminder on top of it
    assert not Notification.objects.filter(kind="consultation_closing").exists()


def test_a_consultation_with_an_unpublished_document_stays_scheduled_and_staff_are_told(p):
    draft = services.create_document(
        p.staff, p.programme, title_it="Allegato non pubblicato", sections=[{"heading": "A", "body": "B"}]
    )
    stuck = make_consultation(
        p, document=draft, state=ConsultationState.SCHEDULED, opens_on=TUE_1_DEC, closes_on=TUE_15_DEC
    )
    fine = make_consultation(p, state=ConsultationState.SCHEDULED, opens_on=TUE_1_DEC, closes_on=TUE_15_DEC)

    report = scheduling.run_daily_jobs(TUE_1_DEC)

    stuck.refresh_from_db()
    fine.refresh_from_db()
    assert stuck.state == ConsultationState.SCHEDULED and fine.state == ConsultationState.OPEN
    assert [(c.pk, "Allegato non pubblicato" in reason) for c, reason in report.not_opened] == [
        (stuck.pk, True)
    ]
    assert recipients("consultation_open_failed") == {"staff@example.org"}
    staff_notice = Notification.objects.get(kind="consultation_open_failed")
    assert "Allegato non pubblicato" in staff_notice.body
    assert not Notification.objects.filter(kind="consultation_opened", key__contains=f":{stuck.pk}:").exists()

    scheduling.run_daily_jobs(TUE_1_DEC)  # a second run the same day repeats nothing
    assert Notification.objects.filter(kind="consultation_open_failed").count() == 1
    scheduling.run_daily_jobs(WED_2_DEC)  # still stuck the next morning: staff are reminded
    assert Notification.objects.filter(kind="consultation_open_failed").count() == 2


# --- (b) closing -------------------------------------------------------------------------------------------


def test_open_consultations_close_the_day_after_their_last_day(p):
    past = make_consultation(p, opens_on=date(2026, 11, 2), closes_on=MON_30_NOV)
    last_day_today = make_consultation(p, opens_on=date(2026, 11, 2), closes_on=TUE_1_DEC)

    report = scheduling.run_daily_jobs(TUE_1_DEC)

    past.refresh_from_db()
    last_day_today.refresh_from_db()
    assert [c.pk for c in report.closed] == [past.pk]
    assert past.state == ConsultationState.CLOSED
    assert last_day_today.state == ConsultationState.OPEN
    assert AuditEvent.objects.filter(
        action="consultations.consultation.closed", target_id=str(past.pk)
    ).exists()


# --- (c) closing reminders -------------------------------------------------------------------------------


def test_reminder_three_working_days_before_closing_across_a_weekend(p):
    consultation = make_consultation(p, closes_on=TUE_15_DEC)  # Thu 10 → Fri 11, Mon 14, Tue 15
    scheduling.run_daily_jobs(WED_9_DEC)
    assert reminded(consultation) == set()
    scheduling.run_daily_jobs(THU_10_DEC)
    assert reminded(consultation) == {"member@example.org"}
    scheduling.run_daily_jobs(FRI_11_DEC)
    assert Notification.objects.filter(kind="consultation_closing").count() == 1


def test_reminder_counts_the_immacolata_as_a_holiday(p):
    consultation = make_consultation(p, closes_on=THU_10_DEC)  # Fri 4 → Mon 7, (Tue 8), Wed 9, Thu 10
    scheduling.run_daily_jobs(THU_3_DEC)
    assert reminded(consultation) == set()
    scheduling.run_daily_jobs(FRI_4_DEC)
    assert reminded(consultation) == {"member@example.org"}


def test_reminder_for_a_consultation_closing_on_the_holiday_itself(p):
    consultation = make_consultation(p, closes_on=TUE_8_DEC)  # Wed 2 → Thu 3, Fri 4, Mon 7
    scheduling.run_daily_jobs(TUE_1_DEC)
    assert reminded(consultation) == set()
    scheduling.run_daily_jobs(WED_2_DEC)
    assert reminded(consultation) == {"member@example.org"}


def test_reminder_counts_the_programmes_own_holiday(p):
    p.programme.local_holiday = "12-07"  # Sant'Ambrogio
    p.programme.save()
    consultation = make_consultation(p, closes_on=THU_10_DEC)  # Thu 3 → Fri 4, (7, 8), Wed 9, Thu 10
    scheduling.run_daily_jobs(WED_2_DEC)
    assert reminded(consultation) == set()
    scheduling.run_daily_jobs(THU_3_DEC)
    assert reminded(consultation) == {"member@example.org"}


def test_a_missed_morning_still_reminds_with_fewer_days_left(p):
    consultation = make_consultation(p, closes_on=TUE_15_DEC)
    scheduling.run_daily_jobs(FRI_11_DEC)  # the job did not run on Thursday
    assert reminded(consultation) == {"member@example.org"}


def test_no_reminder_for_closed_consultations(p):
    consultation = make_consultation(p, state=ConsultationState.CLOSED, closes_on=TUE_15_DEC)
    scheduling.run_daily_jobs(THU_10_DEC)
    assert reminded(consultation) == set()


def test_reminders_reach_members_only(p):
    make_consultation(p, closes_on=TUE_15_DEC)
    scheduling.run_daily_jobs(THU_10_DEC)
    # not non-members, not expired mandates, not former or non-consulted members
    assert recipients("consultation_closing") == {"member@example.org"}


# --- (d) digests, and the command ------------------------------------------------------------------------


def test_digests_go_out_last_with_what_the_jobs_announced(p):
    NotificationPreference.objects.create(user=p.member, email_frequency=Frequency.DAILY)
    make_consultation(p, state=ConsultationState.SCHEDULED, opens_on=TUE_1_DEC, closes_on=TUE_15_DEC)
    report = scheduling.run_daily_jobs(TUE_1_DEC)
    assert report.digests == 1
    assert [m.to for m in mail.outbox] == [["member@example.org"]]
    assert "Consultazione sulla bozza" in mail.outbox[0].body
    assert scheduling.run_daily_jobs(TUE_1_DEC).digests == 0


def test_command_reports_what_it_did(p):
    draft = services.create_document(
        p.staff, p.programme, title_it="Non pubblicato", sections=[{"heading": "A", "body": "B"}]
    )
    make_consultation(
        p, document=draft, state=ConsultationState.SCHEDULED, opens_on=TUE_1_DEC, closes_on=TUE_15_DEC
    )
    make_consultation(
        p, title_it="Da aprire", state=ConsultationState.SCHEDULED, opens_on=TUE_1_DEC, closes_on=TUE_15_DEC
    )
    make_consultation(p, title_it="Da chiudere", opens_on=date(2026, 11, 2), closes_on=MON_30_NOV)
    make_consultation(p, title_it="In chiusura", closes_on=FRI_4_DEC)
    out, err = StringIO(), StringIO()
    call_command("run_consultation_jobs", "--date", "2026-12-01", stdout=out, stderr=err)
    output = out.getvalue()
    assert "2026-12-01" in output
    assert "opened: " in output and "Da aprire" in output
    assert "closed: " in output and "Da chiudere" in output
    assert "closing reminder: " in output and "In chiusura" in output
    assert "NOT opened" in err.getvalue() and "Non pubblicato" in err.getvalue()


def test_command_refuses_a_malformed_date(db):
    with pytest.raises(CommandError):
        call_command("run_consultation_jobs", "--date", "01/12/2026")


def test_digest_command(p):
    NotificationPreference.objects.create(user=p.member, email_frequency=Frequency.DAILY)
    make_consultation(p, closes_on=TUE_15_DEC)
    scheduling.run_daily_jobs(THU_10_DEC)  # the reminder goes into the digest...
    mail.outbox.clear()
    Notification.objects.update(emailed_at=None)  # ...pretend it has not gone out yet
    out = StringIO()
    call_command("send_notification_digests", stdout=out)
    assert "Digests sent: 1" in out.getvalue()
    assert len(mail.outbox) == 1


def test_an_unexpected_error_does_not_stop_the_other_jobs_but_fails_the_command(p, monkeypatch):
    broken = make_consultation(p, state=ConsultationState.SCHEDULED, opens_on=TUE_1_DEC, closes_on=TUE_15_DEC)
    past = make_consultation(p, opens_on=date(2026, 11, 2), closes_on=MON_30_NOV)
    real_open = scheduling.lifecycle.open_consultation

    def open_or_crash(actor, consultation, today=None):
        if consultation.pk == broken.pk:
            raise RuntimeError("database hiccup")
        return real_open(actor, consultation, today=today)

    monkeypatch.setattr(scheduling.lifecycle, "open_consultation", open_or_crash)
    with pytest.raises(CommandError, match="1 unexpected error"):
        call_command("run_consultation_jobs", "--date", "2026-12-01", stdout=StringIO(), stderr=StringIO())
    past.refresh_from_db()
    broken.refresh_from_db()
    assert past.state == ConsultationState.CLOSED
    assert broken.state == ConsultationState.SCHEDULED
    assert not Notification.objects.filter(kind="consultation_open_failed").exists()
