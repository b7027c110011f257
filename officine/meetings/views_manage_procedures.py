"""The secretariat's written procedures and recommendations (namespace ``manage_procedures``).

Whoever manages the body (the staff of a programme it serves, platform admins) opens a written procedure
with its document, follows the answers, reminds the members who have not answered, adds documents while
it is open and closes it after the deadline (the daily job ``run_meeting_jobs`` also closes it); records
the body's recommendations and the managing authority's replies (CPR Art. 40(3)). Rules are the services'
(``written_procedures.py``, ``recommendations.py``): their refusals come back on the form or as messages.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from officine.core.viewtools import add_service_errors, message_service_errors, permission_required

from . import recommendations as recommendation_services
from . import selectors_procedures as selectors
from . import written_procedures as services
from .forms_procedures import OpenProcedureForm, ProcedureDocumentForm, RecommendationForm, ReplyForm
from .models import Body, ProcedureState, Recommendation, WrittenProcedure

# --- Objects (fetched once per request) -----------------------------------------------------------------


def _body(request: HttpRequest, body_pk: int, **_kwargs) -> Body:
    body = getattr(request, "_officine_body", None)
    if body is None or body.pk != body_pk:
        body = get_object_or_404(Body.objects.prefetch_related("programmes"), pk=body_pk)
        request._officine_body = body
    return body


def _procedure(request: HttpRequest, pk: int, **_kwargs) -> WrittenProcedure:
    procedure = getattr(request, "_officine_procedure", None)
    if procedure is None or procedure.pk != pk:
        procedure = selectors.procedure_for_page(pk)
        if procedure is None:
            raise Http404(_("No written procedure has this number."))
        request._officine_procedure = procedure
    return procedure


def _recommendation(request: HttpRequest, pk: int, **_kwargs) -> Recommendation:
    recommendation = getattr(request, "_officine_recommendation", None)
    if recommendation is None or recommendation.pk != pk:
        recommendation = selectors.recommendation_for_page(pk)
        if recommendation is None:
            raise Http404(_("No recommendation has this number."))
        request._officine_recommendation = recommendation
    return recommendation


def _recommendation_body(request: HttpRequest, pk: int, **_kwargs) -> Body:
    return _recommendation(request, pk).body


def _posted(request: HttpRequest) -> tuple:
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _crumbs(body: Body, *tail: tuple) -> list[tuple]:
    return [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Bodies and meetings"), reverse("manage_meetings:index")),
        (body.name, reverse("manage_meetings:body", args=[body.pk])),
        *tail,
    ]


def _procedure_crumbs(procedure: WrittenProcedure, *tail: tuple) -> list[tuple]:
    url = reverse("manage_procedures:detail", args=[procedure.pk]) if tail else None
    return _crumbs(procedure.body, (procedure.title, url), *tail)


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"meetings/manage/{template}", {"nav": "staff", **context})


# --- Written procedures ---------------------------------------------------------------------------------


@permission_required("meetings.manage_body", _body)
def procedure_open(request: HttpRequest, body_pk: int) -> HttpResponse:
    """Open a procedure with its (optional) first document; members are notified by the service."""
    body = _body(request, body_pk)
    form = OpenProcedureForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                procedure = services.open_procedure(
                    request.user,
                    body,
                    form.procedure_data(),
                    urgent=data["urgent"],
                    reason=data["urgency_reason"],
                )
                document = form.document_data()
                if document is not None:
                    try:
                        services.add_document(request.user, procedure, document)
                    except ValidationError as error:
                        if not hasattr(error, "error_dict"):
                            raise
                        fields = {"file": "document", "title_it": "document_title"}
                        raise ValidationError(
                            {fields.get(name, name): errors for name, errors in error.message_dict.items()}
                        ) from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The written procedure is open: members may answer until %(date)s.")
                % {"date": date_format(procedure.deadline, "SHORT_DATE_FORMAT")},
            )
            return redirect("manage_procedures:detail", pk=procedure.pk)
    today = timezone.localdate()
    title = _("Open a written procedure")
    return _page(
        request,
        "procedure_open.html",
        {
            "body": body,
            "form": form,
            "title": title,
            "deadline": services.deadline_for(body, today),
            "urgent_deadline": services.deadline_for(body, today, urgent=True),
            "breadcrumbs": _crumbs(body, (title, None)),
        },
    )


@permission_required("meetings.manage_procedure", _procedure)
def procedure(request: HttpRequest, pk: int) -> HttpResponse:
    """Answers so far, who has not answered, documents (withheld ones too), and the actions: remind,
    add a document, close. POST with ``remind`` sends the reminder."""
    procedure = _procedure(request, pk)
    if request.method == "POST" and "remind" in request.POST:
        try:
            count = services.send_reminder(request.user, procedure)
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            if count:
                messages.success(
                    request,
                    ngettext(
                        "Reminder sent to %(count)d person.", "Reminder sent to %(count)d people.", count
                    )
                    % {"count": count},
                )
            else:
                messages.info(
                    request,
                    _(
                        "Nobody new to remind: every seat has answered, has no account, or was already "
                        "reminded today."
                    ),
                )
        return redirect("manage_procedures:detail", pk=procedure.pk)
    today = timezone.localdate()
    page = selectors.procedure_page(procedure, show_withheld=True, today=today)
    is_open = procedure.state == ProcedureState.OPEN
    return _page(
        request,
        "procedure_detail.html",
        {
            "procedure": procedure,
            "body": procedure.body,
            "page": page,
            "is_open": is_open,
            "can_answer_still": is_open and today <= procedure.deadline,
            "can_close": is_open and today > procedure.deadline,
            "breadcrumbs": _procedure_crumbs(procedure),
        },
    )


@permission_required("meetings.manage_procedure", _procedure)
def procedure_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    if procedure.state != ProcedureState.OPEN:
        messages.error(request, _("This written procedure is closed: its documents cannot change."))
        return redirect("manage_procedures:detail", pk=procedure.pk)
    form = ProcedureDocumentForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_document(request.user, procedure, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document has been added and published."))
            return redirect("manage_procedures:detail", pk=procedure.pk)
    title = _("Add a document")
    return _page(
        request,
        "procedure_document_form.html",
        {
            "procedure": procedure,
            "form": form,
            "title": title,
            "breadcrumbs": _procedure_crumbs(procedure, (title, None)),
        },
    )


@permission_required("meetings.manage_procedure", _procedure)
def procedure_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and close: the result is computed by the service under the body's rules."""
    procedure = _procedure(request, pk)
    if procedure.state != ProcedureState.OPEN:
        messages.info(request, _("This written procedure is already closed."))
        return redirect("manage_procedures:detail", pk=procedure.pk)
    if request.method == "POST":
        try:
            closed = services.close_procedure(request.user, procedure)
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            messages.success(
                request,
                _("The written procedure is closed: %(result)s.") % {"result": closed.get_result_display()},
            )
        return redirect("manage_procedures:detail", pk=procedure.pk)
    title = _("Close the written procedure")
    today = timezone.localdate()
    return _page(
        request,
        "procedure_close.html",
        {
            "procedure": procedure,
            "page": selectors.procedure_page(procedure, today=today),
            "too_early": today <= procedure.deadline,
            "title": title,
            "breadcrumbs": _procedure_crumbs(procedure, (title, None)),
        },
    )


