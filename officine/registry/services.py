"""Every write to the registry: one function per use case, atomic, validated and audited.

Views and the import never save models directly; they call these functions, so the search document,
the consistency checks and the audit trail cannot be forgotten on any path.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core import audit
from officine.core.models import AuditEvent
from officine.core.search import build_document

from .models import Organization, PendingImport, Representative, Territory

ORGANIZATION_M2M = ("territories", "umbrella_networks")
_ORGANIZATION_FIELDS = {
    f.name for f in Organization._meta.concrete_fields if f.editable and not f.primary_key
} - {"created_at", "updated_at"}
_REPRESENTATIVE_FIELDS = {
    f.name for f in Representative._meta.concrete_fields if f.editable and not f.primary_key
} - {"created_at", "updated_at", "organization"}


def organization_search_document(organization: Organization, territory_names: Iterable[str]) -> str:
    """What the directory's search box looks into: names, codes, descriptions and places.

    A personal (16-character) tax code is left out: the public search must not confirm who holds it.
    """
    return build_document(
        organization.name,
        organization.acronym,
        "" if organization.tax_code_is_personal else organization.tax_code,
        organization.vat_number,
        organization.ipa_code,
        organization.description_it,
        organization.description_en,
        *territory_names,
    )


_NOT_AUDITED = ("created_at", "updated_at", "search_document")


def organization_snapshot(organization: Organization) -> dict[str, Any]:
    """The audited picture of an organisation: timestamps and the derived search document are noise."""
    snap = audit.snapshot(organization)
    for name in _NOT_AUDITED:
        snap.pop(name, None)
    return snap


def _split(data: dict[str, Any], allowed: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate model fields from many-to-many values; ignore form-only keys (e.g. helper fields)."""
    fields = {k: v for k, v in data.items() if k in allowed}
    m2m = {k: v for k, v in data.items() if k in ORGANIZATION_M2M}
    return fields, m2m


def _check_networks(organization: Organization, networks: Iterable[Organization] | None) -> None:
    if networks is None:
        return
    errors = []
    for network in networks:
        if organization.pk and network.pk == organization.pk:
            errors.append(_("An organisation cannot be a member of itself."))
        elif not network.is_umbrella:
            errors.append(_("%(name)s is not an umbrella network.") % {"name": network.name})
    if errors:
        raise ValidationError({"umbrella_networks": errors})


def _territory_ids(values: Iterable[Territory | int] | None) -> list[int] | None:
    if values is None:
        return None
    return [v.pk if isinstance(v, Territory) else int(v) for v in values]


def _refresh_document(organization: Organization) -> None:
    names = organization.territories.values_list("name", flat=True)
    document = organization_search_document(organization, names)
    if document != organization.search_document:
        organization.search_document = document
        Organization.objects.filter(pk=organization.pk).update(search_document=document)


@transaction.atomic
def create_organization(actor, **data: Any) -> Organization:
    """Create an organisation with its territories and networks; ``data`` may be a form's cleaned_data."""
    fields, m2m = _split(data, _ORGANIZATION_FIELDS)
    organization = Organization(**fields)
    organization.full_clean()
    networks = m2m.get("umbrella_networks")
    _check_networks(organization, networks)
    organization.save()
    territory_ids = _territory_ids(m2m.get("territories"))
    if territory_ids:
        organization.territories.set(territory_ids)
    if networks:
        organization.umbrella_networks.set(networks)
    _refresh_document(organization)
    audit.record(actor, "registry.organization.created", organization, organization_snapshot(organization))
    return organization


@transaction.atomic
def update_organization(actor, organization: Organization, data: dict[str, Any]) -> Organization:
    """Change the fields given in ``data`` (only those); the "before" picture is read from the database,
    because a bound ModelForm has already written the new values onto the instance it was given."""
    current = Organization.objects.select_for_update().get(pk=organization.pk)
    before = organization_snapshot(current)
    fields, m2m = _split(data, _ORGANIZATION_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    networks = m2m.get("umbrella_networks")
    _check_networks(current, networks)
    if current.is_umbrella is False and before.get("is_umbrella") and current.network_members.exists():
        raise ValidationError(
            {
                "is_umbrella": _(
                    "Other organisations are listed as members of this network; remove them first."
                )
            }
        )
    current.save()
    if "territories" in m2m:
        current.territories.set(_territory_ids(m2m["territories"]) or [])
    if networks is not None:
        current.umbrella_networks.set(networks)
    _refresh_document(current)
    changes = audit.diff(before, organization_snapshot(current))
    if changes:
        audit.record(actor, "registry.organization.updated", current, changes)
    return current


@transaction.atomic
def set_active(actor, organization: Organization, active: bool) -> Organization:
    """Withdraw an organisation from the public directory (or bring it back) without deleting its history."""
    current = Organization.objects.select_for_update().get(pk=organization.pk)
    if current.is_active != active:
        current.is_active = active
        current.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor,
            "registry.organization.activated" if active else "registry.organization.deactivated",
            current,
            {"is_active": [not active, active]},
        )
    return current


def refresh_search_documents(queryset: QuerySet[Organization], batch_size: int = 1000) -> int:
    """Recompute ``search_document`` for many organisations (after a bulk import, seeding or a rule change).

    Territory names are read with one query per batch, so the cost grows with batches, not with rows.
    """
    through = Organization.territories.through
    updated = 0
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        chunk = pks[start : start + batch_size]
        names: dict[int, list[str]] = defaultdict(list)
        for org_id, name in through.objects.filter(organization_id__in=chunk).values_list(
            "organization_id", "territory__name"
        ):
            names[org_id].append(name)
        batch = list(Organization.objects.filter(pk__in=chunk))
        for organization in batch:
            organization.search_document = organization_search_document(organization, names[organization.pk])
        Organization.objects.bulk_update(batch, ["search_document"])
        updated += len(batch)
    return updated


