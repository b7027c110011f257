from django import forms
from django.utils.translation import gettext_lazy as _


class AccessibilityFeedbackForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your e-mail"), help_text=_("We use it only to answer you."))
    page_url = forms.CharField(
        label=_("Page where you met the problem"),
        max_length=500,
        required=False,
        help_text=_("Address or title."),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("What you were trying to do and what went wrong."),
    )
    assistive_technology = forms.CharField(
        label=_("Assistive technology you use (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example a screen reader, magnifier or voice control, with browser."),
    )
