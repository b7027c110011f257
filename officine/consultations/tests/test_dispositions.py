"""Dispositions: when they may be given, what an acceptance must point to, append-only history, audit, bulk
all-or-nothing, answer templates and their permission.

Contributions are created with the ORM through :func:`add_contribution` (the contribution service is another
area's); the other test modules of this area (outcome, import, exports) use the same factory.
"""

import itertools
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from officine.conftest import make_user
from officine.consultations import dispositions, services
from officine.consultations.models import (
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Disposition,
    DispositionOutcome,
    DispositionTemplate,
    Document,
    DocumentVersion,
    Section,
)
from officine.consultations.tests import factories
from officine.core.models import AuditEvent
from officine.notifications.models import Notification
from officine.programmes.models import Programme
from officine.registry.models import Organization

SECTIONS_V1 = [
    {"level": 1, "heading": "Contesto", "body": "Il programma sostiene l'inclusione sociale."},
    {"level": 1, "heading": "Obiettivi", "body": "Ridurre la povertà educativa nelle aree interne."},
    {"level": 2, "heading": "Azioni", "body": "Servizi per l'infanzia e mense scolastiche."},
]
_numbers = itertools.count(1)
_tax = itertools.count(100)


@dataclass
class World:
    staff: object
    programme: Programme
    document: Document
    v1: DocumentVersion
    v2: DocumentVersion
    consultation: Consultation
    org: Organization
    author: object

    def v1_section(self, number: int) -> Section:
        return self.v1.sections.get(order=number)

    def v2_section(self, number: int) -> Section:
        return self.v2.sections.get(order=number)


def make_org(name: str, cpr: str = "b") -> Organization:
    return Organization.objects.create(
        name=name,
        legal_form="association",
        eccp_subcategory="b.i" if cpr == "b" else "c.i",
        cpr_category=cpr,
        territorial_level="national",
        tax_code=f"9{next(_tax):010d}",
    )


def publish_second_version(staff, document: Document) -> DocumentVersion:
    """Version 2: section 1 unchanged, 2 modified, 3 modified, a new section 4 “Valutazione”."""
    draft = services.start_new_version(staff, document)
    keys = {s.order: s.key for s in draft.sections.all()}
    services.replace_draft_sections(
        staff,
        draft,
        [
            {"key": keys[1], **SECTIONS_V1[0]},
            {
                "key": keys[2],
                "level": 1,
                "heading": "Obiettivi",
                "body": "Ridurre la povertà educativa e la dispersione scolastica nelle aree interne.",
            },
            {"key": keys[3], "level": 2, "heading": "Azioni", "body": "Servizi per l'infanzia e doposcuola."},
            {"level": 1, "heading": "Valutazione", "body": "Una valutazione indipendente a metà percorso."},
        ],
    )
    return services.publish_version(staff, draft, change_note="Accolti i contributi sugli obiettivi.")


def build_world(state: str = ConsultationState.CLOSED, *, second_version: bool = True, **fields) -> World:
    staff = factories.make_staff(full_name="Funzionaria AdG")
    programme = factories.staff_programme()
    document = services.create_document(
        staff, programme, title_it="Bozza del programma", sections=SECTIONS_V1
    )
    v1 = services.publish_version(staff, document.versions.get())
    v2 = publish_second_version(staff, document) if second_version else None
    defaults = {
        "title_it": "Consultazione sulla bozza del programma",
        "opens_on": date(2025, 4, 14),
        "closes_on": date(2025, 4, 29),
        "state": state,
    }
    consultation = factories.make_consultation(programme, [document], **{**defaults, **fields})
    author = make_user("delegata@example.org", full_name="Giulia Bianchi")
    org = make_org("Legambiente Puglia", cpr="c")
    return World(staff, programme, document, v1, v2, consultation, org, author)


