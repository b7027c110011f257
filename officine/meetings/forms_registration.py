"""The registration form of a public event or training (``meetings:register``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Registration


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Name and surname"), max_length=Registration._meta.get_field("name").max_length
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "We send the confirmation, the invitation for your calendar and the link to cancel here."
        ),
    )
    organization_name = forms.CharField(
        label=_("Organisation (optional)"),
        required=False,
        max_length=Registration._meta.get_field("organization_name").max_length,
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice"),
        help_text=_(
            "Your name, e-mail and organisation are used only to manage your place at this event; the "
            "organisers see them in the list of participants."
        ),
        error_messages={"required": _("Please read and accept the privacy notice.")},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated and not self.is_bound:
            self.initial.setdefault("name", user.full_name)
            self.initial.setdefault("email", user.email)
