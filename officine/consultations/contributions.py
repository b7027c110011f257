"""Write paths for contributions: submit, edit, withdraw, and their attachments (issue 3, point 3).

A contribution is anchored to a section of the *current* (latest published) version of one of the
consultation's documents, or to a whole document, so that it can later be followed to the paragraph it
changed. Contributions are accepted only while the consultation is open and not past its last day; the
author may edit or withdraw until then, and the text is read-only afterwards. A withdrawn contribution
keeps its text (the audit trail needs it) but leaves public lists and counts.

Attachments are checked on their content, not on their name. ``core.uploads`` knows PDF and spreadsheets;
partners also send word-processor files and scans, so this module adds ODT, DOCX, PNG and JPEG signatures
and applies the contribution-specific size limit (``OFFICINE_ATTACHMENT_MAX_BYTES``).
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.accounts.rules import is_active_user
from officine.core.audit import record
from officine.core.search import build_document
from officine.core.uploads import DOCX, JPEG, ODS, ODT, PDF, PNG, XLSX, FileKind, megabytes, validate_upload
from officine.registry.models import Organization

from . import rules as consultation_rules
from .models import (
    Audience,
    Consultation,
    ConsultationState,
    Contribution,
    ContributionAttachment,
    ContributionState,
    Document,
    DocumentVersion,
    Section,
    VersionStatus,
)

CONTRIBUTION_ATTACHMENT_KINDS: tuple[FileKind, ...] = (PDF, ODT, DOCX, ODS, XLSX, PNG, JPEG)
CONTENT_TYPES = {kind.extension: kind.content_type for kind in CONTRIBUTION_ATTACHMENT_KINDS}

MAX_TEXT_CHARS = 20_000


# --- Attachments: checks shared by the form (to show errors next to the field) and the services -----------


def attachment_limit_mb() -> str:
    """The size limit in MB, as people read it ("10", "2.5")."""
    return megabytes(settings.OFFICINE_ATTACHMENT_MAX_BYTES)


def accepted_types_label() -> str:
    return ", ".join(kind.label for kind in CONTRIBUTION_ATTACHMENT_KINDS)


def max_attachments() -> int:
    return settings.OFFICINE_ATTACHMENTS_PER_CONTRIBUTION


def validate_attachment(upload: UploadedFile) -> str:
    """Check one file's size, extension and content; return the verified extension.

    Raises a translated ValidationError naming the file and saying why, with the limit in MB or the list
    of accepted types, so that the person knows what to send instead.
    """
    name = upload.name or ""
    limit = settings.OFFICINE_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB: attachments may be at most %(limit)s MB each.")
            % {"name": name, "size": f"{upload.size / 1024 / 1024:.1f}", "limit": attachment_limit_mb()},
            code="too_large",
        )
    try:
        return validate_upload(upload, CONTRIBUTION_ATTACHMENT_KINDS, max_bytes=limit)
    except ValidationError as error:
        raise ValidationError(
            _("“%(name)s”: %(reason)s") % {"name": name, "reason": " ".join(error.messages)}, code=error.code
        ) from error


def _validated_uploads(uploads: Iterable[UploadedFile], already: int) -> list[tuple[UploadedFile, str]]:
    """Check every file before anything is stored: one bad file refuses the whole submission."""
    files = [u for u in uploads if u]
    if already + len(files) > max_attachments():
        raise ValidationError(
            {
                "attachments": [
                    _("A contribution may have at most %(max)d attachments.") % {"max": max_attachments()}
                ]
            }
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, validate_attachment(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _store_attachment(
    contribution: Contribution, upload: UploadedFile, extension: str
) -> ContributionAttachment:
    """Store under a random name (the person's file name is kept only as the download name)."""
    attachment = ContributionAttachment(
        contribution=contribution,
        original_name=(upload.name or f"allegato.{extension}").rsplit("/", 1)[-1][:255],
        content_type=CONTENT_TYPES[extension],
        size=upload.size or 0,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
    attachment.save()
    return attachment


# --- When and who -----------------------------------------------------------------------------------------


def accepts_contributions(consultation: Consultation, today: date | None = None) -> bool:
    """Open, and not past the last day (staff close the consultation on the next working day)."""
    today = today or timezone.localdate()
    return consultation.state == ConsultationState.OPEN and today <= consultation.closes_on


def _check_accepting(consultation: Consultation, today: date | None) -> None:
    if accepts_contributions(consultation, today):
        return
    if consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        raise ValidationError(
            _("This consultation is not open yet: it opens on %(date)s.")
            % {"date": date_format(consultation.opens_on, "DATE_FORMAT")}
        )
    raise ValidationError(
        _("This consultation accepted contributions until %(date)s: contributions are now read-only.")
        % {"date": date_format(consultation.closes_on, "DATE_FORMAT")}
    )


def who_may_contribute_message(consultation: Consultation) -> str:
    """Why someone is refused, in the consultation's own terms."""
    if consultation.is_third_sector_procedure:
        return _(
            "Only representatives of third-sector bodies registered in the RUNTS that are members of the "
            "partnership take part in co-programming and co-design (Third Sector Code art. 55)."
        )
    if consultation.audience == Audience.PUBLIC:
        return _(
            "You may contribute on behalf of an organisation you represent, or as an individual once your "
            "e-mail address is verified."
        )
    return _(
        "Only representatives of the partnership's consulted members may contribute to this consultation."
    )


def _check_contributor(actor, consultation: Consultation, organization: Organization | None) -> None:
    """The author speaks for ``organization`` (a mandate in force, a consulted member, a RUNTS number in
    art. 55 procedures) or, with ``None``, as a citizen of a public consultation with a verified e-mail."""
    if not is_active_user(actor):
        raise PermissionDenied
    if organization is None:
        if consultation_rules.may_contribute_as_citizen(actor, consultation):
            return
        if consultation_rules.eligible_organization_ids(actor, consultation):
            raise ValidationError(
                {"organization": [_("Choose the organisation on whose behalf you contribute.")]}
            )
        raise ValidationError(who_may_contribute_message(consultation))
    if consultation.is_third_sector_procedure and not organization.runts_number.strip():
        raise ValidationError(
            {
                "organization": [
                    _(
                        "%(name)s has no RUNTS registration number: only registered third-sector bodies "
                        "take part in co-programming and co-design."
                    )
                    % {"name": organization.name}
                ]
            }
        )
    if organization.pk not in consultation_rules.eligible_organization_ids(actor, consultation):
        if organization.pk in actor.represented_organization_ids:
            message = _(
                "%(name)s is not a consulted member of this programme's partnership: only members may "
                "contribute on their behalf."
            ) % {"name": organization.name}
        else:
            message = _("You do not represent %(name)s (or your mandate has expired).") % {
                "name": organization.name
            }
        raise ValidationError({"organization": [message]})


# --- What the contribution is about -----------------------------------------------------------------------


def current_versions(consultation: Consultation) -> dict[int, DocumentVersion]:
    """The latest published version of each document under consultation, keyed by document id."""
    versions = (
        DocumentVersion.objects.filter(document__consultations=consultation, status=VersionStatus.PUBLISHED)
        .select_related("document")
        .order_by("document_id", "-number")
    )
    latest: dict[int, DocumentVersion] = {}
    for version in versions:
        latest.setdefault(version.document_id, version)
    return latest


def _resolve_target(
    consultation: Consultation,
    section: Section | None,
    document: Document | None,
    keep: Contribution | None = None,
) -> tuple[DocumentVersion, Section | None]:
    """The version (and section) a contribution is anchored to.

    A section must belong to the current published version of one of the consultation's documents; a
    whole-document contribution takes that document's current version. When editing, a contribution may
    keep the anchor it already has even if a newer version was published meanwhile (``keep``).
    """
    if keep is not None:
        if section is not None and section.pk == keep.section_id:
            return keep.version, keep.section
        same_document = document is not None and document.pk == keep.version.document_id
        if section is None and keep.section_id is None and same_document:
            return keep.version, None
    latest = current_versions(consultation)
    if section is not None:
        version = latest.get(section.version.document_id)
        if version is None or version.pk != section.version_id:
            raise ValidationError(
                {
                    "target": [
                        _(
                            "This section is not part of the current version of a document under this "
                            "consultation."
                        )
                    ]
                }
            )
        return version, section
    if document is None:
        if len(latest) != 1:
            raise ValidationError({"target": [_("Choose the document your contribution is about.")]})
        return next(iter(latest.values())), None
    version = latest.get(document.pk)
    if version is None:
        raise ValidationError({"target": [_("This document is not under this consultation.")]})
    return version, None


def _clean_texts(body: str, proposed_wording: str) -> tuple[str, str]:
    body = (body or "").strip()
    proposed_wording = (proposed_wording or "").strip()
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = [_("Write your contribution.")]
    for field, value in (("body", body), ("proposed_wording", proposed_wording)):
        if len(value) > MAX_TEXT_CHARS:
            errors.setdefault(field, []).append(
                _("At most %(max)d characters (this text has %(n)d).")
                % {"max": MAX_TEXT_CHARS, "n": len(value)}
            )
    if errors:
        raise ValidationError(errors)
    return body, proposed_wording


def _search_document(contribution: Contribution) -> str:
    organization = contribution.organization.name if contribution.organization_id else ""
    return build_document(
        contribution.body, contribution.proposed_wording, contribution.author_name, organization
    )


def _audit_view(contribution: Contribution) -> dict:
    """The fields the audit trail compares, in terms people recognise (section number, not its id)."""
    return {
        "section": contribution.section.number if contribution.section_id else None,
        "version": contribution.version.number,
        "body": contribution.body,
        "proposed_wording": contribution.proposed_wording,
        "objects_to_publication": contribution.objects_to_publication,
    }


# --- Services ---------------------------------------------------------------------------------------------


@transaction.atomic
def submit_contribution(
    actor,
    consultation: Consultation,
    *,
    organization: Organization | None,
    section: Section | None,
    body: str,
    proposed_wording: str = "",
    objects_to_publication: bool = False,
    attachments: Sequence[UploadedFile] = (),
    document: Document | None = None,
    today: date | None = None,
) -> Contribution:
    """Record a contribution with the next progressive number of the consultation.

    The consultation row is locked while the number is taken (max + 1, withdrawn ones included, so a number
    is never reused), which keeps numbering sequential under concurrent submissions. Nothing is stored if
    any rule or any attachment fails.
    """
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=consultation.pk)
    )
    _check_accepting(consultation, today)
    _check_contributor(actor, consultation, organization)
    version, section = _resolve_target(consultation, section, document)
    body, proposed_wording = _clean_texts(body, proposed_wording)
    files = _validated_uploads(attachments, already=0)
    last = Contribution.objects.filter(consultation=consultation).aggregate(last=Max("number"))["last"]
    contribution = Contribution(
        consultation=consultation,
        number=(last or 0) + 1,
        version=version,
        section=section,
        author=actor,
        author_name=actor.get_full_name()[:200],
        organization=organization,
        runts_number=organization.runts_number.strip()
        if organization is not None and consultation.is_third_sector_procedure
        else "",
        body=body,
        proposed_wording=proposed_wording,
        objects_to_publication=bool(objects_to_publication),
    )
    contribution.search_document = _search_document(contribution)
    contribution.save()
    stored = [_store_attachment(contribution, upload, ext) for upload, ext in files]
    record(
        actor,
        "consultations.contribution.submitted",
        contribution,
        {
            "number": [None, contribution.number],
            "organization": [None, organization.name if organization else None],
            **{key: [None, value] for key, value in _audit_view(contribution).items()},
            "attachments": [None, [a.original_name for a in stored]],
        },
    )
    return contribution


