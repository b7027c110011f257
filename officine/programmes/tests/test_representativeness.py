"""Representativeness panel: CPR Art. 8(1) categories and interests, regions, ECCP Art. 10 gender balance."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from officine.programmes.models import ProgrammeKind
from officine.programmes.selectors import GenderBalance, representativeness
from officine.registry.models import Territory


def test_empty_partnership_flags_every_category(programme):
    panel = representativeness(programme)
    assert panel.total_members == 0
    assert [c.code for c in panel.missing_cpr_categories] == ["a", "b", "c", "d"]
    assert len(panel.missing_focus) == 6
    assert not panel.gender.has_data
    assert not panel.gender.warning


def test_counts_and_percentages_by_category_include_zero_categories(programme, make_org, make_membership):
    for cpr, eccp in [("a", "a.i"), ("a", "a.i"), ("b", "b.i"), ("c", "c.i")]:
        make_membership(programme, make_org(cpr_category=cpr, eccp_subcategory=eccp))
    panel = representativeness(programme)
    assert panel.total_members == 4
    assert [(c.code, c.count, c.percent) for c in panel.cpr_categories] == [
        ("a", 2, 50),
        ("b", 1, 25),
        ("c", 1, 25),
        ("d", 0, 0),
    ]
    assert [c.code for c in panel.missing_cpr_categories] == ["d"]
    eccp = {c.code: c.count for c in panel.eccp_subcategories}
    assert eccp == {"a.i": 2, "a.ii": 0, "a.iii": 0, "b.i": 1, "b.ii": 0, "c.i": 1, "c.ii": 0}
    assert panel.chart["values"] == [2, 1, 1, 0]


def test_only_current_members_count(programme, make_org, make_membership):
    today = timezone.localdate()
    make_membership(programme, make_org(cpr_category="a"), end_date=today - timedelta(days=1))
    make_membership(programme, make_org(cpr_category="d"), start_date=today + timedelta(days=1))
    make_membership(programme, make_org(cpr_category="b"))
    panel = representativeness(programme)
    assert panel.total_members == 1
    assert [c.code for c in panel.missing_cpr_categories] == ["a", "c", "d"]


def test_civil_society_interests_with_no_member_are_flagged(programme, make_org, make_membership):
    make_membership(
        programme,
        make_org(cpr_category="c", eccp_subcategory="c.i", civil_society_focus=["environment", "disability"]),
    )
    make_membership(
        programme, make_org(cpr_category="c", eccp_subcategory="c.i", civil_society_focus=["disability"])
    )
    panel = representativeness(programme)
    covered = {f.code: f.count for f in panel.civil_society_focus}
    assert covered["environment"] == 1
    assert covered["disability"] == 2
    assert {f.code for f in panel.missing_focus} == {
        "social_inclusion",
        "fundamental_rights",
        "gender_equality",
        "non_discrimination",
    }


def test_regions_covered_and_not_covered_for_a_national_programme(
    programme, make_org, make_membership, region
):
    bari = Territory.objects.get(level="municipality", name="Bari")
    make_membership(programme, make_org(territorial_level="local", territories=[bari]))
    make_membership(programme, make_org(territorial_level="regional", territories=[region("Puglia")]))
    make_membership(programme, make_org(territorial_level="regional", territories=[region("Lazio")]))
    make_membership(programme, make_org(territorial_level="national"))
    make_membership(programme, make_org(territorial_level="eu"))
    panel = representativeness(programme)
    assert [(r.name, r.count) for r in panel.regions_covered] == [("Lazio", 1), ("Puglia", 2)]
    assert panel.supra_regional_members == 2
    assert panel.members_without_territory == 2
    assert panel.is_national
    assert len(panel.regions_not_covered) == 18
    assert "Puglia" not in panel.regions_not_covered
    assert "Sicilia" in panel.regions_not_covered


def test_autonomous_province_counts_for_its_region(programme, make_org, make_membership):
    trento = Territory.objects.get(level="province", code="022")
    make_membership(programme, make_org(territorial_level="regional", territories=[trento]))
    panel = representativeness(programme)
    assert [r.name for r in panel.regions_covered] == [trento.region.name]


def test_regional_programme_does_not_list_uncovered_regions(make_programme, region):
    regional = make_programme(kind=ProgrammeKind.REGIONAL, region=region("Puglia"), cci="2021IT16FFPR002")
    panel = representativeness(regional)
    assert panel.regions_not_covered is None
    assert not panel.is_national


@pytest.mark.parametrize(
    ("female", "male", "other", "warning", "who"),
    [
        (2, 3, 0, False, []),  # exactly 40 % women: balanced
        (3, 2, 0, False, []),  # exactly 40 % men: balanced
        (1, 2, 0, True, ["women"]),  # 33 % women
        (39, 61, 0, True, ["women"]),
        (5, 1, 0, True, ["men"]),
        (1, 1, 3, True, ["women", "men"]),  # 20 % each of those who declared
        (0, 0, 0, False, []),
    ],
)
def test_gender_balance_threshold(female, male, other, warning, who):
    balance = GenderBalance(female=female, male=male, other=other, undeclared=4)
    assert balance.warning is warning
    assert balance.underrepresented == who
    assert balance.has_data is bool(female + male + other)


def test_gender_counts_delegates_and_substitutes_in_force_of_current_members(
    programme, make_org, make_membership, make_rep
):
    today = timezone.localdate()
    member = make_org()
    make_membership(programme, member)
    make_rep(member, "F")
    make_rep(member, "F", role="substitute")
    make_rep(member, "M")
    make_rep(member, "M", role="substitute")
    make_rep(member, "M")
    make_rep(member, "")
    make_rep(member, "F", mandate_date=date(2020, 1, 1), mandate_expires=today - timedelta(days=1))  # expired
    former = make_org()
    make_membership(programme, former, end_date=today - timedelta(days=1))
    make_rep(former, "F")  # former member
    make_rep(make_org(), "F")  # never a member
    panel = representativeness(programme)
    gender = panel.gender
    assert (gender.female, gender.male, gender.other, gender.undeclared) == (2, 3, 0, 1)
    assert gender.percent_female == 40.0
    assert gender.percent_male == 60.0
    assert not gender.warning


def test_gender_warning_below_40_percent(programme, make_org, make_membership, make_rep):
    member = make_org()
    make_membership(programme, member)
    for sex in ["F", "M", "M"]:
        make_rep(member, sex)
    panel = representativeness(programme)
    assert panel.gender.percent_female == 33.3
    assert panel.gender.underrepresented == ["women"]


def test_no_declared_gender_is_not_enough_data(programme, make_org, make_membership, make_rep):
    member = make_org()
    make_membership(programme, member)
    make_rep(member, "")
    panel = representativeness(programme)
    assert panel.gender.total == 1
    assert not panel.gender.has_data
    assert panel.gender.percent_female is None
    assert not panel.gender.warning


def _fill(programme, make_org, make_membership, make_rep, n: int, region) -> None:
    regions = [region("Puglia"), region("Lazio"), region("Toscana")]
    for i in range(n):
        org = make_org(
            cpr_category="abcd"[i % 4],
            eccp_subcategory=["a.i", "b.i", "c.i", "a.ii"][i % 4],
            civil_society_focus=["environment"] if i % 4 == 2 else [],
            territories=[regions[i % 3]],
        )
        make_membership(programme, org)
        make_rep(org, "FM"[i % 2])
        make_rep(org, "", role="substitute")


def test_query_count_does_not_grow_with_the_partnership(
    programme, other_programme, make_org, make_membership, make_rep, region
):
    _fill(programme, make_org, make_membership, make_rep, 3, region)
    _fill(other_programme, make_org, make_membership, make_rep, 30, region)
    with CaptureQueriesContext(connection) as small:
        small_panel = representativeness(programme)
    with CaptureQueriesContext(connection) as large:
        large_panel = representativeness(other_programme)
    assert small_panel.total_members == 3
    assert large_panel.total_members == 30
    assert len(small.captured_queries) == len(large.captured_queries) <= 6
