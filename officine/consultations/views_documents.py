"""Public pages of documents: a version with numbered sections, the comparison of two versions, the PDFs.

Published versions are public (ECCP Art. 5(a): documents disclosed in time); a draft answers 404 to anyone
who may not see it, so that its existence is not revealed.
"""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors_manage as selectors
from .models import DocumentVersion, VersionAttachment


def _viewable_version(request: HttpRequest, pk: int, number: int) -> DocumentVersion:
    version = selectors.get_version(pk, number)
    if not request.user.has_perm("consultations.view_version", version):
        raise Http404
    return version


def _may_see_drafts(request: HttpRequest, version: DocumentVersion) -> bool:
    return request.user.has_perm("consultations.manage_document", version.document)


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _viewable_version(request, pk, number)
    page = selectors.version_page(version, include_drafts=_may_see_drafts(request, version))
    document = version.document
    return render(
        request,
        "consultations/documents/version.html",
        {
            "page": page,
            "version": version,
            "document": document,
            "breadcrumbs": [
                (document.programme.title, document.programme.get_absolute_url()),
                (document.title, None),
            ],
        },
    )


def compare(request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
    """Word by word, section by section: ``a`` is the older text, ``b`` the newer."""
    picked_a, picked_b = request.GET.get("a", ""), request.GET.get("b", "")
    if picked_a.isdigit() and picked_b.isdigit() and (int(picked_a), int(picked_b)) != (a, b):
        return redirect("documents:compare", pk=pk, a=int(picked_a), b=int(picked_b))
    old = _viewable_version(request, pk, a)
    new = _viewable_version(request, pk, b)
    document = new.document
    return render(
        request,
        "consultations/documents/compare.html",
        {
            "document": document,
            "old": old,
            "new": new,
            "rows": selectors.compare_versions(old, new) if a != b else [],
            "versions": selectors.visible_versions(document, include_drafts=_may_see_drafts(request, new)),
            "breadcrumbs": [
                (document.programme.title, document.programme.get_absolute_url()),
                (document.title, reverse("documents:version", args=[document.pk, new.number])),
                (_("Compare versions"), None),
            ],
        },
    )


def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A PDF attached to a version, served through the same visibility rule as the version."""
    item = get_object_or_404(VersionAttachment.objects.select_related("version__document__programme"), pk=pk)
    if not request.user.has_perm("consultations.view_version", item.version) or not item.file:
        raise Http404
    filename = item.file.name.rsplit("/", 1)[-1]
    return FileResponse(
        item.file.open("rb"), as_attachment=False, filename=filename, content_type="application/pdf"
    )
