"""Triage runs (services, task) and the triage page: who may start one, one at a time, the stored result,
failures, history, the progress JSON and the page's query count.

Contributions are created with the ORM (their services belong to another work stream). Tests use the
immediate task backend (settings.test), so a run has finished when ``start_triage`` returns.
"""

import logging
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.conftest import make_user
from officine.consultations import selectors_triage, services, triage, triage_runs
from officine.consultations.models import (
    Audience,
    Consultation,
    ConsultationState,
    Contribution,
    ContributionGroup,
    ContributionState,
    GroupKind,
    Phase,
    TriageRun,
    TriageStatus,
)
from officine.consultations.tests import factories
from officine.core.models import AuditEvent
from officine.registry.models import Organization

CAMPAIGN = (
    "Come genitori del comitato Nidi per Tutti chiediamo che il programma garantisca un posto al nido "
    "pubblico ad ogni bambino entro il 2030, con rette proporzionate al reddito e personale educativo "
    "stabile."
)
TEXTS = [
    CAMPAIGN,
    "Nelle aree interne la connessione internet è ancora lentissima: senza banda ultralarga le imprese e i "
    "giovani se ne vanno.",
    CAMPAIGN.replace("ad ogni", "a ogni") + " Grazie.",
    "Chiediamo di completare la copertura in fibra delle frazioni montane, lasciate fuori dai piani "
    "nazionali.",
    "Dopo l'alluvione dello scorso autunno serve un programma di manutenzione ordinaria dei corsi d'acqua.",
    "Le rette degli asili nido sono troppo alte per le famiglie a basso reddito.",
    "Chiediamo di finanziare la messa in sicurezza dei versanti franosi che minacciano le strade dei paesi.",
    "Internet veloce nelle valli: la fibra non arriva e le scuole non possono fare didattica digitale.",
]


# staff, programme, staff_client: ../conftest.py


@pytest.fixture
def consultation(staff, programme):
    document = services.create_document(
        staff,
        programme,
        title_it="Bozza del programma",
        sections=[{"heading": "Obiettivi", "body": "Testo."}],
    )
    return factories.make_consultation(
        programme,
        [document],
        audience=Audience.PUBLIC,
        opens_on=date(2025, 4, 1),
        closes_on=date(2025, 5, 15),
        state=ConsultationState.CLOSED,
    )


@pytest.fixture
def organization(db):
    return Organization.objects.create(
        name="Legambiente Basilicata",
        legal_form="association",
        eccp_subcategory="c.i",
        cpr_category="c",
        territorial_level="regional",
    )


def add_contributions(consultation, texts, *, organization=None, start=1, **fields) -> list[Contribution]:
    version = consultation.documents.first().versions.first()
    return [
        Contribution.objects.create(
            consultation=consultation,
            number=start + i,
            version=version,
            author_name=f"Persona {start + i}",
            organization=organization if i % 2 == 0 else None,
            body=text,
            **fields,
        )
        for i, text in enumerate(texts)
    ]


@pytest.fixture
def contributions(consultation, organization):
    return add_contributions(consultation, TEXTS, organization=organization)


# --- start_triage ---------------------------------------------------------------------------------------


def test_a_run_stores_groups_and_is_done(staff, consultation, contributions):
    run = triage_runs.start_triage(staff, consultation)

    assert run.status == TriageStatus.DONE and run.error == ""
    assert run.finished_at is not None and run.requested_by == staff and run.task_id
    assert run.processed == run.total > 0 and run.percent == 100
    duplicates = list(run.groups.filter(kind=GroupKind.NEAR_DUPLICATES))
    assert [sorted(g.contributions.values_list("number", flat=True)) for g in duplicates] == [[1, 3]]
    assert duplicates[0].key_terms
    topics = list(run.groups.filter(kind=GroupKind.TOPIC))
    numbers = sorted(n for g in topics for n in g.contributions.values_list("number", flat=True))
    assert numbers == list(range(1, 9))  # every contribution in exactly one topic
    assert all(g.key_terms for g in topics if g.contributions.count() > 1)
    event = AuditEvent.objects.get(action="consultations.triage.started")
    assert (
        event.actor == staff
        and event.target_id == str(run.pk)
        and event.changes == {"contributions": [None, 8]}
    )