def add_contribution(
    world: World,
    *,
    section: Section | None = None,
    number: int | None = None,
    author=None,
    organization: Organization | None = None,
    body: str = "Chiediamo di includere la dispersione scolastica tra gli obiettivi.",
    proposed_wording: str = "",
    objects_to_publication: bool = False,
    state: str = ContributionState.SUBMITTED,
    version: DocumentVersion | None = None,
    consultation: Consultation | None = None,
) -> Contribution:
    from officine.core.search import build_document

    author = author or world.author
    organization = organization if organization is not None else world.org
    return Contribution.objects.create(
        consultation=consultation or world.consultation,
        number=number or next(_numbers),
        version=version or (section.version if section else world.v1),
        section=section,
        author=author,
        author_name=author.full_name if author else "Anonimo",
        organization=organization,
        body=body,
        proposed_wording=proposed_wording,
        objects_to_publication=objects_to_publication,
        state=state,
        search_document=build_document(body, proposed_wording),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


# --- When a disposition may be given ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state", [ConsultationState.DRAFT, ConsultationState.SCHEDULED, ConsultationState.OPEN]
)
def test_dispose_before_closing_is_refused(db, state):
    world = build_world(state)
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(world.staff, contribution, outcome="not_accepted", reason="Non pertinente.")
    assert "once the consultation is closed" in str(excinfo.value)
    assert not Disposition.objects.exists()


def test_dispose_after_outcome_published_is_refused(db):
    world = build_world(ConsultationState.OUTCOME_PUBLISHED)
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(world.staff, contribution, outcome="not_accepted", reason="Motivo.")
    assert "dispositions are final" in str(excinfo.value)


def test_withdrawn_contribution_needs_no_disposition(world):
    contribution = add_contribution(world, section=world.v1_section(2), state=ContributionState.WITHDRAWN)
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(world.staff, contribution, outcome="not_accepted", reason="Motivo.")
    assert "was withdrawn" in str(excinfo.value)


def test_reason_and_outcome_are_required(world):
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(world.staff, contribution, outcome="maybe", reason="   ")
    errors = excinfo.value.message_dict
    assert errors["outcome"] == ["Choose a disposition."]
    assert "Give the reason" in errors["reason"][0]


@pytest.mark.parametrize("outcome", DispositionOutcome.needing_changes())
def test_accepted_without_sections_is_refused(world, outcome):
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(world.staff, contribution, outcome=outcome, reason="Accolto.")
    assert "at least one section" in excinfo.value.message_dict["changed_sections"][0]


def test_section_of_the_same_or_older_version_is_refused(world):
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(
            world.staff,
            contribution,
            outcome="accepted",
            reason="Accolto.",
            changed_sections=[world.v1_section(2)],
        )
    message = excinfo.value.message_dict["changed_sections"][0]
    assert "version 1, which is not newer" in message and "(version 1)" in message
    # A contribution on version 2 cannot point to version 2 either.
    later = add_contribution(world, section=world.v2_section(2), version=world.v2)
    with pytest.raises(ValidationError):
        dispositions.dispose(
            world.staff, later, outcome="accepted", reason="Accolto.", changed_sections=[world.v2_section(2)]
        )


def test_unchanged_section_and_unpublished_version_are_refused(world):
    contribution = add_contribution(world, section=world.v1_section(1))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(
            world.staff,
            contribution,
            outcome="accepted",
            reason="Sì.",
            changed_sections=[world.v2_section(1)],
        )
    assert "did not change in version 2" in excinfo.value.message_dict["changed_sections"][0]
    draft = services.start_new_version(world.staff, world.document)
    services.replace_draft_sections(world.staff, draft, [{"heading": "Tutto nuovo", "body": "Testo."}])
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(
            world.staff,
            contribution,
            outcome="accepted",
            reason="Sì.",
            changed_sections=[draft.sections.get()],
        )
    assert "not published" in excinfo.value.message_dict["changed_sections"][0]


def test_section_of_another_document_is_refused(world):
    other = services.create_document(world.staff, world.programme, title_it="Altro", sections=SECTIONS_V1)
    services.publish_version(world.staff, other.versions.get())
    other_v2 = publish_second_version(world.staff, other)
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(
            world.staff,
            contribution,
            outcome="partly_accepted",
            reason="In parte.",
            changed_sections=[other_v2.sections.get(order=2)],
        )
    assert "another document" in excinfo.value.message_dict["changed_sections"][0]


def test_accepted_with_a_changed_section_of_the_new_version(world):
    contribution = add_contribution(world, section=world.v1_section(2))
    disposition = dispositions.dispose(
        world.staff,
        contribution,
        outcome="accepted",
        reason="La dispersione scolastica è ora tra gli obiettivi.",
        changed_sections=[world.v2_section(2), world.v2_section(4).pk],
    )
    contribution.refresh_from_db()
    assert contribution.current_disposition == disposition
    assert disposition.decided_by == world.staff
    assert sorted(s.number for s in disposition.changed_sections.all()) == [2, 4]