def _locked_contribution(contribution: Contribution) -> Contribution:
    return (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("consultation", "version__document", "section", "organization")
        .get(pk=contribution.pk)
    )


def _check_editable(actor, contribution: Contribution, today: date | None) -> None:
    """Only the author, only a submitted contribution, only until the consultation's last day."""
    if not consultation_rules.is_contribution_author(actor, contribution):
        raise PermissionDenied
    if contribution.state == ContributionState.WITHDRAWN:
        raise ValidationError(_("This contribution was withdrawn: it can no longer be changed."))
    _check_accepting(contribution.consultation, today)


@transaction.atomic
def update_contribution(
    actor,
    contribution: Contribution,
    *,
    section: Section | None,
    body: str,
    proposed_wording: str = "",
    objects_to_publication: bool = False,
    attachments: Sequence[UploadedFile] = (),
    remove_attachments: Iterable[ContributionAttachment] = (),
    document: Document | None = None,
    today: date | None = None,
) -> Contribution:
    """Change the text, the anchor, the objection to publication and the attachments, all or nothing.

    The organisation does not change: a contribution on behalf of another body is another contribution.
    """
    contribution = _locked_contribution(contribution)
    _check_editable(actor, contribution, today)
    before = _audit_view(contribution)
    version, section = _resolve_target(contribution.consultation, section, document, keep=contribution)
    body, proposed_wording = _clean_texts(body, proposed_wording)
    removing = list(contribution.attachments.filter(pk__in=[a.pk for a in remove_attachments]))
    remaining = contribution.attachments.count() - len(removing)
    files = _validated_uploads(attachments, already=remaining)
    contribution.version, contribution.section = version, section
    contribution.body, contribution.proposed_wording = body, proposed_wording
    contribution.objects_to_publication = bool(objects_to_publication)
    contribution.search_document = _search_document(contribution)
    contribution.save()
    after = _audit_view(contribution)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    removed_names = [_delete_attachment(attachment) for attachment in removing]
    added = [_store_attachment(contribution, upload, ext) for upload, ext in files]
    if removed_names:
        changes["attachments_removed"] = [removed_names, None]
    if added:
        changes["attachments_added"] = [None, [a.original_name for a in added]]
    record(actor, "consultations.contribution.updated", contribution, changes)
    return contribution


