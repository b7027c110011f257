"""allauth adapter: accounts are created by administrators and staff, not by open sign-up."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUPS

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A login within the re-authentication window counts as recent authentication.

        Staff are sent to set up TOTP straight after their first login; asking for the password they just
        typed again would only add friction. Older sessions still re-authenticate before security changes.
        """
        request = getattr(self, "request", None)
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