def test_history_is_append_only_and_audited_with_before_and_after(world):
    contribution = add_contribution(world, section=world.v1_section(2))
    first = dispositions.dispose(world.staff, contribution, outcome="not_accepted", reason="Fuori tempo.")
    second = dispositions.dispose(
        world.staff,
        contribution,
        outcome="partly_accepted",
        reason="Accolto in parte.",
        changed_sections=[world.v2_section(2)],
    )
    assert list(contribution.dispositions.order_by("pk")) == [first, second]
    first.refresh_from_db()
    assert (first.outcome, first.reason) == ("not_accepted", "Fuori tempo.")  # the old row is untouched
    contribution.refresh_from_db()
    assert contribution.current_disposition == second
    events = list(
        AuditEvent.objects.filter(
            action="consultations.contribution.disposed", target_id=str(contribution.pk)
        )
        .order_by("pk")
        .values_list("actor_id", "changes")
    )
    assert len(events) == 2
    actor, changes = events[1]
    assert actor == world.staff.pk
    assert changes["outcome"] == ["not_accepted", "partly_accepted"]
    assert changes["reason"] == ["Fuori tempo.", "Accolto in parte."]
    assert changes["changed_sections"] == [[], [2]]
    assert events[0][1]["outcome"] == [None, "not_accepted"]


def test_dispose_notifies_the_author(world):
    contribution = add_contribution(world, section=world.v1_section(2))
    disposition = dispositions.dispose(
        world.staff, contribution, outcome="out_of_scope", reason="Altro tema."
    )
    notice = Notification.objects.get(recipient=world.author)
    assert notice.kind == "disposition_given" and notice.key == f"disposition:{disposition.pk}"
    assert f"n. {contribution.number}" in notice.subject  # notices are written in Italian


def test_only_staff_of_the_programme_may_dispose(world):
    contribution = add_contribution(world, section=world.v1_section(2))
    other_programme = factories.make_other_programme(world.programme)
    outsider = factories.add_staff(other_programme, "altro@example.org")
    for user in (outsider, world.author):
        with pytest.raises(PermissionDenied):
            dispositions.dispose(user, contribution, outcome="not_accepted", reason="Motivo.")
    admin = make_user("admin@example.org", is_superuser=True, is_staff=True)
    dispositions.dispose(admin, contribution, outcome="not_accepted", reason="Motivo.")


# --- Bulk ---------------------------------------------------------------------------------------------------


def test_bulk_disposition_of_a_selection(world):
    chosen = [add_contribution(world, section=world.v1_section(2)) for _ in range(3)]
    result = dispositions.dispose_many(
        world.staff,
        chosen,
        outcome="already_covered",
        reason="Già previsto nella sezione 2.",
        changed_sections=[world.v2_section(2)],
    )
    assert len(result) == 3
    assert all(c.current_disposition.outcome == "already_covered" for c in Contribution.objects.all())
    assert AuditEvent.objects.filter(action="consultations.contribution.disposed").count() == 3


def test_bulk_is_all_or_nothing_and_names_each_refused_contribution(world):
    good = add_contribution(world, section=world.v1_section(2))
    withdrawn = add_contribution(world, section=world.v1_section(3), state=ContributionState.WITHDRAWN)
    on_v2 = add_contribution(world, section=world.v2_section(2), version=world.v2)
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose_many(
            world.staff,
            [good, withdrawn, on_v2],
            outcome="accepted",
            reason="Accolto.",
            changed_sections=[world.v2_section(2)],
        )
    messages = excinfo.value.message_dict["__all__"]
    assert any(m.startswith(f"Contribution #{withdrawn.number}:") and "withdrawn" in m for m in messages)
    assert any(m.startswith(f"Contribution #{on_v2.number}:") and "not newer" in m for m in messages)
    assert not any(m.startswith(f"Contribution #{good.number}:") for m in messages)
    assert not Disposition.objects.exists()
    assert not AuditEvent.objects.filter(action="consultations.contribution.disposed").exists()
    assert not Notification.objects.exists()


def test_bulk_says_a_missing_reason_once(world):
    chosen = [add_contribution(world, section=world.v1_section(2)) for _ in range(4)]
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose_many(world.staff, chosen, outcome="accepted", reason="")
    errors = excinfo.value.message_dict
    assert len(errors["reason"]) == 1 and len(errors["changed_sections"]) == 1
    assert "__all__" not in errors


def test_bulk_refuses_before_closing_and_empty_selection(db):
    world = build_world(ConsultationState.OPEN)
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose_many(world.staff, [contribution], outcome="not_accepted", reason="X.")
    assert excinfo.value.message_dict["__all__"] == [
        "Dispositions are given once the consultation is closed: until then contributions can still change."
    ]
    with pytest.raises(ValidationError):
        dispositions.dispose_many(world.staff, [], outcome="not_accepted", reason="X.")


