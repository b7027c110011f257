"""Partner registry: organisations (ECCP Art. 3-4, CPR Art. 8(1)), territories, representatives (Art. 2)."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from officine.core.i18n import localized
from officine.core.models import TimeStampedModel

from .choices import (
    CivilSocietyFocus,
    CprCategory,
    EccpCategory,
    EccpSubcategory,
    Gender,
    LegalForm,
    RepresentativeRole,
    TerritorialLevel,
    TerritoryLevel,
)
from .validators import validate_ipa_code, validate_tax_code, validate_vat_number

# Which ECCP sub-categories (Reg. 240/2014 Art. 3(1)) fit each CPR Art. 8(1) category. Universities and
# research bodies are ECCP a.ii; public equality bodies (ECCP a.iii) are among the bodies CPR 8(1)(c) lists.
ECCP_FOR_CPR: dict[str, tuple[str, ...]] = {
    "a": ("a.i", "a.ii", "a.iii"),
    "b": ("b.i", "b.ii"),
    "c": ("c.i", "c.ii", "a.iii"),
    "d": ("a.ii",),
}


class Territory(models.Model):
    """A unit of the ISTAT list: region, province (or metropolitan city) or municipality.

    ``region`` points to the region of any unit (itself for a region), so "regions covered" is one join.
    """

    level = models.CharField(_("level"), max_length=12, choices=TerritoryLevel.choices)
    code = models.CharField(_("ISTAT code"), max_length=6)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    region = models.ForeignKey(
        "self", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    nuts_code = models.CharField(_("NUTS code (2024)"), max_length=5, blank=True)
    car_plate = models.CharField(_("abbreviation"), max_length=2, blank=True)

    class Meta:
        ordering = ["level", "name"]
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="territory_unique_code")]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        if self.level == TerritoryLevel.MUNICIPALITY and self.car_plate:
            return f"{self.name} ({self.car_plate})"
        return self.name


class OrganizationQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_active=True)


class Organization(TimeStampedModel):
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        default="IT",
        help_text=_("Two-letter ISO code. Bodies established outside Italy may have no Italian tax code."),
    )
    tax_code = models.CharField(
        _("tax code"),
        max_length=16,
        blank=True,
        validators=[validate_tax_code],
        help_text=_("Codice fiscale: 11 digits for bodies, 16 characters for persons."),
    )
    vat_number = models.CharField(
        _("VAT number"),
        max_length=13,
        blank=True,
        validators=[validate_vat_number],
        help_text=_("11 digits."),
    )
    ipa_code = models.CharField(
        _("IPA code"),
        max_length=20,
        blank=True,
        validators=[validate_ipa_code],
        help_text=_("Code in the Indice dei domicili digitali della Pubblica Amministrazione, if any."),
    )
    runts_number = models.CharField(
        _("RUNTS registration number"),
        max_length=40,
        blank=True,
        help_text=_(
            "Registro unico nazionale del Terzo settore. Only registered third-sector bodies take part in "
            "co-programming and co-design (Third Sector Code art. 55)."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("public contact e-mail"), blank=True)
    eccp_subcategory = models.CharField(
        _("ECCP category"),
        max_length=5,
        choices=EccpSubcategory.choices,
        help_text=_("Reg. 240/2014, Art. 3(1)."),
    )
    cpr_category = models.CharField(
        _("CPR Art. 8(1) category"), max_length=1, choices=CprCategory.choices, db_index=True
    )
    civil_society_focus = models.JSONField(
        _("civil-society focus"),
        default=list,
        blank=True,
        help_text=_("For civil-society bodies: the interests CPR Art. 8(1)(c) names explicitly."),
    )
    territorial_level = models.CharField(
        _("territorial level"), max_length=10, choices=TerritorialLevel.choices
    )
    territories = models.ManyToManyField(
        Territory, verbose_name=_("territories"), blank=True, related_name="organizations"
    )
    is_umbrella = models.BooleanField(
        _("umbrella network"),
        default=False,
        help_text=_("The body represents member organisations (ECCP Art. 3(2))."),
    )
    umbrella_networks = models.ManyToManyField(
        "self",
        verbose_name=_("member of"),
        symmetrical=False,
        blank=True,
        related_name="network_members",
        limit_choices_to={"is_umbrella": True},
    )
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    search_document = models.TextField(editable=False, blank=True, default="")

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="organization_unique_tax_code"
            ),
        ]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["cpr_category", "name"]),
            # The directory sorts case-insensitively ("ActionAid" next to "ACLI", not after "Z...").
            models.Index(Lower("name"), name="organization_name_lower"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:organization_detail", args=[self.pk])

    def clean(self) -> None:
        """An Italian body must be identifiable by tax code or VAT number; categories must agree."""
        from django.core.exceptions import ValidationError

        from .validators import normalize_code

        errors: dict[str, list] = {}
        self.tax_code = normalize_code(self.tax_code)
        self.vat_number = normalize_code(self.vat_number).removeprefix("IT")
        self.ipa_code = (self.ipa_code or "").strip().lower()
        self.country = (self.country or "").strip().upper()
        if self.country == "IT" and not self.tax_code and not self.vat_number:
            errors["tax_code"] = [
                _("Italian bodies need a tax code or a VAT number; leave both empty only for foreign bodies.")
            ]
        if self.country and not re.fullmatch(r"[A-Z]{2}", self.country):
            errors["country"] = [_("Use the two-letter ISO code of the country, e.g. IT, FR, DE.")]
        if self.civil_society_focus and self.cpr_category != "c":
            errors["civil_society_focus"] = [_("Only civil-society bodies (CPR category c) have a focus.")]
        elif not isinstance(self.civil_society_focus, list) or any(
            item not in CivilSocietyFocus.values for item in self.civil_society_focus
        ):
            errors["civil_society_focus"] = [_("Choose the focus among the listed interests.")]
        allowed = ECCP_FOR_CPR.get(self.cpr_category)
        if allowed and self.eccp_subcategory and self.eccp_subcategory not in allowed:
            errors["eccp_subcategory"] = [
                _("This ECCP category does not fit CPR category %(cpr)s; choose one of: %(allowed)s.")
                % {"cpr": self.cpr_category, "allowed": ", ".join(allowed)}
            ]
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        """Report a duplicate tax code on the field, naming the other body, instead of Django's generic
        "constraint violated" message (the constraint itself stays as the database's guarantee)."""
        from django.core.exceptions import ValidationError

        exclude = set(exclude or ())
        errors: dict[str, list] = {}
        if self.tax_code and "tax_code" not in exclude:
            clash = (
                Organization.objects.filter(tax_code=self.tax_code)
                .exclude(pk=self.pk)
                .values_list("name", flat=True)
                .first()
            )
            if clash is not None:
                errors["tax_code"] = [
                    ValidationError(
                        _("Another organisation already has this tax code: %(name)s."),
                        code="duplicate_tax_code",
                        params={"name": clash},
                    )
                ]
                exclude.add("tax_code")
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @property
    def is_third_sector_body(self) -> bool:
        return bool(self.runts_number.strip())

    @property
    def tax_code_is_personal(self) -> bool:
        """A 16-character code identifies a natural person (a sole trader): personal data, not published."""
        return len(self.tax_code or "") == 16

    @property
    def eccp_category(self) -> str:
        return self.eccp_subcategory.split(".")[0] if self.eccp_subcategory else ""

    def get_eccp_category_display(self) -> str:
        return str(dict(EccpCategory.choices).get(self.eccp_category, ""))

    @property
    def description(self) -> str:
        return localized(self.description_it, self.description_en)


class RepresentativeQuerySet(models.QuerySet):
    def in_force(self, on=None):
        day = on or timezone.localdate()
        return self.filter(Q(mandate_expires__isnull=True) | Q(mandate_expires__gte=day))


class Representative(TimeStampedModel):
    """A person mandated to act for an organisation (ECCP Art. 2: duly mandated representatives)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="representatives"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="representations",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    position = models.CharField(_("position in the organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=RepresentativeRole.choices)
    mandate_issuer = models.CharField(_("mandate issued by"), max_length=200)
    mandate_date = models.DateField(_("mandate date"))
    mandate_expires = models.DateField(_("mandate expiry"), null=True, blank=True)
    mandate_document = models.FileField(_("mandate document"), upload_to="mandates/%Y/", blank=True)
    gender = models.CharField(
        _("gender (self-declared)"),
        max_length=1,
        choices=Gender.choices,
        blank=True,
        help_text=_("Optional. Used only in aggregate, to monitor gender balance (ECCP Art. 10)."),
    )
    is_public = models.BooleanField(
        _("name shown publicly"),
        default=True,
        help_text=_("Name, role and position appear on the organisation's public page. Contacts never do."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "role", "last_name", "first_name"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.CheckConstraint(
                condition=Q(mandate_expires__isnull=True) | Q(mandate_expires__gte=models.F("mandate_date")),
                name="representative_mandate_expiry_after_date",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        """Report an expiry before the mandate's date on the field (the check constraint is the backstop)."""
        from django.core.exceptions import ValidationError

        if self.mandate_expires and self.mandate_date and self.mandate_expires < self.mandate_date:
            raise ValidationError(
                {"mandate_expires": _("The mandate cannot expire before the date it was issued.")}
            )

    @property
    def mandate_in_force(self) -> bool:
        return self.mandate_expires is None or self.mandate_expires >= timezone.localdate()


class PendingImport(TimeStampedModel):
    """An uploaded file waiting for the user to confirm its import after the preview.

    The file is kept in the database (not on disk) so that the confirm step re-reads exactly what was
    previewed, whichever app server handles it.
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4)
    content = models.BinaryField()
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
