"""Write paths for the consultation's public Q&A channel (issue 3, point 4; ECCP Art. 5(d)).

Partners and citizens ask while the consultation is open; the programme's staff answer, the answer is
published on the Q&A page and the asker is notified. An answer may be corrected later: the correction is
audited with the text before and after, and the asker is not notified twice.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.accounts.rules import is_active_user
from officine.core.audit import record

from . import notices
from .models import Consultation, ConsultationState, Question

MAX_QUESTION_CHARS = 4_000
MAX_ANSWER_CHARS = 20_000


def accepts_questions(consultation: Consultation, today: date | None = None) -> bool:
    """Questions follow the contribution period: open, and not past the last day."""
    today = today or timezone.localdate()
    return consultation.state == ConsultationState.OPEN and today <= consultation.closes_on


def questions_closed_message(consultation: Consultation) -> str:
    if consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        return _("Questions can be asked once the consultation opens, on %(date)s.") % {
            "date": date_format(consultation.opens_on, "DATE_FORMAT")
        }
    return _("Questions were accepted until %(date)s, while the consultation was open.") % {
        "date": date_format(consultation.closes_on, "DATE_FORMAT")
    }


@transaction.atomic
def ask_question(actor, consultation: Consultation, body: str, today: date | None = None) -> Question:
    """A signed-in person asks a question; it becomes public once answered."""
    if not is_active_user(actor):
        raise PermissionDenied
    if not accepts_questions(consultation, today):
        raise ValidationError(questions_closed_message(consultation))
    if not actor.has_perm("consultations.ask_question", consultation):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write your question.")]})
    if len(body) > MAX_QUESTION_CHARS:
        raise ValidationError(
            {
                "body": [
                    _("At most %(max)d characters (this text has %(n)d).")
                    % {"max": MAX_QUESTION_CHARS, "n": len(body)}
                ]
            }
        )
    question = Question.objects.create(
        consultation=consultation, asked_by=actor, asker_name=actor.get_full_name()[:200], body=body
    )
    record(actor, "consultations.question.asked", question, {"body": [None, body]})
    return question


@transaction.atomic
def answer_question(actor, question: Question, answer: str) -> Question:
    """Staff of the programme answer (or correct their answer); the first answer notifies the asker."""
    question = (
        Question.objects.select_for_update(of=("self",)).select_related("consultation").get(pk=question.pk)
    )
    if not actor.has_perm("consultations.manage_consultation", question.consultation):
        raise PermissionDenied
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer.")]})
    if len(answer) > MAX_ANSWER_CHARS:
        raise ValidationError(
            {
                "answer": [
                    _("At most %(max)d characters (this text has %(n)d).")
                    % {"max": MAX_ANSWER_CHARS, "n": len(answer)}
                ]
            }
        )
    first_answer = not question.is_answered
    before = question.answer
    if not first_answer and before == answer:
        return question
    question.answer = answer
    question.answered_by = actor
    if first_answer:
        question.answered_at = timezone.now()  # a correction keeps the date of the first answer
    question.save(update_fields=["answer", "answered_by", "answered_at", "updated_at"])
    if first_answer:
        record(actor, "consultations.question.answered", question, {"answer": [None, answer]})
        notices.notify_question_answered(question)
    else:
        record(actor, "consultations.question.answer_corrected", question, {"answer": [before, answer]})
    return question
