"""Write paths of the partners-as-beneficiaries check: only the audit trail of its downloads.

Why audit a download: the file lists partners with their tax codes (some identify sole traders, i.e.
persons) next to the money they receive; like the registry's exports, bulk access to it is logged."""

from __future__ import annotations

from officine.core import audit
from officine.programmes.models import Programme

from .models import Release


def record_partners_export(actor, programme: Programme, release: Release | None, rows: int) -> None:
    audit.record(
        actor,
        "monitoring.partner_beneficiaries_exported",
        programme,
        {"release": release.pk if release else None, "rows": rows, "format": "csv"},
    )
