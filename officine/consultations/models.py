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


class VersionAttachment(models.Model):
    """A PDF published with a version (annexes, the signed act); immutable with its version once published."""

    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="documents/%Y/")
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["version", "uploaded_at", "pk"]
        verbose_name = _("attached PDF")
        verbose_name_plural = _("attached PDFs")

    def __str__(self) -> str:
        return self.title


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


class ProcedureKind(models.TextChoices):
    """The same engine runs ordinary consultations and the Third Sector Code art. 55 procedures."""

    CONSULTATION = "consultation", _("Consultation")
    CO_PROGRAMMING = "co_programming", _("Co-programming (Third Sector Code art. 55)")
    CO_DESIGN = "co_design", _("Co-design (Third Sector Code art. 55)")


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
    kind = models.CharField(
        _("procedure"), max_length=20, choices=ProcedureKind.choices, default=ProcedureKind.CONSULTATION
    )
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
    outcome_summary_it = models.TextField(
        _("what we did (Italian)"),
        blank=True,
        help_text=_(
            "The summary that opens the outcome report: how the contributions changed the documents."
        ),
    )
    outcome_summary_en = models.TextField(_("what we did (English)"), blank=True)
    outcome_published_at = models.DateTimeField(_("outcome published"), null=True, blank=True)
    final_version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("final document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Co-programming and co-design procedures end with this document."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

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

    @property
    def summary(self) -> str:
        return localized(self.summary_it, self.summary_en)

    @property
    def outcome_summary(self) -> str:
        return localized(self.outcome_summary_it, self.outcome_summary_en)

    @property
    def is_third_sector_procedure(self) -> bool:
        return self.kind in (ProcedureKind.CO_PROGRAMMING, ProcedureKind.CO_DESIGN)

    @property
    def contributions_are_public(self) -> bool:
        """After closing, contributions are public (except those whose author objected)."""
        return self.state in (ConsultationState.CLOSED, ConsultationState.OUTCOME_PUBLISHED)


class ContributionState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Contribution(TimeStampedModel):
    """What a partner (or, in public consultations, a citizen) said about a document or one of its sections.

    ``section`` is null for a comment on the document as a whole. ``current_disposition`` points at the
    latest of the append-only :class:`Disposition` records, so lists filter on it without a subquery.
    """

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="contributions"
    )
    number = models.PositiveIntegerField(
        _("number"), help_text=_("Progressive number within the consultation.")
    )
    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("document version"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    author_name = models.CharField(_("author's name"), max_length=200)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
        help_text=_("Empty for an individual citizen's contribution to a public consultation."),
    )
    runts_number = models.CharField(
        _("RUNTS registration number"),
        max_length=40,
        blank=True,
        help_text=_("Registro unico nazionale del Terzo settore; required in co-programming and co-design."),
    )
    body = models.TextField(_("contribution"))
    proposed_wording = models.TextField(_("proposed wording"), blank=True)
    objects_to_publication = models.BooleanField(
        _("do not publish this contribution"),
        default=False,
        help_text=_("Contributions are published after the consultation closes unless the author objects."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ContributionState.choices, default=ContributionState.SUBMITTED
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    current_disposition = models.ForeignKey(
        "Disposition",
        verbose_name=_("disposition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    search_document = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="contribution_unique_number")
        ]
        indexes = [
            models.Index(fields=["consultation", "state", "number"]),
            models.Index(fields=["consultation", "section"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number} – {self.author_name}"

    @property
    def is_withdrawn(self) -> bool:
        return self.state == ContributionState.WITHDRAWN


class ContributionAttachment(models.Model):
    contribution = models.ForeignKey(
        Contribution, verbose_name=_("contribution"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="contributions/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["contribution", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class DispositionOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    ALREADY_COVERED = "already_covered", _("Already covered")

    @classmethod
    def needing_changes(cls) -> tuple[str, ...]:
        return (cls.ACCEPTED, cls.PARTLY_ACCEPTED)


class Disposition(models.Model):
    """How one contribution was taken into account (controdeduzione). Append-only: a change is a new row."""

    contribution = models.ForeignKey(
        Contribution, verbose_name=_("contribution"), on_delete=models.CASCADE, related_name="dispositions"
    )
    outcome = models.CharField(_("disposition"), max_length=20, choices=DispositionOutcome.choices)
    reason = models.TextField(_("reason"))
    changed_sections = models.ManyToManyField(
        Section,
        verbose_name=_("sections changed in the new version"),
        blank=True,
        related_name="dispositions",
    )
    template = models.ForeignKey(
        "DispositionTemplate",
        verbose_name=_("answer template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["contribution", "-decided_at", "-pk"]
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")

    def __str__(self) -> str:
        return f"{self.contribution} → {self.get_outcome_display()}"


class DispositionTemplate(TimeStampedModel):
    """A reusable answer, per programme, so that similar contributions get consistent dispositions."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="disposition_templates"
    )
    title = models.CharField(_("title"), max_length=200)
    outcome = models.CharField(_("disposition"), max_length=20, choices=DispositionOutcome.choices)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["programme", "title"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    """A question in the consultation's public Q&A channel; shown publicly once staff have answered it."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="questions"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    asker_name = models.CharField(_("name"), max_length=200)
    body = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["consultation", "created_at"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class TriageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class TriageRun(TimeStampedModel):
    """One background grouping of a consultation's contributions, with its progress."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="triage_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TriageStatus.choices, default=TriageStatus.QUEUED
    )
    processed = models.PositiveIntegerField(_("processed"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["consultation", "-created_at"]
        verbose_name = _("triage run")
        verbose_name_plural = _("triage runs")

    def __str__(self) -> str:
        return f"{self.consultation} – {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0


class GroupKind(models.TextChoices):
    NEAR_DUPLICATES = "duplicates", _("Near-duplicates")
    TOPIC = "topic", _("Topic")


class ContributionGroup(models.Model):
    run = models.ForeignKey(
        TriageRun, verbose_name=_("triage run"), on_delete=models.CASCADE, related_name="groups"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices)
    key_terms = models.JSONField(_("key terms"), default=list)
    contributions = models.ManyToManyField(
        Contribution, verbose_name=_("contributions"), related_name="groups"
    )

    class Meta:
        ordering = ["run", "kind", "pk"]
        verbose_name = _("group of contributions")
        verbose_name_plural = _("groups of contributions")

    def __str__(self) -> str:
        return ", ".join(self.key_terms[:3])
