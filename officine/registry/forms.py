"""Forms of the registry. They validate and show errors; saving is done by ``services``.

Territories are entered in two ways because there are two very different lists: 127 regions and provinces
fit a grouped multiple select, while nearly 8,000 municipalities are better typed (names or ISTAT codes).
"""

import html

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from officine.core.uploads import DOCUMENT_KINDS, SPREADSHEET_KINDS, validate_upload

from .choices import CivilSocietyFocus, CprCategory, EccpSubcategory, TerritorialLevel, TerritoryLevel
from .models import Organization, Representative
from .selectors import TerritoryResolver, area_choices, region_choices


class FastSelect(forms.Select):
    """A select whose options are rendered in Python rather than one template include per option.

    Django renders every ``<option>`` through a template; for the directory's filters (a hundred
    programmes, twenty regions) that alone took a tenth of the page's time budget (issue 2: p95 < 50 ms).
    The markup is the same as Django's.
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{_esc(group_name)}">')
            parts.extend(
                f'<option value="{_esc(o["value"])}"{_attrs(o["attrs"])}>{_esc(o["label"])}</option>'
                for o in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value above went through html.escape


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _attrs(attrs: dict) -> str:
    """Like ``flatatt``: True gives a bare attribute, False/None none at all."""
    out = []
    for key, value in attrs.items():
        if value is True:
            out.append(f" {key}")
        elif value is not False and value is not None:
            out.append(f' {key}="{_esc(value)}"')
    return "".join(out)


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("e.g. www.example.it"),
    )
    civil_society_focus = forms.MultipleChoiceField(
        label=_("Civil-society focus"),
        choices=CivilSocietyFocus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only for civil-society bodies (CPR category c): the interests CPR Art. 8(1)(c) names."),
    )
    areas = forms.TypedMultipleChoiceField(
        label=_("Regions and provinces"),
        coerce=int,
        required=False,
        widget=FastSelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose more than one."),
    )
    municipalities = forms.CharField(
        label=_("Municipalities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Names or ISTAT codes, separated by commas or semicolons. "
            "Where two municipalities share a name, add the province: Castro (LE)."
        ),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "acronym",
            "legal_form",
            "country",
            "tax_code",
            "vat_number",
            "ipa_code",
            "runts_number",
            "website",
            "email",
            "eccp_subcategory",
            "cpr_category",
            "civil_society_focus",
            "territorial_level",
            "is_umbrella",
            "umbrella_networks",
            "description_it",
            "description_en",
        ]
        widgets = {
            "description_it": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "umbrella_networks": FastSelectMultiple(attrs={"size": 6}),
            "legal_form": FastSelect,
            "eccp_subcategory": FastSelect,
            "cpr_category": FastSelect,
            "territorial_level": FastSelect,
        }

    sections = (
        (
            _("Identity"),
            (
                "name",
                "acronym",
                "legal_form",
                "country",
                "tax_code",
                "vat_number",
                "ipa_code",
                "runts_number",
                "website",
                "email",
            ),
        ),
        (_("Classification"), ("eccp_subcategory", "cpr_category", "civil_society_focus")),
        (_("Territory"), ("territorial_level", "areas", "municipalities")),
        (_("Network"), ("is_umbrella", "umbrella_networks")),
        (_("Description"), ("description_it", "description_en")),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = area_choices()
        networks = Organization.objects.filter(is_umbrella=True).order_by("name")
        if self.instance.pk:
            networks = networks.exclude(pk=self.instance.pk)
            territories = list(self.instance.territories.order_by("name"))
            self.initial.setdefault(
                "areas", [t.pk for t in territories if t.level != TerritoryLevel.MUNICIPALITY]
            )
            self.initial.setdefault(
                "municipalities",
                ", ".join(str(t) for t in territories if t.level == TerritoryLevel.MUNICIPALITY),
            )
        self.fields["umbrella_networks"].queryset = networks
        self.fields["umbrella_networks"].help_text = _("Umbrella networks this organisation belongs to.")

    def fieldsets(self):
        """Sections with headings, for the template: [(heading, [bound fields])]."""
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def clean_municipalities(self) -> str:
        text = self.cleaned_data.get("municipalities", "")
        found, errors = TerritoryResolver((TerritoryLevel.MUNICIPALITY,)).resolve_many(text, ",;")
        if errors:
            raise forms.ValidationError(errors)
        self._municipality_ids = [ref.pk for ref in found]
        return text

    def clean(self):
        cleaned = super().clean()
        area_ids = cleaned.get("areas") or []
        municipality_ids = getattr(self, "_municipality_ids", [])
        cleaned["territories"] = list(dict.fromkeys([*area_ids, *municipality_ids]))
        return cleaned


class RepresentativeForm(forms.ModelForm):
    user_email = forms.EmailField(
        label=_("User account (e-mail)"),
        required=False,
        help_text=_("Optional: the e-mail of the person's account, so they can act for the organisation."),
    )
    invite_account = forms.BooleanField(
        label=_("If there is no account with this e-mail, create it and send an invitation"),
        required=False,
    )

    class Meta:
        model = Representative
        fields = [
            "first_name",
            "last_name",
            "position",
            "role",
            "email",
            "phone",
            "gender",
            "is_public",
            "mandate_issuer",
            "mandate_date",
            "mandate_expires",
            "mandate_document",
        ]
        widgets = {
            "mandate_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "mandate_expires": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    sections = (
        (_("Person"), ("first_name", "last_name", "position", "role", "gender", "is_public")),
        (_("Contacts"), ("email", "phone", "user_email", "invite_account")),
        (_("Mandate"), ("mandate_issuer", "mandate_date", "mandate_expires", "mandate_document")),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.user_id:
            self.initial.setdefault("user_email", self.instance.user.email)
        self.fields["mandate_document"].help_text = _("PDF or signed PDF (p7m).")

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def clean_mandate_document(self):
        document = self.cleaned_data.get("mandate_document")
        if isinstance(document, UploadedFile):
            validate_upload(document, DOCUMENT_KINDS)
        return document

    def clean_user_email(self):
        email = (self.cleaned_data.get("user_email") or "").strip()
        if not email:
            return ""
        self._linked_user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        return email

    def clean(self):
        cleaned = super().clean()
        cleaned["user"] = getattr(self, "_linked_user", None)
        wants_account = bool(cleaned.get("user_email"))
        if wants_account and cleaned["user"] is None and not cleaned.get("invite_account"):
            self.add_error(
                "user_email",
                _("No active account has this e-mail. Tick the box below to create it and invite them."),
            )
        return cleaned


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File to import"),
        help_text=_("CSV (UTF-8 or Windows-1252, separated by ; or ,), Excel (XLSX) or OpenDocument (ODS)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.file_format = validate_upload(upload, SPREADSHEET_KINDS)
        return upload


class DirectoryFilterForm(forms.Form):
    """The directory's search box and filters (GET). Programme choices come from the caller, because the
    registry cannot import the programmes app."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    cpr_category = forms.ChoiceField(label=_("CPR Art. 8(1) category"), required=False, widget=FastSelect)
    eccp_subcategory = forms.ChoiceField(label=_("ECCP category"), required=False, widget=FastSelect)
    region = forms.TypedChoiceField(
        label=_("Region"), coerce=int, required=False, empty_value=None, widget=FastSelect
    )
    # An integer with a select widget: the export (in this app) filters by any programme id, while the
    # portal fills the options.
    programme = forms.IntegerField(label=_("Programme"), required=False, min_value=1, widget=FastSelect)
    territorial_level = forms.ChoiceField(label=_("Territorial level"), required=False, widget=FastSelect)

    def __init__(self, *args, programme_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        any_option = [("", _("Any"))]
        self.fields["cpr_category"].choices = any_option + list(CprCategory.choices)
        self.fields["eccp_subcategory"].choices = any_option + list(EccpSubcategory.choices)
        self.fields["territorial_level"].choices = any_option + list(TerritorialLevel.choices)
        self.fields["region"].choices = any_option + region_choices()
        self.fields["programme"].widget.choices = any_option + list(programme_choices)

    def filters(self) -> dict:
        """Valid filters as keyword arguments of ``search_organizations``; bad values are ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "cpr_category": data.get("cpr_category") or "",
            "eccp_subcategory": data.get("eccp_subcategory") or "",
            "region_id": data.get("region"),
            "programme_id": data.get("programme"),
            "territorial_level": data.get("territorial_level") or "",
        }

    @property
    def has_filters(self) -> bool:
        return any(v for v in self.filters().values())