# --- Templates ----------------------------------------------------------------------------------------------


def test_template_crud_is_audited_and_prefills(world):
    template = dispositions.create_template(
        world.staff,
        world.programme,
        title="Fuori dall'ambito del FSE+",
        outcome="out_of_scope",
        reason="La proposta riguarda interventi non finanziabili dal FSE+.",
    )
    assert dispositions.template_prefill(template) == {
        "outcome": "out_of_scope",
        "reason": "La proposta riguarda interventi non finanziabili dal FSE+.",
        "template": str(template.pk),
    }
    dispositions.update_template(
        world.staff, template, title="Fuori ambito", outcome="out_of_scope", reason=template.reason
    )
    updated = AuditEvent.objects.get(action="consultations.disposition_template.updated")
    assert updated.changes == {"title": ["Fuori dall'ambito del FSE+", "Fuori ambito"]}
    with pytest.raises(ValidationError) as excinfo:
        dispositions.create_template(
            world.staff, world.programme, title="fuori ambito", outcome="x", reason=""
        )
    assert set(excinfo.value.message_dict) == {"title", "outcome", "reason"}
    contribution = add_contribution(world, section=world.v1_section(2))
    disposition = dispositions.dispose(
        world.staff, contribution, outcome="out_of_scope", reason="Testo modificato.", template=template
    )
    dispositions.delete_template(world.staff, template)
    disposition.refresh_from_db()
    assert disposition.template is None and disposition.reason == "Testo modificato."
    assert AuditEvent.objects.filter(action="consultations.disposition_template.deleted").exists()
    assert not DispositionTemplate.objects.exists()


def test_templates_belong_to_their_programme(world):
    other_programme = factories.make_other_programme(world.programme)
    foreign = DispositionTemplate.objects.create(
        programme=other_programme, title="Altro", outcome="not_accepted", reason="X."
    )
    with pytest.raises(PermissionDenied):
        dispositions.create_template(world.staff, other_programme, title="T", outcome="accepted", reason="R.")
    with pytest.raises(PermissionDenied):
        dispositions.delete_template(world.staff, foreign)
    contribution = add_contribution(world, section=world.v1_section(2))
    with pytest.raises(ValidationError) as excinfo:
        dispositions.dispose(world.staff, contribution, outcome="not_accepted", reason="X.", template=foreign)
    assert "another programme" in excinfo.value.message_dict["template"][0]


def test_template_permission_matrix(world):
    assert world.staff.has_perm("consultations.manage_disposition_templates", world.programme)
    assert not world.author.has_perm("consultations.manage_disposition_templates", world.programme)
    admin = make_user("admin@example.org", is_superuser=True, is_staff=True)
    assert admin.has_perm("consultations.manage_disposition_templates", world.programme)


# --- Staff pages --------------------------------------------------------------------------------------------


def _pages(world: World, contribution: Contribution, template: DispositionTemplate) -> dict[str, str]:
    from django.urls import reverse

    pk = world.consultation.pk
    return {
        "contributions": reverse("manage_dispositions:contributions", args=[pk]),
        "dispose": reverse("manage_dispositions:dispose", args=[contribution.pk]),
        "import": reverse("manage_dispositions:import", args=[pk]),
        "import_template": reverse("manage_dispositions:import_template", args=[pk, "csv"]),
        "templates": reverse("manage_dispositions:templates", args=[world.programme.pk]),
        "template_edit": reverse("manage_dispositions:template_edit", args=[template.pk]),
        "template_delete": reverse("manage_dispositions:template_delete", args=[template.pk]),
        "publish_outcome": reverse("manage_dispositions:publish_outcome", args=[pk]),
        "export": reverse("manage_dispositions:export", args=[pk, "dispositions", "ods"]),
    }


@pytest.fixture
def template(world) -> DispositionTemplate:
    return DispositionTemplate.objects.create(
        programme=world.programme,
        title="Già previsto",
        outcome="already_covered",
        reason="La proposta è già prevista dal testo.",
    )


