"""Users log in with their e-mail address; roles come from what they are attached to.

Roles (DESIGN.md "Who uses it"):
- platform admin: ``is_superuser``;
- programme staff: a ``programmes.ProgrammeStaff`` row per programme;
- partner representative: a ``registry.Representative`` linked to the user, per organisation;
- observer (observatory analyst, researcher with reserved access): ``is_observer``.
Programme and organisation roles live in the apps that own those objects, so this app never imports them.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("administration site access"),
        default=False,
        help_text=_("Platform administrators only: lets the user into the technical administration site."),
    )
    is_observer = models.BooleanField(
        _("observer"),
        default=False,
        help_text=_("Read-only access to reserved registry data and exports (observatory analysts)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.is_superuser

    @property
    def staffed_programme_ids(self) -> frozenset[int]:
        """Programmes this user works on as staff; cached on the instance for the request."""
        cached = getattr(self, "_staffed_programme_ids", None)
        if cached is None:
            cached = frozenset(self.programme_staff_roles.values_list("programme_id", flat=True))
            self._staffed_programme_ids = cached
        return cached

    @property
    def has_verified_email(self) -> bool:
        """The person proved they read this address (allauth's record), as public consultations require."""
        cached = getattr(self, "_has_verified_email", None)
        if cached is None:
            from allauth.account.models import EmailAddress

            cached = EmailAddress.objects.filter(user=self, email__iexact=self.email, verified=True).exists()
            self._has_verified_email = cached
        return cached

    @property
    def represented_organization_ids(self) -> frozenset[int]:
        """Organisations this user represents with a mandate in force; cached on the instance."""
        cached = getattr(self, "_represented_organization_ids", None)
        if cached is None:
            today = timezone.localdate()
            cached = frozenset(
                self.representations.filter(
                    models.Q(mandate_expires__isnull=True) | models.Q(mandate_expires__gte=today)
                ).values_list("organization_id", flat=True)
            )
            self._represented_organization_ids = cached
        return cached

    @property
    def is_programme_staff(self) -> bool:
        return self.is_active and bool(self.staffed_programme_ids)

    @property
    def requires_mfa(self) -> bool:
        """Staff and admins must use TOTP (issue 2, point 3); partners and observers may choose to."""
        return self.is_active and (self.is_superuser or self.is_staff or self.is_programme_staff)
