"""Forms of the secretariat's pages: bodies, composition, meetings, agenda, documents, attendance, votes.

Forms parse and check input; the rules that involve the database (the notice period, the quorum, who may
vote, overlapping seats) belong to the services, whose errors the views show next to the fields they name.
Model forms here never validate or save the instance themselves (``_post_clean`` is skipped): the service
does, so a refused change leaves the record untouched.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from officine.programmes.models import Programme
from officine.registry.models import Organization

from . import composition
from .models import (
    AgendaItem,
    AttendanceStatus,
    Body,
    DecisionMethod,
    Meeting,
    MeetingKind,
    Outcome,
    Seat,
    VoteChoice,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class ServiceModelForm(forms.ModelForm):
    """A model form whose instance is validated and saved by a service, not by the form."""

    def _post_clean(self):  # the service runs full_clean on what it saves
        pass


# --- Bodies ---------------------------------------------------------------------------------------------


class BodyForm(ServiceModelForm):
    programmes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Programmes served"),
        queryset=Programme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("One monitoring committee may serve several programmes (CPR Art. 38(1))."),
    )

    class Meta:
        model = Body
        fields = [*composition.BODY_FIELDS, *composition.BODY_FILES]
        widgets = {"constitution_act_date": DATE_WIDGET}

    def __init__(self, *args, programmes: QuerySet[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = programmes
        if self.instance.pk:
            self.initial["programmes"] = [p.pk for p in self.instance.programmes.all() if p in programmes]
            # Programmes the user does not staff are kept as they are; the body must still serve one.
            self.fields["programmes"].required = False
        elif "programmes" not in self.initial and len(only := list(programmes[:2])) == 1:
            self.initial["programmes"] = [only[0].pk]
        for name in composition.BODY_FILES:
            self.fields[name].help_text = gettext_lazy("PDF or signed PDF (p7m).")

    def service_data(self, files) -> dict:
        """What the services take: every field, files only when one was uploaded (or cleared)."""
        data = {name: self.cleaned_data.get(name) for name in composition.BODY_FIELDS}
        for name in composition.BODY_FILES:
            value = self.cleaned_data.get(name)
            if name in files:
                data[name] = value
            elif value is False:  # "clear" ticked
                data[name] = ""
        return data


# --- Composition ----------------------------------------------------------------------------------------


class _AccountField(forms.EmailField):
    """An e-mail address naming an existing account (or empty), cleaned to the user."""

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError(
                _("No active account uses this e-mail address: leave it empty or ask the person to sign up.")
            )
        return user


def _organizations() -> QuerySet[Organization]:
    return Organization.objects.only("pk", "name").order_by("name", "pk")


class SeatForm(ServiceModelForm):
    """The holder of a seat: organisation, role, member and substitute (name, gender, account)."""

    member_email = _AccountField(
        label=gettext_lazy("Member's account (e-mail)"),
        required=False,
        help_text=gettext_lazy(
            "Links the seat to the member's account, so they can answer written procedures."
        ),
    )
    substitute_email = _AccountField(label=gettext_lazy("Substitute's account (e-mail)"), required=False)

    class Meta:
        model = Seat
        fields = [
            "organization",
            "role",
            "member_name",
            "member_gender",
            "member_email",
            "substitute_name",
            "substitute_gender",
            "substitute_email",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations()
        if self.instance.pk:
            self.initial["member_email"] = getattr(self.instance.member_user, "email", "")
            self.initial["substitute_email"] = getattr(self.instance.substitute_user, "email", "")

    def seat_data(self) -> dict:
        data = {
            name: self.cleaned_data.get(name)
            for name in (
                "organization",
                "role",
                "member_name",
                "member_gender",
                "substitute_name",
                "substitute_gender",
            )
        }
        data["member_user"] = self.cleaned_data.get("member_email")
        data["substitute_user"] = self.cleaned_data.get("substitute_email")
        return data


class ActForm(forms.Form):
    """The formal act that makes a change to the composition."""

    act_number = forms.CharField(label=gettext_lazy("Act (number)"), max_length=100)
    act_date = forms.DateField(label=gettext_lazy("Act (date)"), widget=DATE_WIDGET)


class SeatAddForm(SeatForm):
    start_date = forms.DateField(label=gettext_lazy("Seat from"), widget=DATE_WIDGET)
    act_number = forms.CharField(label=gettext_lazy("Appointing act (number)"), max_length=100)
    act_date = forms.DateField(label=gettext_lazy("Appointing act (date)"), widget=DATE_WIDGET)


class SeatReplaceForm(SeatForm):
    start_date = forms.DateField(
        label=gettext_lazy("New holder from"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy("The current seat ends the day before."),
    )
    act_number = forms.CharField(label=gettext_lazy("Act of the change (number)"), max_length=100)
    act_date = forms.DateField(label=gettext_lazy("Act of the change (date)"), widget=DATE_WIDGET)


class SeatEndForm(forms.Form):
    end_date = forms.DateField(label=gettext_lazy("Last day of the seat"), widget=DATE_WIDGET)
    act_number = forms.CharField(label=gettext_lazy("Closing act (number)"), max_length=100)
    act_date = forms.DateField(label=gettext_lazy("Closing act (date)"), widget=DATE_WIDGET)


# --- Meetings -------------------------------------------------------------------------------------------


class MeetingForm(ServiceModelForm):
    """A meeting, public event or training. Once created, body, type and programme stay as they are."""

    class Meta:
        model = Meeting
        fields = [
            "body",
            "programme",
            "kind",
            "title_it",
            "title_en",
            "mode",
            "place",
            "online_link",
            "online_link_is_public",
            "starts_at",
            "ends_at",
            "capacity",
            "description_it",
            "description_en",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "description_it": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    FIXED_AFTER_CREATION = ("body", "programme", "kind", "capacity")

    def __init__(self, *args, bodies: QuerySet[Body], programmes: QuerySet[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["body"].help_text = _("Required for a meeting of a body; leave empty for a public event.")
        self.fields["programme"].queryset = programmes
        self.fields["programme"].help_text = _(
            "For an event, the programme that organises it; filled in for a body serving one programme."
        )
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = DATETIME_FORMATS
            self.fields[name].help_text = _("Italian time (Europe/Rome).")
        if self.instance.pk:
            for name in self.FIXED_AFTER_CREATION:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            return data
        body = data.get("body")
        if body is None and data.get("programme") is None:
            self.add_error("programme", _("Choose the programme of the event (or the body that meets)."))
        if body is not None and data.get("programme") is None:
            served = list(body.programmes.all()[:2])
            if len(served) == 1:
                data["programme"] = served[0]
        if data.get("kind") == MeetingKind.BODY_MEETING and body is None:
            self.add_error("body", _("Choose the body that meets."))
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class AgendaItemForm(ServiceModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title_it", "title_en", "presenter", "kind"]


class DocumentForm(forms.Form):
    title_it = forms.CharField(label=gettext_lazy("Title (Italian)"), max_length=300)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300, required=False)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, signed PDF (p7m), DOCX, ODT, XLSX or ODS."),
    )
    item = forms.ModelChoiceField(
        label=gettext_lazy("Agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole meeting"),
    )
    is_confidential = forms.BooleanField(label=gettext_lazy("Withhold from the public"), required=False)
    confidentiality_reason = forms.CharField(
        label=gettext_lazy("Reason for withholding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown publicly in place of the document (CPR Art. 38(4))."),
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(meeting=meeting).order_by("order")


class WithholdForm(forms.Form):
    confidentiality_reason = forms.CharField(
        label=gettext_lazy("Reason for withholding"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown publicly in place of the document and recorded in the audit trail."),
    )


class NoticeForm(forms.Form):
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent convocation"),
        required=False,
        help_text=gettext_lazy("Only when the ordinary notice period can no longer be respected."),
    )
    urgency_reason = forms.CharField(
        label=gettext_lazy("Reason for urgency"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Recorded and shown on the meeting's public page."),
    )


class CancelForm(forms.Form):
    cancellation_reason = forms.CharField(
        label=gettext_lazy("Reason for cancelling"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required once the notice has gone out: members and participants are told."),
    )


# --- In the room ----------------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    """One select per seat in force (``status-<seat pk>``); an empty choice leaves the seat as it is."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            choices = [("", _("not recorded"))] + [
                (value, label)
                for value, label in AttendanceStatus.choices
                if value != AttendanceStatus.SUBSTITUTE or row.seat.substitute_name.strip()
            ]
            self.fields[self.field_name(row.seat)] = forms.ChoiceField(
                label=str(row.seat), choices=choices, required=False, initial=row.status
            )

    @staticmethod
    def field_name(seat: Seat) -> str:
        return f"status-{seat.pk}"

    def changes(self) -> list[tuple[Seat, str]]:
        """Seats whose status was chosen and differs from what is recorded."""
        return [
            (row.seat, self.cleaned_data[self.field_name(row.seat)])
            for row in self.rows
            if self.cleaned_data.get(self.field_name(row.seat))
            and self.cleaned_data[self.field_name(row.seat)] != row.status
        ]

    def bound_rows(self):
        return [(row, self[self.field_name(row.seat)]) for row in self.rows]


