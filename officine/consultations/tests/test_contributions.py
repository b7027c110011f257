"""Contributions: service rules (who, when, on what, numbering, attachments, edit, withdraw) and pages."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, close_old_connections, connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from officine.consultations import contributions, services
from officine.consultations.models import (
    Audience,
    ConsultationState,
    Contribution,
    ContributionAttachment,
    ContributionState,
    Disposition,
    DispositionOutcome,
    ProcedureKind,
)
from officine.core.models import AuditEvent

from .contribution_world import build_world, docx, fresh, odt, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def submit(world, consultation, user=None, **fields):
    user = user or world.rep_member
    defaults = {
        "organization": world.member_org,
        "section": world.section(3),
        "body": "Proponiamo di destinare una quota alla casa.",
    }
    return contributions.submit_contribution(fresh(user), consultation, **{**defaults, **fields})


# --- Submitting --------------------------------------------------------------------------------------


def test_member_contributes_on_a_section_of_the_current_version(world):
    consultation = world.consultation()
    contribution = submit(world, consultation, proposed_wording="La dotazione è di 5 miliardi.")
    assert contribution.number == 1
    assert contribution.version == world.version and contribution.section == world.section(3)
    assert contribution.author == world.rep_member and contribution.author_name == "Anna Bianchi"
    assert contribution.organization == world.member_org and contribution.runts_number == ""
    assert " cas " in contribution.search_document and " bianc" in contribution.search_document
    event = AuditEvent.objects.get(action="consultations.contribution.submitted")
    assert event.actor == world.rep_member and event.changes["number"] == [None, 1]
    assert event.changes["section"] == [None, 3]


def test_whole_document_contribution_takes_the_latest_published_version(world):
    consultation = world.consultation()
    draft = services.start_new_version(world.staff, world.document)  # a draft is never the current version
    contribution = submit(world, consultation, section=None)
    assert contribution.section is None and contribution.version == world.version
    services.publish_version(world.staff, draft, change_note="Aggiornata la dotazione.")
    later = submit(world, consultation, section=None)
    assert later.version.number == 2


def test_with_two_documents_a_whole_document_contribution_names_its_document(world):
    annex = services.create_document(
        world.staff, world.programme, title_it="Allegato: criteri", sections=[{"heading": "Criteri"}]
    )
    services.publish_version(world.staff, annex.versions.get())
    consultation = world.consultation(documents=(world.document, annex))
    with pytest.raises(ValidationError) as excinfo:
        submit(world, consultation, section=None)
    assert "target" in excinfo.value.message_dict
    contribution = submit(world, consultation, section=None, document=annex)
    assert contribution.version.document == annex


def test_section_of_another_document_is_refused(world):
    other = services.create_document(
        world.staff, world.programme, title_it="Altro documento", sections=[{"heading": "Uno"}]
    )
    services.publish_version(world.staff, other.versions.get())
    consultation = world.consultation()
    with pytest.raises(ValidationError) as excinfo:
        submit(world, consultation, section=other.versions.get().sections.get())
    assert "not part of the current version" in excinfo.value.message_dict["target"][0]
    assert not Contribution.objects.exists()


def test_section_of_a_superseded_version_is_refused(world):
    consultation = world.consultation()
    old_section = world.section(3)
    draft = services.start_new_version(world.staff, world.document)
    services.publish_version(world.staff, draft, change_note="Nuova versione.")
    with pytest.raises(ValidationError):
        submit(world, consultation, section=old_section)
    current = draft.sections.get(order=3)
    assert submit(world, consultation, section=current).version == draft


@pytest.mark.parametrize(
    "state",
    [ConsultationState.DRAFT, ConsultationState.SCHEDULED, ConsultationState.CLOSED, "outcome_published"],
)
def test_only_open_consultations_take_contributions(world, state):
    consultation = world.consultation(state)
    with pytest.raises(ValidationError):
        submit(world, consultation)
    assert not Contribution.objects.exists()


def test_open_consultation_past_its_last_day_is_refused(world):
    consultation = world.consultation()
    after = consultation.closes_on + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        contributions.submit_contribution(
            fresh(world.rep_member),
            consultation,
            organization=world.member_org,
            section=None,
            body="Troppo tardi.",
            today=after,
        )
    assert "read-only" in excinfo.value.messages[0]
    contributions.submit_contribution(
        fresh(world.rep_member),
        consultation,
        organization=world.member_org,
        section=None,
        body="Ultimo giorno: ancora in tempo.",
        today=consultation.closes_on,
    )


def test_representative_of_a_non_member_is_refused(world):
    consultation = world.consultation()
    with pytest.raises(ValidationError) as excinfo:
        submit(world, consultation, user=world.rep_non_member, organization=world.non_member_org)
    assert "not a consulted member" in excinfo.value.message_dict["organization"][0]


def test_nobody_speaks_for_an_organisation_they_do_not_represent(world):
    consultation = world.consultation()
    with pytest.raises(ValidationError) as excinfo:
        submit(world, consultation, user=world.rep_non_member, organization=world.member_org)
    assert "do not represent" in excinfo.value.message_dict["organization"][0]


def test_expired_mandate_is_refused(world):
    consultation = world.consultation()
    world.rep_member.representations.update(mandate_expires=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):
        submit(world, consultation)


def test_anonymous_is_refused(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        contributions.submit_contribution(
            AnonymousUser(), world.consultation(), organization=None, section=None, body="Testo"
        )


def test_empty_text_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        submit(world, world.consultation(), body="   ")
    assert "body" in excinfo.value.message_dict


def test_citizen_contributes_to_a_public_consultation_only(world):
    public = world.consultation(audience=Audience.PUBLIC)
    contribution = submit(world, public, user=world.citizen, organization=None)
    assert contribution.organization is None and contribution.author_name == "Maria Cittadina"
    with pytest.raises(ValidationError):
        submit(world, world.consultation(), user=world.citizen, organization=None)
    with pytest.raises(ValidationError):
        submit(world, public, user=world.unverified, organization=None)


def test_a_representative_must_choose_an_organisation_in_partner_consultations(world):
    with pytest.raises(ValidationError) as excinfo:
        submit(world, world.consultation(), organization=None)
    assert "organization" in excinfo.value.message_dict


def test_co_design_copies_the_runts_number_and_refuses_other_bodies(world):
    co_design = world.consultation(kind=ProcedureKind.CO_DESIGN)
    contribution = submit(world, co_design, user=world.rep_third_sector, organization=world.third_sector_org)
    assert contribution.runts_number == "RUNTS-000123"
    with pytest.raises(ValidationError) as excinfo:
        submit(world, co_design)  # the member organisation has no RUNTS number
    assert "RUNTS" in excinfo.value.message_dict["organization"][0]


# --- Numbering --------------------------------------------------------------------------------------


def test_numbers_are_progressive_and_never_reused(world):
    consultation = world.consultation()
    first = submit(world, consultation)
    contributions.withdraw_contribution(fresh(world.rep_member), first)
    second = submit(world, consultation, user=world.rep_member_colleague)
    assert (first.number, second.number) == (1, 2)
    other = world.consultation()
    assert submit(world, other).number == 1  # numbering is per consultation


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_sequential_numbers():
    world = build_world()
    consultation = world.consultation()
    section = world.section(3)
    authors = [fresh(world.rep_member), fresh(world.rep_member_colleague)] * 3
    barrier = threading.Barrier(len(authors))
    numbers, failures, last_error = [], [], {}

    def worker(author):
        try:
            barrier.wait(timeout=10)
            for _attempt in range(200):
                try:
                    contribution = contributions.submit_contribution(
                        author,
                        consultation,
                        organization=world.member_org,
                        section=section,
                        body="In parallelo.",
                    )
                except OperationalError as exc:  # SQLite's shared in-memory test database: retry when locked
                    last_error[author.pk] = repr(exc)
                    time.sleep(0.01)
                    continue
                numbers.append(contribution.number)
                return
            failures.append(f"gave up: {last_error.get(author.pk)}")
        except Exception as exc:  # reported by the assertion below
            failures.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(author,)) for author in authors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(numbers) == list(range(1, len(authors) + 1))


# --- Attachments -------------------------------------------------------------------------------------


@override_settings(OFFICINE_ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_oversized_attachment_refuses_everything_and_says_the_limit(world):
    consultation = world.consultation()
    with pytest.raises(ValidationError) as excinfo:
        submit(world, consultation, attachments=[pdf("piccolo.pdf"), pdf("grande.pdf", size=2 * 1024 * 1024)])
    message = excinfo.value.message_dict["attachments"][0]
    assert "grande.pdf" in message and "2.0 MB" in message and "at most 1 MB" in message
    assert not Contribution.objects.exists() and not ContributionAttachment.objects.exists()


@pytest.mark.parametrize(
    "upload, reason",
    [
        (pdf("programma.exe"), "not accepted"),
        (pdf("foto.png"), "does not match"),
        (docx("finto.pdf"), "does not match"),
        (pdf("vuoto.pdf", size=0), "empty"),
    ],
)
def test_wrong_or_disguised_types_are_refused(world, upload, reason):
    if reason == "empty":
        upload = type(upload)("vuoto.pdf", b"")
    with pytest.raises(ValidationError) as excinfo:
        submit(world, world.consultation(), attachments=[upload])
    assert reason in excinfo.value.message_dict["attachments"][0]
    assert not Contribution.objects.exists()


def test_accepted_types_are_stored_under_a_random_name(world):
    contribution = submit(
        world, world.consultation(), attachments=[pdf(), docx(), odt(), png("Foto.JPG.png")]
    )
    stored = {a.original_name: a for a in contribution.attachments.all()}
    assert set(stored) == {"osservazioni.pdf", "proposta.docx", "proposta.odt", "Foto.JPG.png"}
    assert stored["proposta.docx"].content_type.endswith("wordprocessingml.document")
    assert stored["osservazioni.pdf"].size == len(pdf().read())
    assert "osservazioni" not in stored["osservazioni.pdf"].file.name


@override_settings(OFFICINE_ATTACHMENTS_PER_CONTRIBUTION=2)
def test_attachment_count_is_limited(world):
    consultation = world.consultation()
    with pytest.raises(ValidationError):
        submit(world, consultation, attachments=[pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")])
    contribution = submit(world, consultation, attachments=[pdf("a.pdf"), pdf("b.pdf")])
    with pytest.raises(ValidationError):
        contributions.add_attachment(fresh(world.rep_member), contribution, pdf("c.pdf"))


def test_add_and_remove_attachment_while_open(world):
    contribution = submit(world, world.consultation())
    attachment = contributions.add_attachment(fresh(world.rep_member), contribution, pdf())
    assert contribution.attachments.count() == 1
    with pytest.raises(PermissionDenied):
        contributions.remove_attachment(fresh(world.rep_member_colleague), attachment)
    contributions.remove_attachment(fresh(world.rep_member), attachment)
    assert contribution.attachments.count() == 0
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "consultations.contribution.attachment_added",
        "consultations.contribution.attachment_removed",
    } <= actions


# --- Editing and withdrawing ---------------------------------------------------------------------------


def test_author_edits_until_closing_and_the_change_is_audited(world):
    consultation = world.consultation()
    contribution = submit(world, consultation)
    contributions.update_contribution(
        fresh(world.rep_member),
        contribution,
        section=world.section(1),
        body="Testo corretto.",
        proposed_wording="",
        objects_to_publication=True,
    )
    contribution.refresh_from_db()
    assert contribution.body == "Testo corretto." and contribution.section == world.section(1)
    event = AuditEvent.objects.get(action="consultations.contribution.updated")
    assert event.changes["section"] == [3, 1]
    assert event.changes["objects_to_publication"] == [False, True]
    assert "search_document" not in event.changes
    with pytest.raises(PermissionDenied):
        contributions.update_contribution(
            fresh(world.rep_member_colleague), contribution, section=None, body="Non mio."
        )
    consultation.state = ConsultationState.CLOSED
    consultation.save()
    contribution.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        contributions.update_contribution(fresh(world.rep_member), contribution, section=None, body="Dopo.")
    assert "read-only" in excinfo.value.messages[0]
    contribution.refresh_from_db()
    assert contribution.body == "Testo corretto."


def test_edit_keeps_a_section_of_an_older_version(world):
    consultation = world.consultation()
    contribution = submit(world, consultation)
    draft = services.start_new_version(world.staff, world.document)
    services.publish_version(world.staff, draft, change_note="v2")
    contributions.update_contribution(
        fresh(world.rep_member), contribution, section=world.section(3), body="Aggiornato."
    )
    contribution.refresh_from_db()
    assert contribution.version == world.version and contribution.body == "Aggiornato."


def test_edit_with_a_bad_attachment_changes_nothing(world):
    contribution = submit(world, world.consultation())
    with pytest.raises(ValidationError):
        contributions.update_contribution(
            fresh(world.rep_member),
            contribution,
            section=world.section(3),
            body="Nuovo testo.",
            attachments=[pdf("x.exe")],
        )
    contribution.refresh_from_db()
    assert contribution.body.startswith("Proponiamo")


def test_withdrawn_contribution_keeps_its_text_and_is_not_public(world):
    consultation = world.consultation()
    contribution = submit(world, consultation)
    contributions.withdraw_contribution(fresh(world.rep_member), contribution)
    contribution.refresh_from_db()
    assert contribution.state == ContributionState.WITHDRAWN and contribution.withdrawn_at
    assert contribution.body.startswith("Proponiamo")
    with pytest.raises(ValidationError):
        contributions.withdraw_contribution(fresh(world.rep_member), contribution)
    consultation.state = ConsultationState.CLOSED
    consultation.save()
    from django.contrib.auth.models import AnonymousUser

    contribution = Contribution.objects.get(pk=contribution.pk)
    assert not AnonymousUser().has_perm("consultations.view_contribution", contribution)
    assert fresh(world.rep_member).has_perm("consultations.view_contribution", contribution)
    assert AuditEvent.objects.filter(action="consultations.contribution.withdrawn").count() == 1


# --- Pages ---------------------------------------------------------------------------------------------


def contribute_url(consultation, **query):
    url = reverse("contributions:contribute", kwargs={"pk": consultation.pk})
    return url.replace("/it/", "/en/", 1) + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


def test_form_lists_the_document_and_its_sections_and_preselects_one(client, world):
    consultation = world.consultation()
    client.force_login(world.rep_member)
    response = client.get(contribute_url(consultation, section=world.section(3).pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The document as a whole" in html and "1. Obiettivi" in html
    assert f'<option value="sec-{world.section(3).pk}" selected>3. Dotazione finanziaria</option>' in html
    assert "Forum del Terzo Settore regionale" in html  # the only organisation: a read-only line
    assert 'name="organization"' not in html
    assert "published on this site after the consultation closes" in html
    assert html.index("Before you send") < html.index("Send contribution")


@override_settings(OFFICINE_ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_oversized_attachment_keeps_the_text_then_a_valid_one_is_accepted(client, world):
    consultation = world.consultation()
    client.force_login(world.rep_member)
    data = {
        "target": f"sec-{world.section(3).pk}",
        "body": "Un testo lungo e pensato che non deve andare perso.",
        "proposed_wording": "La dotazione è di 5 miliardi.",
    }
    response = client.post(contribute_url(consultation), {**data, "attachments": pdf(size=3 * 1024 * 1024)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un testo lungo e pensato che non deve andare perso." in html
    assert "La dotazione è di 5 miliardi." in html
    assert "at most 1 MB" in html and 'id="id_attachments-errors"' in html
    assert not Contribution.objects.exists()
    response = client.post(contribute_url(consultation), {**data, "attachments": [pdf(), docx()]})
    contribution = Contribution.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("contributions:detail", kwargs={"pk": contribution.pk}).replace("/it/", "/", 1)
    )
    assert contribution.attachments.count() == 2


def test_choosing_among_several_organisations(client, world):
    from officine.registry.models import Representative

    consultation = world.consultation()
    Representative.objects.create(
        organization=world.third_sector_org,
        user=world.rep_member,
        first_name="Anna",
        last_name="Bianchi",
        role="delegate",
        mandate_issuer="Presidente",
        mandate_date=world.version.created_at.date(),
    )
    client.force_login(world.rep_member)
    response = client.get(contribute_url(consultation))
    assert 'name="organization"' in response.content.decode()
    data = {"target": f"doc-{world.document.pk}", "body": "Per conto della cooperativa."}
    response = client.post(contribute_url(consultation), data)
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    response = client.post(contribute_url(consultation), {**data, "organization": world.third_sector_org.pk})
    assert response.status_code == 302
    assert Contribution.objects.get().organization == world.third_sector_org


def test_visitor_is_told_to_sign_in_and_citizens_where_to_go(client, world):
    response = client.get(contribute_url(world.consultation()))
    assert response.status_code == 200 and response.context["refusal"].kind == "sign_in"
    assert "citizen-access" not in response.content.decode()
    response = client.get(contribute_url(world.consultation(audience=Audience.PUBLIC)))
    assert reverse("contributions:citizen_access", kwargs={"pk": response.context["consultation"].pk})[
        3:
    ] in (response.content.decode())


def test_non_member_gets_an_explanation(client, world):
    client.force_login(world.rep_non_member)
    response = client.get(contribute_url(world.consultation()))
    assert response.status_code == 403
    assert "Only representatives of the partnership" in response.content.decode()


def test_unverified_person_is_sent_to_verify_their_address(client, world):
    client.force_login(world.unverified)
    response = client.get(contribute_url(world.consultation(audience=Audience.PUBLIC)))
    assert response.status_code == 403 and response.context["refusal"].kind == "verify_email"


def test_closed_consultation_is_read_only_and_lists_own_contributions(client, world):
    consultation = world.consultation(ConsultationState.CLOSED)
    mine = world.contribution(consultation, author=world.rep_member)
    client.force_login(world.rep_member)
    response = client.get(contribute_url(consultation))
    assert response.status_code == 200 and response.context["refusal"].kind == "closed"
    assert reverse("contributions:detail", kwargs={"pk": mine.pk})[3:] in response.content.decode()
    response = client.post(contribute_url(consultation), {"body": "x"})
    assert response.status_code == 200 and Contribution.objects.count() == 1


def test_draft_consultation_is_404_for_the_public(client, world):
    consultation = world.consultation(ConsultationState.DRAFT)
    assert client.get(contribute_url(consultation)).status_code == 404
    client.force_login(world.staff)
    assert client.get(contribute_url(consultation)).status_code == 200  # the staff see why: not open


def detail_url(contribution, name="detail"):
    return reverse(f"contributions:{name}", kwargs={"pk": contribution.pk}).replace("/it/", "/en/", 1)


def test_contribution_page_visibility(client, world):
    consultation = world.consultation()
    public = world.contribution(consultation)
    objected = world.contribution(consultation, objects_to_publication=True)
    assert client.get(detail_url(public)).status_code == 404  # not public while open
    client.force_login(world.rep_member_colleague)
    assert client.get(detail_url(public)).status_code == 200  # the author
    client.logout()
    consultation.state = ConsultationState.CLOSED
    consultation.save()
    assert client.get(detail_url(public)).status_code == 200
    assert client.get(detail_url(objected)).status_code == 404
    client.force_login(world.staff)
    assert client.get(detail_url(objected)).status_code == 200


def test_contribution_page_shows_the_disposition_and_links_to_changed_sections(client, world):
    consultation = world.consultation(ConsultationState.CLOSED)
    contribution = world.contribution(consultation, proposed_wording="Nuova formulazione.")
    draft = services.start_new_version(world.staff, world.document)
    services.publish_version(world.staff, draft, change_note="v2")
    disposition = Disposition.objects.create(
        contribution=contribution,
        outcome=DispositionOutcome.ACCEPTED,
        reason="Accolto: la sezione è stata riscritta.",
        decided_by=world.staff,
    )
    disposition.changed_sections.set([draft.sections.get(order=2)])
    contribution.current_disposition = disposition
    contribution.save()
    response = client.get(detail_url(contribution))
    html = response.content.decode()
    assert "Accepted" in html and "Accolto: la sezione è stata riscritta." in html
    assert "2. Priorità" in html and "version 2" in html
    assert "Nuova formulazione." in html


def test_edit_page_for_the_author_only_and_until_closing(client, world):
    consultation = world.consultation()
    contribution = submit(world, consultation, attachments=[pdf()])
    client.force_login(world.rep_member_colleague)
    assert client.get(detail_url(contribution, "edit")).status_code == 404  # not visible to others while open
    client.force_login(world.rep_member)
    response = client.get(detail_url(contribution, "edit"))
    assert response.status_code == 200 and "Proponiamo di destinare" in response.content.decode()
    attachment = contribution.attachments.get()
    response = client.post(
        detail_url(contribution, "edit"),
        {
            "target": f"sec-{world.section(1).pk}",
            "body": "Testo rivisto.",
            "remove_attachments": [attachment.pk],
        },
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.body == "Testo rivisto." and contribution.attachments.count() == 0
    consultation.state = ConsultationState.CLOSED
    consultation.save()
    response = client.get(detail_url(contribution, "edit"))
    assert response.status_code == 302 and response["Location"].endswith(f"/contributions/{contribution.pk}/")


def test_withdraw_page_asks_then_withdraws(client, world):
    contribution = submit(world, world.consultation())
    client.force_login(world.rep_member)
    response = client.get(detail_url(contribution, "withdraw"))
    assert response.status_code == 200 and "cannot be undone" in response.content.decode()
    assert Contribution.objects.get().state == ContributionState.SUBMITTED
    response = client.post(detail_url(contribution, "withdraw"))
    assert response.status_code == 302
    assert Contribution.objects.get().state == ContributionState.WITHDRAWN
    response = client.get(detail_url(contribution))
    assert "Withdrawn by the author" in response.content.decode()
    assert reverse("contributions:edit", kwargs={"pk": contribution.pk})[3:] not in response.content.decode()


def test_attachment_download_is_permission_checked(client, world):
    consultation = world.consultation()
    contribution = submit(world, consultation, attachments=[pdf("Osservazioni finali.pdf")])
    url = reverse("contributions:attachment", kwargs={"pk": contribution.attachments.get().pk})
    assert client.get(url).status_code == 404
    client.force_login(world.rep_member)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Osservazioni" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.logout()
    consultation.state = ConsultationState.CLOSED
    consultation.save()
    assert client.get(url).status_code == 200  # public with the contribution after closing


def test_platform_admin_sees_but_cannot_change_someone_elses_contribution(client, world):
    contribution = submit(world, world.consultation())
    client.force_login(world.admin)
    response = client.get(detail_url(contribution))
    assert response.status_code == 200 and response.context["can_change"] is False
    assert client.get(detail_url(contribution, "edit")).status_code == 403
    response = client.get(contribute_url(world.consultation()))
    assert response.status_code == 403 and response.context["refusal"].kind == "not_eligible"


def test_contribute_and_detail_query_counts_do_not_grow(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    consultation = world.consultation()
    client.force_login(world.rep_member)

    def counts(contribution) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as form_page:
            assert client.get(contribute_url(consultation)).status_code == 200
        with CaptureQueriesContext(connection) as detail_page:
            assert client.get(detail_url(contribution)).status_code == 200
        return len(form_page), len(detail_page)

    first = submit(world, consultation, attachments=[pdf()])
    few = counts(first)
    for _ in range(4):
        submit(world, consultation, attachments=[pdf(), docx()])
    contributions.add_attachment(fresh(world.rep_member), first, docx())
    assert counts(first) == few
