"""The audit picture of a meetings record: its fields without the timestamps, which change on every save and
would make every diff noisy."""

from typing import Any

from django.db import models

from officine.core.audit import snapshot

_TIMESTAMPS = frozenset({"created_at", "updated_at"})


def picture(instance: models.Model) -> dict[str, Any]:
    fields = [f.name for f in (*instance._meta.concrete_fields, *instance._meta.many_to_many)]
    return snapshot(instance, [name for name in fields if name not in _TIMESTAMPS])
