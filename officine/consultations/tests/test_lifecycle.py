from datetime import date

import pytest
from django.core.exceptions import ValidationError

from officine.consultations import lifecycle, services
from officine.consultations.models import Audience, Consultation, ConsultationState
from officine.consultations.tests import factories
from officine.core.models import AuditEvent

SECTIONS = [{"heading": "Obiettivi", "body": "Testo."}]


# staff, programme: ../conftest.py


@pytest.fixture
def document(staff, programme):
    return services.create_document(staff, programme, title_it="Bozza", sections=SECTIONS)


def make_consultation(programme, document=None, **fields) -> Consultation:
    """Open 14-29 April 2025, a fortnight with two holidays whose working days the tests count."""
    dates = {"opens_on": date(2025, 4, 14), "closes_on": date(2025, 4, 29)}
    return factories.make_consultation(programme, [document] if document else [], **{**dates, **fields})


def test_ten_working_days_across_easter_and_liberation_day(programme):
    # 14-29 April 2025: Easter Monday (21) and 25 April are holidays, so exactly 10 working days.
    consultation = make_consultation(programme)
    plan = lifecycle.timetable(consultation)
    assert (plan.working_days, plan.minimum, plan.earliest_close) == (10, 10, date(2025, 4, 29))
    lifecycle.validate_consultation(consultation)


def test_one_day_short_needs_a_public_reason(programme):
    consultation = make_consultation(programme, closes_on=date(2025, 4, 28))
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.validate_consultation(consultation)
    message = excinfo.value.message_dict["closes_on"][0]
    assert (
        "9 working days" in message and "minimum is 10" in message and "04/29/2025" in message
    )  # English date format outside requests
    consultation.urgency_reason = "Scadenza della Commissione per la riprogrammazione."
    lifecycle.validate_consultation(consultation)


def test_public_consultations_need_twenty_working_days(programme):
    consultation = make_consultation(programme, audience=Audience.PUBLIC)
    plan = lifecycle.timetable(consultation)
    assert plan.minimum == 20 and plan.is_short
    assert plan.earliest_close == date(2025, 5, 14)  # 1 May is a holiday too


def test_local_holiday_of_the_programme_is_not_a_working_day(programme):
    programme.local_holiday = "04-23"  # San Giorgio, patron of e.g. Reggio Calabria
    programme.save()
    consultation = make_consultation(programme)
    assert lifecycle.timetable(consultation).working_days == 9


def test_dates_and_topics_are_checked(programme):
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.validate_consultation(
            Consultation(
                programme=programme, opens_on=date(2025, 5, 5), closes_on=date(2025, 5, 5), topics=["x"]
            )
        )
    assert set(excinfo.value.message_dict) == {"closes_on", "topics"}


def test_state_machine_happy_path(staff, programme, document):
    consultation = make_consultation(programme, document)
    today = date(2025, 4, 1)
    lifecycle.schedule(staff, consultation, today=today)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.open_consultation(staff, consultation, today=date(2025, 4, 14))
    assert "Bozza" in excinfo.value.messages[0]  # the document is not published yet
    services.publish_version(staff, document.versions.get())
    with pytest.raises(ValidationError):
        lifecycle.open_consultation(staff, consultation, today=date(2025, 4, 11))  # too early
    lifecycle.open_consultation(staff, consultation, today=date(2025, 4, 14))
    with pytest.raises(ValidationError):
        lifecycle.close_consultation(staff, consultation, today=date(2025, 4, 29))  # last day still open
    lifecycle.close_consultation(staff, consultation, today=date(2025, 4, 30))
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.CLOSED
    actions = list(
        AuditEvent.objects.filter(target_type="consultations.consultation").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        [
            "consultations.consultation.scheduled",
            "consultations.consultation.open",
            "consultations.consultation.closed",
        ]
    )


def test_scheduling_needs_documents_of_the_programme_and_a_future_start(staff, programme, document):
    empty = make_consultation(programme)
    with pytest.raises(ValidationError):
        lifecycle.schedule(staff, empty, today=date(2025, 4, 1))
    late = make_consultation(programme, document)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.schedule(staff, late, today=date(2025, 4, 15))
    assert "opens_on" in excinfo.value.message_dict
    other = factories.make_other_programme(programme)
    foreign = make_consultation(other, document)
    with pytest.raises(ValidationError):
        lifecycle.schedule(staff, foreign, today=date(2025, 4, 1))


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (ConsultationState.DRAFT, "open"),
        (ConsultationState.DRAFT, "close"),
        (ConsultationState.OPEN, "schedule"),
        (ConsultationState.CLOSED, "open"),
        (ConsultationState.OUTCOME_PUBLISHED, "close"),
    ],
)
def test_transitions_out_of_order_are_refused(staff, programme, document, state, action):
    services.publish_version(staff, document.versions.get())
    consultation = make_consultation(programme, document, state=state)
    call = {
        "open": lambda: lifecycle.open_consultation(staff, consultation, today=date(2025, 4, 20)),
        "close": lambda: lifecycle.close_consultation(staff, consultation, today=date(2025, 6, 1)),
        "schedule": lambda: lifecycle.schedule(staff, consultation, today=date(2025, 4, 1)),
    }[action]
    with pytest.raises(ValidationError):
        call()
    consultation.refresh_from_db()
    assert consultation.state == state


def test_scheduled_consultation_can_go_back_to_draft(staff, programme, document):
    consultation = make_consultation(programme, document)
    lifecycle.schedule(staff, consultation, today=date(2025, 4, 1))
    lifecycle.unschedule(staff, consultation)
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.DRAFT
