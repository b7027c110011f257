"""Monitoring data kept in the web database: releases and the links from OpenCoesione to our records.

The projects themselves (1.6-2.3 million rows) stay in the release's Parquet snapshot, queried with DuckDB
(``snapshot.py``); the web database holds only what the platform joins on: which of our programmes a release
covers and how much, and which of our organisations appear in it as beneficiary or implementer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from officine.core.models import TimeStampedModel


class ReleaseStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    CURRENT = "current", _("In use")
    SUPERSEDED = "superseded", _("Replaced by a newer release")
    UNCHANGED = "unchanged", _("Already imported: nothing changed")
    FAILED = "failed", _("Failed")


class Role(models.TextChoices):
    """Roles of a subject in a project, with OpenCoesione's codes (SOGG_COD_RUOLO)."""

    PROGRAMMER = "1", _("Programming authority")
    IMPLEMENTER = "2", _("Implementer")
    BENEFICIARY = "3", _("Beneficiary")
    CONTRACTOR = "4", _("Contractor")


class Release(TimeStampedModel):
    """One import of an OpenCoesione release: a dated Parquet snapshot under ``MONITORING_ROOT``.

    Only one release is ``current`` at a time (a partial unique constraint); a new one becomes current in the
    same transaction that retires the old one, and only once its snapshot is complete, so a failed or killed
    import never leaves the pages without data.
    """

    release_date = models.DateField(_("release date"))
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        help_text=_("SHA-256 of the imported files, to skip a repeated import."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.QUEUED, db_index=True
    )
    is_synthetic = models.BooleanField(
        _("synthetic data"),
        default=False,
        help_text=_("Generated demonstration data, not an official release."),
    )
    directory = models.CharField(_("snapshot folder"), max_length=200, blank=True)
    sources = models.JSONField(_("imported files"), default=list)
    report = models.JSONField(_("import report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Progress, written by the importer while it runs, read by the staff page.
    stage = models.CharField(_("stage"), max_length=80, blank=True)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    rows_done = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    project_count = models.PositiveIntegerField(_("projects"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-release_date", "-pk"]
        verbose_name = _("OpenCoesione release")
        verbose_name_plural = _("OpenCoesione releases")
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="current"), name="monitoring_one_current_release"
            )
        ]

    def __str__(self) -> str:
        return f"OpenCoesione {self.release_date:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.status in (ReleaseStatus.QUEUED, ReleaseStatus.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.bytes_done / self.bytes_total)) if self.bytes_total else 0


class ProgrammeCoverage(models.Model):
    """A programme of ours found in a release (OC_CODICE_PROGRAMMA = its CCI code), with its headline sums.

    The sums are those of the dashboard, computed once at import so that lists of programmes (the cycle
    comparison, the programme page's summary) need no Parquet query."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="coverage")
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="implementation_coverage"
    )
    project_count = models.PositiveIntegerField(default=0)
    public_funding = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    commitments = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    payments = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "programme"], name="monitoring_coverage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} @ {self.release_id}"

    @property
    def payment_rate(self) -> float | None:
        return float(self.payments / self.public_funding) if self.public_funding else None


class BeneficiaryLink(models.Model):
    """An organisation of ours that appears in a release with a role, matched by tax code or IPA code.

    One row per (organisation, role, programme in the project): ``programme`` is null for projects of
    programmes we do not hold, whose code is kept in ``programme_code``."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="beneficiary_links")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="implementation_links"
    )
    role = models.CharField(max_length=1, choices=Role.choices)
    matched_on = models.CharField(
        max_length=10, choices=[("tax_code", _("tax code")), ("ipa", _("IPA code"))]
    )
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    programme_code = models.CharField(max_length=40)
    project_count = models.PositiveIntegerField(default=0)
    public_funding = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["release", "programme"]),
            models.Index(fields=["release", "organization"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "organization", "role", "programme_code"], name="monitoring_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.get_role_display()} {self.programme_code}"