# --- Recommendations ------------------------------------------------------------------------------------


@permission_required("meetings.manage_recommendations", _body)
def recommendation_add(request: HttpRequest, body_pk: int) -> HttpResponse:
    """Record a recommendation; the page also lists the body's recommendations with their replies."""
    body = _body(request, body_pk)
    form = RecommendationForm(_posted(request)[0], body=body)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation_services.record_recommendation(request.user, body, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The recommendation has been recorded and published."))
            return redirect("manage_procedures:recommendation_add", body_pk=body.pk)
    title = _("Recommendations")
    return _page(
        request,
        "recommendation_form.html",
        {
            "body": body,
            "form": form,
            "title": title,
            "recommendations": list(selectors.body_recommendations(body)),
            "breadcrumbs": _crumbs(body, (title, None)),
        },
    )


@permission_required("meetings.manage_recommendations", _recommendation_body)
def recommendation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = _recommendation(request, pk)
    body = recommendation.body
    back = reverse("manage_procedures:recommendation_add", args=[body.pk])
    form = ReplyForm(_posted(request)[0], recommendation=recommendation)
    if not form.fields["status"].choices:
        messages.info(request, _("This recommendation has its final reply."))
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recommendation_services.reply_to_recommendation(
                request.user, recommendation, data["reply"], data["status"], on=data["reply_date"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The reply has been recorded and published."))
            return redirect(back)
    title = _("Reply to the recommendation")
    return _page(
        request,
        "recommendation_reply.html",
        {
            "body": body,
            "recommendation": recommendation,
            "form": form,
            "title": title,
            "breadcrumbs": _crumbs(body, (_("Recommendations"), back), (title, None)),
        },
    )
