"""Q&A: asking while open, answering (notified once, corrections audited), the public and the staff pages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from officine.consultations import questions
from officine.consultations.models import Audience, ConsultationState, Question
from officine.core.models import AuditEvent
from officine.notifications.models import Notification

from .contribution_world import build_world, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def en(url: str) -> str:
    return url.replace("/it/", "/en/", 1)


# --- Services -----------------------------------------------------------------------------------------


def test_signed_in_person_asks_while_open(world):
    consultation = world.consultation()
    question = questions.ask_question(fresh(world.rep_member), consultation, "  Qual è la scadenza?  ")
    assert question.body == "Qual è la scadenza?" and question.asker_name == "Anna Bianchi"
    assert not question.is_answered
    assert AuditEvent.objects.filter(action="consultations.question.asked", actor=world.rep_member).exists()


@pytest.mark.parametrize("state", [ConsultationState.SCHEDULED, ConsultationState.CLOSED])
def test_questions_only_while_open(world, state):
    with pytest.raises(ValidationError):
        questions.ask_question(fresh(world.rep_member), world.consultation(state), "Domanda?")
    assert not Question.objects.exists()


def test_questions_stop_after_the_last_day(world):
    consultation = world.consultation()
    with pytest.raises(ValidationError):
        questions.ask_question(
            fresh(world.rep_member),
            consultation,
            "Domanda?",
            today=consultation.closes_on + timedelta(days=1),
        )


def test_visitors_and_empty_questions_are_refused(world):
    consultation = world.consultation()
    with pytest.raises(PermissionDenied):
        questions.ask_question(AnonymousUser(), consultation, "Domanda?")
    with pytest.raises(ValidationError) as excinfo:
        questions.ask_question(fresh(world.rep_member), consultation, "   ")
    assert "body" in excinfo.value.message_dict


def test_answer_notifies_the_asker_once_and_corrections_are_audited(world):
    consultation = world.consultation()
    question = questions.ask_question(fresh(world.citizen), consultation, "Posso allegare una foto?")
    questions.answer_question(fresh(world.staff), question, "Sì, in formato PNG o JPEG.")
    question.refresh_from_db()
    assert question.is_answered and question.answered_by == world.staff
    notice = Notification.objects.get(recipient=world.citizen)
    assert notice.kind == "question_answered"
    assert notice.url.endswith(f"/questions/#question-{question.pk}")
    first_answered_at = question.answered_at
    questions.answer_question(fresh(world.staff), question, "Sì, in formato PNG, JPEG o PDF.")
    question.refresh_from_db()
    assert question.answer == "Sì, in formato PNG, JPEG o PDF." and question.answered_at == first_answered_at
    assert Notification.objects.filter(recipient=world.citizen).count() == 1
    correction = AuditEvent.objects.get(action="consultations.question.answer_corrected")
    assert correction.changes["answer"] == ["Sì, in formato PNG o JPEG.", "Sì, in formato PNG, JPEG o PDF."]
    assert AuditEvent.objects.filter(action="consultations.question.answered").count() == 1


def test_only_staff_of_the_programme_answer(world):
    question = questions.ask_question(fresh(world.rep_member), world.consultation(), "Domanda?")
    for outsider in (world.staff_other, world.rep_member, world.citizen):
        with pytest.raises(PermissionDenied):
            questions.answer_question(fresh(outsider), question, "Risposta.")
    questions.answer_question(fresh(world.admin), question, "Risposta dell'amministratrice.")
    with pytest.raises(ValidationError):
        questions.answer_question(fresh(world.staff), question, "  ")


# --- Public page ---------------------------------------------------------------------------------------


def test_public_page_shows_answered_questions_and_only_my_pending_ones(client, world):
    consultation = world.consultation()
    answered = questions.ask_question(fresh(world.rep_member_colleague), consultation, "Domanda pubblica?")
    questions.answer_question(fresh(world.staff), answered, "Risposta pubblica.")
    mine = questions.ask_question(fresh(world.rep_member), consultation, "La mia domanda in attesa?")
    url = en(reverse("contributions:questions", kwargs={"pk": consultation.pk}))
    html = client.get(url).content.decode()
    assert "Domanda pubblica?" in html and "Risposta pubblica." in html
    assert "La mia domanda in attesa?" not in html
    assert "Luca Verdi" not in html  # askers are not named publicly
    assert f'id="question-{answered.pk}"' in html
    assert "Sign in to ask a question." in html
    client.force_login(world.rep_member)
    html = client.get(url).content.decode()
    assert "La mia domanda in attesa?" in html and f'id="question-{mine.pk}"' in html
    assert "Waiting for an answer" in html


def test_asking_from_the_page(client, world):
    consultation = world.consultation(audience=Audience.PUBLIC)
    url = en(reverse("contributions:questions", kwargs={"pk": consultation.pk}))
    response = client.post(url, {"body": "Domanda anonima?"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "citizen-access" in client.get(url).content.decode()
    client.force_login(world.citizen)
    response = client.post(url, {"body": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, {"body": "Come si calcola la soglia?"})
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#question-{question.pk}")


def test_closed_consultation_page_has_no_form(client, world):
    consultation = world.consultation(ConsultationState.CLOSED)
    client.force_login(world.rep_member)
    url = en(reverse("contributions:questions", kwargs={"pk": consultation.pk}))
    response = client.get(url)
    assert response.context["form"] is None and "Questions were accepted until" in response.content.decode()
    client.post(url, {"body": "Tardi?"})
    assert not Question.objects.exists()


def test_draft_consultation_questions_are_404(client, world):
    consultation = world.consultation(ConsultationState.DRAFT)
    assert client.get(reverse("contributions:questions", kwargs={"pk": consultation.pk})).status_code == 404


# --- Staff page ----------------------------------------------------------------------------------------


def test_staff_page_access(client, world):
    consultation = world.consultation()
    url = reverse("manage_questions:list", kwargs={"pk": consultation.pk})
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    for user, status in (
        (world.rep_member, 403),
        (world.staff_other, 403),
        (world.staff, 200),
        (world.admin, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_staff_page_lists_unanswered_first_and_answers(client, world):
    consultation = world.consultation()
    old = questions.ask_question(fresh(world.rep_member), consultation, "Prima domanda?")
    questions.answer_question(fresh(world.staff), old, "Già risposta.")
    pending = questions.ask_question(fresh(world.citizen), consultation, "Seconda domanda?")
    client.force_login(world.staff)
    response = client.get(en(reverse("manage_questions:list", kwargs={"pk": consultation.pk})))
    assert [q.pk for q, _form in response.context["rows"]] == [pending.pk, old.pk]
    assert response.context["pending"] == 1
    answer_url = en(reverse("manage_questions:answer", kwargs={"pk": pending.pk}))
    response = client.post(answer_url, {f"q{pending.pk}-answer": "  "})
    assert response.status_code == 200
    assert dict(response.context["rows"])[pending].errors
    response = client.post(answer_url, {f"q{pending.pk}-answer": "Ecco la risposta."})
    assert response.status_code == 302 and response["Location"].endswith(f"#question-{pending.pk}")
    pending.refresh_from_db()
    assert pending.answer == "Ecco la risposta."
    assert Notification.objects.filter(recipient=world.citizen, kind="question_answered").exists()


def test_other_programme_staff_cannot_answer(client, world):
    question = questions.ask_question(fresh(world.rep_member), world.consultation(), "Domanda?")
    client.force_login(world.staff_other)
    response = client.post(
        reverse("manage_questions:answer", kwargs={"pk": question.pk}), {f"q{question.pk}-answer": "No."}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.is_answered
    client.force_login(world.staff)
    assert client.get(reverse("manage_questions:answer", kwargs={"pk": question.pk})).status_code == 405


def test_page_query_counts_do_not_grow_with_the_questions(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    consultation = world.consultation()
    public_url = reverse("contributions:questions", kwargs={"pk": consultation.pk})
    staff_url = reverse("manage_questions:list", kwargs={"pk": consultation.pk})

    def counts() -> tuple[int, int]:
        client.force_login(world.rep_member)
        with CaptureQueriesContext(connection) as public:
            assert client.get(public_url).status_code == 200
        client.force_login(world.staff)
        with CaptureQueriesContext(connection) as staff:
            assert client.get(staff_url).status_code == 200
        return len(public), len(staff)

    def add(n: int) -> None:
        for i in range(n):
            question = questions.ask_question(fresh(world.rep_member), consultation, f"Domanda {i}?")
            if i % 2:
                questions.answer_question(fresh(world.staff), question, f"Risposta {i}.")

    add(2)
    few = counts()
    add(8)
    assert counts() == few