def test_withdrawn_contributions_are_left_out(staff, consultation, contributions):
    Contribution.objects.filter(number=3).update(
        state=ContributionState.WITHDRAWN, withdrawn_at=timezone.now()
    )
    run = triage_runs.start_triage(staff, consultation)
    grouped = {n for g in run.groups.all() for n in g.contributions.values_list("number", flat=True)}
    assert 3 not in grouped and len(grouped) == 7
    assert not run.groups.filter(kind=GroupKind.NEAR_DUPLICATES).exists()


def test_proposed_wording_is_part_of_the_compared_text(staff, consultation, monkeypatch):
    add_contributions(consultation, ["Testo breve.", "Altro testo."], proposed_wording="Nuova formulazione.")
    seen = []
    real = triage.group_contributions

    def spy(texts, **kwargs):
        seen.extend(texts)
        return real(texts, **kwargs)

    monkeypatch.setattr(triage, "group_contributions", spy)
    triage_runs.start_triage(staff, consultation)
    assert seen == ["Testo breve.\n\nNuova formulazione.", "Altro testo.\n\nNuova formulazione."]


@pytest.mark.parametrize("who", ["plain", "staff_of_another_programme", "anonymous"])
def test_only_the_consultations_staff_may_start(consultation, contributions, who):
    from django.contrib.auth.models import AnonymousUser

    if who == "plain":
        user = make_user("utente@example.org")
    elif who == "anonymous":
        user = AnonymousUser()
    else:
        other = factories.make_other_programme(consultation.programme)
        user = factories.add_staff(other, "altro@example.org")
    with pytest.raises(PermissionDenied):
        triage_runs.start_triage(user, consultation)
    assert not TriageRun.objects.exists()


def test_a_platform_admin_may_start(consultation, contributions, admin_user):
    assert triage_runs.start_triage(admin_user, consultation).status == TriageStatus.DONE


@pytest.mark.parametrize("status", [TriageStatus.QUEUED, TriageStatus.RUNNING])
def test_refused_while_a_run_is_queued_or_running(staff, consultation, contributions, status):
    TriageRun.objects.create(consultation=consultation, requested_by=staff, status=status)
    with pytest.raises(ValidationError) as excinfo:
        triage_runs.start_triage(staff, consultation)
    assert excinfo.value.code == "running"
    assert "already being grouped" in excinfo.value.messages[0]
    assert TriageRun.objects.count() == 1


def test_a_run_in_another_consultation_does_not_block(staff, consultation, contributions, programme):
    other = Consultation.objects.create(
        programme=programme,
        title_it="Altra",
        phase=Phase.PREPARATION,
        audience=Audience.PARTNERS,
        opens_on=date(2025, 4, 1),
        closes_on=date(2025, 5, 15),
    )
    TriageRun.objects.create(consultation=other, status=TriageStatus.RUNNING)
    assert triage_runs.start_triage(staff, consultation).status == TriageStatus.DONE


def test_a_stale_run_does_not_block_for_ever(staff, consultation, contributions):
    stale = TriageRun.objects.create(consultation=consultation, status=TriageStatus.RUNNING)
    TriageRun.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    run = triage_runs.start_triage(staff, consultation)

    assert run.status == TriageStatus.DONE
    stale.refresh_from_db()
    assert stale.status == TriageStatus.FAILED and "Abandoned" in stale.error and stale.finished_at


def test_refused_with_fewer_than_two_contributions(staff, consultation):
    add_contributions(consultation, ["Una sola."])
    with pytest.raises(ValidationError) as excinfo:
        triage_runs.start_triage(staff, consultation)
    assert excinfo.value.code == "too_few"
    assert not TriageRun.objects.exists()


def test_a_failure_marks_the_run_failed_with_the_message(
    staff, consultation, contributions, monkeypatch, caplog
):
    def broken(texts, **kwargs):
        kwargs["progress"](0, 10)
        raise RuntimeError("modello non disponibile")

    monkeypatch.setattr(triage, "group_contributions", broken)
    with caplog.at_level(logging.ERROR, logger="officine.consultations.triage_runs"):
        run = triage_runs.start_triage(staff, consultation)

    assert run.status == TriageStatus.FAILED
    assert run.error == "RuntimeError: modello non disponibile"
    assert run.finished_at is not None
    assert not ContributionGroup.objects.exists()
    assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records)
    # The failed run does not block the next one.
    monkeypatch.undo()
    assert triage_runs.start_triage(staff, consultation).status == TriageStatus.DONE


