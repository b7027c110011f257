"""Staff pages of the registry: organisations, representatives, import and export.

Each view parses input, calls one service or selector and renders. Permissions come from ``rules.py``:
an anonymous visitor is sent to the login page, a logged-in user without the permission gets a 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from officine.accounts.services import invite_user
from officine.core.viewtools import add_service_errors, download_response, permission_required

from . import services
from .exporting import EXPORT_FORMATS, export_registry
from .forms import DirectoryFilterForm, ImportUploadForm, OrganizationForm, RepresentativeForm
from .importing import COLUMNS, parse_organizations, template_csv
from .models import Organization, PendingImport, Representative
from .selectors import search_organizations


def _directory_breadcrumb() -> tuple[str, str]:
    return (_("Partners"), reverse("portal:directory"))


# --- Organisations ------------------------------------------------------------------------------------------


@permission_required("registry.add_organization")
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.create_organization(request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("“%(name)s” has been added to the registry.") % {"name": organization}
            )
            return redirect(organization.get_absolute_url())
    return render(
        request,
        "registry/organization_form.html",
        {
            "form": form,
            "title": _("Add an organisation"),
            "nav": "partners",
            "breadcrumbs": [_directory_breadcrumb(), (_("Add an organisation"), None)],
        },
    )


def _get_organization(request, pk: int) -> Organization:
    return get_object_or_404(Organization, pk=pk)


@permission_required("registry.change_organization", _get_organization)
def organization_edit(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.update_organization(request.user, organization, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(organization.get_absolute_url())
    saved = Organization.objects.get(pk=pk)  # the form may have changed the instance's attributes
    return render(
        request,
        "registry/organization_form.html",
        {
            "form": form,
            "organization": saved,
            "representatives": saved.representatives.select_related("user").order_by(
                "role", "last_name", "first_name"
            ),
            "title": _("Edit %(name)s") % {"name": saved.name},
            "nav": "partners",
            "breadcrumbs": [
                _directory_breadcrumb(),
                (saved.name, saved.get_absolute_url()),
                (_("Edit"), None),
            ],
        },
    )


@require_POST
@permission_required("registry.change_organization", _get_organization)
def organization_set_active(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk)
    active = request.POST.get("active") == "1"
    services.set_active(request.user, organization, active)
    if active:
        messages.success(request, _("The organisation is listed in the public directory again."))
    else:
        messages.success(request, _("The organisation has been withdrawn from the public directory."))
    return redirect("registry:organization_edit", pk=pk)


# --- Representatives ----------------------------------------------------------------------------------------


def _get_representative(request, pk: int) -> Representative:
    return get_object_or_404(Representative.objects.select_related("organization"), pk=pk)


def _representative_breadcrumbs(organization: Organization, label: str) -> list:
    return [
        _directory_breadcrumb(),
        (organization.name, organization.get_absolute_url()),
        (label, None),
    ]


def _invite_if_asked(request, cleaned: dict) -> None:
    """Create and invite the account named in the form when it does not exist and staff asked for it."""
    if cleaned.get("user") is None and cleaned.get("user_email") and cleaned.get("invite_account"):
        cleaned["user"], _created = invite_user(
            request.user,
            email=cleaned["user_email"],
            full_name=f"{cleaned.get('first_name', '')} {cleaned.get('last_name', '')}",
            base_url=request.build_absolute_uri("/"),
        )


@permission_required("registry.add_representative", _get_organization)
def representative_create(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk)
    form = RepresentativeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                _invite_if_asked(request, form.cleaned_data)
                services.create_representative(request.user, organization, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The representative has been added."))
            return redirect(organization.get_absolute_url())
    return render(
        request,
        "registry/representative_form.html",
        {
            "form": form,
            "organization": organization,
            "title": _("Add a representative"),
            "nav": "partners",
            "breadcrumbs": _representative_breadcrumbs(organization, _("Add a representative")),
        },
    )


@permission_required("registry.change_representative", _get_representative)
def representative_edit(request, pk: int):
    representative = _get_representative(request, pk)
    organization = representative.organization
    form = RepresentativeForm(request.POST or None, request.FILES or None, instance=representative)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                _invite_if_asked(request, form.cleaned_data)
                services.update_representative(request.user, representative, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(organization.get_absolute_url())
    name = Representative.objects.get(pk=pk).full_name
    return render(
        request,
        "registry/representative_form.html",
        {
            "form": form,
            "organization": organization,
            "representative": representative,
            "title": _("Edit %(name)s") % {"name": name},
            "nav": "partners",
            "breadcrumbs": _representative_breadcrumbs(organization, name),
        },
    )


@permission_required("registry.delete_representative", _get_representative)
def representative_delete(request, pk: int):
    representative = _get_representative(request, pk)
    organization = representative.organization
    if request.method == "POST":
        services.delete_representative(request.user, representative)
        messages.success(request, _("The representative has been removed."))
        return redirect(organization.get_absolute_url())
    return render(
        request,
        "registry/representative_confirm_delete.html",
        {
            "representative": representative,
            "organization": organization,
            "nav": "partners",
            "breadcrumbs": _representative_breadcrumbs(organization, _("Remove a representative")),
        },
    )


@permission_required("registry.view_representative_contacts", _get_representative)
def representative_mandate(request, pk: int):
    """The mandate document, served only through this permission check (it may hold personal data)."""
    representative = _get_representative(request, pk)
    if not representative.mandate_document:
        raise Http404
    document = representative.mandate_document
    filename = document.name.rsplit("/", 1)[-1]
    return FileResponse(document.open("rb"), as_attachment=True, filename=filename)


# --- Import -------------------------------------------------------------------------------------------------


def _import_breadcrumbs(label: str, with_upload_link: bool = False) -> list:
    crumbs = [_directory_breadcrumb()]
    if with_upload_link:
        crumbs.append((_("Import organisations"), reverse("registry:import_upload")))
    crumbs.append((label, None))
    return crumbs


@permission_required("registry.import_organizations")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = services.store_pending_import(request.user, form.cleaned_data["file"], form.file_format)
        return redirect("registry:import_preview", pk=pending.pk)
    return render(
        request,
        "registry/import_upload.html",
        {
            "form": form,
            "columns": COLUMNS,
            "nav": "partners",
            "breadcrumbs": _import_breadcrumbs(_("Import organisations")),
        },
    )


@permission_required("registry.import_organizations")
def import_template(request):
    content = ("\ufeff" + template_csv()).encode("utf-8")
    return download_response(content, "text/csv; charset=utf-8", f"{_('organisations-template')}.csv")


def _own_pending_import(request, pk: int) -> PendingImport:
    """Only the person who uploaded a file sees its preview and may confirm it."""
    return get_object_or_404(PendingImport, pk=pk, created_by=request.user)


@permission_required("registry.import_organizations")
def import_preview(request, pk: int):
    pending = _own_pending_import(request, pk)
    result = parse_organizations(bytes(pending.content), pending.file_format)
    return render(
        request,
        "registry/import_preview.html",
        {
            "pending": pending,
            "result": result,
            "nav": "partners",
            "breadcrumbs": _import_breadcrumbs(_("Check the file"), with_upload_link=True),
        },
    )


@require_POST
@permission_required("registry.import_organizations")
def import_confirm(request, pk: int):
    pending = _own_pending_import(request, pk)
    try:
        count = services.confirm_import(request.user, pending)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("registry:import_preview", pk=pk)
    messages.success(
        request,
        ngettext(
            "%(count)d organisation has been imported.", "%(count)d organisations have been imported.", count
        )
        % {"count": count},
    )
    return redirect("portal:directory")


# --- Export -------------------------------------------------------------------------------------------------


@permission_required("registry.export_registry")
def export_page(request):
    query = request.GET.urlencode()
    links = [
        (spec, reverse("registry:export_download", args=[key]) + (f"?{query}" if query else ""))
        for key, spec in EXPORT_FORMATS.items()
    ]
    filters = DirectoryFilterForm(request.GET).filters()
    return render(
        request,
        "registry/export.html",
        {
            "links": links,
            "filtered": any(filters.values()),
            "directory_url": reverse("portal:directory") + (f"?{query}" if query else ""),
            "nav": "partners",
            "breadcrumbs": [_directory_breadcrumb(), (_("Export the registry"), None)],
        },
    )


@permission_required("registry.export_registry")
def export_download(request, file_format: str):
    if file_format not in EXPORT_FORMATS:
        raise Http404
    filters = DirectoryFilterForm(request.GET).filters()
    export = export_registry(search_organizations(**filters), file_format)
    services.record_export(request.user, file_format, filters, export.rows)
    return download_response(export.content, export.format.content_type, export.filename)
