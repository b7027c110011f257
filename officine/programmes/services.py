"""Write paths of the programmes app: one function per use case, each atomic, validated and audited.

Permission checks belong to the caller (views check the rules in ``rules.py``), so that the same functions
serve the staff pages, the command line and imports. Every function takes the acting user first, runs the
model's ``full_clean()`` before saving, and writes one ``AuditEvent`` whose ``changes`` say what moved.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import FileField
from django.utils.translation import gettext as _

from officine.core.audit import diff, record, snapshot

from .models import Membership, Priority, Programme, ProgrammeStaff

PROGRAMME_FIELDS = (
    "cci",
    "title_it",
    "title_en",
    "cycle",
    "kind",
    "region",
    "managing_authority",
    "approval_date",
    "commission_decision",
    "website",
    "summary_it",
    "summary_en",
    "source_note",
)
MEMBERSHIP_FIELDS = (
    "organization",
    "is_consultee",
    "is_committee_member",
    "is_working_group_member",
    "start_date",
    "end_date",
    "selection_act_number",
    "selection_act_date",
    "selection_url",
    "selection_document",
)


def _snapshot(instance) -> dict[str, Any]:
    """``audit.snapshot`` minus its trip on empty files (``hasattr(FieldFile, "url")`` raises ValueError
    when no file is attached), with file fields recorded by name."""
    files = [f.name for f in instance._meta.concrete_fields if isinstance(f, FileField)]
    others = [f.name for f in instance._meta.get_fields() if f.name not in files]
    data = snapshot(instance, fields=others)
    for name in files:
        data[name] = getattr(instance, name).name or ""
    return data


def _apply(instance, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Copy form data onto a model instance the way a ModelForm would (files: None keeps, False clears)."""
    for name in allowed:
        if name in data:
            instance._meta.get_field(name).save_form_data(instance, data[name])


# --- Programmes ---------------------------------------------------------------------------------


@transaction.atomic
def create_programme(actor, data: Mapping[str, Any]) -> Programme:
    if not data.get("funds"):
        raise ValidationError({"funds": [_("Choose at least one fund.")]})
    programme = Programme()
    _apply(programme, data, PROGRAMME_FIELDS)
    programme.full_clean()
    programme.save()
    if "funds" in data:
        programme.funds.set(data["funds"])
    record(actor, "programme.created", programme, snapshot(programme))
    return programme


@transaction.atomic
def update_programme(actor, programme: Programme, data: Mapping[str, Any]) -> Programme:
    """Save changed fields. The row is re-read under lock, so the diff is against what is really stored
    (a ModelForm may already have changed the instance the caller holds)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if "funds" in data and not data["funds"]:
        raise ValidationError({"funds": [_("Choose at least one fund.")]})
    before = snapshot(programme)
    _apply(programme, data, PROGRAMME_FIELDS)
    programme.full_clean()
    programme.save()
    if "funds" in data:
        programme.funds.set(data["funds"])
    changes = diff(before, snapshot(programme))
    changes.pop("updated_at", None)
    record(actor, "programme.updated", programme, changes)
    return programme


def _priority_picture(programme: Programme) -> list[dict[str, Any]]:
    return list(
        programme.priorities.order_by("order", "code").values("id", "code", "title_it", "title_en", "order")
    )


@transaction.atomic
def set_priorities(actor, programme: Programme, rows: Iterable[Mapping[str, Any]]) -> list[Priority]:
    """Add, rename, reorder and delete a programme's priorities in one go.

    Each row is ``{"id": pk or None, "code", "title_it", "title_en", "order", "delete": bool}``. Codes may
    be swapped between rows in one submission: changed rows first get a temporary code so the unique
    constraint (programme, code) never sees a transient clash.
    """
    rows = [dict(r) for r in rows]
    existing = {p.pk: p for p in programme.priorities.select_for_update()}
    kept = [r for r in rows if not r.get("delete")]
    codes = [str(r.get("code") or "").strip() for r in kept]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationError(
            {
                "code": [
                    _("Each priority needs its own number; repeated: %(codes)s.")
                    % {"codes": ", ".join(duplicates)}
                ]
            }
        )
    for row in rows:
        if row.get("id") and row["id"] not in existing:
            raise ValidationError(_("A priority does not belong to this programme."))
    before = _priority_picture(programme)

    for row in rows:
        if row.get("delete") and row.get("id"):
            existing.pop(row["id"]).delete()
    for row in kept:
        priority = existing.get(row.get("id"))
        if priority is not None and priority.code != row["code"].strip():
            priority.code = f"~{priority.pk}"[:10]
            priority.save(update_fields=["code"])

    saved: list[Priority] = []
    for row in kept:
        priority = existing.get(row.get("id")) or Priority(programme=programme)
        priority.code = row["code"].strip()
        priority.title_it = row.get("title_it", "")
        priority.title_en = row.get("title_en", "") or ""
        priority.order = row.get("order") or 0
        priority.full_clean()
        priority.save()
        saved.append(priority)

    after = _priority_picture(programme)
    if before != after:
        record(actor, "programme.priorities_set", programme, {"priorities": [before, after]})
    return saved


# --- Partnership memberships -----------------------------------------------------------------------


@transaction.atomic
def add_membership(actor, programme: Programme, data: Mapping[str, Any]) -> Membership:
    membership = Membership(programme=programme)
    _apply(membership, data, MEMBERSHIP_FIELDS)
    membership.full_clean()
    membership.save()
    record(actor, "membership.added", membership, _snapshot(membership))
    return membership


@transaction.atomic
def update_membership(actor, membership: Membership, data: Mapping[str, Any]) -> Membership:
    """Change a membership; the programme never changes (a move is an end plus a new membership)."""
    membership = Membership.objects.select_for_update().select_related("programme").get(pk=membership.pk)
    before = _snapshot(membership)
    _apply(membership, data, MEMBERSHIP_FIELDS)
    membership.full_clean()
    membership.save()
    changes = diff(before, _snapshot(membership))
    changes.pop("updated_at", None)
    record(actor, "membership.updated", membership, changes)
    return membership


@transaction.atomic
def end_membership(actor, membership: Membership, end_date: date) -> Membership:
    """Close a membership on ``end_date`` (kept in the record: past partners stay visible)."""
    membership = Membership.objects.select_for_update().select_related("programme").get(pk=membership.pk)
    before = membership.end_date
    membership.end_date = end_date
    membership.full_clean()
    membership.save(update_fields=["end_date", "updated_at"])
    record(actor, "membership.ended", membership, {"end_date": [_iso(before), _iso(end_date)]})
    return membership


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- Programme staff -------------------------------------------------------------------------------


@transaction.atomic
def assign_staff(actor, programme: Programme, user) -> ProgrammeStaff:
    if ProgrammeStaff.objects.filter(programme=programme, user=user).exists():
        raise ValidationError(_("This person already works on this programme."))
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    row = ProgrammeStaff(programme=programme, user=user)
    row.full_clean()
    row.save()
    record(actor, "programme.staff_assigned", programme, {"staff": [None, user.email]})
    return row


@transaction.atomic
def remove_staff(actor, programme: Programme, user) -> None:
    deleted, _count = ProgrammeStaff.objects.filter(programme=programme, user=user).delete()
    if not deleted:
        raise ValidationError(_("This person does not work on this programme."))
    record(actor, "programme.staff_removed", programme, {"staff": [user.email, None]})
