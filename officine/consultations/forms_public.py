"""GET filters of the public consultation pages: the list of consultations and the published contributions.

Both are bound to the query string; a value that does not validate is reported next to its field and that
filter alone is ignored, so a stale or hand-edited link still shows a useful page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from officine.registry.choices import CprCategory

from .models import Audience, DispositionOutcome, Phase, ProcedureKind, Section, Topic
from .selectors import CITIZENS, STATE_FILTERS, UNDECIDED, programmes_with_consultations

WHOLE_DOCUMENT = "whole"

STATE_LABELS = {
    "open": _("Open"),
    "upcoming": _("Upcoming"),
    "closed": _("Closed"),
    "outcome_published": _("Outcome published"),
}


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.title


class ConsultationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by title"), required=False, max_length=200)
    programme = ProgrammeChoiceField(
        label=_("Programme"), required=False, queryset=None, empty_label=_("All programmes")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *((key, STATE_LABELS[key]) for key in STATE_FILTERS)],
    )
    phase = forms.ChoiceField(
        label=_("Phase of the programme cycle"),
        required=False,
        choices=[("", _("All phases")), *Phase.choices],
    )
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("All topics")), *Topic.choices]
    )
    audience = forms.ChoiceField(
        label=_("Who may contribute"),
        required=False,
        choices=[("", _("Everyone and partners")), *Audience.choices],
    )
    kind = forms.ChoiceField(
        label=_("Procedure"), required=False, choices=[("", _("All procedures")), *ProcedureKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_with_consultations()

    def filters(self) -> dict:
        """Arguments for ``selectors.announced_consultations`` from the fields that validated."""
        data = getattr(self, "cleaned_data", {})
        programme = data.get("programme")
        return {
            "programme_id": programme.pk if programme else None,
            "state": data.get("state") or None,
            "phase": data.get("phase") or None,
            "topic": data.get("topic") or None,
            "audience": data.get("audience") or None,
            "kind": data.get("kind") or None,
            "query": data.get("q") or None,
        }


class ContributionFilterForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), required=False)
    organization = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=200,
        help_text=_("Part of the name, or the acronym."),
    )
    cpr_category = forms.ChoiceField(
        label=_("Category (Art. 8 CPR)"),
        required=False,
        choices=[("", _("All categories")), *CprCategory.choices, (CITIZENS, _("Citizens"))],
    )
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        required=False,
        choices=[("", _("All dispositions")), *DispositionOutcome.choices, (UNDECIDED, _("Not yet decided"))],
    )
    q = forms.CharField(label=_("Search in the text"), required=False, max_length=200)

    def __init__(self, *args, documents: list[tuple[object, list[Section]]], **kwargs):
        """``documents`` lists (document, sections of the consulted version), as the section choices."""
        super().__init__(*args, **kwargs)
        self._sections = {str(s.pk): s for _doc, sections in documents for s in sections}
        choices: list = [("", _("All sections")), (WHOLE_DOCUMENT, _("The document as a whole"))]
        for document, sections in documents:
            options = [(str(s.pk), f"{s.number}. {s.heading}") for s in sections]
            if len(documents) > 1:
                choices.append((document.title, options))
            else:
                choices.extend(options)
        self.fields["section"].choices = choices

    def filters(self) -> dict:
        """Arguments for ``selectors.published_contributions`` from the fields that validated."""
        data = getattr(self, "cleaned_data", {})
        section = data.get("section") or ""
        return {
            "section_key": self._sections[section].key if section in self._sections else None,
            "whole_document": section == WHOLE_DOCUMENT,
            "organization": data.get("organization") or "",
            "cpr_category": data.get("cpr_category") or "",
            "disposition": data.get("disposition") or "",
            "query": data.get("q") or "",
        }
