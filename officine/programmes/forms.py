"""Forms for the programme list filters and the staff pages (programme, priorities, partnership, staff).

Organisations are picked by typing their tax code, VAT number, IPA code or exact name rather than from a
select: a registry of 10,000 bodies makes a select unusable (and heavy for screen readers), and limiting it
to public bodies would still list thousands of municipalities. A typed name that matches nothing gets an
error listing close names, so the user can copy the right one.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from officine.core.uploads import DOCUMENT_KINDS, validate_upload
from officine.registry.choices import TerritoryLevel
from officine.registry.models import Organization, Territory
from officine.registry.validators import normalize_code

from .models import Cycle, Fund, Membership, Priority, Programme, ProgrammeKind
from .selectors import programme_regions

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _formfield(model_field, **kwargs):
    """Model form fields, with links typed without a scheme read as https (Django 6's default)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


MAX_SUGGESTIONS = 5


def organization_label(org: Organization) -> str:
    """What the lookup field shows for an organisation: an identifier that finds it again."""
    return org.tax_code or org.vat_number or org.name


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        if obj.level == TerritoryLevel.PROVINCE:
            return str(_("%(name)s (autonomous province)") % {"name": obj.name})
        return obj.name


class FundChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Fund) -> str:
        return f"{obj.acronym_it} – {obj.name}"