@pytest.mark.parametrize("role", ["anonymous", "author", "outsider", "staff", "admin"])
def test_staff_pages_access_matrix(client, world, template, role):
    contribution = add_contribution(world, section=world.v1_section(2))
    other = factories.make_other_programme(world.programme)
    users = {
        "author": world.author,
        "outsider": factories.add_staff(other, "altro-staff@example.org"),
        "staff": world.staff,
        "admin": factories.make_admin(),
    }
    if role != "anonymous":
        client.force_login(users[role])
    for name, url in _pages(world, contribution, template).items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], name
        elif role in ("staff", "admin"):
            assert response.status_code == 200, name
        else:
            assert response.status_code == 403, name


def test_contributions_list_filters_and_constant_queries(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.staff)
    cisl = make_org("CISL Puglia", cpr="b")
    add_contribution(world, section=world.v1_section(2), body="Più asili nido nelle aree interne.")
    disposed = add_contribution(world, section=None, organization=cisl, body="Il documento è lungo.")
    dispositions.dispose(world.staff, disposed, outcome="not_accepted", reason="No.")
    url = f"/en/manage/consultations/{world.consultation.pk}/contributions/"
    html = client.get(url).content.decode()
    assert "2 contributions" in html and "1 of 2 contributions have a disposition" in html
    assert client.get(url, {"q": "asili"}).content.decode().count('name="contributions"') == 1
    assert "Il documento è lungo." in client.get(url, {"organization": str(cisl.pk)}).content.decode()
    only_none = client.get(url, {"disposition": "none"}).content.decode()
    assert "Più asili nido" in only_none and "Il documento è lungo." not in only_none
    assert "Più asili nido" not in client.get(url, {"cpr_category": "b"}).content.decode()
    assert "Il documento è lungo." in client.get(url, {"section": "whole"}).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    for number in range(1, 30):
        add_contribution(
            world, section=world.v1_section(number % 3 + 1), organization=make_org(f"Ente {number}")
        )
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count('name="contributions"') == 31


def test_a_group_of_similar_contributions_arrives_selected_for_one_answer(client, world):
    from officine.consultations.models import ContributionGroup, GroupKind, TriageRun, TriageStatus

    client.force_login(world.staff)
    copies = [add_contribution(world, section=world.v1_section(2), body="Più asili nido.") for _ in range(2)]
    other = add_contribution(world, section=world.v1_section(2), body="Banda larga nelle aree interne.")
    run = TriageRun.objects.create(consultation=world.consultation, status=TriageStatus.DONE)
    group = ContributionGroup.objects.create(run=run, kind=GroupKind.NEAR_DUPLICATES, key_terms=["asili"])
    group.contributions.set(copies)
    url = f"/en/manage/consultations/{world.consultation.pk}/contributions/"
    html = client.get(url, {"group": str(group.pk)}).content.decode()
    assert "Group of similar contributions" in html and "Near-duplicates: asili (2)" in html
    assert html.count('name="contributions"') == 2 and html.count(" checked>") == 2
    assert f'value="{other.pk}"' not in html
    # Without the filter nothing is preselected; a group of another consultation is not a valid choice.
    assert " checked>" not in client.get(url).content.decode()
    mine = world.consultation
    elsewhere = Consultation.objects.create(
        programme=mine.programme,
        title_it="Altra consultazione",
        phase=mine.phase,
        audience=mine.audience,
        opens_on=mine.opens_on,
        closes_on=mine.closes_on,
    )
    foreign = ContributionGroup.objects.create(
        run=TriageRun.objects.create(consultation=elsewhere, status=TriageStatus.DONE), kind=GroupKind.TOPIC
    )
    assert client.get(url, {"group": str(foreign.pk)}).content.decode().count('name="contributions"') == 3


def test_bulk_form_records_or_keeps_the_selection_and_the_text(client, world):
    client.force_login(world.staff)
    chosen = [add_contribution(world, section=world.v1_section(2)) for _ in range(2)]
    withdrawn = add_contribution(world, section=world.v1_section(2), state=ContributionState.WITHDRAWN)
    url = f"/en/manage/consultations/{world.consultation.pk}/contributions/bulk/?disposition=none"
    data = {
        "contributions": [c.pk for c in chosen] + [withdrawn.pk],
        "outcome": "accepted",
        "reason": "Il testo ora parla di dispersione scolastica.",
        "changed_sections": [world.v2_section(2).pk],
    }
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Contribution #{withdrawn.number}: " in html and "withdrawn" in html
    assert "Il testo ora parla di dispersione scolastica." in html  # what was typed is kept
    assert f'value="{chosen[0].pk}" id="select-{chosen[0].pk}" checked' in html
    assert not Disposition.objects.exists()
    data["contributions"] = [c.pk for c in chosen]
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("?disposition=none")
    assert Disposition.objects.count() == 2


