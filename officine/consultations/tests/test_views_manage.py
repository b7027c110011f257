"""Staff consultation pages: access per role, the set-up form and its timetable rule, the dashboard and the
state buttons (including refused transitions), and the set-up services behind them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.consultations import lifecycle, services
from officine.consultations.models import Consultation, ConsultationState
from officine.consultations.tests.factories import make_consultation
from officine.core.models import AuditEvent

SECTIONS = [{"heading": "Obiettivi", "body": "Testo."}]


# staff, programme, other_programme, other_staff, admin: ../conftest.py


@pytest.fixture
def document(staff, programme):
    return services.create_document(staff, programme, title_it="Bozza del programma", sections=SECTIONS)


def _today():
    return timezone.localdate()


def form_data(document=None, **overrides) -> dict:
    opens = _today() + timedelta(days=7)
    data = {
        "kind": "consultation",
        "title_it": "Consultazione sul programma",
        "title_en": "",
        "summary_it": "Sintesi.",
        "summary_en": "",
        "phase": "preparation",
        "audience": "partners",
        "topics": ["priorities", "indicators"],
        "opens_on": opens.isoformat(),
        "closes_on": (opens + timedelta(days=40)).isoformat(),
        "urgency_reason": "",
    }
    if document is not None:
        data["documents"] = [document.pk]
    data.update(overrides)
    return data


# --- Access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "create", "detail", "edit"])
@pytest.mark.parametrize("role", ["visitor", "plain", "staff", "other_staff", "admin"])
def test_access_matrix(client, request, programme, role, page):
    consultation = make_consultation(programme)
    urls = {
        "list": reverse("manage_consultations:list"),
        "create": reverse("manage_consultations:create"),
        "detail": reverse("manage_consultations:detail", args=[consultation.pk]),
        "edit": reverse("manage_consultations:edit", args=[consultation.pk]),
    }
    if role == "plain":
        client.force_login(make_user("utente@example.org"))
    elif role != "visitor":
        client.force_login(request.getfixturevalue(role))
    response = client.get(urls[page])
    if role == "visitor":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    elif role == "plain" or (role == "other_staff" and page in ("detail", "edit")):
        assert response.status_code == 403
    else:
        assert response.status_code == 200


def test_list_shows_the_staffs_consultations_only(client, programme, other_programme, other_staff, admin):
    make_consultation(programme, title_it="Consultazione inclusione")
    make_consultation(other_programme, title_it="Consultazione scuola", state=ConsultationState.OPEN)
    client.force_login(other_staff)
    html = client.get("/en/manage/consultations/").content.decode()
    assert "Consultazione scuola" in html and "Consultazione inclusione" not in html
    client.force_login(admin)
    html = client.get("/en/manage/consultations/").content.decode()
    assert "Consultazione scuola" in html and "Consultazione inclusione" in html
    html = client.get("/en/manage/consultations/", {"state": "open"}).content.decode()
    assert "Consultazione scuola" in html and "Consultazione inclusione" not in html


def test_transition_refused_to_other_staff_and_visitors(client, programme, document, other_staff):
    consultation = make_consultation(programme, [document])
    url = reverse("manage_consultations:transition", args=[consultation.pk, "schedule"])
    assert client.post(url).status_code == 302  # login page
    client.force_login(other_staff)
    assert client.post(url).status_code == 403
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.DRAFT


# --- Creating and editing -------------------------------------------------------------------------------


def test_staff_of_one_programme_goes_straight_to_the_form(client, staff, programme, document):
    client.force_login(staff)
    response = client.get("/en/manage/consultations/new/")
    assert response.status_code == 200 and response.context["programme"] == programme
    assert list(response.context["form"].fields["documents"].queryset) == [document]


def test_admin_picks_the_programme_first(client, admin, programme, other_programme, document):
    client.force_login(admin)
    response = client.get("/en/manage/consultations/new/")
    assert "form" in response.context and "programme" in response.context["form"].fields
    assert "documents" not in response.context["form"].fields
    response = client.get("/en/manage/consultations/new/", {"programme": other_programme.pk})
    assert response.context["programme"] == other_programme
    assert list(response.context["form"].fields["documents"].queryset) == []


def test_create_in_another_programme_is_403(client, other_staff, programme):
    client.force_login(other_staff)
    response = client.get(reverse("manage_consultations:create"), {"programme": programme.pk})
    assert response.status_code == 403
    response = client.post(
        reverse("manage_consultations:create") + f"?programme={programme.pk}", form_data(title_it="Intrusa")
    )
    assert response.status_code == 403
    assert not Consultation.objects.filter(title_it="Intrusa").exists()


def test_short_period_without_reason_is_refused_next_to_closes_on(client, staff, document):
    client.force_login(staff)
    opens = _today() + timedelta(days=7)
    data = form_data(document, closes_on=(opens + timedelta(days=3)).isoformat())
    response = client.post("/en/manage/consultations/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["closes_on"]
    assert "the programme's minimum is 10" in errors["closes_on"][0]
    html = response.content.decode()
    assert 'id="id_closes_on-errors"' in html and "Consultazione sul programma" in html
    assert not Consultation.objects.exists()


def test_short_period_with_reason_is_saved(client, staff, programme, document):
    client.force_login(staff)
    opens = _today() + timedelta(days=7)
    data = form_data(
        document,
        closes_on=(opens + timedelta(days=3)).isoformat(),
        urgency_reason="Scadenza del regolamento.",
    )
    response = client.post(reverse("manage_consultations:create"), data)
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{consultation.pk}/")
    assert consultation.programme == programme and consultation.state == ConsultationState.DRAFT
    assert consultation.urgency_reason == "Scadenza del regolamento."
    assert consultation.topics == ["priorities", "indicators"]
    assert list(consultation.documents.all()) == [document]
    assert consultation.created_by == staff
    event = AuditEvent.objects.get(action="consultations.consultation.created")
    assert event.actor == staff and event.changes["documents"] == [None, [document.pk]]


def test_documents_of_another_programme_are_not_accepted(client, staff, admin, other_programme):
    foreign = services.create_document(admin, other_programme, title_it="Altro", sections=SECTIONS)
    client.force_login(staff)
    response = client.post(reverse("manage_consultations:create"), form_data(foreign))
    assert response.status_code == 200 and "documents" in response.context["form"].errors
    assert not Consultation.objects.exists()


def test_edit_a_draft(client, staff, programme, document):
    consultation = make_consultation(programme, [document])
    client.force_login(staff)
    url = reverse("manage_consultations:edit", args=[consultation.pk])
    response = client.get(url)
    assert response.context["form"].initial["documents"] == [document.pk]
    response = client.post(url, form_data(document, title_it="Titolo nuovo", audience="public"))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title_it == "Titolo nuovo" and consultation.audience == "public"
    event = AuditEvent.objects.get(action="consultations.consultation.updated")
    assert event.changes["title_it"] == ["Consultazione sulla bozza", "Titolo nuovo"]


def test_a_scheduled_consultation_cannot_be_edited(client, staff, programme, document):
    consultation = make_consultation(programme, [document], state=ConsultationState.SCHEDULED)
    client.force_login(staff)
    url = f"/en/manage/consultations/{consultation.pk}/edit/"
    response = client.post(url, form_data(document, title_it="Cambiato"), follow=True)
    assert "move it back to draft" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.title_it == "Consultazione sulla bozza"
    detail = client.get(f"/en/manage/consultations/{consultation.pk}/").content.decode()
    assert "cannot be edited: move it back to draft first" in detail
    assert f"/manage/consultations/{consultation.pk}/edit/" not in detail


# --- Dashboard and state buttons ---------------------------------------------------------------------


def test_dashboard_shows_state_timetable_documents_and_buttons(client, staff, programme, document):
    consultation = make_consultation(programme, [document])
    client.force_login(staff)
    response = client.get(f"/en/manage/consultations/{consultation.pk}/")
    html = response.content.decode()
    assert [s.status for s in response.context["dashboard"].steps] == [
        "current",
        "todo",
        "todo",
        "todo",
        "todo",
    ]
    assert 'aria-current="step"' in html
    assert [a.name for a in response.context["actions"]] == ["schedule"]
    assert reverse("manage_consultations:transition", args=[consultation.pk, "schedule"]) in html
    assert "not published yet: publish it before opening" in html
    dashboard = response.context["dashboard"]
    assert dashboard.timetable.minimum == 10 and dashboard.timetable.working_days >= 10
    assert (dashboard.contributions, dashboard.undisposed, dashboard.unanswered) == (0, 0, 0)


def test_schedule_then_back_to_draft_through_the_buttons(client, staff, programme, document):
    consultation = make_consultation(programme, [document])
    client.force_login(staff)
    response = client.post(reverse("manage_consultations:transition", args=[consultation.pk, "schedule"]))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.SCHEDULED
    client.post(reverse("manage_consultations:transition", args=[consultation.pk, "unschedule"]))
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.DRAFT
    assert AuditEvent.objects.filter(action="consultations.consultation.scheduled", actor=staff).exists()


def test_a_refused_transition_shows_the_reason_and_keeps_the_state(client, staff, programme, document):
    consultation = make_consultation(programme, [document], state=ConsultationState.SCHEDULED)
    client.force_login(staff)
    response = client.post(
        f"/en/manage/consultations/{consultation.pk}/state/open/", follow=True
    )  # opens in a week, and the document is unpublished
    assert "The consultation opens on" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.SCHEDULED
    response = client.post(f"/en/manage/consultations/{consultation.pk}/state/schedule/", follow=True)
    assert "cannot go from “Scheduled” to “Scheduled”" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.SCHEDULED


def test_open_with_published_documents_notifies(client, staff, programme, document, monkeypatch):
    services.publish_version(staff, document.versions.get())
    consultation = make_consultation(
        programme,
        [document],
        state=ConsultationState.SCHEDULED,
        opens_on=_today(),
        closes_on=_today() + timedelta(days=40),
    )
    notified = []
    monkeypatch.setattr(lifecycle.notices, "notify_consultation_opened", notified.append)
    client.force_login(staff)
    client.post(reverse("manage_consultations:transition", args=[consultation.pk, "open"]))
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.OPEN
    assert [c.pk for c in notified] == [consultation.pk]
    response = client.post(f"/en/manage/consultations/{consultation.pk}/state/close/", follow=True)
    assert "Contributions are accepted until" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.OPEN


def test_unpublished_document_blocks_opening(client, staff, programme, document, monkeypatch):
    consultation = make_consultation(
        programme,
        [document],
        state=ConsultationState.SCHEDULED,
        opens_on=_today(),
        closes_on=_today() + timedelta(40),
    )
    monkeypatch.setattr(lifecycle.notices, "notify_consultation_opened", lambda c: pytest.fail("notified"))
    client.force_login(staff)
    response = client.post(f"/en/manage/consultations/{consultation.pk}/state/open/", follow=True)
    assert "Publish these documents before opening: Bozza del programma." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.SCHEDULED


def test_transition_needs_post_and_a_known_action(client, staff, programme):
    consultation = make_consultation(programme)
    client.force_login(staff)
    assert (
        client.get(reverse("manage_consultations:transition", args=[consultation.pk, "schedule"])).status_code
        == 405
    )
    assert (
        client.post(reverse("manage_consultations:transition", args=[consultation.pk, "explode"])).status_code
        == 404
    )


# --- Set-up services ---------------------------------------------------------------------------------


def test_update_consultation_only_in_draft(staff, programme, document):
    consultation = make_consultation(programme, [document], state=ConsultationState.OPEN)
    with pytest.raises(ValidationError, match="Only a draft consultation can be edited"):
        lifecycle.update_consultation(staff, consultation, {"title_it": "X"})


def test_create_consultation_reports_every_problem_by_field(staff, programme, other_programme, admin):
    foreign = services.create_document(admin, other_programme, title_it="Altro", sections=SECTIONS)
    opens = _today()
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.create_consultation(
            staff,
            programme,
            {
                "title_it": " ",
                "phase": "preparation",
                "audience": "public",
                "topics": ["priorities", "astrology"],
                "opens_on": opens,
                "closes_on": opens + timedelta(days=10),
                "documents": [foreign],
            },
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"title_it", "topics", "closes_on", "documents"}
    assert "minimum is 20" in errors["closes_on"][0]
    assert not Consultation.objects.exists()


def test_update_records_only_what_changed(staff, programme, document):
    consultation = make_consultation(programme, [document])
    lifecycle.update_consultation(
        staff,
        consultation,
        {"title_it": "  Nuovo   titolo ", "topics": ["indicators", "priorities"], "documents": [document]},
    )
    consultation.refresh_from_db()
    assert consultation.title_it == "Nuovo titolo" and consultation.topics == ["priorities", "indicators"]
    event = AuditEvent.objects.get(action="consultations.consultation.updated")
    assert set(event.changes) == {"title_it", "topics"}
