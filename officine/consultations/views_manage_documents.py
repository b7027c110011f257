"""Staff pages for documents: list, create, the document page, draft editor, import, PDFs, publishing.

A file to import is read when it is uploaded and the sections it yields wait in the session until staff
confirm them on a review page: nothing touches the draft (or creates a document) before that, and no model
holds half-finished imports.
"""

import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors, message_service_errors, permission_required
from officine.programmes.models import Programme

from . import selectors_manage as selectors
from . import services
from .forms import AttachmentForm, DocumentCreateForm, DraftTextForm, ImportForm, PublishForm
from .models import Document, DocumentVersion, VersionAttachment, VersionStatus
from .services import DraftPlan, PlannedSection, PlanStatus
from .text import DraftSection

PAGE_SIZE = 50
_IMPORTS = "consultations.pending_imports"


def _document(request: HttpRequest, pk: int, **_kwargs) -> Document:
    """The document of the URL, fetched once per request (the permission check and the view share it)."""
    cached = getattr(request, "_officine_document", None)
    if cached is None or cached.pk != pk:
        cached = get_object_or_404(Document.objects.select_related("programme"), pk=pk)
        request._officine_document = cached
    return cached


def _draft(document: Document) -> DocumentVersion | None:
    return document.versions.filter(status=VersionStatus.DRAFT).first()


def _crumbs(document: Document | None = None, *tail: tuple) -> list[tuple]:
    crumbs = [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Documents"), reverse("manage_consultations:documents")),
    ]
    if document is not None:
        crumbs.append(
            (document.title, reverse("manage_consultations:document", args=[document.pk]) if tail else None)
        )
    return [*crumbs, *tail]


# --- Pending imports in the session -----------------------------------------------------------------------


def _stash(request: HttpRequest, scope: str, payload: dict[str, Any]) -> str:
    token = secrets.token_urlsafe(12)
    pending = dict(request.session.get(_IMPORTS, {}))
    pending[scope] = {"token": token, **payload}
    request.session[_IMPORTS] = pending
    return token


def _stashed(request: HttpRequest, scope: str, token: str | None) -> dict[str, Any] | None:
    payload = request.session.get(_IMPORTS, {}).get(scope)
    if not payload or not token or not secrets.compare_digest(payload["token"], token):
        return None
    return payload


def _drop(request: HttpRequest, scope: str) -> None:
    pending = dict(request.session.get(_IMPORTS, {}))
    if pending.pop(scope, None) is not None:
        request.session[_IMPORTS] = pending


def _rows(drafts: list[DraftSection]) -> list[dict[str, Any]]:
    return [{"level": d.level, "heading": d.heading, "body": d.body} for d in drafts]


def _drafts(rows: list[dict[str, Any]]) -> list[DraftSection]:
    return [DraftSection(int(r["level"]), str(r["heading"]), str(r["body"])) for r in rows]


def _all_new(drafts: list[DraftSection]) -> DraftPlan:
    sections = [
        PlannedSection(n, d.level, " ".join(d.heading.split()), d.body.strip(), None, PlanStatus.ADDED)
        for n, d in enumerate(drafts, start=1)
    ]
    return DraftPlan(sections=sections, removed=[])


# --- List and creation ------------------------------------------------------------------------------------


