"""Dispositions (controdeduzioni): how each contribution was taken into account (ECCP Art. 5; issue 3, 5).

Staff give a disposition only once the consultation is closed (before, the author can still edit or withdraw
the contribution) and until the outcome is published (then the record is final). A disposition that accepts a
contribution, fully or partly, must point at the section(s) of a newer published version of the document that
changed because of it: that link is what lets anyone follow a contribution to the paragraph it changed.

Dispositions are append-only: a correction is a new row, ``Contribution.current_disposition`` points at the
latest, and the audit trail keeps the before/after of each change. The rules live in
:func:`disposition_errors`, which the single form, the bulk form and the spreadsheet import all use, so the
three paths cannot drift apart.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from officine.core.audit import record
from officine.programmes.models import Programme

from . import notices
from .models import (
    Consultation,
    ConsultationState,
    Contribution,
    Disposition,
    DispositionOutcome,
    DispositionTemplate,
    Section,
    SectionChange,
    VersionStatus,
)

DISPOSE_PERMISSION = "consultations.dispose_contribution"
TEMPLATES_PERMISSION = "consultations.manage_disposition_templates"


# --- Rules ------------------------------------------------------------------------------------------------


def consultation_state_error(consultation: Consultation) -> str | None:
    """Why dispositions cannot be given on this consultation now, or None if they can."""
    if consultation.state == ConsultationState.CLOSED:
        return None
    if consultation.state == ConsultationState.OUTCOME_PUBLISHED:
        return _("The outcome of this consultation is published: its dispositions are final.")
    return _(
        "Dispositions are given once the consultation is closed: until then contributions can still change."
    )


def section_error(contribution: Contribution, section: Section) -> str | None:
    """Why ``section`` cannot be named as changed by ``contribution`` (``section.version`` must be loaded)."""
    version = section.version
    names = {"number": section.number, "heading": section.heading, "version": version.number}
    if version.document_id != contribution.version.document_id:
        return _("Section %(number)d “%(heading)s” belongs to another document.") % names
    if version.status != VersionStatus.PUBLISHED:
        return (
            _(
                "Section %(number)d “%(heading)s” is in version %(version)d, which is not published: "
                "publish it first."
            )
            % names
        )
    if version.number <= contribution.version.number:
        return _(
            "Section %(number)d “%(heading)s” is in version %(version)d, which is not newer than the version "
            "the contribution is about (version %(contributed)d)."
        ) % {**names, "contributed": contribution.version.number}
    if section.change not in (SectionChange.ADDED, SectionChange.MODIFIED):
        return (
            _(
                "Section %(number)d “%(heading)s” did not change in version %(version)d: name a section that "
                "was added or modified."
            )
            % names
        )
    return None


def disposition_errors(
    contribution: Contribution, *, outcome: str, reason: str, sections: Sequence[Section]
) -> dict[str, list[str]]:
    """Every rule a disposition breaks, by field (``__all__`` for the contribution itself).

    ``contribution.consultation`` and ``contribution.version`` must be loaded, and each section's ``version``.
    """
    errors: dict[str, list[str]] = {}
    state_error = consultation_state_error(contribution.consultation)
    if state_error:
        errors.setdefault(NON_FIELD_ERRORS, []).append(state_error)
    if contribution.is_withdrawn:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("Contribution #%(number)d was withdrawn by its author: it needs no disposition.")
            % {"number": contribution.number}
        )
    if outcome not in DispositionOutcome.values:
        errors.setdefault("outcome", []).append(_("Choose a disposition."))
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(
            _("Give the reason for this disposition: it is published with the outcome.")
        )
    if outcome in DispositionOutcome.needing_changes() and not sections:
        errors.setdefault("changed_sections", []).append(
            _(
                "An accepted or partly accepted contribution must name at least one section of the new "
                "version that changed because of it."
            )
        )
    for section in sections:
        problem = section_error(contribution, section)
        if problem:
            errors.setdefault("changed_sections", []).append(problem)
    return errors


def _sections(changed_sections: Iterable[Section | int]) -> list[Section]:
    """The sections (given as objects or ids), freshly read with their version, in document order."""
    ids = {s.pk if isinstance(s, Section) else int(s) for s in changed_sections}
    if not ids:
        return []
    found = list(
        Section.objects.filter(pk__in=ids)
        .select_related("version")
        .order_by("version__document_id", "version__number", "order")
    )
    if len(found) != len(ids):
        raise ValidationError({"changed_sections": [_("One of the chosen sections no longer exists.")]})
    return found


def _check_template(template: DispositionTemplate | None, consultation: Consultation) -> None:
    if template is not None and template.programme_id != consultation.programme_id:
        raise ValidationError({"template": [_("This answer template belongs to another programme.")]})


def _section_numbers(sections: Iterable[Section]) -> list[int]:
    return sorted(section.number for section in sections)


# --- Writing ----------------------------------------------------------------------------------------------


def _lock_consultation(consultation_id: int) -> Consultation:
    """Serialises dispositions with the outcome's publication, which checks that none is missing."""
    return Consultation.objects.select_for_update().select_related("programme").get(pk=consultation_id)


