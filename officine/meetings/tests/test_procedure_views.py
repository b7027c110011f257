"""The written procedure and recommendation pages: the public page and the members' answers, the
secretariat's pages (open with a document, follow, remind, add documents, close), recommendations and
replies, who may use each page, and constant query counts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.core.models import AuditEvent
from officine.meetings import written_procedures as wp
from officine.meetings.models import (
    MeetingDocument,
    MeetingState,
    ProcedureResult,
    ProcedureState,
    Recommendation,
    RecommendationStatus,
    ResponseChoice,
    WrittenProcedure,
    WrittenResponse,
)
from officine.meetings.tests import factories
from officine.meetings.tests.factories_e import closed_procedure, make_committee, open_procedure, pdf_file
from officine.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(body):
    return make_committee(body)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def detail(procedure) -> str:
    return reverse("procedures:detail", args=[procedure.pk])


def answer_url(procedure) -> str:
    return reverse("procedures:answer", args=[procedure.pk])


# --- The public page and the members' answers -----------------------------------------------------------


def test_everyone_sees_an_open_procedure_without_the_answers_of_each_organisation(staff, committee):
    procedure = open_procedure(staff, committee.body)
    wp.respond(staff, procedure, committee.member_seat, ResponseChoice.OBJECT, "Criteri troppo stretti")
    response = Client().get(detail(procedure))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Modifica dei criteri di selezione" in html
    assert (response.context["page"].answered, response.context["page"].seats) == (1, 4)
    assert "Criteri troppo stretti" not in html  # answers are published at closing
    assert 'action="' + answer_url(procedure) not in html


@pytest.mark.parametrize("who", ["member", "substitute", "chair_user"])
def test_members_and_substitutes_of_voting_seats_see_the_answer_form(staff, committee, who):
    procedure = open_procedure(staff, committee.body)
    html = client_for(getattr(committee, who)).get(detail(procedure)).content.decode()
    assert 'action="' + answer_url(procedure) in html


@pytest.mark.parametrize("who", ["observer", "secretary"])
def test_observers_and_the_secretariat_seat_do_not_answer(staff, committee, who):
    procedure = open_procedure(staff, committee.body)
    client = client_for(getattr(committee, who))
    assert 'action="' + answer_url(procedure) not in client.get(detail(procedure)).content.decode()
    response = client.post(answer_url(procedure), {"choice": "approve"})
    assert response.status_code == 403
    assert not WrittenResponse.objects.exists()


def test_a_member_answers_once_for_their_seat(staff, committee):
    procedure = open_procedure(staff, committee.body)
    client = client_for(committee.member)
    response = client.post(
        answer_url(procedure), {"seat": committee.member_seat.pk, "choice": "approve", "text": ""}
    )
    assert response.status_code == 302
    answer = WrittenResponse.objects.get()
    assert answer.seat == committee.member_seat and answer.choice == ResponseChoice.APPROVE
    page = client.get(detail(procedure)).content.decode()
    assert "Le tue risposte" in page or "Your answers" in page
    assert 'action="' + answer_url(procedure) not in page
    again = client.post(
        answer_url(procedure), {"seat": committee.member_seat.pk, "choice": "object", "text": "x"}
    )
    assert again.status_code == 302
    assert WrittenResponse.objects.count() == 1


def test_a_substitute_answers_for_the_seat(staff, committee):
    procedure = open_procedure(staff, committee.body)
    response = client_for(committee.substitute).post(
        answer_url(procedure),
        {"seat": committee.substitute_seat.pk, "choice": "observations", "text": "Nota"},
    )
    assert response.status_code == 302
    assert WrittenResponse.objects.get().seat == committee.substitute_seat


def test_a_member_cannot_answer_for_someone_elses_seat(staff, committee):
    procedure = open_procedure(staff, committee.body)
    response = client_for(committee.member).post(
        answer_url(procedure), {"seat": committee.silent_seat.pk, "choice": "approve"}
    )
    assert response.status_code == 200
    assert "seat" in response.context["form"].errors
    assert not WrittenResponse.objects.exists()


def test_an_objection_without_reasons_is_refused_with_a_translated_error_and_kept(staff, committee):
    procedure = open_procedure(staff, committee.body)
    response = client_for(committee.member).post(
        answer_url(procedure), {"seat": committee.member_seat.pk, "choice": "object", "text": " "}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indica i motivi dell" in html or "Give the reasons for the objection" in html
    assert response.context["form"]["choice"].value() == "object"
    assert not WrittenResponse.objects.exists()


def test_visitors_are_sent_to_log_in_and_signed_in_outsiders_are_refused(staff, committee, other_staff):
    procedure = open_procedure(staff, committee.body)
    anonymous = Client().post(answer_url(procedure), {"choice": "approve"})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    for user in (make_user("visitatore@example.org"), staff, other_staff):
        assert client_for(user).post(answer_url(procedure), {"choice": "approve"}).status_code == 403
    assert client_for(committee.member).get(answer_url(procedure)).status_code == 405
    assert not WrittenResponse.objects.exists()


def test_after_the_deadline_the_form_is_gone_and_answers_are_refused(staff, committee):
    procedure = open_procedure(staff, committee.body, now=timezone.now() - timedelta(days=30))
    client = client_for(committee.member)
    assert 'action="' + answer_url(procedure) not in client.get(detail(procedure)).content.decode()
    response = client.post(answer_url(procedure), {"seat": committee.member_seat.pk, "choice": "approve"})
    assert response.status_code == 403
    assert not WrittenResponse.objects.exists()


def test_a_closed_procedure_shows_the_result_and_each_organisations_answer(staff, committee):
    procedure = closed_procedure(
        staff,
        committee.body,
        {committee.member_seat: ResponseChoice.APPROVE, committee.substitute_seat: ResponseChoice.OBJECT},
    )
    assert procedure.result == ProcedureResult.APPROVED and procedure.silent_consent_applied
    html = Client().get(detail(procedure)).content.decode()
    for organisation in ("Associazione Alfa", "Associazione Beta", "Cooperativa Gamma", "Regione Esempio"):
        assert organisation in html
    assert "Motivazioni" in html  # the objection's reasons
    assert "silenzio" in html.lower() or "silence" in html.lower()
    assert "Osservatrice" not in html  # an observer has no vote and no row


def test_an_unknown_procedure_is_not_found(db):
    assert Client().get(reverse("procedures:detail", args=[999])).status_code == 404


# --- The secretariat's pages ----------------------------------------------------------------------------


def test_opening_with_a_document_notifies_the_members_of_voting_seats(staff, committee):
    response = client_for(staff).post(
        reverse("manage_procedures:open", args=[committee.body.pk]),
        {
            "title_it": "Approvazione della relazione annuale",
            "description": "Si chiede di approvare la relazione.",
            "document_title": "Relazione annuale 2026",
            "document": pdf_file(),
        },
    )
    procedure = WrittenProcedure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("manage_procedures:detail", args=[procedure.pk])
    assert procedure.deadline == wp.deadline_for(committee.body, timezone.localdate())
    document = MeetingDocument.objects.get()
    assert document.procedure == procedure and document.published_at is not None
    notified = set(
        Notification.objects.filter(key=f"meetings.procedure.{procedure.pk}.opened").values_list(
            "recipient__email", flat=True
        )
    )
    assert notified == {"presidente@example.org", "componente@example.org", "supplente@example.org"}


def test_an_urgent_procedure_needs_its_reason_and_a_wrong_file_opens_nothing(staff, committee):
    client = client_for(staff)
    url = reverse("manage_procedures:open", args=[committee.body.pk])
    response = client.post(url, {"title_it": "Urgente", "urgent": "on", "urgency_reason": ""})
    assert response.status_code == 200 and "urgency_reason" in response.context["form"].errors
    fake = SimpleUploadedFile("relazione.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    response = client.post(url, {"title_it": "Con allegato sbagliato", "document": fake})
    assert response.status_code == 200 and "document" in response.context["form"].errors
    assert not WrittenProcedure.objects.exists() and not Notification.objects.exists()


def test_urgent_procedure_uses_the_short_window(staff, committee):
    client_for(staff).post(
        reverse("manage_procedures:open", args=[committee.body.pk]),
        {"title_it": "Urgente", "urgent": "on", "urgency_reason": "Scadenza della Commissione"},
    )
    procedure = WrittenProcedure.objects.get()
    assert procedure.is_urgent
    assert procedure.deadline == wp.deadline_for(committee.body, timezone.localdate(), urgent=True)


def test_the_follow_up_page_lists_who_has_not_answered_and_reminds_them(staff, committee):
    procedure = open_procedure(staff, committee.body)
    wp.respond(staff, procedure, committee.member_seat, ResponseChoice.APPROVE)
    client = client_for(staff)
    url = reverse("manage_procedures:detail", args=[procedure.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    assert {row.seat for row in page.silent_rows} == {
        committee.chair,
        committee.substitute_seat,
        committee.silent_seat,
    }
    assert "Carla Componente" in response.content.decode()
    response = client.post(url, {"remind": "1"})
    assert response.status_code == 302
    reminded = set(
        Notification.objects.filter(
            key__startswith=f"meetings.procedure.{procedure.pk}.reminder"
        ).values_list("recipient__email", flat=True)
    )
    assert reminded == {"presidente@example.org", "supplente@example.org"}  # not who answered
    event = AuditEvent.objects.get(action=wp.REMINDED)
    assert event.changes["automatic"] == [None, False] and event.changes["seats"] == [None, 3]
    client.post(url, {"remind": "1"})  # the same day: nobody is told twice
    assert Notification.objects.filter(key__contains="reminder").count() == 2


@pytest.mark.parametrize(
    "name", ["manage_procedures:detail", "manage_procedures:document_add", "manage_procedures:close"]
)
def test_only_those_who_manage_the_body_use_the_secretariat_pages(staff, admin, other_staff, committee, name):
    procedure = open_procedure(staff, committee.body)
    url = reverse(name, args=[procedure.pk])
    assert Client().get(url).status_code == 302
    for user in (other_staff, committee.member, committee.secretary, make_user("x@example.org")):
        assert client_for(user).get(url).status_code == 403, user
    for user in (staff, admin):
        assert client_for(user).get(url).status_code == 200


def test_opening_and_recommendations_are_for_those_who_manage_the_body(staff, admin, other_staff, committee):
    for name in ("manage_procedures:open", "manage_procedures:recommendation_add"):
        url = reverse(name, args=[committee.body.pk])
        assert Client().get(url).status_code == 302
        assert client_for(other_staff).get(url).status_code == 403
        assert client_for(committee.member).get(url).status_code == 403
        assert client_for(staff).get(url).status_code == 200
        assert client_for(admin).get(url).status_code == 200


def test_documents_are_added_while_open_only(staff, committee):
    procedure = open_procedure(staff, committee.body)
    client = client_for(staff)
    url = reverse("manage_procedures:document_add", args=[procedure.pk])
    response = client.post(url, {"title_it": "Allegato tecnico", "file": pdf_file()})
    assert response.status_code == 302
    assert MeetingDocument.objects.get().procedure == procedure
    withheld = client.post(url, {"title_it": "Riservato", "file": pdf_file(), "is_confidential": "on"})
    assert withheld.status_code == 200 and "confidentiality_reason" in withheld.context["form"].errors
    closed = closed_procedure(staff, committee.body)
    url = reverse("manage_procedures:document_add", args=[closed.pk])
    assert client.post(url, {"title_it": "Tardivo", "file": pdf_file()}).status_code == 302
    assert MeetingDocument.objects.count() == 1


def test_closing_waits_for_the_deadline_then_records_the_result(staff, committee):
    client = client_for(staff)
    early = open_procedure(staff, committee.body)
    url = reverse("manage_procedures:close", args=[early.pk])
    assert "too_early" in client.get(url).context and client.get(url).context["too_early"]
    client.post(url)
    early.refresh_from_db()
    assert early.state == ProcedureState.OPEN
    late = open_procedure(staff, committee.body, now=timezone.now() - timedelta(days=30))
    wp.respond(staff, late, committee.member_seat, ResponseChoice.OBJECT, "No", now=late.opened_at)
    url = reverse("manage_procedures:close", args=[late.pk])
    response = client.post(url)
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.state == ProcedureState.CLOSED
    assert late.result == ProcedureResult.APPROVED  # 3 silent seats count in favour, 1 against
    assert late.silent_consent_applied
    page = client.get(reverse("manage_procedures:detail", args=[late.pk]))
    assert page.context["page"].in_favour == 3 and page.context["page"].against == 1
    closed_notices = Notification.objects.filter(key=f"meetings.procedure.{late.pk}.closed")
    # every seat holder with an account, observers and secretariat included
    assert closed_notices.count() == 5


def test_without_silent_consent_the_tally_leaves_silence_out(staff, committee):
    committee.body.silent_consent = False
    committee.body.save()
    procedure = closed_procedure(staff, committee.body, {committee.member_seat: ResponseChoice.APPROVE})
    assert procedure.result == ProcedureResult.APPROVED and not procedure.silent_consent_applied
    page = client_for(staff).get(reverse("manage_procedures:detail", args=[procedure.pk])).context["page"]
    assert (page.in_favour, page.against, page.silent) == (1, 0, 3)


# --- Recommendations ------------------------------------------------------------------------------------


def test_recording_a_recommendation_tied_to_a_held_meeting(staff, committee):
    meeting = factories.make_meeting(committee.body, factories.rome(2026, 10, 14), state=MeetingState.HELD)
    draft = factories.make_meeting(committee.body, factories.rome(2026, 12, 14))
    client = client_for(staff)
    url = reverse("manage_procedures:recommendation_add", args=[committee.body.pk])
    choices = list(client.get(url).context["form"].fields["meeting"].queryset)
    assert meeting in choices and draft not in choices  # a draft is not public
    response = client.post(
        url, {"text_it": "Semplificare la rendicontazione.", "date": "2026-10-14", "meeting": meeting.pk}
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert recommendation.meeting == meeting and recommendation.status == RecommendationStatus.OPEN
    assert "Semplificare la rendicontazione." in client.get(url).content.decode()


def test_a_recommendation_in_the_future_is_refused(staff, committee):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client_for(staff).post(
        reverse("manage_procedures:recommendation_add", args=[committee.body.pk]),
        {"text_it": "Domani", "date": future},
    )
    assert response.status_code == 200 and "date" in response.context["form"].errors
    assert not Recommendation.objects.exists()


def test_replying_to_a_recommendation_then_reporting_it_implemented(staff, other_staff, committee):
    recommendation = Recommendation.objects.create(
        body=committee.body, text_it="Ridurre gli oneri", date=timezone.localdate() - timedelta(days=10)
    )
    url = reverse("manage_procedures:recommendation_reply", args=[recommendation.pk])
    assert client_for(other_staff).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    client = client_for(staff)
    form = client.get(url).context["form"]
    assert [value for value, _ in form.fields["status"].choices] == [
        "accepted",
        "partly_accepted",
        "rejected",
        "implemented",
    ]
    missing = client.post(url, {"status": "accepted", "reply": " ", "reply_date": timezone.localdate()})
    assert missing.status_code == 200 and "reply" in missing.context["form"].errors
    client.post(
        url, {"status": "accepted", "reply": "Accolta: nuovo modello.", "reply_date": timezone.localdate()}
    )
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.ACCEPTED
    form = client.get(url).context["form"]
    assert [value for value, _ in form.fields["status"].choices] == ["implemented"]
    client.post(url, {"status": "implemented", "reply": "Fatto.", "reply_date": timezone.localdate()})
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.IMPLEMENTED
    final = client.get(url)
    assert final.status_code == 302  # final reply: back to the list


# --- Query counts ---------------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _closed_with(staff, body, extra: int) -> WrittenProcedure:
    """A procedure closed today after ``extra`` more seats answered and ``extra`` documents were added."""
    opened = timezone.now() - timedelta(days=30)
    procedure = open_procedure(staff, body, now=opened)
    for seat in factories.make_seats(body, extra):
        wp.respond(staff, procedure, seat, ResponseChoice.OBSERVATIONS, "Nota", now=opened)
    for _ in range(extra):
        wp.add_document(staff, procedure, {"title_it": "Allegato", "file": pdf_file()})
    return wp.close_procedure(staff, procedure)


def _page_queries(procedure, committee, staff) -> list[int]:
    return [
        _queries(Client(), detail(procedure)),
        _queries(client_for(committee.member), detail(procedure)),
        _queries(client_for(staff), reverse("manage_procedures:detail", args=[procedure.pk])),
    ]


def test_open_procedure_pages_take_a_fixed_number_of_queries(staff, committee):
    procedure = open_procedure(staff, committee.body)
    small = _page_queries(procedure, committee, staff)
    for seat in factories.make_seats(committee.body, 6):
        wp.respond(staff, procedure, seat, ResponseChoice.OBSERVATIONS, "Nota")
        wp.add_document(staff, procedure, {"title_it": "Allegato", "file": pdf_file()})
    assert _page_queries(procedure, committee, staff) == small


def test_closed_procedure_pages_take_a_fixed_number_of_queries(staff, programme, committee):
    small = _page_queries(_closed_with(staff, committee.body, 0), committee, staff)
    larger = make_committee(factories.make_body([programme], name_it="Tavolo"), prefix="t-")
    large = _page_queries(_closed_with(staff, larger.body, 6), larger, staff)
    assert small == large


def test_recommendations_page_takes_a_fixed_number_of_queries(staff, committee):
    client = client_for(staff)
    url = reverse("manage_procedures:recommendation_add", args=[committee.body.pk])
    meeting = factories.make_meeting(committee.body, factories.rome(2026, 10, 14), state=MeetingState.HELD)
    Recommendation.objects.create(
        body=committee.body, text_it="Prima", date=timezone.localdate(), meeting=meeting
    )
    small = _queries(client, url)
    for number in range(8):
        Recommendation.objects.create(
            body=committee.body,
            text_it=f"Raccomandazione {number}",
            date=timezone.localdate(),
            meeting=meeting,
        )
    assert _queries(client, url) == small