@transaction.atomic
def withdraw_contribution(actor, contribution: Contribution, today: date | None = None) -> Contribution:
    """The author takes the contribution back: it keeps its number and text, but is no longer public."""
    contribution = _locked_contribution(contribution)
    _check_editable(actor, contribution, today)
    contribution.state = ContributionState.WITHDRAWN
    contribution.withdrawn_at = timezone.now()
    contribution.save(update_fields=["state", "withdrawn_at", "updated_at"])
    record(
        actor,
        "consultations.contribution.withdrawn",
        contribution,
        {"state": [ContributionState.SUBMITTED.value, ContributionState.WITHDRAWN.value]},
    )
    return contribution


@transaction.atomic
def add_attachment(
    actor, contribution: Contribution, upload: UploadedFile, today: date | None = None
) -> ContributionAttachment:
    contribution = _locked_contribution(contribution)
    _check_editable(actor, contribution, today)
    [(checked, extension)] = _validated_uploads([upload], already=contribution.attachments.count())
    attachment = _store_attachment(contribution, checked, extension)
    record(
        actor,
        "consultations.contribution.attachment_added",
        contribution,
        {"attachments_added": [None, [attachment.original_name]]},
    )
    return attachment


@transaction.atomic
def remove_attachment(actor, attachment: ContributionAttachment, today: date | None = None) -> None:
    contribution = _locked_contribution(attachment.contribution)
    _check_editable(actor, contribution, today)
    attachment = contribution.attachments.get(pk=attachment.pk)
    name = _delete_attachment(attachment)
    record(
        actor,
        "consultations.contribution.attachment_removed",
        contribution,
        {"attachments_removed": [[name], None]},
    )


def _delete_attachment(attachment: ContributionAttachment) -> str:
    """Delete the row now and the stored file once the transaction commits (a rollback keeps both)."""
    name, storage, path = attachment.original_name, attachment.file.storage, attachment.file.name
    attachment.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))
    return name
