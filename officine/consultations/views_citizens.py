"""Citizen access to public consultations: ask for a sign-in link, then confirm it.

Confirming takes a button press (POST) rather than happening when the link is opened: mail scanners and
link previews open links by themselves, and a link that works once must not be spent by a robot.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from officine.core.viewtools import add_service_errors

from . import citizens, contributions
from . import rules as consultation_rules
from .forms_contributions import CitizenAccessForm
from .models import Consultation
from .views_contributions import consultation_crumbs, login_url, visible_consultation

AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _target_url(consultation: Consultation, target: str) -> str:
    name = "contributions:questions" if target == "questions" else "contributions:contribute"
    return reverse(name, kwargs={"pk": consultation.pk})


def citizen_access(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = visible_consultation(request, pk)
    if not citizens.is_citizen_consultation(consultation):
        raise Http404
    target = request.GET.get("next") if request.GET.get("next") in citizens.TARGETS else "contribute"
    if request.user.is_authenticated and consultation_rules.may_contribute_as_citizen(
        request.user, consultation
    ):
        return redirect(_target_url(consultation, target))
    accepting = contributions.accepts_contributions(consultation)
    form = CitizenAccessForm(
        request.POST if request.method == "POST" and accepting else None, initial={"target": target}
    )
    if request.method == "POST" and accepting and form.is_valid():
        try:
            citizens.request_access(
                consultation,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                privacy_consent=form.cleaned_data["privacy_consent"],
                target=form.cleaned_data["target"] or target,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(
                f"{reverse('contributions:citizen_access', kwargs={'pk': consultation.pk})}?sent=1"
            )
    return render(
        request,
        "consultations/contribute/citizen_access.html",
        {
            "consultation": consultation,
            "form": form,
            "accepting": accepting,
            "sent": request.GET.get("sent") == "1",
            "hours": int(citizens.LINK_MAX_AGE.total_seconds() // 3600),
            "login_url": login_url(request),
            "privacy_url": reverse("portal:privacy"),
            "nav": "consultations",
            "breadcrumbs": consultation_crumbs(consultation, (_("Take part as an individual"), None)),
        },
    )


def citizen_confirm(request: HttpRequest, token: str) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            access = citizens.confirm_access(token)
        except ValidationError as exc:
            error = exc
        else:
            login(request, access.user, backend=AUTH_BACKEND)
            messages.success(
                request,
                _("Your e-mail address is verified and you are signed in: you can now take part."),
            )
            return redirect(_target_url(access.consultation, access.target))
    else:
        error = citizens.check_token(token)
    retry = citizens.consultation_from_token(token) if error is not None else None
    return render(
        request,
        "consultations/contribute/citizen_confirm.html",
        {
            "error": error,
            "retry_url": reverse("contributions:citizen_access", kwargs={"pk": retry.pk})
            if retry is not None and citizens.is_citizen_consultation(retry)
            else None,
            "nav": "consultations",
            "breadcrumbs": [(_("Take part as an individual"), None)],
        },
        status=400 if error is not None else 200,
    )
