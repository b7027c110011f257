"""The filter form of a programme's project list (GET): its choices come from the release itself."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import Option


def _choices(options: list[Option], everything: str) -> list[tuple[str, str]]:
    return [("", everything)] + [(o.value, f"{o.label} ({o.projects})") for o in options]


class ProjectFilterForm(forms.Form):
    """Search and filters; unknown values are dropped (the selector would only find nothing)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Title, CUP, project code or beneficiary."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, data, *, statuses: list[Option], themes: list[Option], regions: list[Option]):
        super().__init__(data)
        self.fields["status"].choices = _choices(statuses, _("All statuses"))
        self.fields["theme"].choices = _choices(themes, _("All themes"))
        self.fields["region"].choices = _choices(regions, _("All regions"))