def test_bulk_form_uses_the_template_without_javascript(client, world, template):
    client.force_login(world.staff)
    contribution = add_contribution(world, section=world.v1_section(2))
    url = f"/en/manage/consultations/{world.consultation.pk}/contributions/bulk/"
    response = client.post(url, {"contributions": [contribution.pk], "template": template.pk, "reason": ""})
    assert response.status_code == 302
    contribution.refresh_from_db()
    disposition = contribution.current_disposition
    assert (disposition.outcome, disposition.reason, disposition.template) == (
        "already_covered",
        template.reason,
        template,
    )


def test_dispose_page_shows_history_and_records(client, world, template):
    client.force_login(world.staff)
    contribution = add_contribution(world, section=world.v1_section(2), proposed_wording="e la dispersione")
    waiting = add_contribution(world, section=world.v1_section(3))
    dispositions.dispose(world.staff, contribution, outcome="not_accepted", reason="Prima valutazione.")
    url = f"/en/manage/consultations/contributions/{contribution.pk}/disposition/"
    html = client.get(url).content.decode()
    assert "Prima valutazione." in html and "e la dispersione" in html
    assert "Version 2, section 2: Obiettivi (modified)" in html
    assert "Version 2, section 1" not in html  # unchanged sections are not offered
    assert "Ridurre la povertà educativa nelle aree interne." in html  # the section's text
    # Accepted without a section: refused, the reason typed is kept.
    response = client.post(url, {"outcome": "accepted", "reason": "Accolta la proposta."})
    assert response.status_code == 400
    assert "at least one section" in response.content.decode()
    assert "Accolta la proposta." in response.content.decode()
    response = client.post(
        url,
        {
            "outcome": "accepted",
            "reason": "Accolta la proposta.",
            "changed_sections": [world.v2_section(2).pk],
            "save_next": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/contributions/{waiting.pk}/disposition/")
    assert contribution.dispositions.count() == 2
    html = client.get(url).content.decode()
    assert html.index("Accolta la proposta.") < html.index("Prima valutazione.")  # latest first


def test_apply_template_without_javascript_fills_the_form_and_saves_nothing(client, world, template):
    client.force_login(world.staff)
    contribution = add_contribution(world, section=world.v1_section(2))
    url = f"/en/manage/consultations/contributions/{contribution.pk}/disposition/"
    response = client.post(url, {"template": template.pk, "reason": "", "apply_template": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "La proposta è già prevista dal testo." in html
    assert 'value="already_covered" id="id_outcome_4" checked>' in html
    assert html.count("checked>") == 1
    assert f'<option value="{template.pk}" selected>' in html
    assert not Disposition.objects.exists()


def test_dispose_page_before_closing_shows_why_there_is_no_form(client, db):
    world = build_world(ConsultationState.OPEN)
    client.force_login(world.staff)
    contribution = add_contribution(world, section=world.v1_section(2))
    html = client.get(
        f"/en/manage/consultations/contributions/{contribution.pk}/disposition/"
    ).content.decode()
    assert "once the consultation is closed" in html and 'name="reason"' not in html
    response = client.post(
        f"/en/manage/consultations/contributions/{contribution.pk}/disposition/",
        {"outcome": "not_accepted", "reason": "No."},
    )
    assert response.status_code == 400 and not Disposition.objects.exists()


def test_template_pages_create_edit_delete(client, world):
    client.force_login(world.staff)
    url = f"/en/manage/consultations/programmes/{world.programme.pk}/answer-templates/"
    response = client.post(url, {"title": "", "outcome": "", "reason": "Testo del modello."})
    assert response.status_code == 400 and "Testo del modello." in response.content.decode()
    response = client.post(url, {"title": "Fuori ambito", "outcome": "out_of_scope", "reason": "Non FSE+."})
    assert response.status_code == 302
    template = DispositionTemplate.objects.get()
    edit = f"/en/manage/consultations/answer-templates/{template.pk}/edit/"
    assert client.post(
        edit, {"title": "Fuori ambito FSE+", "outcome": "out_of_scope", "reason": "Non FSE+."}
    )["Location"].endswith(f"/programmes/{world.programme.pk}/answer-templates/")
    template.refresh_from_db()
    assert template.title == "Fuori ambito FSE+"
    client.post(f"/en/manage/consultations/answer-templates/{template.pk}/delete/")
    assert not DispositionTemplate.objects.exists()