# --- Representatives ----------------------------------------------------------------------------------------


def representative_snapshot(representative: Representative) -> dict[str, Any]:
    """``audit.snapshot`` without touching the file field (core's helper asks an empty FieldFile for its
    url, which raises); the document is recorded by its stored name."""
    skip = {"mandate_document", *_NOT_AUDITED}
    names = [f.name for f in Representative._meta.concrete_fields if f.name not in skip]
    data = audit.snapshot(representative, names)
    data["mandate_document"] = representative.mandate_document.name or ""
    return data


def _assign_representative(representative: Representative, data: dict[str, Any]) -> None:
    """Set fields the way a form would: a file field given None keeps its file, False clears it."""
    for name, value in data.items():
        if name in _REPRESENTATIVE_FIELDS:
            Representative._meta.get_field(name).save_form_data(representative, value)


@transaction.atomic
def create_representative(actor, organization: Organization, **data: Any) -> Representative:
    representative = Representative(organization=organization)
    _assign_representative(representative, data)
    representative.full_clean()
    representative.save()
    audit.record(
        actor, "registry.representative.created", representative, representative_snapshot(representative)
    )
    return representative


@transaction.atomic
def update_representative(actor, representative: Representative, data: dict[str, Any]) -> Representative:
    current = Representative.objects.select_for_update().get(pk=representative.pk)
    before = representative_snapshot(current)
    _assign_representative(current, data)
    current.full_clean()
    current.save()
    changes = audit.diff(before, representative_snapshot(current))
    if changes:
        audit.record(actor, "registry.representative.updated", current, changes)
    return current


@transaction.atomic
def delete_representative(actor, representative: Representative) -> None:
    """Remove a representative; the audit event keeps who it was and the mandate it held."""
    audit.record(
        actor, "registry.representative.deleted", representative, representative_snapshot(representative)
    )
    document = representative.mandate_document
    representative.delete()
    if document:
        transaction.on_commit(lambda: document.storage.delete(document.name))


# --- Import -------------------------------------------------------------------------------------------------


PENDING_IMPORT_DAYS = 7


def prune_pending_imports(now=None) -> int:
    """Forget uploaded files after ``PENDING_IMPORT_DAYS``.

    Unconfirmed uploads are deleted; confirmed ones keep their row (the audit trail points at it) but drop
    the file content. Returns how many rows were touched.
    """
    cutoff = (now or timezone.now()) - timedelta(days=PENDING_IMPORT_DAYS)
    old = PendingImport.objects.filter(created_at__lt=cutoff)
    deleted, _by_model = old.filter(imported_at__isnull=True).delete()
    emptied = old.filter(imported_at__isnull=False).exclude(content=b"").update(content=b"")
    return deleted + emptied


@transaction.atomic
def store_pending_import(actor, upload, file_format: str) -> PendingImport:
    """Keep the uploaded file in the database until its creator confirms it after the preview.

    Each upload also prunes old ones, so stored files do not pile up without a scheduled job.
    """
    prune_pending_imports()
    upload.seek(0)
    pending = PendingImport.objects.create(
        created_by=actor, filename=(upload.name or "")[:255], file_format=file_format, content=upload.read()
    )
    audit.record(actor, "registry.import.uploaded", pending, {"filename": pending.filename})
    return pending


class ImportRefused(Exception):
    """The stored file can no longer be imported (already done, or it has errors); the message says why."""


@transaction.atomic
def confirm_import(actor, pending: PendingImport) -> int:
    """Create every organisation of a previewed file in one transaction, or none.

    The file is parsed again (the database may have changed since the preview), the pending row is
    locked so a double click cannot import twice, and one audit event records the whole import.
    """
    from .importing import parse_organizations

    locked = PendingImport.objects.select_for_update().get(pk=pending.pk)
    if locked.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if locked.imported_at is not None:
        raise ImportRefused(_("This file has already been imported."))
    result = parse_organizations(bytes(locked.content), locked.file_format)
    if not result.is_valid:
        raise ImportRefused(_("The file has errors: nothing was imported."))
    organizations = [row.organization for row in result.rows]
    for row in result.rows:
        row.organization.search_document = organization_search_document(
            row.organization, [t.name for t in row.territories]
        )
    Organization.objects.bulk_create(organizations, batch_size=500)  # SQLite and PostgreSQL set the ids
    through = Organization.territories.through
    links = [
        through(organization_id=row.organization.pk, territory_id=ref.pk)
        for row in result.rows
        for ref in row.territories
    ]
    through.objects.bulk_create(links, batch_size=2000)
    locked.imported_at = timezone.now()
    locked.imported_count = len(organizations)
    locked.save(update_fields=["imported_at", "imported_count", "updated_at"])
    audit.record(
        actor,
        "registry.import.confirmed",
        locked,
        {"filename": locked.filename, "created": len(organizations), "ids": [o.pk for o in organizations]},
    )
    return len(organizations)


def record_export(actor, file_format: str, filters: dict[str, Any], rows: int) -> AuditEvent:
    """Exports are logged (who took which slice of the registry, and when), like any other access to
    data in bulk."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="registry.registry.exported",
        target_type=Organization._meta.label_lower,
        target_label=f"{file_format} ({rows})",
        changes={"format": file_format, "rows": rows, "filters": {k: v for k, v in filters.items() if v}},
    )