@permission_required("accounts.view_staff_area")
def document_list(request: HttpRequest) -> HttpResponse:
    programmes = list(selectors.manageable_programmes(request.user))
    chosen = request.GET.get("programme", "")
    programme_id = int(chosen) if chosen.isdigit() and int(chosen) in {p.pk for p in programmes} else None
    page = Paginator(selectors.staff_documents(request.user, programme_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "consultations/manage/document_list.html",
        {
            "page_obj": page,
            "programmes": programmes,
            "programme_id": programme_id,
            "nav": "staff",
            "breadcrumbs": [(_("Staff area"), reverse("portal:staff_home")), (_("Documents"), None)],
        },
    )


@permission_required("accounts.view_staff_area")
def document_create(request: HttpRequest) -> HttpResponse:
    """Title and text typed in, or a file read and shown for review before the document is created."""
    programmes = selectors.manageable_programmes(request.user)
    if "review" in request.GET:
        return _create_review(request, request.GET["review"])
    initial = {}
    if (chosen := request.GET.get("programme", "")).isdigit():
        initial["programme"] = int(chosen)
    elif len(only := list(programmes[:2])) == 1:
        initial["programme"] = only[0].pk
    form = DocumentCreateForm(
        request.POST or None, request.FILES or None, programmes=programmes, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        programme = form.cleaned_data["programme"]
        if not request.user.has_perm("consultations.add_document", programme):
            raise PermissionDenied
        if form.from_file:
            token = _stash(
                request,
                "new",
                {
                    "programme": programme.pk,
                    "title_it": form.cleaned_data["title_it"],
                    "title_en": form.cleaned_data["title_en"],
                    "filename": request.FILES["file"].name,
                    "sections": _rows(form.cleaned_data["file"]),
                },
            )
            return redirect(reverse("manage_consultations:document_create") + f"?review={token}")
        try:
            document = services.create_document_from_text(
                request.user,
                programme,
                title_it=form.cleaned_data["title_it"],
                title_en=form.cleaned_data["title_en"],
                drafts=form.cleaned_data["drafts"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document has been created as a draft."))
            return redirect("manage_consultations:document", pk=document.pk)
    return render(
        request,
        "consultations/manage/document_create.html",
        {"form": form, "nav": "staff", "breadcrumbs": _crumbs(None, (_("New document"), None))},
    )


def _create_review(request: HttpRequest, token: str) -> HttpResponse:
    payload = _stashed(request, "new", token)
    if payload is None:
        messages.error(request, _("This import is no longer pending: upload the file again."))
        return redirect("manage_consultations:document_create")
    programme = get_object_or_404(Programme, pk=payload["programme"])
    if not request.user.has_perm("consultations.add_document", programme):
        raise PermissionDenied
    drafts = _drafts(payload["sections"])
    if request.method == "POST":
        _drop(request, "new")
        if request.POST.get("action") != "confirm":
            messages.info(request, _("The import has been cancelled: nothing was saved."))
            return redirect("manage_consultations:documents")
        try:
            document = services.create_document_from_text(
                request.user,
                programme,
                title_it=payload["title_it"],
                title_en=payload["title_en"],
                drafts=drafts,
            )
        except ValidationError as error:
            message_service_errors(request, error)
            return redirect("manage_consultations:document_create")
        messages.success(request, _("The document has been created as a draft from the file."))
        return redirect("manage_consultations:document", pk=document.pk)
    return render(
        request,
        "consultations/manage/document_review.html",
        {
            "plan": _all_new(drafts),
            "payload": payload,
            "programme": programme,
            "title": payload["title_it"],
            "action_url": reverse("manage_consultations:document_create") + f"?review={token}",
            "nav": "staff",
            "breadcrumbs": _crumbs(None, (_("New document"), None)),
        },
    )


# --- One document -----------------------------------------------------------------------------------------


@permission_required("consultations.manage_document", _document)
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    return render(
        request,
        "consultations/manage/document_detail.html",
        {
            "overview": selectors.document_overview(document),
            "document": document,
            "nav": "staff",
            "breadcrumbs": _crumbs(document),
        },
    )


def _no_draft(request: HttpRequest, document: Document, heading: str) -> HttpResponse:
    """Published versions are never edited: say so and offer to start a new version instead."""
    if request.method == "POST":
        messages.error(request, _("A published version cannot be changed: start a new version instead."))
        return redirect("manage_consultations:document", pk=document.pk)
    return render(
        request,
        "consultations/manage/document_no_draft.html",
        {
            "document": document,
            "heading": heading,
            "can_start": document.versions.filter(status=VersionStatus.PUBLISHED).exists(),
            "nav": "staff",
            "breadcrumbs": _crumbs(document, (heading, None)),
        },
    )


@permission_required("consultations.manage_document", _document)
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft as one Markdown text; "Preview" shows what saving would do, "Save" does it."""
    document = _document(request, pk)
    draft = _draft(document)
    if draft is None:
        return _no_draft(request, document, _("Edit the draft"))
    form = DraftTextForm(request.POST or None, initial={"text": services.draft_as_markdown(draft)})
    plan = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            plan = services.plan_draft(draft, form.drafts)
        else:
            try:
                plan = services.save_draft_text(request.user, draft, form.drafts)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _saved_message(plan))
                return redirect("manage_consultations:document", pk=document.pk)
    return render(
        request,
        "consultations/manage/document_edit.html",
        {
            "document": document,
            "draft": draft,
            "form": form,
            "plan": plan,
            "nav": "staff",
            "breadcrumbs": _crumbs(document, (_("Edit the draft"), None)),
        },
    )


def _saved_message(plan: DraftPlan) -> str:
    counts = plan.counts
    return (
        _(
            "The draft has been saved. Sections: %(added)d added, %(modified)d modified, "
            "%(unchanged)d unchanged, %(removed)d removed."
        )
        % counts
    )


@permission_required("consultations.manage_document", _document)
def document_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file, review the sections it yields against the draft, then confirm or cancel."""
    document = _document(request, pk)
    draft = _draft(document)
    if draft is None:
        return _no_draft(request, document, _("Import a file"))
    scope = f"document-{document.pk}"
    token = request.POST.get("token") or request.GET.get("review")
    if token:
        payload = _stashed(request, scope, token)
        if payload is None or payload["version"] != draft.pk:
            _drop(request, scope)
            messages.error(request, _("This import is no longer pending: upload the file again."))
            return redirect("manage_consultations:document_import", pk=document.pk)
        drafts = _drafts(payload["sections"])
        if request.method == "POST":
            _drop(request, scope)
            if request.POST.get("action") != "confirm":
                messages.info(request, _("The import has been cancelled: the draft is unchanged."))
                return redirect("manage_consultations:document", pk=document.pk)
            try:
                plan = services.save_draft_text(request.user, draft, drafts)
            except ValidationError as error:
                message_service_errors(request, error)
                return redirect("manage_consultations:document_import", pk=document.pk)
            messages.success(request, _saved_message(plan))
            return redirect("manage_consultations:document", pk=document.pk)
        return render(
            request,
            "consultations/manage/document_review.html",
            {
                "document": document,
                "draft": draft,
                "plan": services.plan_draft(draft, drafts),
                "payload": payload,
                "title": document.title,
                "action_url": reverse("manage_consultations:document_import", args=[document.pk]),
                "nav": "staff",
                "breadcrumbs": _crumbs(document, (_("Import a file"), None)),
            },
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = _stash(
            request,
            scope,
            {
                "version": draft.pk,
                "filename": request.FILES["file"].name,
                "sections": _rows(form.cleaned_data["file"]),
            },
        )
        return redirect(
            reverse("manage_consultations:document_import", args=[document.pk]) + f"?review={token}"
        )
    return render(
        request,
        "consultations/manage/document_import.html",
        {
            "document": document,
            "draft": draft,
            "form": form,
            "nav": "staff",
            "breadcrumbs": _crumbs(document, (_("Import a file"), None)),
        },
    )


@permission_required("consultations.manage_document", _document)
def document_publish(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    draft = _draft(document)
    if draft is None:
        return _no_draft(request, document, _("Publish"))
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_version(
                request.user, draft, change_note=form.cleaned_data["change_note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)d has been published: it can no longer be changed.")
                % {"number": version.number},
            )
            return redirect("manage_consultations:document", pk=document.pk)
    sections = list(draft.sections.all())
    return render(
        request,
        "consultations/manage/document_publish.html",
        {
            "document": document,
            "draft": draft,
            "sections": sections,
            "removed": selectors.removed_sections(draft, sections),
            "attachments": list(draft.attachments.all()),
            "form": form,
            "nav": "staff",
            "breadcrumbs": _crumbs(document, (_("Publish"), None)),
        },
    )


@require_POST
@permission_required("consultations.manage_document", _document)
def document_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    try:
        version = services.start_new_version(request.user, document)
    except ValidationError as error:
        message_service_errors(request, error)
        return redirect("manage_consultations:document", pk=document.pk)
    messages.success(
        request,
        _("Version %(number)d has been started as a copy of the latest published version.")
        % {"number": version.number},
    )
    return redirect("manage_consultations:document_edit", pk=document.pk)


@permission_required("consultations.manage_document", _document)
def document_attachments(request: HttpRequest, pk: int) -> HttpResponse:
    """PDFs of the draft (added and removed here) and, read-only, those of the published versions."""
    document = _document(request, pk)
    draft = _draft(document)
    form = AttachmentForm()
    if request.method == "POST":
        if draft is None:
            messages.error(request, _("A published version cannot be changed: start a new version instead."))
            return redirect("manage_consultations:document_attachments", pk=document.pk)
        if "remove" in request.POST:
            attachment = get_object_or_404(
                VersionAttachment, pk=request.POST.get("remove") or 0, version=draft
            )
            try:
                services.remove_version_attachment(request.user, attachment)
            except ValidationError as error:
                message_service_errors(request, error)
            else:
                messages.success(request, _("“%(title)s” has been removed.") % {"title": attachment.title})
            return redirect("manage_consultations:document_attachments", pk=document.pk)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.add_version_attachment(
                    request.user, draft, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(title)s” has been attached.") % {"title": attachment.title})
                return redirect("manage_consultations:document_attachments", pk=document.pk)
    published = list(
        VersionAttachment.objects.filter(version__document=document, version__status=VersionStatus.PUBLISHED)
        .select_related("version")
        .order_by("-version__number", "uploaded_at", "pk")
    )
    return render(
        request,
        "consultations/manage/document_attachments.html",
        {
            "document": document,
            "draft": draft,
            "draft_attachments": list(draft.attachments.all()) if draft else [],
            "published": published,
            "form": form,
            "nav": "staff",
            "breadcrumbs": _crumbs(document, (_("Attached PDFs"), None)),
        },
    )
