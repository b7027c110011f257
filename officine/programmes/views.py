"""Staff pages for programmes: create and edit, priorities, partnership and staff assignment.

Views stay thin: they check a rule, bind a form, call one service and render. A rejected form is rendered
again with status 200 and everything typed; only success redirects.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.accounts.services import invite_user
from officine.core.viewtools import add_service_errors
from officine.registry.models import Organization

from . import selectors, services
from .forms import (
    MembershipAddForm,
    MembershipEndForm,
    MembershipForm,
    OrganizationFindForm,
    PriorityFormSet,
    ProgrammeForm,
    StaffAssignForm,
    organization_label,
)
from .models import Membership, Programme, ProgrammeStaff


def _login_first(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def programme_permission(perm: str) -> Callable:
    """Load the programme named by ``cci`` and check ``perm``: login page for visitors, 403 for others."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, cci: str, *args, **kwargs) -> HttpResponse:
            if (response := _login_first(request)) is not None:
                return response
            programme = get_object_or_404(
                Programme.objects.select_related("region", "managing_authority"), cci=cci.upper()
            )
            if not request.user.has_perm(perm, programme):
                raise PermissionDenied
            return view(request, programme, *args, **kwargs)

        return wrapped

    return decorator


def _crumbs(programme: Programme, *tail: tuple) -> list[tuple]:
    return [
        (_("Programmes"), reverse("portal:programme_list")),
        (programme.title, programme.get_absolute_url()),
        *tail,
    ]


# --- Programme -------------------------------------------------------------------------------------


