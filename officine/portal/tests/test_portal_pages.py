import pytest
from django.urls import reverse

from officine.conftest import enrol_totp, make_user
from officine.programmes.models import Membership, Programme, ProgrammeStaff
from officine.registry.models import Organization


def _organisation(n: int, **extra) -> Organization:
    defaults = {
        "name": f"Organizzazione {n:03d}",
        "legal_form": "association",
        "eccp_subcategory": "c.i",
        "cpr_category": "c",
        "territorial_level": "national",
    }
    return Organization.objects.create(**{**defaults, **extra})


def _programme(n: int, authority: Organization) -> Programme:
    return Programme.objects.create(
        cci=f"2021IT05FFPR{n:03d}",
        title_it=f"PN Prova {n}",
        cycle="2021-2027",
        kind="national",
        managing_authority=authority,
    )


def _populate(programmes: int, members: int) -> list[Programme]:
    authority = _organisation(0, legal_form="public_body", eccp_subcategory="a.i", cpr_category="a")
    created = []
    for p in range(1, programmes + 1):
        programme = _programme(p, authority)
        for m in range(members):
            org = _organisation(p * 1000 + m)
            Membership.objects.create(
                programme=programme,
                organization=org,
                start_date="2023-01-01",
                selection_act_number="1/2023",
                selection_act_date="2022-12-15",
            )
        created.append(programme)
    return created


@pytest.mark.django_db
def test_home_shows_real_figures(client):
    _populate(programmes=2, members=3)
    response = client.get("/it/")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.programmes_2021 == 2
    assert summary.national_2021 == 2
    assert summary.organisations == 7
    assert summary.members == 6
    assert summary.with_partnership == 2
    assert [p.partner_count for p in summary.featured] == [3, 3]
    assert "PN Prova 1" in response.content.decode()


@pytest.mark.django_db
def test_home_query_count_does_not_grow(client, django_assert_num_queries):
    _populate(programmes=2, members=2)
    client.get("/it/")  # warm caches (content types, etc.)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/it/")
    _populate_more = _populate  # same shape, more rows
    Programme.objects.all().delete()
    Organization.objects.all().delete()
    _populate_more(programmes=8, members=6)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/it/")


@pytest.mark.django_db
def test_home_in_english_and_empty_state(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()
    assert "No partnership has been published yet." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("plain", 403), ("observer", 403), ("staff", 200), ("admin", 200)],
)
def test_staff_home_access(client, role, expected):
    if role != "anonymous":
        extra = {
            "is_observer": role == "observer",
            "is_superuser": role == "admin",
            "is_staff": role == "admin",
        }
        user = make_user(f"{role}@example.org", **extra)
        if role == "staff":
            programme = _populate(programmes=1, members=1)[0]
            ProgrammeStaff.objects.create(programme=programme, user=user)
        if role in ("staff", "admin"):
            enrol_totp(user)
        client.force_login(user)
    response = client.get(reverse("portal:staff_home"))
    assert response.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/it/privacy/", "/en/legal-notes/", "/it/accessibility/feedback/"])
def test_legal_pages_render(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_unknown_page_is_a_translated_404(client):
    response = client.get("/it/does-not-exist/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_selection_act_document_is_served_publicly(client):
    from django.core.files.base import ContentFile

    programme = _populate(programmes=1, members=2)[0]
    with_doc, without_doc = programme.memberships.order_by("pk")
    with_doc.selection_document.save("atto.pdf", ContentFile(b"%PDF-1.7 atto di individuazione"))
    url = reverse("portal:selection_document", args=[programme.cci, with_doc.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.7")
    missing = reverse("portal:selection_document", args=[programme.cci, without_doc.pk])
    assert client.get(missing).status_code == 404
    wrong_programme = reverse("portal:selection_document", args=["2021IT05FFPR999", with_doc.pk])
    assert client.get(wrong_programme).status_code == 404


@pytest.mark.django_db
def test_programme_member_table_is_paginated_but_panel_covers_everyone(client, monkeypatch):
    from officine.portal import views_programmes

    monkeypatch.setattr(views_programmes, "COMPOSITION_PAGE_SIZE", 2)
    programme = _populate(programmes=1, members=3)[0]
    first = client.get(programme.get_absolute_url())
    assert len(first.context["memberships"]) == 2
    assert first.context["panel"].total_members == 3
    assert "?page=2" in first.content.decode()
    second = client.get(programme.get_absolute_url() + "?page=2")
    assert len(second.context["memberships"]) == 1
    names = {row.name for row in first.context["memberships"]} | {
        row.name for row in second.context["memberships"]
    }
    assert len(names) == 3
