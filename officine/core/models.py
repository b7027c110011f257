"""Abstract bases and the audit trail shared by every app."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyModel(models.Model):
    """Records written once and kept as they are (votes, answers in a written procedure).

    Subclasses name what is refused in ``change_refused`` and ``delete_refused``.
    """

    change_refused = _("This record cannot be changed.")
    delete_refused = _("This record cannot be deleted.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(self.change_refused)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self.delete_refused)


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which record, and what changed.

    Services write these explicitly (``officine.core.audit.record``) rather than through signals, so that
    bulk operations and imports are audited too and each event carries the use case's own name.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80)
    target_type = models.CharField(_("record type"), max_length=80)
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    target_label = models.CharField(_("record"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"


class AccessibilityFeedback(TimeStampedModel):
    """A report sent through the accessibility-feedback mechanism required by Legge 4/2004 art. 3-quater."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    page_url = models.CharField(_("page concerned"), max_length=500, blank=True)
    description = models.TextField(_("description of the problem"))
    assistive_technology = models.CharField(_("assistive technology used"), max_length=200, blank=True)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.email}"
