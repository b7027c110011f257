"""The consultation's Q&A: the public page (answered questions, the ask form) and the staff answer page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors, permission_required

from . import questions as services
from . import selectors_contributions as selectors
from .citizens import is_citizen_consultation
from .forms_contributions import AnswerForm, QuestionForm
from .models import Consultation, Question
from .views_contributions import consultation_crumbs, login_url, visible_consultation


def questions(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = visible_consultation(request, pk)
    accepting = services.accepts_questions(consultation)
    can_ask = accepting and request.user.has_perm("consultations.ask_question", consultation)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(login_url(request))
        if not can_ask and accepting:
            raise PermissionDenied
        if form.is_valid():
            try:
                question = services.ask_question(request.user, consultation, form.cleaned_data["body"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your question has been sent. It will be published here with the staff's answer."),
                )
                url = reverse("contributions:questions", kwargs={"pk": consultation.pk})
                return redirect(f"{url}#question-{question.pk}")
    return render(
        request,
        "consultations/questions/list.html",
        {
            "consultation": consultation,
            "questions": selectors.public_questions(consultation, request.user),
            "form": form if can_ask else None,
            "accepting": accepting,
            "closed_message": None if accepting else services.questions_closed_message(consultation),
            "login_url": login_url(request),
            "citizen_url": _citizen_url(consultation),
            "consultation_url": reverse("consultations:detail", kwargs={"pk": consultation.pk}),
            "manage_url": reverse("manage_questions:list", kwargs={"pk": consultation.pk})
            if request.user.has_perm("consultations.manage_consultation", consultation)
            else None,
            "nav": "consultations",
            "breadcrumbs": consultation_crumbs(consultation, (_("Questions and answers"), None)),
        },
    )


def _citizen_url(consultation: Consultation) -> str | None:
    if not is_citizen_consultation(consultation):
        return None
    return reverse("contributions:citizen_access", kwargs={"pk": consultation.pk}) + "?next=questions"


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.select_related("programme"), pk=pk)


def _question_consultation(request: HttpRequest, pk: int) -> Consultation:
    return get_object_or_404(Question.objects.select_related("consultation__programme"), pk=pk).consultation


def _render_staff_page(
    request: HttpRequest,
    consultation: Consultation,
    bound: AnswerForm | None = None,
    bound_pk: int | None = None,
) -> HttpResponse:
    items = selectors.staff_questions(consultation)
    rows = []
    for question in items:
        if bound is not None and question.pk == bound_pk:
            form = bound
        else:
            form = AnswerForm(prefix=f"q{question.pk}", initial={"answer": question.answer})
        rows.append((question, form))
    return render(
        request,
        "consultations/questions/manage.html",
        {
            "consultation": consultation,
            "rows": rows,
            "pending": sum(1 for q in items if not q.is_answered),
            "public_url": reverse("contributions:questions", kwargs={"pk": consultation.pk}),
            "nav": "staff",
            "breadcrumbs": [
                (_("Staff area"), reverse("portal:staff_home")),
                (_("Consultations"), reverse("manage_consultations:list")),
                (consultation.title, reverse("manage_consultations:detail", kwargs={"pk": consultation.pk})),
                (_("Questions"), None),
            ],
        },
    )


@permission_required("consultations.manage_consultation", _consultation)
def manage_list(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_staff_page(request, _consultation(request, pk))


@require_POST
@permission_required("consultations.manage_consultation", _question_consultation)
def manage_answer(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("consultation__programme"), pk=pk)
    form = AnswerForm(request.POST, prefix=f"q{question.pk}")
    if form.is_valid():
        try:
            was_answered = question.is_answered
            services.answer_question(request.user, question, form.cleaned_data["answer"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The answer has been corrected.")
                if was_answered
                else _("The answer has been published and the person who asked has been notified."),
            )
            url = reverse("manage_questions:list", kwargs={"pk": question.consultation_id})
            return redirect(f"{url}#question-{question.pk}")
    return _render_staff_page(request, question.consultation, bound=form, bound_pk=question.pk)