def test_a_failure_while_storing_leaves_no_half_result(staff, consultation, contributions, monkeypatch):
    real_bulk_create = ContributionGroup.contributions.through.objects.bulk_create

    def failing_bulk_create(*args, **kwargs):
        real_bulk_create(*args, **kwargs)
        raise RuntimeError("disco pieno")

    monkeypatch.setattr(ContributionGroup.contributions.through.objects, "bulk_create", failing_bulk_create)
    run = triage_runs.start_triage(staff, consultation)
    assert run.status == TriageStatus.FAILED and "disco pieno" in run.error
    assert not ContributionGroup.objects.exists()


def test_only_queued_runs_are_executed(staff, consultation, contributions):
    run = TriageRun.objects.create(consultation=consultation, status=TriageStatus.DONE)
    triage_runs.execute_run(run.pk)
    assert not run.groups.exists()


def test_progress_is_written_into_the_run(staff, consultation, contributions, monkeypatch):
    seen = []
    real = triage.group_contributions

    def watching(texts, progress):
        def spy(done, total):
            progress(done, total)
            run = TriageRun.objects.get()
            seen.append((run.status, run.processed, run.total))

        return real(texts, progress=spy)

    monkeypatch.setattr(triage, "group_contributions", watching)
    monkeypatch.setattr(triage_runs, "PROGRESS_INTERVAL", 0)
    triage_runs.start_triage(staff, consultation)
    assert seen[0] == (TriageStatus.RUNNING, 0, seen[-1][2])
    assert seen[-1] == (TriageStatus.RUNNING, seen[-1][2], seen[-1][2])
    assert [p for _s, p, _t in seen] == sorted(p for _s, p, _t in seen)


def test_history_is_kept_and_the_latest_result_shown(staff, consultation, contributions):
    first = triage_runs.start_triage(staff, consultation)
    add_contributions(consultation, ["Servono più autobus nelle aree interne."], start=9)
    second = triage_runs.start_triage(staff, consultation)
    assert TriageRun.objects.count() == 2 and first.groups.exists()
    assert selectors_triage.latest_done_run(consultation) == second
    result = selectors_triage.result_of(second)
    assert sum(g.size for g in result.topics) == 9


# --- Pages -------------------------------------------------------------------------------------------


def _urls(consultation, run=None) -> dict:
    urls = {
        "page": reverse("triage:page", args=[consultation.pk]),
        "start": reverse("triage:start", args=[consultation.pk]),
    }
    if run is not None:
        urls["progress"] = reverse("triage:progress", args=[run.pk])
    return urls


@pytest.mark.parametrize("role", ["anonymous", "plain", "staff_other"])
def test_pages_are_for_the_consultations_staff_only(client, consultation, contributions, role):
    run = TriageRun.objects.create(consultation=consultation, status=TriageStatus.RUNNING)
    if role == "plain":
        client.force_login(make_user("utente@example.org"))
    elif role == "staff_other":
        other = factories.make_other_programme(consultation.programme)
        client.force_login(factories.add_staff(other, "altro@example.org"))
    urls = _urls(consultation, run)
    for name, url in urls.items():
        response = client.post(url) if name == "start" else client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and reverse("account_login") in response["Location"], name
        else:
            assert response.status_code == 403, name
    assert TriageRun.objects.count() == 1


def test_start_from_the_page_then_see_the_result(staff_client, consultation, contributions):
    page = _urls(consultation)["page"].replace("/it/", "/en/")
    response = staff_client.get(page)
    assert response.status_code == 200
    assert "have not been grouped yet" in response.content.decode()

    response = staff_client.post(_urls(consultation)["start"].replace("/it/", "/en/"), follow=True)

    assert response.redirect_chain[-1][0].endswith(page)
    html = response.content.decode()
    run = TriageRun.objects.get()
    assert run.status == TriageStatus.DONE
    assert "The contributions have been grouped." in html
    assert "Contributions grouped</dt><dd" in html and "1 (2 contributions)" in html
    assert "Near-duplicates 1: 2 contributions" in html
    duplicates = run.groups.get(kind=GroupKind.NEAR_DUPLICATES)
    for term in duplicates.key_terms:
        assert term in html
    assert (
        reverse("manage_dispositions:contributions", args=[consultation.pk]) + f"?group={duplicates.pk}"
        in html
    )
    first = Contribution.objects.get(number=1)
    assert reverse("manage_dispositions:dispose", args=[first.pk]) in html
    assert "Legambiente Basilicata" in html and "(citizen)" in html
    assert "Group the contributions again" in html
    assert 'id="triage-status"' not in html  # no progress region once finished
    assert "task-progress.js" not in html


