"""Forms of the staff's disposition work and of the outcome's publication.

They parse and show errors; the rules (closed consultation, a reason, changed sections of a newer version,
every contribution disposed) are the services', whose errors the views put back on these forms with
``add_service_errors``. That is why outcome and reason are not ``required`` here: the service's message says
more than "This field is required".
"""

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from officine.core.uploads import SPREADSHEET_KINDS, validate_upload

from .models import (
    Consultation,
    Contribution,
    DispositionOutcome,
    DispositionTemplate,
    DocumentVersion,
    Section,
    SectionChange,
)
from .selectors_dispositions import FilterOptions

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def section_choice_label(section: Section) -> str:
    """“Version 2, section 3: Heading (modified)”: numbers can shift between versions."""
    change = _("added") if section.change == SectionChange.ADDED else _("modified")
    return _("Version %(version)d, section %(number)d: %(heading)s (%(change)s)") % {
        "version": section.version.number,
        "number": section.number,
        "heading": section.heading,
        "change": change,
    }


class SectionChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Section) -> str:
        return section_choice_label(obj)


class ContributionFilterForm(forms.Form):
    """The list's filters (GET); choices are what this consultation actually has."""

    q = forms.CharField(label=_("Search in the text"), required=False, max_length=200)
    section = forms.ChoiceField(label=_("Section"), required=False)
    organization = forms.ChoiceField(label=_("Organisation"), required=False)
    cpr_category = forms.ChoiceField(label=_("CPR Art. 8(1) category"), required=False)
    disposition = forms.ChoiceField(label=_("Disposition"), required=False)
    group = forms.ChoiceField(label=_("Group of similar contributions"), required=False)

    def __init__(self, data, options: FilterOptions):
        super().__init__(data)
        anything = [("", _("Any"))]
        self.fields["section"].choices = anything + options.sections
        self.fields["organization"].choices = anything + options.organizations
        self.fields["cpr_category"].choices = anything + options.cpr_categories
        self.fields["disposition"].choices = anything + list(options.dispositions)
        self.fields["group"].choices = anything + options.groups
        if not options.groups:
            del self.fields["group"]

    def filters(self) -> dict[str, str]:
        """Valid filters only: an invalid value (an old link) is ignored rather than failing the page."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields if name not in self.errors}


class DispositionFields(forms.Form):
    """Outcome, reason, template and changed sections: shared by the single and the bulk form."""

    outcome = forms.ChoiceField(
        label=_("Disposition"), choices=DispositionOutcome.choices, required=False, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Published with the outcome report: explain how the contribution was taken into account."
        ),
    )
    template = forms.ModelChoiceField(
        label=_("Answer template"),
        queryset=DispositionTemplate.objects.none(),
        required=False,
        empty_label=_("No template"),
    )
    changed_sections = SectionChoiceField(
        label=_("Sections changed in the new version"),
        queryset=Section.objects.none(),
        required=False,
        help_text=_("Required when the contribution is accepted or partly accepted."),
    )

    def __init__(
        self,
        *args,
        templates: Sequence[DispositionTemplate],
        sections: Sequence[Section],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = DispositionTemplate.objects.filter(
            pk__in=[t.pk for t in templates]
        )
        self.fields["template"].choices = [("", _("No template"))] + [(t.pk, t.title) for t in templates]
        self.fields["changed_sections"].queryset = Section.objects.filter(
            pk__in=[s.pk for s in sections]
        ).select_related("version")
        self.fields["changed_sections"].choices = [(s.pk, section_choice_label(s)) for s in sections]
        self.templates = list(templates)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data.get("outcome") or "",
            "reason": data.get("reason") or "",
            "changed_sections": list(data.get("changed_sections") or []),
            "template": data.get("template"),
        }


class DispositionForm(DispositionFields):
    pass


class BulkDispositionForm(DispositionFields):
    """The same disposition for the contributions ticked in the list. With a template chosen and the reason
    left empty, the template's outcome and reason are used (so the form works without JavaScript)."""

    contributions = forms.ModelMultipleChoiceField(
        label=_("Contributions"), queryset=Contribution.objects.none(), required=False
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contributions"].queryset = consultation.contributions.select_related(
            "version", "consultation__programme"
        )

    def clean(self):
        data = super().clean()
        if not data.get("contributions"):
            raise ValidationError(_("Tick at least one contribution in the list."))
        template = data.get("template")
        if template is not None and not (data.get("reason") or "").strip():
            data["reason"] = template.reason
            data["outcome"] = data.get("outcome") or template.outcome
        return data


class DispositionTemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    outcome = forms.ChoiceField(
        label=_("Disposition"), choices=[("", "—"), *DispositionOutcome.choices], required=False
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 5}))


class DispositionImportForm(forms.Form):
    file = forms.FileField(
        label=_("File with the dispositions"),
        help_text=_(
            "CSV (UTF-8 or Windows-1252, separated by ; or ,), Excel (XLSX) or OpenDocument (ODS), "
            "up to 2 MB."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.file_format = validate_upload(upload, SPREADSHEET_KINDS)
        if upload.size > min(MAX_IMPORT_BYTES, settings.OFFICINE_MAX_UPLOAD_MB * 1024 * 1024):
            raise ValidationError(
                _("The file is %(size)s MB; a file of dispositions may be up to 2 MB: split it.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}"}
            )
        return upload


class PublishOutcomeForm(forms.Form):
    summary_it = forms.CharField(
        label=_("What we did (Italian)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Opens the outcome report: how the contributions changed the documents."),
    )
    summary_en = forms.CharField(
        label=_("What we did (English)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    final_version = forms.ModelChoiceField(
        label=_("Final document"),
        queryset=DocumentVersion.objects.none(),
        required=False,
        help_text=_("Co-programming and co-design end with this document; optional for consultations."),
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        versions = list(versions)
        self.fields["final_version"].queryset = DocumentVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        )
        self.fields["final_version"].choices = [("", "—")] + [
            (v.pk, _("%(title)s, version %(number)d") % {"title": v.document.title, "number": v.number})
            for v in versions
        ]
