"""Reads for the profile page: the roles a user holds, gathered in a fixed number of queries."""

from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator

from .models import User


@dataclass
class UserRoles:
    is_platform_admin: bool
    is_observer: bool
    staffed_programmes: list = field(default_factory=list)
    representations: list = field(default_factory=list)
    has_totp: bool = False


def user_roles(user: User) -> UserRoles:
    staffed = [role.programme for role in user.programme_staff_roles.select_related("programme")]
    reps = list(user.representations.select_related("organization").order_by("organization__name"))
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return UserRoles(
        is_platform_admin=user.is_superuser,
        is_observer=user.is_observer,
        staffed_programmes=staffed,
        representations=reps,
        has_totp=has_totp,
    )
