"""Forms of the members' requests to add agenda items and of the secretariat's answer.

Forms parse input; the rules (window, who may ask, an answer to decline) are ``agenda_requests``', whose
errors the views show next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy

from .models import AgendaItemKind, Seat


class AgendaRequestForm(forms.Form):
    seat = forms.ModelChoiceField(
        label=gettext_lazy("Requesting for"), queryset=Seat.objects.none(), empty_label=None
    )
    title_it = forms.CharField(
        label=gettext_lazy("Proposed item"),
        max_length=300,
        help_text=gettext_lazy("As it would appear on the agenda."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type of item"), choices=AgendaItemKind.choices, initial=AgendaItemKind.EXAMINATION
    )
    reason = forms.CharField(
        label=gettext_lazy("Why it should be on the agenda"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Shown to the secretariat and, once the request is answered, on the public page."
        ),
    )

    def __init__(self, *args, seats: list[Seat], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["seat"]
        field.queryset = Seat.objects.filter(pk__in=[seat.pk for seat in seats]).select_related(
            "organization"
        )
        field.label_from_instance = lambda seat: f"{seat.organization.name} – {seat.member_name}"
        if len(seats) == 1:
            field.initial = seats[0].pk
            field.widget = forms.HiddenInput()

    def request_data(self) -> dict:
        data = self.cleaned_data
        return {"title_it": data["title_it"], "kind": data["kind"], "reason": data["reason"]}


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer to the member"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required to decline (the reasons); shown on the public page of the meeting."),
    )
