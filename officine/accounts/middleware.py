"""Force staff and platform admins to enrol a TOTP authenticator before they do anything else."""

from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/static/", "/media/", "/healthz", "/i18n/")


class RequireStaffMFAMiddleware:
    """Redirect an authenticated user who must use MFA to the TOTP set-up page until they have enrolled.

    Login itself asks for the TOTP code (allauth does that once an authenticator exists), so after
    enrolment a staff session is always two-factor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.requires_mfa and not self._exempt(request):
            has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
            if not has_totp:
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path
        if path.startswith(ALLOWED_PREFIXES):
            return True
        # allauth's own pages (TOTP set-up, re-authentication, logout, password) stay reachable;
        # our profile pages under /account/ do not, so enrolment comes first.
        profile_prefix = reverse("accounts:profile").rsplit("profile/", 1)[0] + "profile"
        return "/account/" in path and not path.startswith(profile_prefix)
