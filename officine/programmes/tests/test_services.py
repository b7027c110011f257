"""Services: each write validates, saves and leaves one audit event with what changed."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from officine.core.models import AuditEvent
from officine.programmes import services
from officine.programmes.models import Fund, Membership, Priority, Programme, ProgrammeStaff


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _programme_data(authority, **fields) -> dict:
    data = {
        "cci": "2021IT16RFPR016",
        "title_it": "PR Sicilia FESR 2021-2027",
        "title_en": "",
        "cycle": "2021-2027",
        "kind": "national",
        "region": None,
        "managing_authority": authority,
        "approval_date": date(2022, 12, 6),
        "commission_decision": "C(2022) 9115",
        "website": "",
        "summary_it": "",
        "summary_en": "",
        "source_note": "",
        "funds": Fund.objects.filter(code="ERDF"),
    }
    return {**data, **fields}


# --- Programmes ---------------------------------------------------------------------------------------


def test_create_programme_saves_funds_and_audits(users, authority):
    admin = users["admin"]
    programme = services.create_programme(admin, _programme_data(authority, cci="2021it16rfpr016"))
    assert programme.cci == "2021IT16RFPR016"
    assert list(programme.funds.values_list("code", flat=True)) == ["ERDF"]
    (event,) = _events("programme.created")
    assert event.actor == admin
    assert event.target_id == str(programme.pk)
    assert event.changes["cci"] == "2021IT16RFPR016"
    assert event.changes["funds"] == [Fund.objects.get(code="ERDF").pk]


def test_create_programme_refuses_invalid_data_and_saves_nothing(users, authority):
    with pytest.raises(ValidationError) as info:
        services.create_programme(users["admin"], _programme_data(authority, kind="regional"))
    assert "region" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.create_programme(users["admin"], _programme_data(authority, funds=[]))
    assert "funds" in info.value.message_dict
    assert not Programme.objects.filter(cci="2021IT16RFPR016").exists()
    assert not _events("programme.created")


def test_update_programme_audits_only_what_changed(users, programme):
    stale = Programme.objects.get(pk=programme.pk)
    stale.title_it = "changed in memory by a form, not yet saved"
    esf = Fund.objects.get(code="ESF+")
    services.update_programme(
        users["staff_this"], stale, {"title_en": "Inclusion and poverty", "funds": [esf]}
    )
    programme.refresh_from_db()
    assert programme.title_en == "Inclusion and poverty"
    assert programme.title_it.startswith("PN Inclusione")
    (event,) = _events("programme.updated")
    assert set(event.changes) == {"title_en", "funds"}
    assert event.changes["title_en"] == ["", "Inclusion and poverty"]
    assert event.changes["funds"][1] == [esf.pk]


# --- Priorities ---------------------------------------------------------------------------------------


def _rows(programme) -> list[dict]:
    return [
        {"id": p.pk, "code": p.code, "title_it": p.title_it, "title_en": p.title_en, "order": p.order}
        for p in programme.priorities.order_by("order")
    ]


def test_set_priorities_adds_renames_reorders_and_deletes(users, programme):
    actor = users["staff_this"]
    services.set_priorities(
        actor,
        programme,
        [
            {"code": "1", "title_it": "Occupazione", "order": 1},
            {"code": "2", "title_it": "Inclusione", "order": 2},
            {"code": "3", "title_it": "Povertà", "order": 3},
        ],
    )
    assert list(programme.priorities.values_list("code", flat=True)) == ["1", "2", "3"]
    first, second, third = _rows(programme)
    first.update(code="2", order=2)  # swap the numbers of the first two
    second.update(code="1", order=1, title_it="Inclusione sociale")
    third["delete"] = True
    services.set_priorities(
        actor, programme, [first, second, third, {"code": "4", "title_it": "Nuova", "order": 4}]
    )
    result = list(programme.priorities.order_by("order").values_list("code", "title_it"))
    assert result == [("1", "Inclusione sociale"), ("2", "Occupazione"), ("4", "Nuova")]
    events = _events("programme.priorities_set")
    assert len(events) == 2
    before, after = events[0].changes["priorities"]
    assert [p["code"] for p in before] == ["1", "2", "3"]
    assert [p["code"] for p in after] == ["1", "2", "4"]


def test_set_priorities_refuses_duplicate_numbers(users, programme):
    with pytest.raises(ValidationError) as info:
        services.set_priorities(
            users["admin"],
            programme,
            [{"code": "1", "title_it": "A", "order": 1}, {"code": "1", "title_it": "B", "order": 2}],
        )
    assert "repeated: 1" in info.value.message_dict["code"][0]
    assert not Priority.objects.exists()
    assert not _events("programme.priorities_set")


def test_set_priorities_refuses_another_programmes_priority(users, programme, other_programme):
    foreign = Priority.objects.create(programme=other_programme, code="1", title_it="Altro")
    with pytest.raises(ValidationError):
        services.set_priorities(
            users["admin"], programme, [{"id": foreign.pk, "code": "1", "title_it": "Preso", "order": 1}]
        )
    foreign.refresh_from_db()
    assert foreign.title_it == "Altro"


def test_set_priorities_without_change_writes_no_event(users, programme):
    Priority.objects.create(programme=programme, code="1", title_it="Occupazione", order=1)
    services.set_priorities(users["admin"], programme, _rows(programme))
    assert not _events("programme.priorities_set")


# --- Memberships --------------------------------------------------------------------------------------


def _membership_data(org, **fields) -> dict:
    data = {
        "organization": org,
        "is_consultee": True,
        "is_committee_member": True,
        "is_working_group_member": False,
        "start_date": date(2023, 3, 1),
        "end_date": None,
        "selection_act_number": "DD 45/2023",
        "selection_act_date": date(2023, 2, 15),
        "selection_url": "https://example.org/atti/45",
        "selection_document": None,
    }
    return {**data, **fields}


def test_add_membership_audits(users, programme, make_org):
    org = make_org()
    membership = services.add_membership(users["staff_this"], programme, _membership_data(org))
    assert membership.programme == programme
    assert membership.is_committee_member
    (event,) = _events("membership.added")
    assert event.changes["organization"] == org.pk
    assert event.changes["selection_act_number"] == "DD 45/2023"


def test_add_membership_refuses_overlap(users, programme, make_org, make_membership):
    org = make_org()
    make_membership(programme, org, start_date=date(2023, 1, 1))
    with pytest.raises(ValidationError) as info:
        services.add_membership(users["admin"], programme, _membership_data(org))
    assert "start_date" in info.value.message_dict
    assert Membership.objects.filter(organization=org).count() == 1
    assert not _events("membership.added")


def test_update_membership_audits_the_diff(users, programme, make_org, make_membership):
    membership = make_membership(programme, make_org())
    services.update_membership(
        users["admin"], membership, {"is_working_group_member": True, "selection_act_number": "DD 99/2023"}
    )
    membership.refresh_from_db()
    assert membership.is_working_group_member
    (event,) = _events("membership.updated")
    assert event.changes == {
        "is_working_group_member": [False, True],
        "selection_act_number": ["DD 12/2023", "DD 99/2023"],
    }


def test_update_membership_refuses_no_role(users, programme, make_org, make_membership):
    membership = make_membership(programme, make_org())
    with pytest.raises(ValidationError):
        services.update_membership(users["admin"], membership, {"is_consultee": False})
    membership.refresh_from_db()
    assert membership.is_consultee


def test_end_membership(users, programme, make_org, make_membership):
    membership = make_membership(programme, make_org(), start_date=date(2023, 1, 1))
    services.end_membership(users["staff_this"], membership, date(2024, 12, 31))
    membership.refresh_from_db()
    assert membership.end_date == date(2024, 12, 31)
    (event,) = _events("membership.ended")
    assert event.changes == {"end_date": [None, "2024-12-31"]}


def test_end_membership_before_it_started_is_refused(users, programme, make_org, make_membership):
    membership = make_membership(programme, make_org(), start_date=date(2023, 1, 1))
    with pytest.raises(ValidationError):
        services.end_membership(users["admin"], membership, date(2022, 12, 31))
    membership.refresh_from_db()
    assert membership.end_date is None
    assert not _events("membership.ended")


# --- Staff ----------------------------------------------------------------------------------------------


def test_assign_and_remove_staff(users, programme, make_user):
    person = make_user("nuovo@example.org")
    services.assign_staff(users["admin"], programme, person)
    assert programme.pk in type(person).objects.get(pk=person.pk).staffed_programme_ids
    with pytest.raises(ValidationError):
        services.assign_staff(users["admin"], programme, person)
    services.remove_staff(users["admin"], programme, person)
    assert not ProgrammeStaff.objects.filter(user=person).exists()
    assert [e.changes for e in _events("programme.staff_assigned")] == [
        {"staff": [None, "nuovo@example.org"]}
    ]
    assert [e.changes for e in _events("programme.staff_removed")] == [{"staff": ["nuovo@example.org", None]}]


def test_remove_staff_who_is_not_staff_is_refused(users, programme, make_user):
    with pytest.raises(ValidationError):
        services.remove_staff(users["admin"], programme, make_user("nessuno@example.org"))
    assert not _events("programme.staff_removed")


def test_deactivated_account_cannot_become_staff(users, programme, make_user):
    person = make_user("spento@example.org", is_active=False)
    with pytest.raises(ValidationError):
        services.assign_staff(users["admin"], programme, person)