def programme_create(request: HttpRequest) -> HttpResponse:
    if (response := _login_first(request)) is not None:
        return response
    if not request.user.has_perm("programmes.add_programme"):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(request.user, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme has been created."))
            return redirect(programme.get_absolute_url())
    return render(
        request,
        "programmes/programme_form.html",
        {
            "form": form,
            "nav": "staff",
            "title": _("New programme"),
            "breadcrumbs": [(_("Programmes"), reverse("portal:programme_list")), (_("New programme"), None)],
        },
    )


@programme_permission("programmes.change_programme")
def programme_edit(request: HttpRequest, programme: Programme) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.update_programme(request.user, programme, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect(programme.get_absolute_url())
    original = Programme.objects.get(pk=programme.pk) if form.is_bound else programme
    return render(
        request,
        "programmes/programme_form.html",
        {
            "form": form,
            "programme": original,
            "nav": "staff",
            "title": _("Edit programme"),
            "breadcrumbs": _crumbs(original, (_("Edit"), None)),
        },
    )


@programme_permission("programmes.manage_partnership")
def priorities_edit(request: HttpRequest, programme: Programme) -> HttpResponse:
    queryset = programme.priorities.order_by("order", "code")
    formset = PriorityFormSet(request.POST or None, queryset=queryset, prefix="priorities")
    if request.method == "POST" and formset.is_valid():
        try:
            services.set_priorities(request.user, programme, formset.rows())
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("The priorities have been saved."))
            return redirect(programme.get_absolute_url())
    return render(
        request,
        "programmes/priorities_form.html",
        {
            "formset": formset,
            "programme": programme,
            "nav": "staff",
            "breadcrumbs": _crumbs(programme, (_("Priorities"), None)),
        },
    )


# --- Partnership -------------------------------------------------------------------------------------


def _initial_organization(request: HttpRequest) -> dict:
    """Pre-fill the add form when the user picked an organisation from the search results."""
    pk = request.GET.get("organization")
    if pk and pk.isdigit():
        org = Organization.objects.filter(pk=int(pk)).first()
        if org is not None:
            return {"organization": organization_label(org)}
    return {}


@programme_permission("programmes.manage_partnership")
def partnership_manage(request: HttpRequest, programme: Programme) -> HttpResponse:
    form = MembershipAddForm(
        request.POST or None,
        request.FILES or None,
        instance=Membership(programme=programme),
        initial={"start_date": timezone.localdate(), "is_consultee": True, **_initial_organization(request)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.add_membership(request.user, programme, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been added to the partnership.") % {"name": membership.organization.name},
            )
            return redirect("programmes:memberships", cci=programme.cci)
    find_form = OrganizationFindForm(request.GET or None)
    found = []
    if find_form.is_valid() and find_form.cleaned_data["find"]:
        found = selectors.find_organizations(find_form.cleaned_data["find"])
    return render(
        request,
        "programmes/partnership.html",
        {
            "programme": programme,
            "memberships": selectors.all_memberships(programme),
            "form": form,
            "find_form": find_form,
            "found": found,
            "searched": bool(find_form.is_bound and find_form.is_valid() and find_form.cleaned_data["find"]),
            "today": timezone.localdate(),
            "nav": "staff",
            "breadcrumbs": _crumbs(programme, (_("Partnership"), None)),
        },
    )


@programme_permission("programmes.manage_partnership")
def membership_edit(request: HttpRequest, programme: Programme, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("organization"), pk=pk, programme=programme
    )
    form = MembershipForm(request.POST or None, request.FILES or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_membership(request.user, membership, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The membership has been saved."))
            return redirect("programmes:memberships", cci=programme.cci)
    return render(
        request,
        "programmes/membership_form.html",
        {
            "programme": programme,
            "membership": membership,
            "organization": membership.organization,
            "form": form,
            "nav": "staff",
            "breadcrumbs": _crumbs(
                programme,
                (_("Partnership"), reverse("programmes:memberships", args=[programme.cci])),
                (membership.organization.name, None),
            ),
        },
    )


@programme_permission("programmes.manage_partnership")
def membership_end(request: HttpRequest, programme: Programme, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("organization"), pk=pk, programme=programme
    )
    form = MembershipEndForm(
        request.POST or None, membership=membership, initial={"end_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(request.user, membership, form.cleaned_data["end_date"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The membership of %(name)s has been ended.") % {"name": membership.organization.name},
            )
            return redirect("programmes:memberships", cci=programme.cci)
    return render(
        request,
        "programmes/membership_end.html",
        {
            "programme": programme,
            "membership": membership,
            "form": form,
            "nav": "staff",
            "breadcrumbs": _crumbs(
                programme,
                (_("Partnership"), reverse("programmes:memberships", args=[programme.cci])),
                (_("End membership"), None),
            ),
        },
    )


# --- Staff -------------------------------------------------------------------------------------------


@programme_permission("programmes.manage_staff")
def staff_manage(request: HttpRequest, programme: Programme) -> HttpResponse:
    form = StaffAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user, invited = form.user, False
                if user is None:
                    user, invited = invite_user(
                        request.user,
                        email=form.cleaned_data["email"],
                        full_name=form.cleaned_data["full_name"],
                        base_url=request.build_absolute_uri("/"),
                    )
                services.assign_staff(request.user, programme, user)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            message = _("%(email)s now works on this programme.") % {"email": user.email}
            if invited:
                message += " " + _("An invitation to choose a password has been e-mailed.")
            messages.success(request, message)
            return redirect("programmes:staff", cci=programme.cci)
    return render(
        request,
        "programmes/staff.html",
        {
            "programme": programme,
            "staff": selectors.programme_staff(programme),
            "form": form,
            "nav": "staff",
            "breadcrumbs": _crumbs(programme, (_("Programme staff"), None)),
        },
    )


@require_POST
@programme_permission("programmes.manage_staff")
def staff_remove(request: HttpRequest, programme: Programme, pk: int) -> HttpResponse:
    row = get_object_or_404(ProgrammeStaff.objects.select_related("user"), pk=pk, programme=programme)
    services.remove_staff(request.user, programme, row.user)
    messages.success(request, _("%(email)s no longer works on this programme.") % {"email": row.user.email})
    return redirect("programmes:staff", cci=programme.cci)
