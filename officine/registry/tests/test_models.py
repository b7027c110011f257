"""Organization.clean and the representative's mandate: the model's own rules, with field-level errors."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from officine.registry.models import Organization, Representative
from officine.registry.tests.conftest import org_data

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
    return exc.value.message_dict


def test_valid_organisation_passes_and_codes_are_normalised():
    organization = Organization(
        **org_data(tax_code="063 633 910 01", vat_number="IT06363391001", ipa_code=" AGE ")
    )
    organization.full_clean()
    assert organization.tax_code == "06363391001"
    assert organization.vat_number == "06363391001"
    assert organization.ipa_code == "age"


def test_italian_body_needs_tax_code_or_vat_number():
    errors = errors_of(Organization(**org_data(tax_code="")))
    assert "tax_code" in errors


def test_foreign_body_may_have_no_italian_code():
    Organization(**org_data(tax_code="", country="fr")).full_clean()


def test_country_must_be_a_two_letter_code():
    assert "country" in errors_of(Organization(**org_data(country="Francia")))


def test_wrong_check_digit_is_a_field_error():
    errors = errors_of(Organization(**org_data(tax_code="06363391002")))
    assert list(errors) == ["tax_code"]


def test_focus_only_for_civil_society():
    errors = errors_of(Organization(**org_data(civil_society_focus=["environment"])))
    assert "civil_society_focus" in errors
    Organization(
        **org_data(
            cpr_category="c", eccp_subcategory="c.i", civil_society_focus=["environment", "disability"]
        )
    ).full_clean()


def test_unknown_focus_is_refused():
    errors = errors_of(
        Organization(**org_data(cpr_category="c", eccp_subcategory="c.i", civil_society_focus=["astrology"]))
    )
    assert "civil_society_focus" in errors


@pytest.mark.parametrize(
    ("cpr", "eccp", "ok"),
    [
        ("a", "a.i", True),
        ("a", "b.i", False),
        ("b", "b.ii", True),
        ("b", "c.i", False),
        ("c", "c.ii", True),
        ("c", "a.iii", True),
        ("d", "a.ii", True),
        ("d", "a.i", False),
    ],
)
def test_eccp_and_cpr_categories_must_agree(cpr, eccp, ok):
    organization = Organization(**org_data(cpr_category=cpr, eccp_subcategory=eccp))
    if ok:
        organization.full_clean()
    else:
        assert "eccp_subcategory" in errors_of(organization)


def test_duplicate_tax_code_is_reported_on_the_field_with_the_other_name(org):
    errors = errors_of(Organization(**org_data(tax_code=org.tax_code)))
    assert errors == {"tax_code": [f"Another organisation already has this tax code: {org.name}."]}


def test_an_organisation_does_not_clash_with_itself(org):
    org.full_clean()


def test_eccp_category_is_derived_from_the_subcategory(org):
    assert org.eccp_category == "b"
    assert "Economic" in org.get_eccp_category_display()


def test_mandate_expiry_before_its_date_is_refused(org):
    rep = Representative(
        organization=org,
        first_name="A",
        last_name="B",
        role="delegate",
        mandate_issuer="Presidente",
        mandate_date=date(2024, 5, 1),
        mandate_expires=date(2024, 4, 1),
    )
    assert list(errors_of(rep)) == ["mandate_expires"]


def test_mandate_in_force(org, make_representative):
    open_ended = make_representative(org)
    expired = make_representative(org, mandate_date=date(2020, 1, 1), mandate_expires=date(2021, 1, 1))
    assert open_ended.mandate_in_force
    assert not expired.mandate_in_force
    assert list(Representative.objects.in_force()) == [open_ended]
