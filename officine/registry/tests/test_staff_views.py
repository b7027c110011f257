"""Staff pages: permissions (login redirect, 403), forms that keep input on error, import and export flows."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from officine.core.models import AuditEvent
from officine.registry.models import Organization, PendingImport, Representative
from officine.registry.tests.conftest import body_tax_code
from officine.registry.tests.test_importing import csv_bytes, good_rows

pytestmark = pytest.mark.django_db


def create_url() -> str:
    return reverse("registry:organization_create")


def org_post(**overrides) -> dict:
    data = {
        "name": "Associazione Italiana per il Consiglio dei Comuni",
        "acronym": "AICCRE",
        "legal_form": "association",
        "country": "IT",
        "tax_code": body_tax_code(5001),
        "eccp_subcategory": "a.i",
        "cpr_category": "a",
        "territorial_level": "national",
        "municipalities": "",
        "description_it": "Sezione italiana del CCRE.",
    }
    data.update(overrides)
    return data


# --- Permissions --------------------------------------------------------------------------------------------


def staff_urls(org, rep) -> list[tuple[str, str]]:
    """(url, permission it needs) for every staff page."""
    return [
        (create_url(), "manage"),
        (reverse("registry:organization_edit", args=[org.pk]), "manage"),
        (reverse("registry:representative_create", args=[org.pk]), "manage"),
        (reverse("registry:representative_edit", args=[rep.pk]), "manage"),
        (reverse("registry:representative_delete", args=[rep.pk]), "manage"),
        (reverse("registry:import_upload"), "manage"),
        (reverse("registry:import_template"), "manage"),
        (reverse("registry:export"), "export"),
        (reverse("registry:export_download", args=["csv"]), "export"),
    ]


@pytest.mark.parametrize("role", ["anonymous", "plain", "observer", "representative", "staff", "admin"])
def test_staff_pages_permission_matrix(client, users, org, make_representative, role):
    rep = make_representative(org)
    if role != "anonymous":
        client.force_login(users[role])
    for url, needs in staff_urls(org, rep):
        response = client.get(url)
        allowed = role in ("staff", "admin") or (needs == "export" and role == "observer")
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], url
        elif allowed:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


# --- Organisation form --------------------------------------------------------------------------------------


def test_create_organisation(client, users, municipality, region):
    client.force_login(users["staff"])
    response = client.post(create_url(), org_post(areas=[region.pk], municipalities="Bari"))
    organization = Organization.objects.get(acronym="AICCRE")
    assert response.status_code == 302 and response["Location"] == organization.get_absolute_url()
    assert set(organization.territories.all()) == {municipality, region}
    assert AuditEvent.objects.filter(action="registry.organization.created", actor=users["staff"]).exists()


def test_wrong_tax_code_shows_the_error_and_keeps_the_input(client, users):
    client.force_login(users["staff"])
    response = client.post(create_url(), org_post(tax_code="06363391002", municipalities="Lecce; Castro"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"tax_code", "municipalities"}
    html = response.content.decode()
    assert 'value="06363391002"' in html
    assert 'value="Associazione Italiana per il Consiglio dei Comuni"' in html
    assert "Lecce; Castro" in html  # the typed text stays in the field
    assert "Castro (BG)" in html and "Castro (LE)" in html  # the ambiguous entry is explained
    assert 'aria-invalid="true"' in html
    assert not Organization.objects.filter(acronym="AICCRE").exists()


def test_duplicate_tax_code_is_a_field_error(client, users, org):
    client.force_login(users["staff"])
    response = client.post(create_url(), org_post(tax_code=org.tax_code))
    assert response.status_code == 200
    assert org.name in str(response.context["form"].errors["tax_code"])


def test_edit_shows_territories_and_saves(client, users, org, municipality, region):
    from officine.registry import services

    services.update_organization(None, org, {"territories": [municipality, region]})
    client.force_login(users["staff"])
    url = reverse("registry:organization_edit", args=[org.pk])
    form = client.get(url).context["form"]
    assert form.initial["municipalities"] == "Bari (BA)"
    assert form.initial["areas"] == [region.pk]
    data = org_post(name=org.name, tax_code=org.tax_code, cpr_category="b", eccp_subcategory="b.i",
                    municipalities="Bari (BA), 075035")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.acronym == "AICCRE"
    assert sorted(org.territories.values_list("name", flat=True)) == ["Bari", "Lecce"]
    event = AuditEvent.objects.get(action="registry.organization.updated", actor=users["staff"])
    assert event.changes["acronym"] == ["CGIL", "AICCRE"]


def test_umbrella_choices_exclude_non_umbrellas_and_self(client, users, org, make_org):
    network = make_org(name="Rete dei Numeri Pari", is_umbrella=True)
    client.force_login(users["staff"])
    form = client.get(reverse("registry:organization_edit", args=[network.pk])).context["form"]
    assert list(form.fields["umbrella_networks"].queryset) == []
    form = client.get(reverse("registry:organization_edit", args=[org.pk])).context["form"]
    assert list(form.fields["umbrella_networks"].queryset) == [network]


def test_withdraw_and_relist(client, users, org):
    client.force_login(users["staff"])
    url = reverse("registry:organization_set_active", args=[org.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"active": "0"})
    org.refresh_from_db()
    assert not org.is_active
    client.post(url, {"active": "1"})
    org.refresh_from_db()
    assert org.is_active


# --- Representatives ----------------------------------------------------------------------------------------


def rep_post(**overrides) -> dict:
    data = {
        "first_name": "Lucia",
        "last_name": "Esposito",
        "position": "Responsabile politiche di coesione",
        "role": "delegate",
        "email": "lucia@example.org",
        "phone": "",
        "gender": "F",
        "is_public": "on",
        "mandate_issuer": "Segreteria nazionale",
        "mandate_date": "2024-02-01",
        "mandate_expires": "",
        "user_email": "",
    }
    data.update(overrides)
    return data


def test_refused_mandate_file_keeps_the_other_fields(client, users, org):
    client.force_login(users["staff"])
    url = reverse("registry:representative_create", args=[org.pk])
    fake_pdf = SimpleUploadedFile("mandato.pdf", b"MZ\x90\x00\x03 not a pdf", content_type="application/pdf")
    response = client.post(url, {**rep_post(), "mandate_document": fake_pdf})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["mandate_document"]
    html = response.content.decode()
    assert 'value="Lucia"' in html and 'value="Segreteria nazionale"' in html and 'value="2024-02-01"' in html
    assert not Representative.objects.filter(last_name="Esposito").exists()


def test_create_representative_with_document_and_account(client, users, org, plain_user):
    client.force_login(users["staff"])
    url = reverse("registry:representative_create", args=[org.pk])
    pdf = SimpleUploadedFile("mandato.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(url, {**rep_post(user_email=plain_user.email.upper()), "mandate_document": pdf})
    assert response.status_code == 302
    rep = Representative.objects.get(last_name="Esposito")
    assert rep.user == plain_user and rep.mandate_document.name.endswith(".pdf")
    download = client.get(reverse("registry:representative_mandate", args=[rep.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_unknown_account_email_is_an_error(client, users, org):
    client.force_login(users["staff"])
    url = reverse("registry:representative_create", args=[org.pk])
    response = client.post(url, rep_post(user_email="nessuno@example.org", mandate_expires="2020-01-01"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"user_email", "mandate_expires"}


def test_edit_and_delete_representative(client, users, org, make_representative):
    rep = make_representative(org)
    client.force_login(users["staff"])
    response = client.post(
        reverse("registry:representative_edit", args=[rep.pk]),
        rep_post(first_name="Maria", last_name="Rossi"),
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.position == "Responsabile politiche di coesione"
    assert client.post(reverse("registry:representative_delete", args=[rep.pk])).status_code == 302
    assert not Representative.objects.filter(pk=rep.pk).exists()


@pytest.mark.parametrize(
    ("role", "status"), [("plain", 403), ("other_representative", 403), ("representative", 200)]
)
def test_mandate_document_download_permissions(client, users, org, role, status):
    rep = Representative.objects.get(user=users["representative"])
    rep.mandate_document.save("mandato.pdf", io.BytesIO(b"%PDF-1.4 x"))
    client.force_login(users[role])
    assert client.get(reverse("registry:representative_mandate", args=[rep.pk])).status_code == status


# --- Import flow --------------------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "partner.csv"):
    return client.post(reverse("registry:import_upload"), {"file": SimpleUploadedFile(name, content)})


def test_import_with_bad_rows_then_good_file(client, users):
    client.force_login(users["staff"])
    rows = good_rows()
    rows[1][3] = "06363391002"
    rows[2][5] = "z"
    response = upload(client, csv_bytes(rows, ";"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert [(i.line, i.letter) for i in preview.context["result"].errors] == [(3, "D"), (4, "F")]
    assert "Confirm import" not in html
    assert "D – codice_fiscale" in html and "F – categoria_cpr" in html
    pending = PendingImport.objects.get()
    refused = client.post(reverse("registry:import_confirm", args=[pending.pk]))
    assert refused.status_code == 302
    assert Organization.objects.filter(name="Legambiente Puglia").count() == 0

    response = upload(client, csv_bytes(good_rows()))
    good = PendingImport.objects.latest("pk")
    preview = client.get(response["Location"])
    assert "Confirm import" in preview.content.decode()
    done = client.post(reverse("registry:import_confirm", args=[good.pk]), follow=True)
    assert done.redirect_chain[-1][0] == reverse("portal:directory")
    assert "3 organisations have been imported." in done.content.decode()
    again = client.post(reverse("registry:import_confirm", args=[good.pk]), follow=True)
    assert "already been imported" in again.content.decode()
    assert Organization.objects.filter(name="Legambiente Puglia").count() == 1


def test_upload_refuses_a_renamed_file(client, users):
    client.force_login(users["staff"])
    response = upload(client, b"%PDF-1.4 not a spreadsheet", name="partner.xlsx")
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not PendingImport.objects.exists()


def test_an_import_belongs_to_its_creator(client, users, mfa_admin):
    client.force_login(users["staff"])
    upload(client, csv_bytes(good_rows()))
    pending = PendingImport.objects.get()
    client.force_login(mfa_admin)
    assert client.get(reverse("registry:import_preview", args=[pending.pk])).status_code == 404
    assert client.post(reverse("registry:import_confirm", args=[pending.pk])).status_code == 404
    assert not Organization.objects.filter(name="Legambiente Puglia").exists()


def test_upload_page_shows_the_form_and_the_accepted_columns(client, users):
    client.force_login(users["staff"])
    html = client.get(reverse("registry:import_upload")).content.decode()
    assert "csrfmiddlewaretoken" in html and 'enctype="multipart/form-data"' in html
    assert "<code>codice_fiscale</code>" in html and "Values of lists may be written as codes" in html


def test_template_download(client, users):
    client.force_login(users["staff"])
    response = client.get(reverse("registry:import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("name,acronym,legal_form")  # /en/ page


# --- Export -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods"])
def test_export_download_for_observer(client, users, org, other_org, file_format):
    client.force_login(users["observer"])
    response = client.get(reverse("registry:export_download", args=[file_format]), {"cpr_category": "c"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="registry.registry.exported")
    assert event.changes == {"format": file_format, "rows": 1, "filters": {"cpr_category": "c"}}


def test_export_unknown_format_is_404(client, users):
    client.force_login(users["observer"])
    assert client.get(reverse("registry:export_download", args=["pdf"])).status_code == 404


def test_export_page_keeps_filters(client, users):
    client.force_login(users["observer"])
    html = client.get(reverse("registry:export"), {"q": "lavoro"}).content.decode()
    assert reverse("registry:export_download", args=["ods"]) + "?q=lavoro" in html


def test_mandate_date_input_round_trips(client, users, org, make_representative):
    rep = make_representative(org, mandate_date=date(2024, 1, 15))
    client.force_login(users["staff"])
    html = client.get(reverse("registry:representative_edit", args=[rep.pk])).content.decode()
    assert 'value="2024-01-15"' in html


@pytest.mark.django_db(transaction=True)
def test_unknown_account_email_can_be_invited(client, users, org):
    from django.core import mail

    from officine.accounts.models import User

    client.force_login(users["staff"])
    url = reverse("registry:representative_create", args=[org.pk])
    response = client.post(url, rep_post(user_email="Nuova.Delegata@Example.org", invite_account="on"))
    assert response.status_code == 302
    rep = Representative.objects.get(last_name="Esposito")
    assert rep.user == User.objects.get(email="nuova.delegata@example.org")
    assert rep.user.full_name == f"{rep.first_name} {rep.last_name}"
    assert org.pk in rep.user.represented_organization_ids
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nuova.delegata@example.org"]


def test_no_invitation_when_the_form_is_refused(client, users, org, make_representative):
    from officine.accounts.models import User

    client.force_login(users["staff"])
    url = reverse("registry:representative_create", args=[org.pk])
    response = client.post(
        url, rep_post(user_email="nuovo@example.org", invite_account="on", mandate_expires="2020-01-01")
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="nuovo@example.org").exists()