def _record_disposition(
    actor, contribution: Contribution, outcome: str, reason: str, sections: list[Section], template
) -> Disposition:
    """Append the disposition, move the contribution's pointer, audit before/after, tell the author."""
    previous = contribution.current_disposition
    before_sections = _section_numbers(previous.changed_sections.all()) if previous else []
    disposition = Disposition.objects.create(
        contribution=contribution,
        outcome=outcome,
        reason=reason.strip(),
        template=template,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if sections:
        disposition.changed_sections.set(sections)
    contribution.current_disposition = disposition
    contribution.save(update_fields=["current_disposition", "updated_at"])
    changes: dict[str, Any] = {
        "outcome": [previous.outcome if previous else None, disposition.outcome],
        "reason": [previous.reason if previous else None, disposition.reason],
        "changed_sections": [before_sections, _section_numbers(sections)],
        "disposition": [previous.pk if previous else None, disposition.pk],
    }
    if template is not None:
        changes["template"] = [None, template.title]
    record(actor, "consultations.contribution.disposed", contribution, changes)
    notices.notify_disposition_given(disposition)
    return disposition


def _locked_contribution(pk: int) -> Contribution:
    return (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("consultation", "version", "current_disposition")
        .get(pk=pk)
    )


@transaction.atomic
def dispose(
    actor,
    contribution: Contribution,
    *,
    outcome: str,
    reason: str,
    changed_sections: Iterable[Section | int] = (),
    template: DispositionTemplate | None = None,
) -> Disposition:
    """Give (or change) the disposition of one contribution; a change is a new, audited row."""
    if not actor.has_perm(DISPOSE_PERMISSION, contribution):
        raise PermissionDenied
    consultation = _lock_consultation(contribution.consultation_id)
    contribution = _locked_contribution(contribution.pk)
    contribution.consultation = consultation
    sections = _sections(changed_sections)
    _check_template(template, consultation)
    errors = disposition_errors(contribution, outcome=outcome, reason=reason, sections=sections)
    if errors:
        raise ValidationError(errors)
    return _record_disposition(actor, contribution, outcome, reason, sections, template)


@transaction.atomic
def dispose_many(
    actor,
    contributions: Iterable[Contribution],
    *,
    outcome: str,
    reason: str,
    changed_sections: Iterable[Section | int] = (),
    template: DispositionTemplate | None = None,
) -> list[Disposition]:
    """The same disposition for a selection, all or nothing: if one contribution cannot take it, none does,
    and the error lists each refused contribution with its reason."""
    chosen = list(contributions)
    if not chosen:
        raise ValidationError({NON_FIELD_ERRORS: [_("Select at least one contribution.")]})
    consultation_ids = {c.consultation_id for c in chosen}
    if len(consultation_ids) != 1:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The selected contributions belong to different consultations.")]}
        )
    for contribution in chosen:
        if not actor.has_perm(DISPOSE_PERMISSION, contribution):
            raise PermissionDenied
    consultation = _lock_consultation(consultation_ids.pop())
    state_error = consultation_state_error(consultation)
    if state_error:
        raise ValidationError({NON_FIELD_ERRORS: [state_error]})
    sections = _sections(changed_sections)
    _check_template(template, consultation)
    locked = list(
        Contribution.objects.select_for_update(of=("self",))
        .select_related("version", "current_disposition")
        .filter(pk__in=[c.pk for c in chosen])
        .order_by("number")
    )
    field_errors: dict[str, list[str]] = {}
    per_contribution: list[str] = []
    for contribution in locked:
        contribution.consultation = consultation
        errors = disposition_errors(contribution, outcome=outcome, reason=reason, sections=sections)
        # Missing outcome, reason or sections is the same for every contribution: say it once, on the field.
        for field in ("outcome", "reason", *(() if sections else ("changed_sections",))):
            if field in errors:
                field_errors[field] = errors.pop(field)
        for message in [*errors.get(NON_FIELD_ERRORS, []), *errors.get("changed_sections", [])]:
            per_contribution.append(
                _("Contribution #%(number)d: %(message)s")
                % {"number": contribution.number, "message": message}
            )
    if per_contribution:
        field_errors[NON_FIELD_ERRORS] = per_contribution
    if field_errors:
        raise ValidationError(field_errors)
    return [_record_disposition(actor, c, outcome, reason, sections, template) for c in locked]