class OrganizationLookupField(forms.CharField):
    """A text field that resolves to one Organization by tax code, VAT number, IPA code or exact name."""

    default_error_messages = {
        "not_found": _("No organisation has this tax code, IPA code or name."),
        "not_found_suggest": _(
            "No organisation has this tax code, IPA code or name. Similar names: %(names)s."
        ),
        "ambiguous": _("%(count)d organisations have this name: type the tax code instead."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault(
            "help_text",
            _("Type the tax code, the VAT number, the IPA code or the exact name of the organisation."),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return organization_label(value)
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        return self.resolve(text.strip())

    def resolve(self, text: str) -> Organization:
        code = normalize_code(text)
        vat = code.removeprefix("IT")
        condition = Q(name__iexact=text) | Q(ipa_code=text.lower())
        if code:
            condition |= Q(tax_code=code)
        if vat:
            condition |= Q(vat_number=vat)
        found = list(Organization.objects.filter(condition)[:5])
        by_code = [o for o in found if (code and o.tax_code == code) or (vat and o.vat_number == vat)]
        if by_code:
            return by_code[0]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"count": len(found)}
            )
        similar = Organization.objects.filter(name__icontains=text).order_by("name")[:MAX_SUGGESTIONS]
        names = [f"{o.name} ({o.tax_code})" if o.tax_code else o.name for o in similar]
        if names:
            raise ValidationError(
                self.error_messages["not_found_suggest"], code="not_found", params={"names": "; ".join(names)}
            )
        raise ValidationError(self.error_messages["not_found"], code="not_found")


# --- Public list filters -----------------------------------------------------------------------------


class ProgrammeFilterForm(forms.Form):
    """GET filters of the public programme list; an invalid value is reported and the filter ignored."""

    q = forms.CharField(label=_("Search by title or CCI code"), required=False, max_length=200)
    cycle = forms.ChoiceField(
        label=_("Programming period"), required=False, choices=[("", _("All periods")), *Cycle.choices]
    )
    fund = forms.ModelChoiceField(
        label=_("Fund"),
        required=False,
        queryset=Fund.objects.all(),
        to_field_name="code",
        empty_label=_("All funds"),
    )
    region = TerritoryChoiceField(
        label=_("Region"), required=False, queryset=programme_regions(), empty_label=_("All regions")
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *ProgrammeKind.choices]
    )

    def filters(self) -> dict:
        """Arguments for ``selectors.list_programmes`` from the fields that validated."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        fund = data.get("fund")
        region = data.get("region")
        return {
            "cycle": data.get("cycle") or None,
            "fund": fund.code if fund else None,
            "region_id": region.pk if region else None,
            "kind": data.get("kind") or None,
            "query": data.get("q") or None,
        }


# --- Programme -------------------------------------------------------------------------------------


class ProgrammeForm(forms.ModelForm):
    region = TerritoryChoiceField(
        label=_("Region"),
        required=False,
        queryset=programme_regions(),
        help_text=_("For regional programmes: the region or autonomous province."),
    )
    funds = FundChoiceField(
        label=_("Funds"), queryset=Fund.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    managing_authority = OrganizationLookupField(label=_("Managing authority"))

    class Meta:
        model = Programme
        formfield_callback = _formfield
        fields = [
            "cci",
            "title_it",
            "title_en",
            "cycle",
            "kind",
            "region",
            "funds",
            "managing_authority",
            "approval_date",
            "commission_decision",
            "website",
            "summary_it",
            "summary_en",
            "source_note",
        ]
        widgets = {
            "approval_date": DATE_WIDGET,
            "summary_it": forms.Textarea(attrs={"rows": 5}),
            "summary_en": forms.Textarea(attrs={"rows": 5}),
            "source_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "cci": _("15 characters, e.g. 2021IT16FFPR001."),
            "commission_decision": _("E.g. C(2022) 9029 of 01/12/2022."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        authority = self.instance.managing_authority if self.instance.managing_authority_id else None
        if authority is not None and not self.is_bound:
            self.initial["managing_authority"] = organization_label(authority)
        self.fields["cycle"].choices = [("", "---------"), *Cycle.choices]

    def clean_cci(self) -> str:
        from .validators import normalize_cci

        return normalize_cci(self.cleaned_data.get("cci"))


# --- Priorities --------------------------------------------------------------------------------------


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["code", "title_it", "title_en", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False

    def has_changed(self) -> bool:
        """A new row counts as filled in only when a number or a title was typed (not just an order)."""
        if self.instance.pk is None:
            return any(
                (self.data.get(self.add_prefix(n)) or "").strip() for n in ("code", "title_it", "title_en")
            )
        return super().has_changed()

    def clean_order(self) -> int:
        return self.cleaned_data.get("order") or 0


class BasePriorityFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Delete")

    def clean(self) -> None:
        super().clean()
        seen: dict[str, forms.Form] = {}
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            code = (form.cleaned_data.get("code") or "").strip()
            if not code:
                continue
            if code in seen:
                form.add_error("code", _("Another priority already has this number."))
            seen[code] = form

    def rows(self) -> list[dict]:
        """Rows for ``services.set_priorities``: every saved priority, and new ones that were filled in."""
        rows = []
        for form in self.forms:
            if not form.instance.pk and not form.has_changed():
                continue
            data = form.cleaned_data
            rows.append(
                {
                    "id": form.instance.pk,
                    "code": data.get("code", ""),
                    "title_it": data.get("title_it", ""),
                    "title_en": data.get("title_en", ""),
                    "order": data.get("order") or 0,
                    "delete": bool(self.can_delete and self._should_delete_form(form)),
                }
            )
        return rows


PriorityFormSet = forms.modelformset_factory(
    Priority, form=PriorityForm, formset=BasePriorityFormSet, extra=3, can_delete=True
)


# --- Partnership -------------------------------------------------------------------------------------


class MembershipForm(forms.ModelForm):
    """Edit a membership: roles, period and the act that selected the partner (ECCP Art. 2)."""

    class Meta:
        model = Membership
        formfield_callback = _formfield
        fields = [
            "is_consultee",
            "is_committee_member",
            "is_working_group_member",
            "start_date",
            "end_date",
            "selection_act_number",
            "selection_act_date",
            "selection_url",
            "selection_document",
        ]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET, "selection_act_date": DATE_WIDGET}
        help_texts = {
            "selection_document": _("PDF or signed PDF (p7m)."),
            "end_date": _("Leave empty while the membership lasts."),
        }

    role_fields = ("is_consultee", "is_committee_member", "is_working_group_member")

    def clean_selection_document(self):
        document = self.cleaned_data.get("selection_document")
        if isinstance(document, UploadedFile):
            validate_upload(document, DOCUMENT_KINDS)
        return document

    def role_bound_fields(self):
        return [self[name] for name in self.role_fields]

    def other_bound_fields(self):
        return [self[name] for name in self.fields if name not in self.role_fields and name != "organization"]


class MembershipAddForm(MembershipForm):
    organization = OrganizationLookupField(label=_("Organisation"))

    class Meta(MembershipForm.Meta):
        fields = ["organization", *MembershipForm.Meta.fields]


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(label=_("Last day of membership"), widget=DATE_WIDGET)

    def __init__(self, *args, membership: Membership, **kwargs):
        self.membership = membership
        super().__init__(*args, **kwargs)

    def clean_end_date(self):
        end = self.cleaned_data["end_date"]
        if end < self.membership.start_date:
            raise ValidationError(
                _("The end date comes before the start date (%(start)s)."),
                params={"start": self.membership.start_date.strftime("%d/%m/%Y")},
            )
        return end


class OrganizationFindForm(forms.Form):
    find = forms.CharField(label=_("Find an organisation"), required=False, max_length=200)


# --- Staff -------------------------------------------------------------------------------------------


class StaffAssignForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("Needed only for a person who has no account yet."),
    )
    invite = forms.BooleanField(
        label=_("Create the account and e-mail an invitation if the person has none"),
        required=False,
        help_text=_(
            "The invitation carries a link to choose a password; two-factor set-up follows at first login."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if not email:
            return cleaned
        self.user = get_user_model().objects.filter(email__iexact=email).first()
        if self.user is None and not cleaned.get("invite"):
            self.add_error(
                "email",
                _("No account has this e-mail address. Tick the box below to create it and invite them."),
            )
        if self.user is None and cleaned.get("invite") and not (cleaned.get("full_name") or "").strip():
            self.add_error("full_name", _("Give the person's name for the invitation."))
        return cleaned
