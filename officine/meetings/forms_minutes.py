"""Forms of the minutes: the draft (one text per agenda item), circulation, revision, approval, comments.

They parse and show errors; the rules are the services' (``minutes.py``), whose errors the views put back on
these forms with ``add_service_errors``, so what the user typed is never lost.
"""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import minutes as services
from .models import AgendaItem, Meeting, WrittenProcedure
from .selectors_minutes import MinutesDocument


def _short(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def item_field_name(item: AgendaItem) -> str:
    return f"item_{item.pk}"


class DraftForm(forms.Form):
    """The opening, one text per agenda item, and the closing of the current draft version."""

    opening = forms.CharField(
        label=_("Opening"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Date and place, chair, who was present and whether the quorum was met."),
    )
    closing = forms.CharField(
        label=_("Closing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When the meeting ended, and anything said after the last item."),
    )

    def __init__(self, *args, document: MinutesDocument, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "opening": document.version.opening,
                "closing": document.version.closing,
                **{item_field_name(s.item): s.text for s in document.sections},
            },
        )
        super().__init__(*args, **kwargs)
        closing = self.fields.pop("closing")
        self.items = [section.item for section in document.sections]
        for item in self.items:
            self.fields[item_field_name(item)] = forms.CharField(
                label=str(item), required=False, widget=forms.Textarea(attrs={"rows": 8})
            )
        self.fields["closing"] = closing

    @property
    def item_fields(self):
        return [self[item_field_name(item)] for item in self.items]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "opening": data["opening"],
            "closing": data["closing"],
            "sections": {item.pk: data[item_field_name(item)] for item in self.items},
        }


class CirculateForm(forms.Form):
    working_days = forms.IntegerField(
        label=_("Working days for comments"),
        initial=services.DEFAULT_COMMENT_WORKING_DAYS,
        min_value=services.MIN_COMMENT_WORKING_DAYS,
        max_value=services.MAX_COMMENT_WORKING_DAYS,
        help_text=_(
            "Counted from today on the Italian calendar, with the local holidays of the body's programmes. "
            "Members may comment until the end of the last day."
        ),
    )


class ReviseForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changes in the new version"),
        required=False,  # the service says why it is needed
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the comments were taken into account: this note is kept in the history."),
    )


class ApproveForm(forms.Form):
    """The approving meeting or written procedure, in one list grouped by kind."""

    approval = forms.ChoiceField(label=_("Approved by"))

    def __init__(self, *args, meetings=(), procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {m.pk: m for m in meetings}
        self.procedures = {p.pk: p for p in procedures}
        choices: list = [("", _("Choose…"))]
        if self.meetings:
            choices.append(
                (
                    _("Meetings of the body"),
                    [
                        (f"meeting:{m.pk}", f"{date_format(m.day, 'SHORT_DATE_FORMAT')} – {m.title}")
                        for m in meetings
                    ],
                )
            )
        if self.procedures:
            choices.append(
                (
                    _("Written procedures (closed and approved)"),
                    [
                        (
                            f"procedure:{p.pk}",
                            f"{p.title} – {_('closed on')} {_short(timezone.localdate(p.closed_at))}",
                        )
                        for p in procedures
                    ],
                )
            )
        self.fields["approval"].choices = choices

    def target(self) -> dict[str, Meeting | WrittenProcedure]:
        kind, _sep, pk = self.cleaned_data["approval"].partition(":")
        if kind == "meeting":
            return {"meeting": self.meetings[int(pk)]}
        return {"procedure": self.procedures[int(pk)]}


class CommentForm(forms.Form):
    item = forms.ChoiceField(label=_("On"), required=False)
    text = forms.CharField(
        label=_("Your comment"),
        required=False,  # the service says why it is needed
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in items}
        self.fields["item"].choices = [("", _("The minutes as a whole"))] + [
            (str(item.pk), str(item)) for item in items
        ]

    def chosen_item(self) -> AgendaItem | None:
        value = self.cleaned_data.get("item")
        return self.items.get(int(value)) if value else None
