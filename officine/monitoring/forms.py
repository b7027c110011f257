"""The staff form that starts an import."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (a release is progetti + soggetti + localizzazioni)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ImportForm(forms.Form):
    """Files from the server's import folder, or uploaded; options of the import."""

    inbox_files = forms.MultipleChoiceField(
        label=_("Files in the server's import folder"), required=False, widget=forms.CheckboxSelectMultiple
    )
    uploads = MultipleFileField(
        label=_("Or upload files (CSV or ZIP)"),
        required=False,
        help_text=_("Up to %(limit)s MB each. Larger files: copy them to the import folder.")
        % {"limit": settings.MONITORING_UPLOAD_MAX_MB},
    )
    release_date = forms.DateField(
        label=_("Release date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty when the file names carry it (progetti_esteso_20250228.zip)."),
    )
    max_bad_rows = forms.IntegerField(
        label=_("Malformed rows tolerated per file"),
        min_value=0,
        initial=settings.MONITORING_MAX_BAD_ROWS,
        help_text=_("Above this number the import stops and the data in use stay as they are."),
    )

    def __init__(self, *args, choices: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inbox_files"].choices = choices

    def clean(self):
        data = super().clean()
        if not data.get("inbox_files") and not data.get("uploads"):
            raise forms.ValidationError(
                _("Choose files from the import folder or upload them."), code="no_files"
            )
        return data
