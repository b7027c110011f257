"""A person's notices: the list, opening one (marks it read), marking all read, e-mail preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_path, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors

from . import selectors, services
from .forms import PreferencesForm
from .models import Notification

PAGE_SIZE = 25


def _in_current_language(url: str) -> str:
    """Notices store links in the platform's language (they are e-mailed too); on the site, follow the
    language the person is reading in."""
    if not url:
        return url
    current = get_language()
    with override(get_language_from_path(url) or current):  # resolve the path in its own language
        return translate_url(url, current)


@login_required
def notification_list(request):
    paginator = Paginator(selectors.notifications_for(request.user), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    for notification in page_obj:
        notification.link = _in_current_language(notification.url)
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page_obj,
            "paginator": paginator,
            "breadcrumbs": [(_("Your profile"), reverse("accounts:profile")), (_("Notifications"), None)],
        },
    )


@login_required
@require_POST
def read(request, pk: int):
    """Mark the notice read and follow its link; someone else's notice does not exist for this user."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(request.user, notification)
    target = _in_current_language(notification.url)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("All your notices are marked as read."))
    return redirect("notifications:list")


@login_required
def preferences(request):
    current = selectors.email_frequency(request.user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial={"email_frequency": current}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_email_frequency(request.user, request.user, form.cleaned_data["email_frequency"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your notification preferences have been saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "breadcrumbs": [
                (_("Your profile"), reverse("accounts:profile")),
                (_("Notifications"), reverse("notifications:list")),
                (_("Preferences"), None),
            ],
        },
    )
