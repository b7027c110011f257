"""Programmes (PN/PR and Interreg) and their partnerships: who takes part, in which role, on what basis."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from officine.core.i18n import localized
from officine.core.models import TimeStampedModel
from officine.registry.models import Organization, Territory

from .validators import CYCLE_YEARS, cci_year, normalize_cci, validate_cci


class Cycle(models.TextChoices):
    C2014 = "2014-2020", "2014-2020"
    C2021 = "2021-2027", "2021-2027"


class ProgrammeKind(models.TextChoices):
    NATIONAL = "national", _("National (PN/PON)")
    REGIONAL = "regional", _("Regional (PR/POR)")
    INTERREG = "interreg", _("Interreg (European territorial cooperation)")


class Fund(models.Model):
    """An EU fund (ERDF, ESF+, JTF, CF, EMFAF and the 2014-2020 ones); loaded by a data migration."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    acronym_it = models.CharField(_("Italian acronym"), max_length=10)
    name_it = models.CharField(_("name (Italian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return localized(self.acronym_it, self.code)

    @property
    def name(self) -> str:
        return localized(self.name_it, self.name_en)


class Programme(TimeStampedModel):
    cci = models.CharField(_("CCI code"), max_length=15, unique=True, validators=[validate_cci])
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    cycle = models.CharField(_("programming period"), max_length=9, choices=Cycle.choices, db_index=True)
    kind = models.CharField(_("type"), max_length=10, choices=ProgrammeKind.choices, db_index=True)
    region = models.ForeignKey(
        Territory,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text=_("For regional programmes: the region or autonomous province."),
    )
    funds = models.ManyToManyField(Fund, verbose_name=_("funds"), related_name="programmes")
    managing_authority = models.ForeignKey(
        Organization,
        verbose_name=_("managing authority"),
        on_delete=models.PROTECT,
        related_name="managed_programmes",
    )
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    commission_decision = models.CharField(_("Commission decision"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    summary_it = models.TextField(_("summary (Italian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    source_note = models.TextField(_("sources"), blank=True)
    min_consultation_days_partners = models.PositiveSmallIntegerField(
        _("minimum consultation length for partners (working days)"),
        default=10,
        help_text=_("ECCP Art. 5: partners need enough time to comment. Default 10 working days."),
    )
    min_consultation_days_public = models.PositiveSmallIntegerField(
        _("minimum public consultation length (working days)"),
        default=20,
        help_text=_(
            "Open consultations last at least four weeks (DPCM 169/2017 art. 17). Default 20 working days."
        ),
    )
    local_holiday = models.CharField(
        _("local holiday (MM-DD)"),
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", _("Use the form MM-DD, e.g. 12-07."))
        ],
        help_text=_("The patron saint's day of the administration's seat, not counted as a working day."),
    )
    minutes_publication_working_days = models.PositiveSmallIntegerField(
        _("minutes published within (working days)"),
        default=30,
        help_text=_(
            "Committee minutes not published this many working days after the meeting are flagged. "
            "30 = 15 to draft, 10 for members' comments, 5 to publish."
        ),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["-cycle", "kind", "title_it"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:programme_detail", args=[self.cci])

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)

    @property
    def extra_holidays(self) -> tuple[tuple[int, int], ...]:
        """The local holiday as (month, day), for the working-day calendar."""
        if not self.local_holiday:
            return ()
        month, day = self.local_holiday.split("-")
        return ((int(month), int(day)),)

    @property
    def summary(self) -> str:
        return localized(self.summary_it, self.summary_en)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.cci = normalize_cci(self.cci)
        errors: dict[str, list] = {}
        year = cci_year(self.cci)
        if year and self.cycle and year not in CYCLE_YEARS[self.cycle]:
            errors["cci"] = [
                _("The CCI code starts with %(year)s, which is outside the %(cycle)s period.")
                % {"year": year, "cycle": self.cycle}
            ]
        if self.kind == ProgrammeKind.REGIONAL and not self.region_id:
            errors["region"] = [_("A regional programme needs its region.")]
        if self.kind != ProgrammeKind.REGIONAL and self.region_id:
            errors["region"] = [_("Only regional programmes have a region.")]
        if errors:
            raise ValidationError(errors)


class Priority(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="priorities"
    )
    code = models.CharField(_("number"), max_length=10)
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["programme", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="priority_unique_code")]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        day = on or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))


class Membership(TimeStampedModel):
    """An organisation's place in a programme's partnership (ECCP Art. 4), with the act that selected it."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships"
    )
    is_consultee = models.BooleanField(_("consulted partner"), default=True)
    is_committee_member = models.BooleanField(_("monitoring-committee member"), default=False)
    is_working_group_member = models.BooleanField(_("working-group member"), default=False)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    selection_act_number = models.CharField(_("selection act number"), max_length=100)
    selection_act_date = models.DateField(_("selection act date"))
    selection_url = models.URLField(_("link to the selection act"), blank=True)
    selection_document = models.FileField(_("selection act document"), upload_to="selection/%Y/", blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "organization__name"]
        verbose_name = _("partnership membership")
        verbose_name_plural = _("partnership memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["programme", "organization", "start_date"], name="membership_unique_start"
            ),
        ]
        indexes = [models.Index(fields=["organization", "programme"])]

    def __str__(self) -> str:
        return f"{self.organization} – {self.programme.cci}"

    @property
    def role_labels(self) -> list[str]:
        labels = []
        if self.is_consultee:
            labels.append(str(_("Consulted partner")))
        if self.is_committee_member:
            labels.append(str(_("Monitoring committee")))
        if self.is_working_group_member:
            labels.append(str(_("Working group")))
        return labels

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, list] = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = [_("The end date comes before the start date.")]
        if not (self.is_consultee or self.is_committee_member or self.is_working_group_member):
            errors["is_consultee"] = [_("Choose at least one role.")]
        if self.programme_id and self.organization_id and self.start_date:
            overlapping = Membership.objects.filter(
                programme_id=self.programme_id, organization_id=self.organization_id
            ).exclude(pk=self.pk)
            end = self.end_date
            overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
            if end:
                overlapping = overlapping.filter(start_date__lte=end)
            if overlapping.exists():
                errors["start_date"] = [
                    _("This organisation already has a membership of this programme in that period.")
                ]
        if errors:
            raise ValidationError(errors)


class ProgrammeStaff(models.Model):
    """A user who works on a programme for its managing authority or technical secretariat."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_staff_roles"
    )
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="programme_staff_unique")]
        verbose_name = _("programme staff")
        verbose_name_plural = _("programme staff")

    def __str__(self) -> str:
        return f"{self.user} – {self.programme.cci}"
