"""Written procedures as the public sees them and members answer them (namespace ``procedures``).

A procedure is a public record (CPR Art. 38(4)): its subject, documents, deadline and state are shown to
everyone; the answers of each organisation once it is closed, with the result and how it was counted.
While it is open, the members and substitutes of its voting seats see the answer form on the same page.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors

from . import selectors_procedures as selectors
from . import written_procedures as services
from .forms_procedures import AnswerForm
from .models import ProcedureState, WrittenProcedure


def _procedure(request: HttpRequest, pk: int) -> WrittenProcedure:
    procedure = getattr(request, "_officine_procedure", None)
    if procedure is None or procedure.pk != pk:
        procedure = selectors.procedure_for_page(pk)
        if procedure is None:
            raise Http404(_("No written procedure has this number."))
        request._officine_procedure = procedure
    return procedure


def _render(
    request: HttpRequest, procedure: WrittenProcedure, form: AnswerForm | None = None
) -> HttpResponse:
    user = request.user
    can_manage = user.has_perm("meetings.manage_procedure", procedure)
    can_respond = user.has_perm("meetings.respond_procedure", procedure)
    seats = selectors.answering_seats(user, procedure) if can_respond else []
    if form is None and seats:
        form = AnswerForm(seats=seats)
    body = procedure.body
    return render(
        request,
        "meetings/procedures/detail.html",
        {
            "procedure": procedure,
            "body": body,
            "page": selectors.procedure_page(procedure),
            "can_manage": can_manage,
            "form": form if seats else None,
            "my_answers": selectors.answers_of(user, procedure),
            "is_closed": procedure.state == ProcedureState.CLOSED,
            "nav": "bodies",
            "breadcrumbs": [
                (_("Bodies"), reverse("bodies:list")),
                (body.name, reverse("bodies:detail", args=[body.pk])),
                (procedure.title, None),
            ],
        },
    )


def procedure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    if not request.user.has_perm("meetings.view_procedure", procedure):
        raise Http404(_("No written procedure has this number."))
    return _render(request, procedure)


@require_POST
def procedure_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's (or substitute's) answer for one of their voting seats; refusals come back on the page
    with what was typed."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("procedures:detail", args=[pk]))
    procedure = _procedure(request, pk)
    if not request.user.has_perm("meetings.respond_procedure", procedure):
        raise PermissionDenied
    seats = selectors.answering_seats(request.user, procedure)
    if not seats:
        messages.error(request, _("None of your seats with a vote is left to answer this procedure."))
        return redirect("procedures:detail", pk=procedure.pk)
    form = AnswerForm(request.POST, seats=seats)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.respond(request.user, procedure, data["seat"], data["choice"], data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your answer for %(organisation)s has been recorded.")
                % {"organisation": data["seat"].organization.name},
            )
            return redirect("procedures:detail", pk=procedure.pk)
    return _render(request, procedure, form)
