"""Staff pages for dispositions: the contributions list with bulk disposition, one contribution's page, answer
templates, the spreadsheet import, the exports and the publication of the outcome.

Views parse input, call one service or selector and render. Consultation pages need
``consultations.manage_consultation``; a contribution's page ``consultations.dispose_contribution``; templates
``consultations.manage_disposition_templates`` on the programme. Visitors are sent to the login page, others
get a 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from officine.core.tabular import EXPORT_FORMATS
from officine.core.viewtools import (
    add_service_errors,
    download_response,
    message_service_errors,
    permission_required,
)
from officine.programmes.models import Programme

from . import disposition_import, dispositions, exporting, outcome
from . import selectors_dispositions as selectors
from .forms_dispositions import (
    BulkDispositionForm,
    ContributionFilterForm,
    DispositionForm,
    DispositionImportForm,
    DispositionTemplateForm,
    PublishOutcomeForm,
)
from .models import Consultation, ConsultationState, Contribution, DispositionOutcome, DispositionTemplate

PAGE_SIZE = 50


def _consultation(request, pk: int, *args, **kwargs) -> Consultation:
    return get_object_or_404(Consultation.objects.select_related("programme"), pk=pk)


def _contribution(request, pk: int, *args, **kwargs):
    try:
        return selectors.contribution_for_disposition(pk)
    except Contribution.DoesNotExist as exc:
        raise Http404 from exc


def _programme(request, pk: int, *args, **kwargs) -> Programme:
    return get_object_or_404(Programme, pk=pk)


def _template(request, pk: int, *args, **kwargs) -> DispositionTemplate:
    return get_object_or_404(DispositionTemplate.objects.select_related("programme"), pk=pk)


def _template_programme(request, pk: int, *args, **kwargs) -> Programme:
    return _template(request, pk).programme


def _crumbs(consultation: Consultation, *tail: tuple) -> list[tuple]:
    return [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Consultations"), reverse("manage_consultations:list")),
        (consultation.title, reverse("manage_consultations:detail", args=[consultation.pk])),
        *tail,
    ]


def _list_crumb(consultation: Consultation) -> tuple[str, str]:
    return (
        _("Contributions and dispositions"),
        reverse("manage_dispositions:contributions", args=[consultation.pk]),
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _template_data(templates) -> dict[str, dict[str, str]]:
    """For dispositions.js: choosing a template fills outcome and reason in the browser."""
    return {str(t.pk): {"outcome": t.outcome, "reason": t.reason} for t in templates}


# --- The contributions list and the bulk form -------------------------------------------------------------


def _render_list(
    request: HttpRequest, consultation: Consultation, bulk_form: BulkDispositionForm | None = None
):
    options = selectors.filter_options(consultation)
    filter_form = ContributionFilterForm(request.GET or None, options)
    filters = selectors.ContributionFilters(**filter_form.filters())
    paginator = Paginator(selectors.contributions_for_disposition(consultation, filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    templates = selectors.templates_for_programme(consultation.programme)
    if bulk_form is None:
        bulk_form = BulkDispositionForm(
            consultation=consultation,
            templates=templates,
            sections=selectors.changed_sections_for_consultation(consultation),
        )
    if bulk_form.is_bound:
        selected = {str(v) for v in bulk_form.data.getlist("contributions")}
    elif filters.group:  # arriving from the grouping page: the group is selected for one common answer
        selected = {str(c.pk) for c in page.object_list}
    else:
        selected = set()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "consultations/dispositions/contributions.html",
        {
            "consultation": consultation,
            "filter_form": filter_form,
            "is_filtered": any(filters.__dict__.values()),
            "page_obj": page,
            "contributions": page.object_list,
            "result_count": paginator.count,
            "progress": selectors.disposition_progress(consultation),
            "bulk_form": bulk_form,
            "selected": selected,
            "can_dispose": consultation.state == ConsultationState.CLOSED,
            "state_message": dispositions.consultation_state_error(consultation),
            "template_data": _template_data(templates),
            "query": request.GET.urlencode(),
            "export_links": exporting.export_links(consultation),
            "nav": "staff",
            "breadcrumbs": _crumbs(consultation, (_("Contributions and dispositions"), None)),
        },
        status=400 if bulk_form.is_bound and bulk_form.errors else 200,
    )


@permission_required("consultations.manage_consultation", _consultation)
def contribution_list(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_list(request, _consultation(request, pk))


@require_POST
@permission_required("consultations.manage_consultation", _consultation)
def bulk_dispose(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    form = BulkDispositionForm(
        request.POST,
        consultation=consultation,
        templates=selectors.templates_for_programme(consultation.programme),
        sections=selectors.changed_sections_for_consultation(consultation),
    )
    if form.is_valid():
        try:
            done = dispositions.dispose_many(
                request.user, form.cleaned_data["contributions"], **form.service_arguments()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Disposition recorded for %(count)d contribution.",
                    "Disposition recorded for %(count)d contributions.",
                    len(done),
                )
                % {"count": len(done)},
            )
            url = reverse("manage_dispositions:contributions", args=[consultation.pk])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
    return _render_list(request, consultation, bulk_form=form)


# --- One contribution -------------------------------------------------------------------------------------


@permission_required("consultations.dispose_contribution", _contribution)
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = _contribution(request, pk)
    consultation = contribution.consultation
    templates = selectors.templates_for_programme(consultation.programme)
    sections = selectors.sections_changed_after(contribution)
    current = contribution.current_disposition
    form_kwargs = {"templates": templates, "sections": sections}
    if request.method == "POST" and "apply_template" in request.POST:
        # Without JavaScript: fill outcome and reason from the chosen template, keep the rest, save nothing.
        data = request.POST.copy()
        template = next((t for t in templates if str(t.pk) == data.get("template")), None)
        if template is not None:
            for key, value in dispositions.template_prefill(template).items():
                data[key] = value
            messages.info(
                request, _("The template filled in the disposition and the reason: check them, then save.")
            )
        form = DispositionForm(data=None, initial=_initial_from(data), **form_kwargs)
    elif request.method == "POST":
        form = DispositionForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                dispositions.dispose(request.user, contribution, **form.service_arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Disposition of contribution #%(number)d recorded.") % {"number": contribution.number},
                )
                following = selectors.next_undisposed(consultation, contribution.number)
                if following is not None and "save_next" in request.POST:
                    return redirect("manage_dispositions:dispose", pk=following.pk)
                return redirect(
                    _safe_next(request, reverse("manage_dispositions:contributions", args=[consultation.pk]))
                )
    else:
        initial = {}
        if current is not None:
            initial = {
                "outcome": current.outcome,
                "reason": current.reason,
                "template": current.template_id,
                "changed_sections": [s.pk for s in current.changed_sections.all()],
            }
        form = DispositionForm(initial=initial, **form_kwargs)
    return render(
        request,
        "consultations/dispositions/dispose.html",
        {
            "consultation": consultation,
            "contribution": contribution,
            "history": selectors.disposition_history(contribution),
            "form": form,
            "can_dispose": consultation.state == ConsultationState.CLOSED and not contribution.is_withdrawn,
            "state_message": dispositions.consultation_state_error(consultation),
            "has_newer_version": bool(sections),
            "template_data": _template_data(templates),
            "next": _safe_next(request, ""),
            "nav": "staff",
            "breadcrumbs": _crumbs(
                consultation,
                _list_crumb(consultation),
                (_("Contribution #%(number)d") % {"number": contribution.number}, None),
            ),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _initial_from(data) -> dict:
    return {
        "outcome": data.get("outcome", ""),
        "reason": data.get("reason", ""),
        "template": data.get("template", ""),
        "changed_sections": data.getlist("changed_sections"),
    }


# --- Answer templates -------------------------------------------------------------------------------------


def _templates_crumbs(programme: Programme, *tail) -> list[tuple]:
    return [
        (_("Staff area"), reverse("portal:staff_home")),
        (programme.title, reverse("portal:programme_detail", args=[programme.cci])),
        *tail,
    ]


@permission_required("consultations.manage_disposition_templates", _programme)
def template_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    form = DispositionTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = dispositions.create_template(request.user, programme, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Template “%(title)s” added.") % {"title": template.title})
            return redirect("manage_dispositions:templates", pk=programme.pk)
    return render(
        request,
        "consultations/dispositions/templates.html",
        {
            "programme": programme,
            "templates": selectors.templates_for_programme(programme),
            "form": form,
            "nav": "staff",
            "breadcrumbs": _templates_crumbs(programme, (_("Answer templates"), None)),
        },
        status=400 if form.errors else 200,
    )


@permission_required("consultations.manage_disposition_templates", _template_programme)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk)
    programme = template.programme
    initial = {"title": template.title, "outcome": template.outcome, "reason": template.reason}
    form = DispositionTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dispositions.update_template(request.user, template, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("manage_dispositions:templates", pk=programme.pk)
    return render(
        request,
        "consultations/dispositions/template_form.html",
        {
            "template": template,
            "form": form,
            "nav": "staff",
            "breadcrumbs": _templates_crumbs(
                programme,
                (_("Answer templates"), reverse("manage_dispositions:templates", args=[programme.pk])),
                (template.title, None),
            ),
        },
        status=400 if form.errors else 200,
    )


@permission_required("consultations.manage_disposition_templates", _template_programme)
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk)
    programme = template.programme
    if request.method == "POST":
        dispositions.delete_template(request.user, template)
        messages.success(request, _("Template “%(title)s” deleted.") % {"title": template.title})
        return redirect("manage_dispositions:templates", pk=programme.pk)
    return render(
        request,
        "consultations/dispositions/template_confirm_delete.html",
        {
            "template": template,
            "nav": "staff",
            "breadcrumbs": _templates_crumbs(
                programme,
                (_("Answer templates"), reverse("manage_dispositions:templates", args=[programme.pk])),
                (_("Delete a template"), None),
            ),
        },
    )


# --- Import from a spreadsheet ----------------------------------------------------------------------------


@permission_required("consultations.manage_consultation", _consultation)
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    form = DispositionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        token = disposition_import.stash_upload(
            request.session, consultation, upload.name, form.file_format, upload.read()
        )
        return redirect("manage_dispositions:import_preview", pk=consultation.pk, import_pk=token)
    return render(
        request,
        "consultations/dispositions/import_upload.html",
        {
            "consultation": consultation,
            "form": form,
            "columns": disposition_import.COLUMNS,
            "state_message": dispositions.consultation_state_error(consultation),
            "template_links": [
                (spec.label, reverse("manage_dispositions:import_template", args=[consultation.pk, key]))
                for key, spec in EXPORT_FORMATS.items()
            ],
            "nav": "staff",
            "breadcrumbs": _crumbs(consultation, _list_crumb(consultation), (_("Import dispositions"), None)),
        },
        status=400 if form.errors else 200,
    )


@permission_required("consultations.manage_consultation", _consultation)
def import_template(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    consultation = _consultation(request, pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    spec = EXPORT_FORMATS[fmt]
    return download_response(
        disposition_import.template_file(consultation, fmt),
        spec.content_type,
        f"{_('dispositions')}-{consultation.pk}.{spec.extension}",
    )


@permission_required("consultations.manage_consultation", _consultation)
def import_preview(request: HttpRequest, pk: int, import_pk: str) -> HttpResponse:
    consultation = _consultation(request, pk)
    stashed = disposition_import.stashed_upload(request.session, consultation, import_pk)
    upload_url = reverse("manage_dispositions:import", args=[consultation.pk])
    if stashed is None:
        messages.error(request, _("This file is no longer available: upload it again."))
        return redirect(upload_url)
    if request.method == "POST":
        try:
            count = disposition_import.apply_dispositions(
                request.user, consultation, stashed.content, stashed.file_format, stashed.filename
            )
        except ValidationError as exc:
            message_service_errors(request, exc)
        else:
            disposition_import.drop_stash(request.session, import_pk)
            messages.success(
                request,
                ngettext(
                    "%(count)d disposition has been recorded.",
                    "%(count)d dispositions have been recorded.",
                    count,
                )
                % {"count": count},
            )
            return redirect("manage_dispositions:contributions", pk=consultation.pk)
    result = disposition_import.parse_dispositions(consultation, stashed.content, stashed.file_format)
    return render(
        request,
        "consultations/dispositions/import_preview.html",
        {
            "consultation": consultation,
            "stashed": stashed,
            "result": result,
            "upload_url": upload_url,
            "nav": "staff",
            "breadcrumbs": _crumbs(
                consultation,
                _list_crumb(consultation),
                (_("Import dispositions"), upload_url),
                (_("Check the file"), None),
            ),
        },
    )


# --- Exports ----------------------------------------------------------------------------------------------


@permission_required("consultations.manage_consultation", _consultation)
def export(request: HttpRequest, pk: int, what: str, fmt: str) -> HttpResponse:
    consultation = _consultation(request, pk)
    if what not in exporting.EXPORTABLE or fmt not in EXPORT_FORMATS:
        raise Http404
    result = exporting.export_consultation(consultation, what, fmt)
    exporting.record_export(request.user, consultation, what, fmt, result.rows)
    return download_response(result.content, result.format.content_type, result.filename)


# --- Publishing the outcome -------------------------------------------------------------------------------


@permission_required("consultations.manage_consultation", _consultation)
def publish_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    versions = selectors.final_version_choices(consultation)
    initial = {
        "summary_it": consultation.outcome_summary_it,
        "summary_en": consultation.outcome_summary_en,
        "final_version": consultation.final_version_id,
    }
    form = PublishOutcomeForm(request.POST or None, initial=initial, versions=versions)
    if request.method == "POST" and form.is_valid():
        try:
            outcome.publish_outcome(request.user, consultation, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The outcome is published and every participant has been notified."))
            return redirect("outcomes:report", pk=consultation.pk)
    progress = selectors.disposition_progress(consultation)
    return render(
        request,
        "consultations/dispositions/publish_outcome.html",
        {
            "consultation": consultation,
            "form": form,
            "progress": progress,
            "undisposed": selectors.undisposed_contributions(consultation, limit=PAGE_SIZE),
            "is_closed": consultation.state == ConsultationState.CLOSED,
            "is_published": consultation.state == ConsultationState.OUTCOME_PUBLISHED,
            "needs_final_version": consultation.is_third_sector_procedure,
            "outcomes": DispositionOutcome.choices,
            "nav": "staff",
            "breadcrumbs": _crumbs(consultation, (_("Publish the outcome"), None)),
        },
        status=400 if form.errors else 200,
    )
