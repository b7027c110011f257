"""Model invariants: CCI year within the cycle, region only for regional programmes, membership periods."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from officine.programmes.models import Membership, Programme, ProgrammeKind


def _programme(authority, **fields) -> Programme:
    defaults = {
        "cci": "2021IT16RFPR006",
        "title_it": "PR Emilia-Romagna FESR 2021-2027",
        "cycle": "2021-2027",
        "kind": ProgrammeKind.NATIONAL,
        "managing_authority": authority,
    }
    return Programme(**{**defaults, **fields})


def test_a_valid_national_programme_passes(authority):
    _programme(authority).full_clean()


def test_cci_is_normalised_by_clean(authority):
    programme = _programme(authority, cci="2021it16rfpr006")
    programme.full_clean()
    assert programme.cci == "2021IT16RFPR006"


@pytest.mark.parametrize(
    ("cci", "cycle"), [("2014IT16RFOP004", "2021-2027"), ("2021IT16RFPR004", "2014-2020")]
)
def test_cci_year_outside_the_cycle_is_refused(authority, cci, cycle):
    with pytest.raises(ValidationError) as info:
        _programme(authority, cci=cci, cycle=cycle).full_clean()
    assert "outside the" in info.value.message_dict["cci"][0]


def test_the_2015_code_of_a_2014_2020_programme_is_accepted(authority):
    _programme(authority, cci="2015IT16RFSM001", cycle="2014-2020").full_clean()


def test_regional_programme_needs_its_region(authority, region):
    with pytest.raises(ValidationError) as info:
        _programme(authority, kind=ProgrammeKind.REGIONAL).full_clean()
    assert info.value.message_dict["region"] == ["A regional programme needs its region."]
    _programme(authority, kind=ProgrammeKind.REGIONAL, region=region("Emilia-Romagna")).full_clean()


def test_national_programme_has_no_region(authority, region):
    with pytest.raises(ValidationError) as info:
        _programme(authority, region=region("Puglia")).full_clean()
    assert "region" in info.value.message_dict


def _membership(programme, org, **fields) -> Membership:
    defaults = {
        "start_date": date(2023, 1, 1),
        "selection_act_number": "DD 1/2023",
        "selection_act_date": date(2022, 12, 1),
    }
    return Membership(programme=programme, organization=org, **{**defaults, **fields})


def test_membership_end_before_start_is_refused(programme, make_org):
    membership = _membership(programme, make_org(), end_date=date(2022, 6, 30))
    with pytest.raises(ValidationError) as info:
        membership.full_clean()
    assert info.value.message_dict["end_date"] == ["The end date comes before the start date."]


def test_database_also_refuses_end_before_start(programme, make_org):
    with pytest.raises(IntegrityError), transaction.atomic():
        _membership(programme, make_org(), end_date=date(2022, 6, 30)).save()


def test_membership_needs_at_least_one_role(programme, make_org):
    membership = _membership(programme, make_org(), is_consultee=False)
    with pytest.raises(ValidationError) as info:
        membership.full_clean()
    assert info.value.message_dict["is_consultee"] == ["Choose at least one role."]
    membership.is_working_group_member = True
    membership.full_clean()


@pytest.mark.parametrize(
    ("existing", "new", "overlaps"),
    [
        ((date(2023, 1, 1), None), (date(2024, 1, 1), None), True),
        ((date(2023, 1, 1), date(2023, 12, 31)), (date(2023, 12, 31), None), True),
        ((date(2023, 1, 1), date(2023, 12, 31)), (date(2024, 1, 1), None), False),
        ((date(2024, 1, 1), None), (date(2023, 1, 1), date(2023, 6, 30)), False),
        ((date(2024, 1, 1), None), (date(2023, 1, 1), date(2024, 1, 1)), True),
    ],
)
def test_membership_periods_of_one_organisation_must_not_overlap(
    programme, make_org, make_membership, existing, new, overlaps
):
    org = make_org()
    make_membership(programme, org, start_date=existing[0], end_date=existing[1])
    membership = _membership(programme, org, start_date=new[0], end_date=new[1])
    if overlaps:
        with pytest.raises(ValidationError) as info:
            membership.full_clean()
        assert "already has a membership" in info.value.message_dict["start_date"][0]
    else:
        membership.full_clean()


def test_same_organisation_may_join_another_programme_in_the_same_period(
    programme, other_programme, make_org, make_membership
):
    org = make_org()
    make_membership(programme, org)
    _membership(other_programme, org).full_clean()


def test_editing_a_membership_does_not_overlap_with_itself(programme, make_org, make_membership):
    membership = make_membership(programme, make_org())
    membership.is_committee_member = True
    membership.full_clean()


def test_current_membership_queryset(programme, make_org, make_membership):
    today = date(2024, 6, 1)
    current = make_membership(programme, make_org(), start_date=date(2023, 1, 1))
    make_membership(programme, make_org(), start_date=date(2023, 1, 1), end_date=date(2024, 5, 31))
    make_membership(programme, make_org(), start_date=date(2024, 6, 2))
    ending_today = make_membership(programme, make_org(), start_date=date(2023, 1, 1), end_date=today)
    assert set(Membership.objects.current(on=today)) == {current, ending_today}