# --- Answer templates -------------------------------------------------------------------------------------


def _template_errors(programme: Programme, title: str, outcome: str, reason: str, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the template a title.")]
    elif (
        DispositionTemplate.objects.filter(programme=programme, title__iexact=title.strip())
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["title"] = [_("This programme already has a template with this title.")]
    if outcome not in DispositionOutcome.values:
        errors["outcome"] = [_("Choose a disposition.")]
    if not reason.strip():
        errors["reason"] = [_("Write the reason the template fills in.")]
    return errors


def _template_snapshot(template: DispositionTemplate) -> dict[str, str]:
    return {"title": template.title, "outcome": template.outcome, "reason": template.reason}


@transaction.atomic
def create_template(
    actor, programme: Programme, *, title: str, outcome: str, reason: str
) -> DispositionTemplate:
    """A reusable answer, so that similar contributions get consistent dispositions."""
    if not actor.has_perm(TEMPLATES_PERMISSION, programme):
        raise PermissionDenied
    errors = _template_errors(programme, title, outcome, reason)
    if errors:
        raise ValidationError(errors)
    template = DispositionTemplate.objects.create(
        programme=programme, title=title.strip()[:200], outcome=outcome, reason=reason.strip()
    )
    after = _template_snapshot(template)
    record(
        actor,
        "consultations.disposition_template.created",
        template,
        {k: [None, v] for k, v in after.items()},
    )
    return template


@transaction.atomic
def update_template(
    actor, template: DispositionTemplate, *, title: str, outcome: str, reason: str
) -> DispositionTemplate:
    """Dispositions already given keep their own text: changing a template never rewrites them."""
    if not actor.has_perm(TEMPLATES_PERMISSION, template.programme):
        raise PermissionDenied
    template = DispositionTemplate.objects.select_for_update().get(pk=template.pk)
    errors = _template_errors(template.programme, title, outcome, reason, exclude_pk=template.pk)
    if errors:
        raise ValidationError(errors)
    before = _template_snapshot(template)
    template.title, template.outcome, template.reason = title.strip()[:200], outcome, reason.strip()
    template.save()
    after = _template_snapshot(template)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        record(actor, "consultations.disposition_template.updated", template, changes)
    return template


@transaction.atomic
def delete_template(actor, template: DispositionTemplate) -> None:
    """Dispositions that used the template keep their outcome and reason (the link becomes empty)."""
    if not actor.has_perm(TEMPLATES_PERMISSION, template.programme):
        raise PermissionDenied
    before = _template_snapshot(template)
    record(
        actor,
        "consultations.disposition_template.deleted",
        template,
        {k: [v, None] for k, v in before.items()},
    )
    template.delete()


def template_prefill(template: DispositionTemplate) -> dict[str, str]:
    """What applying a template puts in the form: the staff member can still edit both before saving."""
    return {"outcome": template.outcome, "reason": template.reason, "template": str(template.pk)}
