"""Who the consultation's notices reach: representatives of current consulted members only, once per event."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from officine.conftest import make_user
from officine.consultations import notices, services
from officine.consultations.models import (
    Audience,
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Disposition,
    DispositionOutcome,
    ProcedureKind,
    Question,
)
from officine.consultations.tests import factories
from officine.notifications.models import Notification
from officine.programmes.models import Membership, Programme
from officine.registry.models import Organization, Representative

# --- Shared builders (plain functions, also used by test_scheduling) ------------------------------------


def make_org(name: str, **fields) -> Organization:
    defaults = {
        "name": name,
        "legal_form": "association",
        "eccp_subcategory": "b.i",
        "cpr_category": "b",
        "territorial_level": "national",
    }
    return Organization.objects.create(**{**defaults, **fields})


def make_member(programme: Programme, org: Organization, **fields) -> Membership:
    defaults = {
        "start_date": date(2023, 1, 1),
        "selection_act_number": "DD 12/2023",
        "selection_act_date": date(2022, 12, 1),
    }
    return Membership.objects.create(programme=programme, organization=org, **{**defaults, **fields})


def make_representative(org: Organization, user, **fields) -> Representative:
    defaults = {
        "first_name": "Persona",
        "last_name": user.email.split("@")[0],
        "role": "delegate",
        "mandate_issuer": "Presidente",
        "mandate_date": date(2023, 1, 1),
    }
    return Representative.objects.create(organization=org, user=user, **{**defaults, **fields})


def build_partnership() -> SimpleNamespace:
    """A programme with its staff, a published document, and one person in every position that matters.

    - ``member``: representative of a current consulted member (the only one invited);
    - ``non_member``: representative of an organisation outside the partnership;
    - ``expired``: representative of a member whose mandate has expired;
    - ``former``: representative of an organisation whose membership has ended;
    - ``observer_only``: representative of a member that is on the committee but not consulted;
    - ``mixed``: expired mandate for a member and a mandate in force for a non-member.
    """
    staff = factories.make_staff(full_name="Staff Programma")
    programme = factories.staff_programme()
    users = {
        name: make_user(f"{name}@example.org", full_name=name.title())
        for name in ("member", "non_member", "expired", "former", "observer_only", "mixed")
    }
    member_org = make_org("CGIL", runts_number="")
    outsider = make_org("Associazione esterna")
    former_org = make_org("Ente uscito")
    committee_only = make_org("Ente solo comitato")
    for org in (member_org,):
        make_member(programme, org)
    make_member(programme, former_org, end_date=date(2024, 12, 31))
    make_member(programme, committee_only, is_consultee=False, is_committee_member=True)
    make_representative(member_org, users["member"])
    make_representative(outsider, users["non_member"])
    make_representative(member_org, users["expired"], mandate_expires=date(2024, 6, 30))
    make_representative(former_org, users["former"])
    make_representative(committee_only, users["observer_only"])
    make_representative(member_org, users["mixed"], mandate_expires=date(2024, 6, 30))
    make_representative(outsider, users["mixed"])
    document = services.create_document(
        staff,
        programme,
        title_it="Bozza del programma",
        sections=[{"heading": "Obiettivi", "body": "Testo."}],
    )
    services.publish_version(staff, document.versions.get())
    return SimpleNamespace(
        staff=staff, programme=programme, document=document, member_org=member_org, **users
    )


def make_consultation(p: SimpleNamespace, *, document=None, **fields) -> Consultation:
    defaults = {
        "opens_on": date(2026, 11, 16),
        "closes_on": date(2026, 12, 15),
        "state": ConsultationState.OPEN,
    }
    return factories.make_consultation(p.programme, [document or p.document], **{**defaults, **fields})


def it_url(name: str, kwargs: dict) -> str:
    """Notices are written in the platform's language, Italian, links included."""
    with translation.override("it"):
        return reverse(name, kwargs=kwargs)


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


@pytest.fixture
def p(db) -> SimpleNamespace:
    return build_partnership()


# --- Whom ------------------------------------------------------------------------------------------------


def test_only_representatives_of_current_consulted_members_are_invited(p):
    consultation = make_consultation(p)
    assert set(notices.invited_users(consultation)) == {p.member}


def test_public_consultations_are_announced_to_the_same_people(p):
    consultation = make_consultation(p, audience=Audience.PUBLIC)
    assert set(notices.invited_users(consultation)) == {p.member}


def test_inactive_users_and_withdrawn_organisations_are_not_invited(p):
    consultation = make_consultation(p)
    p.member.is_active = False
    p.member.save()
    assert list(notices.invited_users(consultation)) == []
    p.member.is_active = True
    p.member.save()
    Organization.objects.filter(pk=p.member_org.pk).update(is_active=False)
    assert list(notices.invited_users(consultation)) == []


def test_membership_and_mandate_are_checked_on_the_given_day(p):
    consultation = make_consultation(p)
    Representative.objects.filter(user=p.member).update(mandate_expires=date(2026, 12, 31))
    assert set(notices.invited_users(consultation, date(2026, 12, 31))) == {p.member}
    assert list(notices.invited_users(consultation, date(2027, 1, 1))) == []