def test_start_needs_post(staff_client, consultation, contributions):
    assert staff_client.get(_urls(consultation)["start"]).status_code == 405
    assert not TriageRun.objects.exists()


def test_start_refused_shows_the_reason(staff_client, staff, consultation, contributions):
    TriageRun.objects.create(consultation=consultation, requested_by=staff, status=TriageStatus.RUNNING)
    url = _urls(consultation)["start"].replace("/it/", "/en/")
    response = staff_client.post(url, follow=True)
    assert "already being grouped" in response.content.decode()
    assert TriageRun.objects.count() == 1


def test_a_running_run_shows_progress_and_the_worker_note(staff_client, staff, consultation, contributions):
    run = TriageRun.objects.create(
        consultation=consultation, requested_by=staff, status=TriageStatus.RUNNING, processed=30, total=120
    )
    html = staff_client.get(_urls(consultation)["page"].replace("/it/", "/en/")).content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="25"' in html and "w-25" in html
    assert 'id="triage-status" aria-live="polite"' in html
    assert "Grouping the contributions: 25% done." in html
    assert "manage.py db_worker" in html
    assert reverse("triage:progress", args=[run.pk]) in html
    assert "task-progress.js" in html and "Refresh this page to see" in html
    assert f'action="{reverse("triage:start", args=[consultation.pk])}' not in html.replace("/en/", "/it/")


def test_a_failed_run_shows_its_error(staff_client, staff, consultation, contributions):
    TriageRun.objects.create(
        consultation=consultation, status=TriageStatus.FAILED, error="RuntimeError: modello non disponibile"
    )
    html = staff_client.get(_urls(consultation)["page"].replace("/it/", "/en/")).content.decode()
    assert "RuntimeError: modello non disponibile" in html and "failed" in html
    assert "Group the contributions" in html


def test_progress_json(staff_client, staff, consultation, contributions):
    run = TriageRun.objects.create(
        consultation=consultation, status=TriageStatus.RUNNING, processed=45, total=90
    )
    url = reverse("triage:progress", args=[run.pk]).replace("/it/", "/en/")
    response = staff_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "running" and data["percent"] == 50 and data["finished"] is False
    assert data["message"] == "Grouping the contributions: 50% done."
    assert data["page"].endswith(reverse("triage:page", args=[consultation.pk]).split("/", 2)[2])

    TriageRun.objects.filter(pk=run.pk).update(status=TriageStatus.FAILED, error="boom")
    data = staff_client.get(url).json()
    assert data["finished"] is True and data["error"] == "boom"
    assert staff_client.get(reverse("triage:progress", args=[run.pk + 1000])).status_code == 404


def _fake_result(consultation, contributions, groups: int) -> TriageRun:
    run = TriageRun.objects.create(
        consultation=consultation, status=TriageStatus.DONE, finished_at=timezone.now()
    )
    for k in range(groups):
        group = ContributionGroup.objects.create(
            run=run, kind=GroupKind.TOPIC if k % 2 else GroupKind.NEAR_DUPLICATES, key_terms=[f"tema{k}"]
        )
        group.contributions.set(contributions[k % len(contributions) :])
    return run


def test_the_page_query_count_does_not_grow_with_the_result(staff_client, staff, consultation, contributions):
    url = _urls(consultation)["page"]
    _fake_result(consultation, contributions[:2], groups=2)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert staff_client.get(url).status_code == 200
    more = add_contributions(consultation, [f"Testo numero {i}" for i in range(40)], start=100)
    _fake_result(consultation, contributions + more, groups=12)
    with CaptureQueriesContext(connection) as large:
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    # Long groups show their first contributions and say how many there are.
    assert (
        f"The first {selectors_triage.SHOWN_PER_GROUP} of"
        in staff_client.get(url.replace("/it/", "/en/")).content.decode()
    )
