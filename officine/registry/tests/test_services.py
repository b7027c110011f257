"""Write paths: validated, atomic, audited, and keeping the search document in step."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from officine.core.models import AuditEvent
from officine.core.search import apply_search
from officine.registry import services
from officine.registry.models import Organization, Representative
from officine.registry.tests.conftest import org_data

pytestmark = pytest.mark.django_db


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def test_create_organization_records_audit_and_search_document(admin_user, municipality, region):
    organization = services.create_organization(
        admin_user,
        **org_data(
            name="Università degli Studi di Bari", acronym="UNIBA", cpr_category="d", eccp_subcategory="a.ii"
        ),
        territories=[municipality, region.pk],
        municipalities="Bari",  # form-only keys are ignored
    )
    assert set(organization.territories.values_list("name", flat=True)) == {"Bari", "Puglia"}
    event = events("registry.organization.created").get()
    assert event.actor == admin_user
    assert event.target_id == str(organization.pk)
    assert event.changes["name"] == "Università degli Studi di Bari"
    assert sorted(event.changes["territories"]) == sorted([municipality.pk, region.pk])
    found = apply_search(Organization.objects.all(), "universita bari puglia uniba")
    assert list(found) == [organization]
    assert list(apply_search(Organization.objects.all(), organization.tax_code)) == [organization]


def test_create_with_invalid_data_saves_nothing(admin_user):
    with pytest.raises(ValidationError) as exc:
        services.create_organization(admin_user, **org_data(tax_code="06363391002"))
    assert "tax_code" in exc.value.message_dict
    assert not Organization.objects.exists()
    assert not AuditEvent.objects.exists()


def test_update_records_only_what_changed(admin_user, org, region):
    org.name = "Changed in memory by a bound form"  # the service must read "before" from the database
    services.update_organization(admin_user, org, {"acronym": "CGIL-N", "territories": [region]})
    event = events("registry.organization.updated").get()
    assert event.changes == {"acronym": ["CGIL", "CGIL-N"], "territories": [[], [region.pk]]}
    org.refresh_from_db()
    assert org.name == "Confederazione Generale Italiana del Lavoro"
    assert " pugl" in org.search_document


def test_update_without_changes_writes_no_event(admin_user, org):
    services.update_organization(admin_user, org, {"acronym": org.acronym})
    assert not events("registry.organization.updated").exists()


def test_update_validates(admin_user, org, other_org):
    with pytest.raises(ValidationError) as exc:
        services.update_organization(admin_user, other_org, {"tax_code": org.tax_code})
    assert "tax_code" in exc.value.message_dict


def test_umbrella_rules(admin_user, make_org):
    network = make_org(name="Forum Nazionale del Terzo Settore", is_umbrella=True)
    plain = make_org(name="Circolo locale")
    member = make_org(name="Associazione aderente", umbrella_networks=[network])
    assert list(member.umbrella_networks.all()) == [network]
    with pytest.raises(ValidationError, match="not an umbrella"):
        services.update_organization(admin_user, member, {"umbrella_networks": [plain]})
    with pytest.raises(ValidationError, match="member of itself"):
        services.update_organization(admin_user, network, {"umbrella_networks": [network]})
    with pytest.raises(ValidationError) as exc:
        services.update_organization(admin_user, network, {"is_umbrella": False})
    assert "is_umbrella" in exc.value.message_dict


def test_set_active_is_audited_once(admin_user, org):
    services.set_active(admin_user, org, False)
    services.set_active(admin_user, org, False)
    org.refresh_from_db()
    assert org.is_active is False
    assert events("registry.organization.deactivated").count() == 1
    services.set_active(admin_user, org, True)
    assert events("registry.organization.activated").count() == 1


def _count_refresh_queries() -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        services.refresh_search_documents(Organization.objects.all())
    return len(ctx.captured_queries)


def test_refresh_search_documents_in_bulk(make_org, municipality, django_assert_num_queries):
    for _ in range(3):
        make_org(territories=[municipality])
    Organization.objects.update(search_document="", name="Cooperativa Sociale Aurora")
    few = _count_refresh_queries()
    assert apply_search(Organization.objects.all(), "aurora bari").count() == 3
    for _ in range(27):
        make_org(territories=[municipality])
    Organization.objects.update(search_document="", name="Cooperativa Sociale Aurora")
    with django_assert_num_queries(few):
        updated = services.refresh_search_documents(Organization.objects.all())
    assert updated == 30
    assert apply_search(Organization.objects.all(), "aurora bari").count() == 30


def test_representative_lifecycle_is_audited(admin_user, org, django_capture_on_commit_callbacks):
    document = SimpleUploadedFile("mandato.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    rep = services.create_representative(
        admin_user,
        org,
        first_name="Anna",
        last_name="Neri",
        role="delegate",
        mandate_issuer="Segretario generale",
        mandate_date=date(2024, 3, 1),
        mandate_document=document,
    )
    assert rep.organization == org
    assert events("registry.representative.created").get().changes["mandate_document"].startswith("mandates/")
    services.update_representative(
        admin_user, rep, {"position": "Segretaria confederale", "mandate_document": None}
    )
    rep.refresh_from_db()
    assert rep.mandate_document  # None keeps the file, as a form does when nothing new is chosen
    assert events("registry.representative.updated").get().changes == {
        "position": ["", "Segretaria confederale"]
    }
    stored = rep.mandate_document.name
    storage = rep.mandate_document.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_representative(admin_user, rep)
    assert not Representative.objects.exists()
    assert events("registry.representative.deleted").get().changes["last_name"] == "Neri"
    assert not storage.exists(stored)


def test_representative_validation(admin_user, org):
    with pytest.raises(ValidationError) as exc:
        services.create_representative(
            admin_user,
            org,
            first_name="Anna",
            last_name="Neri",
            role="boss",
            mandate_issuer="x",
            mandate_date=date(2024, 3, 1),
        )
    assert "role" in exc.value.message_dict
    assert not Representative.objects.exists()


def test_record_export(observer_user):
    event = services.record_export(observer_user, "csv", {"query": "lavoro", "region_id": None}, 12)
    assert event.changes == {"format": "csv", "rows": 12, "filters": {"query": "lavoro"}}


def test_old_pending_imports_are_pruned(db, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from officine.registry.models import PendingImport
    from officine.registry.services import PENDING_IMPORT_DAYS, prune_pending_imports

    old = timezone.now() - timedelta(days=PENDING_IMPORT_DAYS + 1)
    stale = PendingImport.objects.create(
        created_by=admin_user, filename="a.csv", file_format="csv", content=b"x"
    )
    done = PendingImport.objects.create(
        created_by=admin_user, filename="b.csv", file_format="csv", content=b"y", imported_at=old
    )
    fresh = PendingImport.objects.create(
        created_by=admin_user, filename="c.csv", file_format="csv", content=b"z"
    )
    PendingImport.objects.filter(pk__in=[stale.pk, done.pk]).update(created_at=old)
    assert prune_pending_imports() == 2
    assert not PendingImport.objects.filter(pk=stale.pk).exists()
    done.refresh_from_db()
    assert bytes(done.content) == b"" and done.imported_count == 0
    fresh.refresh_from_db()
    assert bytes(fresh.content) == b"z"
