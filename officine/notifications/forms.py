"""The one form of this app: how a person wants notices e-mailed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class PreferencesForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=_("Send me notices by e-mail"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you want to receive notices.")},
        help_text=_(
            "Every notice also stays in your notifications page, whichever you choose. The digest is sent "
            "once a day, in the morning, only if there is something new."
        ),
    )
