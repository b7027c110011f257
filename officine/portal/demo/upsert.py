"""Create-or-update on a natural key, validated and audited, counting what happened.

The demo loader must be idempotent (a second run changes nothing) and must still go through the models'
own validation, so it cannot use ``update_or_create`` (which neither validates nor tells "updated" from
"unchanged"). Rows are only saved, and an audit event only written, when a value really differs.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from officine.core.audit import record, snapshot


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadStats:
    """Counts per table, in the order tables were first touched."""

    tallies: dict[str, Tally] = field(default_factory=dict)

    def tally(self, table: str) -> Tally:
        return self.tallies.setdefault(table, Tally())

    @property
    def changed(self) -> int:
        return sum(t.created + t.updated for t in self.tallies.values())


def full_clean(instance: models.Model) -> None:
    instance.full_clean()


def clean_demo_organization(instance: models.Model) -> None:
    """``full_clean`` minus the rule "Italian bodies need a tax code or VAT number".

    Demo and reference organisations are real bodies whose tax codes we do not invent: they are stored
    with both codes empty and ``is_demo=True``. Setting a foreign ``country`` would satisfy the rule but
    would be false, so the one error is dropped instead; every other error still stops the load.
    """
    try:
        instance.full_clean()
    except ValidationError as exc:
        errors = dict(exc.message_dict)
        if not instance.tax_code and not instance.vat_number:
            errors.pop("tax_code", None)
        if errors:
            raise ValidationError(errors) from exc


def upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    stats: LoadStats,
    table: str,
    m2m: dict[str, Iterable[int]] | None = None,
    clean: Callable[[models.Model], None] = full_clean,
) -> models.Model:
    """Find the row by ``lookup`` (its natural key) and make it hold ``values`` and ``m2m`` (ids).

    Foreign keys go in ``values`` by attname (``region_id``) so that comparing never loads the related row.
    """
    tally = stats.tally(table)
    m2m = {name: sorted(set(ids)) for name, ids in (m2m or {}).items()}
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        clean(instance)
        instance.save()
        for name, ids in m2m.items():
            getattr(instance, name).set(ids)
        record(None, "demo.create", instance, _snapshot(instance))
        tally.created += 1
        return instance

    changes = {
        name: [_json_safe(getattr(instance, name)), _json_safe(value)]
        for name, value in values.items()
        if getattr(instance, name) != value
    }
    for name, ids in m2m.items():
        current = sorted(getattr(instance, name).values_list("pk", flat=True))
        if current != ids:
            changes[name] = [current, ids]
    if not changes:
        tally.unchanged += 1
        return instance
    for name, value in values.items():
        setattr(instance, name, value)
    clean(instance)
    instance.save()
    for name, ids in m2m.items():
        if name in changes:
            getattr(instance, name).set(ids)
    record(None, "demo.update", instance, changes)
    tally.updated += 1
    return instance


def _snapshot(instance: models.Model) -> dict[str, Any]:
    """``snapshot`` without file fields: the demo never sets files, and an empty FieldFile trips it."""
    fields = [
        f.name
        for f in [*instance._meta.concrete_fields, *instance._meta.many_to_many]
        if not isinstance(f, models.FileField)
    ]
    return snapshot(instance, fields=fields)


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return str(value)