def test_third_sector_procedures_reach_only_registered_third_sector_bodies(p):
    consultation = make_consultation(p, kind=ProcedureKind.CO_DESIGN)
    assert list(notices.invited_users(consultation)) == []
    runts_org = make_org("Cooperativa sociale", runts_number="RUNTS-12345", cpr_category="c")
    make_member(p.programme, runts_org)
    coop = make_user("coop@example.org")
    make_representative(runts_org, coop)
    make_representative(p.member_org, coop)  # also represents a body without RUNTS number: still invited
    assert set(notices.invited_users(consultation)) == {coop}


def test_staff_notices_go_to_the_programme_staff(p):
    consultation = make_consultation(p)
    assert set(notices.programme_staff(consultation)) == {p.staff}


# --- What, and only once ------------------------------------------------------------------------------------


def test_opened_notice_once_with_link_and_email(p, django_capture_on_commit_callbacks):
    consultation = make_consultation(p)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.notify_consultation_opened(consultation) == 1
        assert notices.notify_consultation_opened(consultation) == 0
    notice = Notification.objects.get(kind="consultation_opened")
    assert notice.recipient == p.member
    assert notice.key == f"consultation:{consultation.pk}:opened"
    assert notice.url == it_url("consultations:detail", kwargs={"pk": consultation.pk})
    assert "Consultazione sulla bozza" in notice.subject
    assert [m.to for m in mail.outbox] == [["member@example.org"]]


def test_closing_soon_notice_once(p):
    consultation = make_consultation(p)
    assert notices.notify_closing_soon(consultation) == 1
    assert notices.notify_closing_soon(consultation, date(2026, 12, 10)) == 0
    assert recipients("consultation_closing") == {"member@example.org"}


def test_opening_failure_notice_goes_to_staff_once_a_day(p):
    consultation = make_consultation(p, state=ConsultationState.SCHEDULED)
    assert notices.notify_opening_failed(consultation, "Publish the documents.", date(2026, 11, 16)) == 1
    assert notices.notify_opening_failed(consultation, "Publish the documents.", date(2026, 11, 16)) == 0
    assert notices.notify_opening_failed(consultation, "Publish the documents.", date(2026, 11, 17)) == 1
    assert recipients("consultation_open_failed") == {"staff@example.org"}
    notice = Notification.objects.filter(kind="consultation_open_failed").first()
    assert "Publish the documents." in notice.body
    assert notice.url == it_url("manage_consultations:detail", kwargs={"pk": consultation.pk})


def test_question_answered_goes_to_the_asker(p):
    consultation = make_consultation(p)
    question = Question.objects.create(
        consultation=consultation, asked_by=p.non_member, asker_name="Non Member", body="Quando?"
    )
    assert notices.notify_question_answered(question) == 1
    assert notices.notify_question_answered(question) == 0
    notice = Notification.objects.get(kind="question_answered")
    assert notice.recipient == p.non_member
    assert notice.url.endswith(f"#question-{question.pk}")
    anonymous = Question.objects.create(consultation=consultation, asked_by=None, asker_name="X", body="?")
    assert notices.notify_question_answered(anonymous) == 0


def _contribution(p, consultation, author, number: int, **fields):
    return Contribution.objects.create(
        consultation=consultation,
        number=number,
        version=p.document.versions.get(),
        author=author,
        author_name=str(author),
        organization=p.member_org,
        body="Proposta.",
        **fields,
    )


def test_disposition_notice_goes_to_the_author(p):
    consultation = make_consultation(p, state=ConsultationState.CLOSED)
    contribution = _contribution(p, consultation, p.member, 1)
    disposition = Disposition.objects.create(
        contribution=contribution, outcome=DispositionOutcome.ACCEPTED, reason="Accolta.", decided_by=p.staff
    )
    assert notices.notify_disposition_given(disposition) == 1
    assert notices.notify_disposition_given(disposition) == 0
    notice = Notification.objects.get(kind="disposition_given")
    assert notice.recipient == p.member
    assert notice.url == it_url("contributions:detail", kwargs={"pk": contribution.pk})


def test_outcome_notice_reaches_every_participant_once(p):
    consultation = make_consultation(p, state=ConsultationState.OUTCOME_PUBLISHED)
    _contribution(p, consultation, p.member, 1)
    _contribution(p, consultation, p.member, 2)
    _contribution(p, consultation, p.expired, 3, state=ContributionState.WITHDRAWN)
    Question.objects.create(consultation=consultation, asked_by=p.non_member, asker_name="N", body="?")
    assert notices.notify_outcome_published(consultation) == 2
    assert notices.notify_outcome_published(consultation) == 0
    assert recipients("outcome_published") == {"member@example.org", "non_member@example.org"}
    notice = Notification.objects.filter(kind="outcome_published").first()
    assert notice.url == it_url("outcomes:report", kwargs={"pk": consultation.pk})