class DecisionForm(forms.Form):
    """The votes of the members who may vote (``vote-<seat pk>``) and the decision on the item."""

    decided_by = forms.ChoiceField(
        label=gettext_lazy("Decided"), choices=DecisionMethod.choices, initial=DecisionMethod.VOTE
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome (by consensus)"),
        required=False,
        help_text=gettext_lazy(
            "By vote, the outcome is computed from the votes under the body's majority rule."
        ),
    )

    def __init__(self, *args, sheet, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.fields["outcome"].choices = [("", "—")] + [(o, Outcome(o).label) for o in outcomes]
        for row in sheet.eligible if sheet.can_vote else []:
            self.fields[self.field_name(row.seat)] = forms.ChoiceField(
                label=str(row.seat),
                choices=[("", _("no vote recorded")), *VoteChoice.choices],
                required=False,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(seat: Seat) -> str:
        return f"vote-{seat.pk}"

    def votes(self) -> dict[Seat, str]:
        return {
            row.seat: self.cleaned_data[self.field_name(row.seat)]
            for row in self.sheet.eligible
            if self.cleaned_data.get(self.field_name(row.seat))
        }

    def bound_rows(self):
        """Every voting member's row, with the vote field for those who may vote now (else None)."""
        return [
            (row, self[self.field_name(row.seat)] if self.field_name(row.seat) in self.fields else None)
            for row in self.sheet.rows
        ]

    def clean(self):
        data = super().clean()
        if data.get("decided_by") == DecisionMethod.CONSENSUS and any(self.votes().values()):
            self.add_error(
                "decided_by", _("Votes were given: record the decision by vote, or clear the votes.")
            )
        if data.get("decided_by") == DecisionMethod.VOTE and data.get("outcome"):
            self.add_error("outcome", _("The outcome of a vote is computed from the votes: leave it empty."))
        return data


class ConflictForm(forms.Form):
    seat = forms.ModelChoiceField(label=gettext_lazy("Member"), queryset=Seat.objects.none())
    note = forms.CharField(
        label=gettext_lazy("Nature of the conflict"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, seats: QuerySet[Seat], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = seats
