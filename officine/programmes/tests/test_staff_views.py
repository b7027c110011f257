"""Staff pages: who gets in (login page or 403), errors next to fields with input kept, success paths."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from officine.core.models import AuditEvent
from officine.programmes.models import Fund, Membership, Priority, Programme, ProgrammeStaff

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _pages(programme, membership) -> dict[str, str]:
    cci = programme.cci
    return {
        "edit": reverse("programmes:programme_edit", args=[cci]),
        "priorities": reverse("programmes:priorities", args=[cci]),
        "memberships": reverse("programmes:memberships", args=[cci]),
        "membership_edit": reverse("programmes:membership_edit", args=[cci, membership.pk]),
        "membership_end": reverse("programmes:membership_end", args=[cci, membership.pk]),
        "staff": reverse("programmes:staff", args=[cci]),
        "create": reverse("programmes:programme_create"),
    }


ALLOWED = {
    "create": {"admin"},
    "edit": {"admin", "staff_this"},
    "priorities": {"admin", "staff_this"},
    "memberships": {"admin", "staff_this"},
    "membership_edit": {"admin", "staff_this"},
    "membership_end": {"admin", "staff_this"},
    "staff": {"admin"},
}
ROLES = ["anonymous", "plain", "observer", "representative", "staff_this", "staff_other", "admin"]


@pytest.fixture
def membership(programme, make_org, make_membership):
    return make_membership(programme, make_org(name="Legambiente", cpr_category="c", eccp_subcategory="c.i"))


@pytest.mark.parametrize("page", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, users, programme, membership, role, page):
    if role != "anonymous":
        client.force_login(users[role])
    url = _pages(programme, membership)[page]
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif role in ALLOWED[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_posts_are_refused_to_others_too(client, users, programme, membership):
    client.force_login(users["staff_other"])
    response = client.post(
        reverse("programmes:membership_end", args=[programme.cci, membership.pk]), {"end_date": "2024-12-31"}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.end_date is None


def test_membership_of_another_programme_is_404(
    client, users, programme, other_programme, make_org, make_membership
):
    foreign = make_membership(other_programme, make_org())
    client.force_login(users["staff_this"])
    response = client.get(reverse("programmes:membership_edit", args=[programme.cci, foreign.pk]))
    assert response.status_code == 404


# --- Programme form -------------------------------------------------------------------------------------


def _programme_post(authority, **fields) -> dict:
    data = {
        "cci": "2021IT16RFPR014",
        "title_it": "PR Piemonte FESR 2021-2027",
        "title_en": "",
        "cycle": "2021-2027",
        "kind": "regional",
        "region": "",
        "funds": [str(Fund.objects.get(code="ERDF").pk)],
        "managing_authority": authority.tax_code,
        "approval_date": "2022-10-07",
        "commission_decision": "C(2022) 7270",
        "website": "",
        "summary_it": "Sintesi del programma.",
        "summary_en": "",
        "source_note": "",
    }
    return {**data, **fields}


def test_create_programme_errors_keep_the_input(client, users, authority):
    client.force_login(users["admin"])
    post = _programme_post(authority, cci="2021IT16RFPR14", managing_authority="Agenzia per la")
    response = client.post(reverse("programmes:programme_create"), post)
    assert response.status_code == 200
    form = response.context["form"]
    assert "cci" in form.errors
    assert "this one has 14" in form.errors["cci"][0]
    assert "region" in form.errors  # regional programme without region
    assert "Similar names: Agenzia per la Coesione Territoriale" in form.errors["managing_authority"][0]
    html = response.content.decode()
    assert 'value="PR Piemonte FESR 2021-2027"' in html
    assert 'value="Agenzia per la"' in html
    assert "Sintesi del programma." in html
    assert 'aria-invalid="true"' in html
    assert not Programme.objects.filter(title_it="PR Piemonte FESR 2021-2027").exists()


def test_create_programme_then_page(client, users, authority, region):
    client.force_login(users["admin"])
    piemonte = region("Piemonte")
    response = client.post(
        reverse("programmes:programme_create"), _programme_post(authority, region=piemonte.pk)
    )
    programme = Programme.objects.get(cci="2021IT16RFPR014")
    assert response.status_code == 302
    assert response["Location"] == programme.get_absolute_url()
    assert programme.region == piemonte
    assert programme.managing_authority == authority
    assert AuditEvent.objects.filter(action="programme.created", actor=users["admin"]).count() == 1


def test_region_choices_are_regions_and_autonomous_provinces(client, users):
    client.force_login(users["admin"])
    form = client.get(reverse("programmes:programme_create")).context["form"]
    territories = list(form.fields["region"].queryset)
    assert len(territories) == 22
    assert {t.code for t in territories if t.level == "province"} == {"021", "022"}


def test_managing_authority_by_exact_name(client, users, authority, region):
    client.force_login(users["admin"])
    post = _programme_post(authority, region=region("Piemonte").pk, managing_authority=authority.name.lower())
    assert client.post(reverse("programmes:programme_create"), post).status_code == 302


def test_staff_edits_their_programme(client, users, programme):
    client.force_login(users["staff_this"])
    url = reverse("programmes:programme_edit", args=[programme.cci])
    form = client.get(url).context["form"]
    assert form.initial["managing_authority"] == programme.managing_authority.tax_code
    post = _programme_post(
        programme.managing_authority,
        cci=programme.cci,
        kind="national",
        title_it="PN Inclusione (nuovo titolo)",
    )
    response = client.post(url, post)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.title_it == "PN Inclusione (nuovo titolo)"
    event = AuditEvent.objects.get(action="programme.updated")
    assert event.changes["title_it"][1] == "PN Inclusione (nuovo titolo)"


def test_edit_with_cycle_mismatch_keeps_input(client, users, programme):
    client.force_login(users["staff_this"])
    post = _programme_post(
        programme.managing_authority, cci=programme.cci, kind="national", cycle="2014-2020"
    )
    response = client.post(reverse("programmes:programme_edit", args=[programme.cci]), post)
    assert response.status_code == 200
    assert "outside the 2014-2020 period" in response.context["form"].errors["cci"][0]
    assert 'value="PR Piemonte FESR 2021-2027"' in response.content.decode()
    programme.refresh_from_db()
    assert programme.cycle == "2021-2027"


# --- Priorities -----------------------------------------------------------------------------------------


def _formset_post(rows: list[dict], initial: int) -> dict:
    data = {
        "priorities-TOTAL_FORMS": str(len(rows)),
        "priorities-INITIAL_FORMS": str(initial),
        "priorities-MIN_NUM_FORMS": "0",
        "priorities-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"priorities-{i}-{key}"] = value
    return data


def test_priorities_editor(client, users, programme):
    first = Priority.objects.create(programme=programme, code="1", title_it="Occupazione", order=1)
    gone = Priority.objects.create(programme=programme, code="2", title_it="Da togliere", order=2)
    client.force_login(users["staff_this"])
    url = reverse("programmes:priorities", args=[programme.cci])
    rows = [
        {"id": first.pk, "code": "1", "title_it": "Occupazione e lavoro", "title_en": "", "order": "2"},
        {"id": gone.pk, "code": "2", "title_it": "Da togliere", "title_en": "", "order": "2", "DELETE": "on"},
        {"code": "3", "title_it": "Inclusione", "title_en": "Inclusion", "order": "1"},
        {"code": "", "title_it": "", "title_en": "", "order": ""},
    ]
    response = client.post(url, _formset_post(rows, 2))
    assert response.status_code == 302
    assert list(programme.priorities.order_by("order").values_list("code", "title_it")) == [
        ("3", "Inclusione"),
        ("1", "Occupazione e lavoro"),
    ]


def test_priorities_duplicate_numbers_keep_the_input(client, users, programme):
    client.force_login(users["admin"])
    rows = [
        {"code": "1", "title_it": "Prima", "title_en": "", "order": "1"},
        {"code": "1", "title_it": "Seconda", "title_en": "", "order": "2"},
    ]
    response = client.post(reverse("programmes:priorities", args=[programme.cci]), _formset_post(rows, 0))
    assert response.status_code == 200
    assert "Another priority already has this number." in response.content.decode()
    assert 'value="Seconda"' in response.content.decode()
    assert not Priority.objects.exists()


# --- Partnership ----------------------------------------------------------------------------------------


def _membership_post(org_text: str, **fields) -> dict:
    data = {
        "organization": org_text,
        "is_consultee": "on",
        "is_committee_member": "on",
        "start_date": "2023-03-01",
        "end_date": "",
        "selection_act_number": "DD 45/2023",
        "selection_act_date": "2023-02-15",
        "selection_url": "https://example.org/atti/45",
    }
    return {**data, **fields}


def test_add_membership_by_tax_code_with_document(client, users, programme, make_org):
    org = make_org(name="CGIL Nazionale", tax_code="80007654322")
    client.force_login(users["staff_this"])
    post = _membership_post("800 0765 4322", selection_document=SimpleUploadedFile("atto.pdf", PDF))
    response = client.post(reverse("programmes:memberships", args=[programme.cci]), post)
    assert response.status_code == 302
    membership = Membership.objects.get(programme=programme, organization=org)
    assert membership.is_committee_member and not membership.is_working_group_member
    assert membership.selection_document.name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="membership.added").count() == 1


def test_add_membership_errors_keep_the_input(client, users, programme, make_org):
    make_org(name="Legambiente Onlus")
    client.force_login(users["staff_this"])
    post = _membership_post(
        "Legambiente",
        is_consultee="",
        is_committee_member="",
        end_date="2022-01-01",
        selection_document=SimpleUploadedFile("atto.pdf", b"MZ not really a pdf"),
    )
    response = client.post(reverse("programmes:memberships", args=[programme.cci]), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Similar names: Legambiente Onlus" in errors["organization"][0]
    assert "does not match its extension" in errors["selection_document"][0]
    html = response.content.decode()
    assert 'value="Legambiente"' in html
    assert 'value="DD 45/2023"' in html
    assert 'value="https://example.org/atti/45"' in html
    assert not Membership.objects.exists()


def test_add_membership_without_role_or_with_bad_period(client, users, programme, make_org):
    org = make_org(name="UIL", tax_code="97000000014")
    client.force_login(users["admin"])
    post = _membership_post(org.tax_code, is_consultee="", is_committee_member="", end_date="2022-01-01")
    response = client.post(reverse("programmes:memberships", args=[programme.cci]), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["is_consultee"] == ["Choose at least one role."]
    assert errors["end_date"] == ["The end date comes before the start date."]


def test_find_organisation_and_prefill(client, users, programme, make_org):
    org = make_org(name="Forum Nazionale del Terzo Settore")
    client.force_login(users["staff_this"])
    url = reverse("programmes:memberships", args=[programme.cci])
    response = client.get(url, {"find": "terzo settore"})
    assert list(response.context["found"]) == [org]
    response = client.get(url, {"organization": org.pk})
    assert response.context["form"].initial["organization"] == org.name


def test_edit_and_end_membership(client, users, programme, membership):
    client.force_login(users["staff_this"])
    edit = reverse("programmes:membership_edit", args=[programme.cci, membership.pk])
    post = _membership_post("", is_working_group_member="on")
    post.pop("organization")
    assert client.post(edit, post).status_code == 302
    membership.refresh_from_db()
    assert membership.is_working_group_member
    end = reverse("programmes:membership_end", args=[programme.cci, membership.pk])
    response = client.post(end, {"end_date": "2020-01-01"})
    assert response.status_code == 200
    assert "comes before the start date" in response.context["form"].errors["end_date"][0]
    assert 'value="2020-01-01"' in response.content.decode()
    assert client.post(end, {"end_date": "2024-12-31"}).status_code == 302
    membership.refresh_from_db()
    assert membership.end_date == date(2024, 12, 31)


# --- Staff assignment -----------------------------------------------------------------------------------


def test_staff_assignment(client, users, programme, make_user):
    person = make_user("Funzionaria@Example.org")
    client.force_login(users["admin"])
    url = reverse("programmes:staff", args=[programme.cci])
    response = client.post(url, {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "No account has this e-mail address" in response.context["form"].errors["email"][0]
    assert 'value="nobody@example.org"' in response.content.decode()
    assert client.post(url, {"email": "funzionaria@example.org"}).status_code == 302
    row = ProgrammeStaff.objects.get(programme=programme, user=person)
    response = client.post(url, {"email": "funzionaria@example.org"})
    assert "already works on this programme" in response.context["form"].errors["email"][0]
    remove = reverse("programmes:staff_remove", args=[programme.cci, row.pk])
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not ProgrammeStaff.objects.filter(user=person).exists()


def test_staff_cannot_assign_staff(client, users, programme, make_user):
    make_user("altro@example.org")
    client.force_login(users["staff_this"])
    response = client.post(reverse("programmes:staff", args=[programme.cci]), {"email": "altro@example.org"})
    assert response.status_code == 403
    assert ProgrammeStaff.objects.filter(programme=programme).count() == 1
