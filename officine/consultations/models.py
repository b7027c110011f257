"""Versioned documents split into numbered sections (ECCP Art. 5: documents disclosed in time, and every
change traceable to the contribution that caused it).

A section keeps the same ``key`` from one version to the next, so a contribution anchored to a section of
version 1 can be followed to the paragraph it changed in version 2. A published version is immutable.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from officine.core.i18n import localized
from officine.core.models import TimeStampedModel
from officine.programmes.models import Programme


class Document(TimeStampedModel):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="documents"
    )
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "title_it"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class DocumentVersion(TimeStampedModel):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_note = models.TextField(_("what changed"), blank=True)
    removed_section_keys = models.JSONField(default=list, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class SectionChange(models.TextChoices):
    UNCHANGED = "unchanged", _("Unchanged")
    ADDED = "added", _("Added")
    MODIFIED = "modified", _("Modified")


class Section(models.Model):
    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="sections"
    )
    key = models.UUIDField(_("section identity"), default=uuid.uuid4, editable=False)
    order = models.PositiveIntegerField(_("order"))
    level = models.PositiveSmallIntegerField(_("heading level"), default=1)
    heading = models.CharField(_("heading"), max_length=300)
    body = models.TextField(
        _("text"), blank=True, help_text=_("Paragraphs in Markdown: **bold**, *italic*, lists.")
    )
    body_html = models.TextField(editable=False, blank=True)
    change = models.CharField(
        _("change from the previous version"),
        max_length=10,
        choices=SectionChange.choices,
        default=SectionChange.ADDED,
        editable=False,
    )

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="section_unique_order"),
            models.UniqueConstraint(fields=["version", "key"], name="section_unique_key"),
        ]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"

    def save(self, *args, **kwargs):
        if (
            self.pk
            and DocumentVersion.objects.filter(pk=self.version_id, status=VersionStatus.PUBLISHED).exists()
        ):
            raise ValidationError(_("A published version cannot be changed: start a new version instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version.is_published:
            raise ValidationError(_("A published version cannot be changed: start a new version instead."))
        return super().delete(*args, **kwargs)

    @property
    def number(self) -> int:
        """Sections are numbered in reading order, so citations ("section 3") stay simple."""
        return self.order


class Phase(models.TextChoices):
    """The stage of the programme cycle a consultation belongs to (ECCP Art. 5-9, 14-16)."""

    PREPARATION = "preparation", _("Preparation")
    IMPLEMENTATION = "implementation", _("Implementation")
    MONITORING = "monitoring", _("Monitoring")
    EVALUATION = "evaluation", _("Evaluation")


class Topic(models.TextChoices):
    """What partners are consulted on, after ECCP Art. 6 (Partnership Agreement) and Art. 8 (programmes)."""

    NEEDS_ANALYSIS = "needs_analysis", _("Analysis of disparities and needs")
    PRIORITIES = "priorities", _("Choice of priorities and specific objectives")
    ALLOCATION = "allocation", _("Allocation of funding")
    INDICATORS = "indicators", _("Programme-specific indicators")
    HORIZONTAL_PRINCIPLES = "horizontal_principles", _("Horizontal principles (equality, non-discrimination)")
    COMMITTEE_COMPOSITION = "committee_composition", _("Composition of the monitoring committee")
    FUND_COORDINATION = "fund_coordination", _("Coordination between funds")
    TERRITORIAL_APPROACH = "territorial_approach", _("Integrated territorial approach")
    GROUPS_AT_RISK = "groups_at_risk", _("Needs of the groups most at risk")


class Audience(models.TextChoices):
    PARTNERS = "partners", _("Members of the partnership")
    PUBLIC = "public", _("Everyone (public consultation)")


class ConsultationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    OUTCOME_PUBLISHED = "outcome_published", _("Outcome published")


class Consultation(TimeStampedModel):
    """A consultation of partners (or of the public) on one or more documents, with a timetable."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="consultations"
    )
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_it = models.TextField(_("summary (Italian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    phase = models.CharField(_("phase of the programme cycle"), max_length=20, choices=Phase.choices)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    audience = models.CharField(_("who may contribute"), max_length=10, choices=Audience.choices)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("Last day on which contributions are accepted."))
    urgency_reason = models.TextField(
        _("reason for a shorter period"),
        blank=True,
        help_text=_(
            "Required, and shown publicly, when the consultation is shorter than the programme's minimum."
        ),
    )
    documents = models.ManyToManyField(Document, verbose_name=_("documents"), related_name="consultations")
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ConsultationState.choices,
        default=ConsultationState.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_on", "title_it"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gt=models.F("opens_on")),
                name="consultation_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)
