"""The notice rule (ECCP Art. 11(b): notice and documents at least 10 working days before, 5 if urgent) and
the meeting's life: convened, rescheduled (new calendar revision), cancelled, held."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from officine.core.models import AuditEvent
from officine.meetings import convening
from officine.meetings.models import Meeting, MeetingKind, MeetingMode, MeetingState
from officine.meetings.tests.factories import add_item, make_body, make_meeting, rome

# staff, programme, other_programme, body: ../conftest.py


@pytest.fixture
def meeting(body, programme):
    """Wednesday 9 December 2026: 8 December is a holiday (Immacolata), so the ordinary notice is due by
    Tuesday 24 November and the urgent one by Tuesday 1 December."""
    meeting = make_meeting(body, rome(2026, 12, 9, 10), programme=programme)
    add_item(meeting)
    return meeting


def test_notice_periods_are_counted_in_working_days_skipping_the_holiday(body):
    check = convening.notice_check(body, date(2026, 12, 9), date(2026, 11, 24))
    assert (check.latest, check.latest_urgent) == (date(2026, 11, 24), date(2026, 12, 1))
    assert check.is_timely


def test_notice_on_the_last_day_is_ordinary(staff, meeting):
    convening.send_notice(staff, meeting, now=rome(2026, 11, 24, 18))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CONVENED
    assert meeting.notice_sent_at == rome(2026, 11, 24, 18)
    assert not meeting.is_urgent and meeting.urgency_reason == ""
    event = AuditEvent.objects.get(action="meetings.meeting.convened")
    assert event.changes["state"] == ["draft", "convened"]


def test_notice_a_day_late_is_refused_unless_urgent(staff, meeting):
    with pytest.raises(ValidationError) as excinfo:
        convening.send_notice(staff, meeting, now=rome(2026, 11, 25, 9))
    assert "at least 10 working days" in excinfo.value.messages[0]
    assert "11/24/2026" in excinfo.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.DRAFT and meeting.notice_sent_at is None


def test_urgent_notice_needs_a_reason_which_is_recorded(staff, meeting):
    with pytest.raises(ValidationError) as excinfo:
        convening.send_notice(staff, meeting, urgent=True, reason="   ", now=rome(2026, 11, 25, 9))
    assert "urgency_reason" in excinfo.value.message_dict
    convening.send_notice(
        staff, meeting, urgent=True, reason="Scadenza della riprogrammazione.", now=rome(2026, 11, 25, 9)
    )
    meeting.refresh_from_db()
    assert meeting.is_urgent and meeting.urgency_reason == "Scadenza della riprogrammazione."
    assert meeting.state == MeetingState.CONVENED


def test_urgent_notice_has_its_own_limit(staff, meeting):
    with pytest.raises(ValidationError, match="Even an urgent notice"):
        convening.send_notice(staff, meeting, urgent=True, reason="Urgente.", now=rome(2026, 12, 2, 9))
    convening.send_notice(staff, meeting, urgent=True, reason="Urgente.", now=rome(2026, 12, 1, 17))
    assert Meeting.objects.get(pk=meeting.pk).is_urgent


def test_the_day_of_the_notice_is_the_day_in_rome(staff, meeting):
    # 00:30 in Rome on 25 November is still 24 November in UTC: it is late.
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    with pytest.raises(ValidationError):
        convening.send_notice(staff, meeting, now=late)
    convening.send_notice(staff, meeting, now=late - timedelta(hours=1))  # 23:30 in Rome on the 24th


def test_weekends_do_not_count(staff, body):
    # Monday 23 March 2026: ten working days before is Monday 9 March (two weekends in between).
    meeting = make_meeting(body, rome(2026, 3, 23, 10))
    add_item(meeting)
    with pytest.raises(ValidationError):
        convening.send_notice(staff, meeting, now=rome(2026, 3, 10, 9))
    convening.send_notice(staff, meeting, now=rome(2026, 3, 9, 9))


def test_the_programmes_local_holiday_counts_too(staff, programme, meeting):
    programme.local_holiday = "12-07"  # Sant'Ambrogio
    programme.save()
    with pytest.raises(ValidationError, match="11/23/2026"):
        convening.send_notice(staff, meeting, now=rome(2026, 11, 24, 9))


def test_the_body_sets_its_own_period(staff, programme):
    body = make_body([programme], notice_working_days=15, urgent_notice_working_days=3)
    meeting = make_meeting(body, rome(2026, 12, 9, 10))
    add_item(meeting)
    with pytest.raises(ValidationError, match="at least 15 working days"):
        convening.send_notice(staff, meeting, now=rome(2026, 11, 24, 9))
    with pytest.raises(ValidationError, match="at least 3 working days"):
        convening.send_notice(staff, meeting, urgent=True, reason="Urgente.", now=rome(2026, 12, 4, 9))
    convening.send_notice(staff, meeting, urgent=True, reason="Urgente.", now=rome(2026, 12, 3, 9))


def test_notice_needs_an_agenda_and_is_sent_once(staff, body):
    meeting = make_meeting(body)
    with pytest.raises(ValidationError, match="Add the agenda"):
        convening.send_notice(staff, meeting, now=rome(2026, 11, 2))
    add_item(meeting)
    convening.send_notice(staff, meeting, now=rome(2026, 11, 2))
    with pytest.raises(ValidationError, match="already been sent"):
        convening.send_notice(staff, meeting, now=rome(2026, 11, 3))


def test_public_events_have_no_notice_period_but_not_after_the_start(staff):
    event = make_meeting(
        None, rome(2026, 12, 9, 10), mode=MeetingMode.ONLINE, online_link="https://meet.example.org/x"
    )
    with pytest.raises(ValidationError, match="already started"):
        convening.send_notice(staff, event, now=rome(2026, 12, 9, 11))
    convening.send_notice(staff, event, now=rome(2026, 12, 8, 9))
    assert Meeting.objects.get(pk=event.pk).state == MeetingState.CONVENED


def test_create_meeting_validates_place_link_body_and_programme(staff, body, other_programme):
    with pytest.raises(ValidationError) as excinfo:
        convening.create_meeting(
            staff,
            {
                "body": body,
                "programme": other_programme,
                "title_it": "CdS",
                "mode": MeetingMode.HYBRID,
                "starts_at": rome(2026, 12, 9, 10),
                "ends_at": rome(2026, 12, 9, 9),
            },
        )
    assert set(excinfo.value.message_dict) == {"programme", "place", "online_link", "ends_at"}
    with pytest.raises(ValidationError) as excinfo:
        convening.create_meeting(
            staff,
            {
                "kind": MeetingKind.BODY_MEETING,
                "title_it": "CdS",
                "place": "Roma",
                "starts_at": rome(2026, 12, 9, 10),
                "ends_at": rome(2026, 12, 9, 12),
            },
        )
    assert "body" in excinfo.value.message_dict
    meeting = convening.create_meeting(
        staff,
        {
            "body": body,
            "title_it": " Prima  riunione ",
            "place": "Roma",
            "starts_at": rome(2026, 12, 9, 10),
            "ends_at": rome(2026, 12, 9, 13),
        },
    )
    assert (meeting.title_it, meeting.state, meeting.sequence, meeting.created_by) == (
        "Prima riunione",
        "draft",
        0,
        staff,
    )
    assert AuditEvent.objects.filter(action="meetings.meeting.created", target_id=str(meeting.pk)).exists()


def test_changes_after_the_notice_bump_the_sequence_and_keep_the_uid(staff, meeting):
    uid = meeting.uid
    convening.reschedule(staff, meeting, {"place": "Napoli"})  # still a draft: nobody has the invitation
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0
    convening.send_notice(staff, meeting, now=rome(2026, 11, 20))
    convening.reschedule(
        staff, meeting, {"starts_at": rome(2026, 12, 10, 10), "ends_at": rome(2026, 12, 10, 13)}
    )
    convening.reschedule(staff, meeting, {"place": "Roma, sala B"})
    convening.reschedule(staff, meeting, {"place": "Roma, sala B"})  # no change, no new revision
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.uid, meeting.place) == (2, uid, "Roma, sala B")
    assert AuditEvent.objects.filter(action="meetings.meeting.rescheduled").count() == 3


def test_moving_a_convened_meeting_earlier_must_respect_the_notice_sent(staff, meeting):
    convening.send_notice(staff, meeting, now=rome(2026, 11, 24))
    with pytest.raises(ValidationError, match="at least 10 working days"):
        convening.reschedule(
            staff, meeting, {"starts_at": rome(2026, 12, 7, 10), "ends_at": rome(2026, 12, 7, 12)}
        )
    meeting.refresh_from_db()
    assert meeting.day == date(2026, 12, 9) and meeting.sequence == 0


def test_cancel_bumps_the_sequence_and_needs_a_reason_once_convened(staff, meeting):
    convening.send_notice(staff, meeting, now=rome(2026, 11, 20))
    with pytest.raises(ValidationError) as excinfo:
        convening.cancel(staff, meeting)
    assert "cancellation_reason" in excinfo.value.message_dict
    convening.cancel(staff, meeting, reason="Mancano i documenti della Commissione.")
    meeting.refresh_from_db()
    assert (meeting.state, meeting.sequence) == (MeetingState.CANCELLED, 1)
    with pytest.raises(ValidationError):
        convening.cancel(staff, meeting, reason="Di nuovo.")
    with pytest.raises(ValidationError):
        convening.reschedule(staff, meeting, {"place": "Bari"})


def test_mark_held_only_once_started(staff, meeting):
    with pytest.raises(ValidationError):
        convening.mark_held(staff, meeting, now=rome(2026, 12, 9, 11))  # still a draft
    convening.send_notice(staff, meeting, now=rome(2026, 11, 20))
    with pytest.raises(ValidationError, match="not started"):
        convening.mark_held(staff, meeting, now=rome(2026, 12, 9, 9))
    convening.mark_held(staff, meeting, now=rome(2026, 12, 9, 13))
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.HELD
    with pytest.raises(ValidationError):
        convening.cancel(staff, meeting, reason="Troppo tardi.")
