from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from officine.core.models import AuditEvent
from officine.meetings import composition
from officine.meetings.models import Body, BodyKind, MajorityRule, Seat, SeatRole
from officine.meetings.tests import factories

# staff, programme, other_programme, body: ../conftest.py


def test_create_body_with_default_rules_of_procedure_serving_two_programmes(
    staff, programme, other_programme
):
    body = composition.create_body(
        staff,
        {
            "kind": BodyKind.MONITORING_COMMITTEE,
            "name_it": "  Comitato di Sorveglianza   unico ",
            "constitution_act_number": "DM 12/2023",
            "constitution_act_date": date(2023, 2, 1),
        },
        programmes=[programme, other_programme],
    )
    body.refresh_from_db()
    assert body.name_it == "Comitato di Sorveglianza unico"
    assert (
        body.notice_working_days,
        body.urgent_notice_working_days,
        body.written_procedure_working_days,
        body.urgent_written_procedure_working_days,
        body.agenda_request_working_days,
    ) == (10, 5, 10, 5, 5)
    assert body.silent_consent and body.quorum_fraction == Decimal("0.5")
    assert body.majority_rule == MajorityRule.SIMPLE
    assert set(body.programmes.all()) == {programme, other_programme}
    event = AuditEvent.objects.get(action="meetings.body.created")
    assert event.actor == staff and event.target_id == str(body.pk)


def test_qualified_majority_needs_its_threshold_and_urgent_notice_not_longer(staff):
    with pytest.raises(ValidationError) as excinfo:
        composition.create_body(
            staff,
            {
                "kind": BodyKind.WORKING_GROUP,
                "name_it": "Gruppo di lavoro",
                "majority_rule": MajorityRule.QUALIFIED,
                "urgent_notice_working_days": 12,
            },
        )
    assert set(excinfo.value.message_dict) == {"qualified_threshold", "urgent_notice_working_days"}
    assert not Body.objects.exists()


def test_update_body_records_what_changed(staff, body):
    composition.update_body(staff, body, {"quorum_fraction": Decimal("0.6"), "silent_consent": False})
    event = AuditEvent.objects.get(action="meetings.body.updated")
    assert event.changes == {"quorum_fraction": ["0.500", "0.6"], "silent_consent": [True, False]}


def test_add_seat_takes_name_and_account_from_the_registry(staff, body):
    organization = factories.make_organization("CGIL")
    representative = factories.make_representative(organization, "Anna", "Bianchi", user=staff)
    seat = composition.add_seat(
        staff,
        body,
        {
            "organization": organization,
            "role": SeatRole.VOTING_MEMBER,
            "member_representative": representative,
        },
        start_date=date(2026, 1, 1),
        act_number="DD 45/2025",
        act_date=date(2025, 12, 20),
    )
    assert (seat.member_name, seat.member_user) == ("Anna Bianchi", staff)
    assert AuditEvent.objects.filter(action="meetings.seat.added", target_id=str(seat.pk)).exists()


def test_a_representative_of_another_organisation_is_refused(staff, body):
    other = factories.make_representative(factories.make_organization("CISL"), "Marco", "Rossi")
    with pytest.raises(ValidationError) as excinfo:
        composition.add_seat(
            staff,
            body,
            {
                "organization": factories.make_organization("UIL"),
                "role": "voting",
                "member_representative": other,
            },
            start_date=date(2026, 1, 1),
            act_number="DD 45/2025",
            act_date=date(2025, 12, 20),
        )
    assert "member_representative" in excinfo.value.message_dict


def test_seat_needs_its_act_and_no_overlap_for_the_same_person(staff, body):
    organization = factories.make_organization("Legambiente")
    data = {"organization": organization, "role": "voting", "member_name": "Lucia Verdi"}
    with pytest.raises(ValidationError) as excinfo:
        composition.add_seat(staff, body, data, start_date=date(2026, 1, 1), act_number="", act_date=None)
    assert {"act_number", "act_date"} <= set(excinfo.value.message_dict)
    composition.add_seat(
        staff, body, data, start_date=date(2026, 1, 1), act_number="DD 1", act_date=date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        composition.add_seat(
            staff, body, data, start_date=date(2026, 3, 1), act_number="DD 2", act_date=date(2026, 2, 1)
        )
    assert "member_name" in excinfo.value.message_dict


def test_replace_seat_keeps_history_with_both_acts(staff, body):
    organization = factories.make_organization("Confindustria")
    old = composition.add_seat(
        staff,
        body,
        {
            "organization": organization,
            "role": "voting",
            "member_name": "Paolo Neri",
            "substitute_name": "Sara Gialli",
        },
        start_date=date(2026, 1, 1),
        act_number="DD 1/2026",
        act_date=date(2025, 12, 20),
    )
    new = composition.replace_seat(
        staff,
        old,
        {"member_name": "Giulia Blu"},
        start_date=date(2026, 6, 1),
        act_number="DD 30/2026",
        act_date=date(2026, 5, 20),
    )
    old.refresh_from_db()
    assert (old.end_date, old.end_act_number, old.end_act_date) == (
        date(2026, 5, 31),
        "DD 30/2026",
        date(2026, 5, 20),
    )
    assert (new.start_date, new.act_number, new.replaces) == (date(2026, 6, 1), "DD 30/2026", old)
    # Organisation, role and substitute are carried over; the member is the new one.
    assert (new.organization, new.role, new.substitute_name, new.member_name) == (
        organization,
        "voting",
        "Sara Gialli",
        "Giulia Blu",
    )

    def members_on(day):
        return list(Seat.objects.filter(body=body).in_force(day).values_list("member_name", flat=True))

    assert members_on(date(2026, 5, 31)) == ["Paolo Neri"]
    assert members_on(date(2026, 6, 1)) == ["Giulia Blu"]
    assert Seat.objects.filter(body=body).count() == 2  # nothing rewritten, nothing deleted
    assert (
        list(AuditEvent.objects.filter(action__startswith="meetings.seat").values_list("action", flat=True))
        == [
            "meetings.seat.added",
            "meetings.seat.ended",
            "meetings.seat.added",
        ][::-1]
    )


def test_replacement_must_start_after_the_seat_and_not_after_it_ended(staff, body):
    seat = factories.make_seat(body, start_date=date(2026, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        composition.replace_seat(
            staff,
            seat,
            {"member_name": "X"},
            start_date=date(2026, 3, 1),
            act_number="DD 2",
            act_date=date(2026, 2, 1),
        )
    assert "start_date" in excinfo.value.message_dict
    composition.end_seat(
        staff, seat, end_date=date(2026, 4, 30), act_number="DD 3", act_date=date(2026, 4, 20)
    )
    with pytest.raises(ValidationError, match="already ended"):
        composition.replace_seat(
            staff,
            seat,
            {"member_name": "X"},
            start_date=date(2026, 6, 1),
            act_number="DD 4",
            act_date=date(2026, 5, 1),
        )
    seat.refresh_from_db()
    assert seat.end_date == date(2026, 4, 30) and not Seat.objects.filter(replaces=seat).exists()


def test_end_seat_cannot_end_before_it_started(staff, body):
    seat = factories.make_seat(body, start_date=date(2026, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        composition.end_seat(
            staff, seat, end_date=date(2026, 2, 1), act_number="DD 9", act_date=date(2026, 1, 20)
        )
    assert "end_date" in excinfo.value.message_dict
    seat.refresh_from_db()
    assert seat.end_date is None
