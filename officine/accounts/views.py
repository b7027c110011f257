"""The user's own pages: profile (roles, security) and name editing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .selectors import user_roles
from .services import update_profile


@login_required
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {"roles": user_roles(request.user), "breadcrumbs": [(_("Your profile"), None)]},
    )


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        update_profile(request.user, request.user, full_name=form.cleaned_data["full_name"])
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile_edit.html",
        {"form": form, "breadcrumbs": [(_("Your profile"), reverse("accounts:profile")), (_("Edit"), None)]},
    )
