"""Recommendations of a body and the managing authority's reply (CPR Art. 40(3))."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from officine.core.models import AuditEvent
from officine.meetings.models import Body, RecommendationStatus
from officine.meetings.recommendations import record_recommendation, reply_to_recommendation
from officine.meetings.tests.factories import make_meeting

# staff, programme, body: ../conftest.py

TEXT = {"text_it": "Semplificare la rendicontazione dei piccoli beneficiari", "date": date(2026, 6, 10)}


def test_recording_a_recommendation(staff, body):
    meeting = make_meeting(body)
    recommendation = record_recommendation(staff, body, {**TEXT, "meeting": meeting})
    assert recommendation.status == RecommendationStatus.OPEN
    assert recommendation.meeting == meeting and recommendation.reply == ""
    assert AuditEvent.objects.filter(action="meetings.recommendation.recorded").count() == 1


def test_recommendation_needs_text_and_a_meeting_of_its_body(staff, body):
    other = Body.objects.create(kind="working_group", name_it="Gruppo di lavoro")
    with pytest.raises(ValidationError) as error:
        record_recommendation(staff, body, {"text_it": " ", "meeting": make_meeting(other)})
    assert set(error.value.message_dict) == {"text_it", "meeting"}


def test_reply_sets_status_and_date_and_is_audited(staff, body):
    recommendation = record_recommendation(staff, body, TEXT)
    replied = reply_to_recommendation(
        staff,
        recommendation,
        "Modello semplificato adottato",
        RecommendationStatus.ACCEPTED,
        on=date(2026, 7, 1),
    )
    assert replied.status == RecommendationStatus.ACCEPTED
    assert replied.reply_date == date(2026, 7, 1)
    event = AuditEvent.objects.get(action="meetings.recommendation.replied")
    assert event.changes["status"] == ["open", "accepted"]
    implemented = reply_to_recommendation(
        staff, replied, "In uso dal bando 2026", RecommendationStatus.IMPLEMENTED, on=date(2026, 9, 1)
    )
    assert implemented.status == RecommendationStatus.IMPLEMENTED
    with pytest.raises(ValidationError) as error:
        reply_to_recommendation(
            staff, implemented, "Ancora", RecommendationStatus.REJECTED, on=date(2026, 9, 2)
        )
    assert "status" in error.value.message_dict


def test_reply_needs_text_an_allowed_status_and_a_date_after_the_recommendation(staff, body):
    recommendation = record_recommendation(staff, body, TEXT)
    with pytest.raises(ValidationError) as error:
        reply_to_recommendation(staff, recommendation, "", RecommendationStatus.OPEN, on=date(2026, 6, 1))
    assert set(error.value.message_dict) == {"reply", "status", "reply_date"}
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.OPEN


def test_a_rejected_recommendation_cannot_later_be_implemented(staff, body):
    recommendation = record_recommendation(staff, body, TEXT)
    reply_to_recommendation(
        staff, recommendation, "Non compatibile con il regolamento", RecommendationStatus.REJECTED
    )
    with pytest.raises(ValidationError):
        reply_to_recommendation(staff, recommendation, "Ripensato", RecommendationStatus.IMPLEMENTED)
