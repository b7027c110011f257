"""Staff pages of the OpenCoesione imports: the list of releases with the import form, one release's report
and progress, and the progress JSON that ``task-progress.js`` polls.

Starting an import needs ``monitoring.import_release`` (platform administrators); following imports needs
``monitoring.view_releases`` (administrators and programme staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from officine.core.viewtools import add_service_errors, permission_required

from . import selectors_releases, services, services_staff
from .forms import ImportForm
from .models import Release


def _breadcrumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Implementation data"), reverse("manage_monitoring:releases")),
        *extra,
    ]


def _choices() -> list[tuple[str, str]]:
    return [
        (f.name, f"{f.name} ({filesizeformat(f.size)}; {f.dataset or _('not recognised')})")
        for f in services_staff.inbox_files()
    ]


@require_GET
@permission_required("monitoring.view_releases")
def release_list(request: HttpRequest) -> HttpResponse:
    services.mark_stale_imports()
    can_import = request.user.has_perm("monitoring.import_release")
    return _render_list(request, ImportForm(choices=_choices()) if can_import else None)


def _render_list(request: HttpRequest, form: ImportForm | None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "monitoring/manage/releases.html",
        {
            "nav": "staff",
            "breadcrumbs": _breadcrumbs()[:-1] + [(_("Implementation data"), None)],
            "current": services.current_release(),
            "releases": selectors_releases.releases()[:50],
            "form": form,
            "inbox": services_staff.inbox(),
        },
        status=status,
    )


@require_http_methods(["POST"])
@permission_required("monitoring.import_release")
def release_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES, choices=_choices())
    if not form.is_valid():
        return _render_list(request, form, status=400)
    try:
        paths = services_staff.resolve_inbox(form.cleaned_data["inbox_files"])
        paths += services_staff.save_uploads(form.cleaned_data["uploads"])
        release = services_staff.start_import(
            request.user,
            paths,
            release_date=form.cleaned_data["release_date"],
            max_bad_rows=form.cleaned_data["max_bad_rows"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_list(request, form, status=400)
    messages.info(request, _("The import has started. This page shows its progress."))
    return redirect("manage_monitoring:release", pk=release.pk)


@require_GET
@permission_required("monitoring.view_releases")
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.mark_stale_imports()
    release = get_object_or_404(Release.objects.select_related("started_by"), pk=pk)
    return render(
        request,
        "monitoring/manage/release.html",
        {
            "nav": "staff",
            "breadcrumbs": _breadcrumbs((str(release), None)),
            "release": release,
            "progress": selectors_releases.progress_payload(release),
            "files": release.report.get("files", []),
            "derived": release.report.get("derived", {}),
            "programmes": release.coverage.select_related("programme").order_by("programme__cci"),
            "links": release.beneficiary_links.count(),
        },
    )


@never_cache
@require_GET
@permission_required("monitoring.view_releases")
def release_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(selectors_releases.progress_payload(get_object_or_404(Release, pk=pk)))
