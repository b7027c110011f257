"""Forms of the written procedures and recommendations pages.

Forms parse input; the rules (deadline, who may answer, what a reply may say) are the services'
(``written_procedures.py``, ``recommendations.py``), whose errors the views show next to the fields."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from .forms_manage import DATE_WIDGET
from .models import Recommendation, RecommendationStatus, ResponseChoice, Seat
from .recommendations import NEXT_STATUSES
from .selectors_procedures import recommendation_meetings

DOCUMENT_HELP = gettext_lazy("PDF, signed PDF (p7m), DOCX, ODT, XLSX or ODS.")


class OpenProcedureForm(forms.Form):
    title_it = forms.CharField(label=gettext_lazy("Subject (Italian)"), max_length=300)
    title_en = forms.CharField(label=gettext_lazy("Subject (English)"), max_length=300, required=False)
    description = forms.CharField(
        label=gettext_lazy("What the members are asked to decide"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent procedure"),
        required=False,
        help_text=gettext_lazy(
            "The shorter window of the rules of procedure; the reason is recorded and shown."
        ),
    )
    urgency_reason = forms.CharField(
        label=gettext_lazy("Reason for urgency"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document_title = forms.CharField(
        label=gettext_lazy("Document title"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Leave empty to use the subject."),
    )
    document = forms.FileField(label=gettext_lazy("Document"), required=False, help_text=DOCUMENT_HELP)

    def procedure_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title_it": data["title_it"],
            "title_en": data["title_en"],
            "description": data["description"],
        }

    def document_data(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("document"):
            return None
        return {"file": data["document"], "title_it": data["document_title"] or data["title_it"]}


class ProcedureDocumentForm(forms.Form):
    title_it = forms.CharField(label=gettext_lazy("Title (Italian)"), max_length=300)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300, required=False)
    file = forms.FileField(label=gettext_lazy("File"), help_text=DOCUMENT_HELP)
    is_confidential = forms.BooleanField(label=gettext_lazy("Withhold from the public"), required=False)
    confidentiality_reason = forms.CharField(
        label=gettext_lazy("Reason for withholding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown publicly in place of the document (CPR Art. 38(4))."),
    )


class AnswerForm(forms.Form):
    seat = forms.ModelChoiceField(
        label=gettext_lazy("Answering for"), queryset=Seat.objects.none(), empty_label=None
    )
    choice = forms.ChoiceField(
        label=gettext_lazy("Your answer"), choices=ResponseChoice.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("Reasons or observations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required to object (the reasons) or to send observations."),
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


class RecommendationForm(forms.Form):
    text_it = forms.CharField(
        label=gettext_lazy("Recommendation (Italian)"), widget=forms.Textarea(attrs={"rows": 5})
    )
    text_en = forms.CharField(
        label=gettext_lazy("Recommendation (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    date = forms.DateField(label=gettext_lazy("Made on"), widget=DATE_WIDGET, initial=timezone.localdate)
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("Meeting"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Not made at a meeting (e.g. by written procedure)"),
    )

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        field.queryset = recommendation_meetings(body)
        field.label_from_instance = lambda m: f"{m.title} – {date_format(m.day, 'SHORT_DATE_FORMAT')}"


class ReplyForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=())
    reply = forms.CharField(
        label=gettext_lazy("Reply of the managing authority"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What the managing authority did or will do, and why (CPR Art. 40(3))."),
    )
    reply_date = forms.DateField(
        label=gettext_lazy("Reply date"), widget=DATE_WIDGET, initial=timezone.localdate
    )

    def __init__(self, *args, recommendation: Recommendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, RecommendationStatus(status).label) for status in NEXT_STATUSES[recommendation.status]
        ]
