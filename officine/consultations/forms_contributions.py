"""Forms for contributions, questions and citizen access.

The forms check what can be checked before the service runs (required text, each file's size and
content), so that a refused attachment is reported next to the file field while the text the person typed
is shown again; the services repeat the checks and enforce the rules that depend on the database.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from officine.registry.models import Organization

from .contributions import (
    CONTENT_TYPES,
    MAX_TEXT_CHARS,
    accepted_types_label,
    attachment_limit_mb,
    max_attachments,
    validate_attachment,
)
from .models import ContributionAttachment, Document, Section
from .questions import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS
from .selectors_contributions import SECTION_PREFIX, WHOLE_DOCUMENT_PREFIX, DocumentTargets, target_choices

_ACCEPT = ",".join(sorted({f".{ext}" for ext in CONTENT_TYPES} | {".jpeg"}))


class MultipleFileInput(forms.FileInput):
    """One file input that takes several files (the ``multiple`` attribute): no JavaScript needed."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": _ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        single_clean = super().clean
        return [cleaned for cleaned in (single_clean(item, initial) for item in items if item) if cleaned]


def _attachments_help() -> str:
    return _("Up to %(max)d files, at most %(limit)s MB each. Accepted types: %(types)s.") % {
        "max": max_attachments(),
        "limit": attachment_limit_mb(),
        "types": accepted_types_label(),
    }


class ContributionForm(forms.Form):
    """Submit or edit a contribution.

    ``organizations`` are the bodies the person may speak for; a select appears when there is a choice
    (several bodies, or a body and the option to speak as an individual in a public consultation), otherwise
    the page shows the single possibility as a read-only line. When editing, the organisation is fixed.
    """

    target = forms.ChoiceField(
        label=_("What your contribution is about"),
        help_text=_("A section of the document, or the document as a whole."),
    )
    organization = forms.ModelChoiceField(queryset=None, label=_("On behalf of"))
    body = forms.CharField(
        label=_("Your contribution"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    proposed_wording = forms.CharField(
        label=_("Proposed wording (optional)"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("If you propose a different text for the section, write it here as it should read."),
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"), required=False)
    remove_attachments = forms.ModelMultipleChoiceField(
        queryset=ContributionAttachment.objects.none(),
        label=_("Remove these attachments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    objects_to_publication = forms.BooleanField(
        label=_("Do not publish my contribution"),
        required=False,
        help_text=_(
            "Contributions are published after the consultation closes, with the name of the organisation "
            "(or, for individuals, of the author), unless you tick this box. The administration still reads "
            "and answers it."
        ),
    )

    def __init__(
        self,
        *args,
        targets: list[DocumentTargets],
        organizations=(),
        citizen_allowed: bool = False,
        contribution=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.contribution = contribution
        self.organizations = list(organizations)
        self.citizen_allowed = citizen_allowed
        self.fields["target"].choices = target_choices(targets)
        self.fields["attachments"].help_text = _attachments_help()
        if contribution is not None or not self._organization_choice_needed():
            del self.fields["organization"]
        else:
            field = self.fields["organization"]
            field.queryset = Organization.objects.filter(pk__in=[o.pk for o in self.organizations]).order_by(
                "name"
            )
            field.required = not citizen_allowed
            field.empty_label = (
                _("Myself, as an individual") if citizen_allowed else _("Choose the organisation")
            )
            if len(self.organizations) == 1:  # a representative most likely speaks for their body
                field.initial = self.organizations[0].pk
        if contribution is not None and contribution.pk:
            self.fields["remove_attachments"].queryset = contribution.attachments.all()
            if not contribution.attachments.exists():
                del self.fields["remove_attachments"]
        else:
            del self.fields["remove_attachments"]

    def _organization_choice_needed(self) -> bool:
        return len(self.organizations) > 1 or (bool(self.organizations) and self.citizen_allowed)

    @property
    def fixed_organization(self):
        """The only body the person may speak for, when there is no choice to make (else None)."""
        if "organization" in self.fields or not self.organizations:
            return None
        return self.organizations[0]

    def chosen_organization(self):
        if "organization" in self.fields:
            return self.cleaned_data.get("organization")
        if self.contribution is not None:
            return self.contribution.organization
        return self.fixed_organization

    def clean_target(self) -> dict:
        value = self.cleaned_data["target"]
        for target in self.targets:
            if target.whole_document and value == f"{WHOLE_DOCUMENT_PREFIX}{target.document.pk}":
                return {"section": None, "document": target.document}
            for section in target.sections:
                if value == f"{SECTION_PREFIX}{section.pk}":
                    return {"section": section, "document": target.document}
        raise ValidationError(_("Choose a section or a document from the list."))

    def clean_attachments(self) -> list:
        files = self.cleaned_data.get("attachments") or []
        errors = []
        for upload in files:
            try:
                validate_attachment(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("attachments") or []
        existing = 0
        if self.contribution is not None and self.contribution.pk:
            existing = self.contribution.attachments.count() - len(cleaned.get("remove_attachments") or [])
        if files and existing + len(files) > max_attachments():
            self.add_error(
                "attachments",
                _("A contribution may have at most %(max)d attachments.") % {"max": max_attachments()},
            )
        return cleaned

    @property
    def section(self) -> Section | None:
        return (self.cleaned_data.get("target") or {}).get("section")

    @property
    def document(self) -> Document | None:
        return (self.cleaned_data.get("target") or {}).get("document")

    def contribution_fields(self) -> dict:
        """What the person wrote, as ``submit_contribution`` and ``update_contribution`` both take it."""
        return {
            "section": self.section,
            "document": self.document,
            "body": self.cleaned_data["body"],
            "proposed_wording": self.cleaned_data["proposed_wording"],
            "objects_to_publication": self.cleaned_data["objects_to_publication"],
            "attachments": self.cleaned_data["attachments"],
        }


class QuestionForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"),
        max_length=MAX_QUESTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The question and its answer are published once the staff have answered; your name is not."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published on the questions page; the person who asked is notified."),
    )


class CitizenAccessForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice"),
        help_text=_(
            "Your name and e-mail are used to take part in this consultation; your contributions are "
            "published after closing with your name unless you object on the form."
        ),
        error_messages={"required": _("Please read and accept the privacy notice.")},
    )
    target = forms.ChoiceField(
        choices=[("contribute", "contribute"), ("questions", "questions")],
        widget=forms.HiddenInput,
        required=False,
    )
