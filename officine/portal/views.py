"""Portal pages: home, staff home, legal pages and the accessibility-feedback form."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from officine.consultations.selectors import open_and_recent
from officine.core.services import submit_accessibility_feedback
from officine.meetings.selectors import upcoming_meetings

from .forms import AccessibilityFeedbackForm
from .selectors import home_summary, staff_overview


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "summary": home_summary(),
            "consultations": open_and_recent(),
            "upcoming_meetings": upcoming_meetings(),
            "nav": "home",
        },
    )


@login_required
def staff_home(request):
    user = request.user
    if not user.has_perm("accounts.view_staff_area"):
        raise PermissionDenied
    return render(
        request,
        "portal/staff_home.html",
        {"overview": staff_overview(user), "nav": "staff", "breadcrumbs": [(_("Staff area"), None)]},
    )


def privacy(request):
    return render(request, "portal/privacy.html", {"breadcrumbs": [(_("Privacy notice"), None)]})


def legal(request):
    return render(request, "portal/legal.html", {"breadcrumbs": [(_("Legal notes"), None)]})


def accessibility_feedback(request):
    initial = {"page_url": request.GET.get("page", "")[:500]}
    form = AccessibilityFeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit_accessibility_feedback(**form.cleaned_data)
        return redirect("portal:accessibility_feedback_thanks")
    return render(
        request,
        "portal/accessibility_feedback.html",
        {"form": form, "breadcrumbs": [(_("Report an accessibility problem"), None)]},
    )


def accessibility_feedback_thanks(request):
    return render(
        request,
        "portal/accessibility_feedback_thanks.html",
        {"breadcrumbs": [(_("Report an accessibility problem"), None)]},
    )
