"""GET filters of the public pages: the calendar of meetings and the list of bodies.

Both are bound to the query string; a value that does not validate is reported next to its field and that
filter alone is ignored, so a stale or hand-edited link still shows a useful page. The calendar's parameter
names (``programme``, ``body``, ``kind``, ``mode``, ``from``, ``to``, ``past``) are also those of its
iCalendar feed (``meetings:calendar_ics``), which the page links with the same query string.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BodyKind, MeetingKind, MeetingMode
from .selectors import bodies_for_filter, programmes_for_calendar, programmes_with_bodies

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.title


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class CalendarFilterForm(forms.Form):
    programme = ProgrammeChoiceField(
        label=_("Programme"), required=False, queryset=None, empty_label=_("All programmes")
    )
    body = BodyChoiceField(label=_("Body"), required=False, queryset=None, empty_label=_("All bodies"))
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *MeetingKind.choices]
    )
    mode = forms.ChoiceField(
        label=_("Mode"), required=False, choices=[("", _("In person and online")), *MeetingMode.choices]
    )
    past = forms.BooleanField(label=_("Show past meetings instead of upcoming ones"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_for_calendar().order_by("title_it")
        self.fields["body"].queryset = bodies_for_filter()

    def filters(self) -> dict:
        """Arguments for ``selectors.calendar_meetings`` from the fields that validated."""
        data = getattr(self, "cleaned_data", {})
        programme, body = data.get("programme"), data.get("body")
        return {
            "programme_id": programme.pk if programme else None,
            "body_id": body.pk if body else None,
            "kind": data.get("kind") or None,
            "mode": data.get("mode") or None,
            "date_from": data.get("from"),
            "date_to": data.get("to"),
            "past": bool(data.get("past")),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end of the period comes before its start."))
            data.pop("to", None)
        return data


# ``from`` and ``to`` are the query-string names (shared with the iCalendar feed); ``from`` is a Python
# keyword, so both are added to the declared fields here, before ``past``.
_date_fields = {
    "from": forms.DateField(
        label=_("From"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    ),
    "to": forms.DateField(
        label=_("To"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    ),
}
CalendarFilterForm.base_fields = {
    **{k: v for k, v in CalendarFilterForm.base_fields.items() if k != "past"},
    **_date_fields,
    "past": CalendarFilterForm.base_fields["past"],
}


class BodyFilterForm(forms.Form):
    programme = ProgrammeChoiceField(
        label=_("Programme"), required=False, queryset=None, empty_label=_("All programmes")
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *BodyKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_with_bodies().order_by("title_it")

    def filters(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        programme = data.get("programme")
        return {"programme_id": programme.pk if programme else None, "kind": data.get("kind") or None}
