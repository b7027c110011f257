"""``seed_scale --contributions N``: one closed consultation at scale, realistic, removable, and its public
pages cost the same queries at any size (issue 3, item 13)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from officine.consultations.models import (
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Disposition,
    DispositionOutcome,
    Section,
    SectionChange,
    VersionStatus,
)
from officine.core.search import apply_search
from officine.portal.demo.synthetic import (
    synthetic_contribution_count,
    synthetic_counts,
    synthetic_programmes,
)
from officine.registry.models import Organization

pytestmark = pytest.mark.django_db

SMALL = ["--organisations", "80", "--programmes", "2", "--representatives", "0"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def test_contributions_are_seeded_with_document_and_dispositions():
    output = seed(*SMALL, "--contributions", "400")
    assert synthetic_contribution_count() == 400
    for table in ("consultation", "contributions", "dispositions"):
        assert any(line.startswith(table) and "rows/s" in line for line in output.splitlines()), output
    consultation = Consultation.objects.get()
    assert consultation.state == ConsultationState.CLOSED and consultation.is_demo
    assert consultation.programme == synthetic_programmes().order_by("cci").first()
    (document,) = consultation.documents.all()
    v1, v2 = document.versions.order_by("number")
    assert v1.status == v2.status == VersionStatus.PUBLISHED and v2.previous == v1
    assert v1.sections.count() == v2.sections.count() == 30
    assert v2.sections.filter(change=SectionChange.MODIFIED).exists()
    assert set(v1.sections.values_list("key", flat=True)) == set(v2.sections.values_list("key", flat=True))

    contributions = Contribution.objects.filter(consultation=consultation)
    assert sorted(contributions.values_list("number", flat=True)) == list(range(1, 401))
    assert contributions.values("organization").distinct().count() > 40, "from many organisations"
    assert contributions.filter(organization__isnull=True).exists(), "and a few citizens"
    assert (
        contributions.filter(section__isnull=True).exists()
        and contributions.filter(section__version=v1).exists()
    )
    assert not contributions.filter(search_document="").exists()
    assert contributions.filter(created_at__date__lt=consultation.opens_on).count() == 0
    assert contributions.filter(created_at__date__gt=consultation.closes_on).count() == 0
    submitted = contributions.filter(state=ContributionState.SUBMITTED)
    disposed = submitted.filter(current_disposition__isnull=False).count()
    assert 0.75 * submitted.count() < disposed < submitted.count(), "dispositions on most, not all"
    assert not contributions.filter(
        state=ContributionState.WITHDRAWN, current_disposition__isnull=False
    ).exists()
    accepted = Disposition.objects.filter(
        contribution__consultation=consultation, outcome__in=DispositionOutcome.needing_changes()
    )
    assert accepted.exists()
    assert not accepted.filter(changed_sections__isnull=True).exists(), "accepted ones link the change"
    linked = Section.objects.filter(dispositions__in=accepted).distinct()
    assert set(linked.values_list("version_id", flat=True)) == {v2.pk}
    assert not linked.exclude(change=SectionChange.MODIFIED).exists()
    assert apply_search(contributions, "comuni").exists()


def test_without_contributions_nothing_is_added():
    seed(*SMALL)
    assert not Consultation.objects.exists()
    assert synthetic_contribution_count() == 0


def test_clear_removes_the_consultation_and_reseeds():
    seed(*SMALL, "--contributions", "120")
    output = seed(*SMALL, "--contributions", "60", "--clear")
    assert "120 contributions" in output and "1 consultations" in output
    assert synthetic_contribution_count() == 60
    assert Consultation.objects.count() == 1
    assert synthetic_counts()["organisations"] == 80
    seed("--organisations", "10", "--programmes", "1", "--representatives", "0", "--clear")
    assert not Consultation.objects.exists() and not Contribution.objects.exists()
    assert Organization.objects.filter(acronym__startswith="SYN-").count() == 10


def test_negative_contributions_are_refused():
    with pytest.raises(CommandError, match="contributions"):
        seed(*SMALL, "--contributions", "-1")


def page_queries(client) -> dict[str, int]:
    consultation = Consultation.objects.get()
    base = f"/it/consultations/{consultation.pk}/"
    urls = {
        "detail": base,
        "contributions": f"{base}contributions/?cpr_category=c&disposition=not_accepted&page=2",
    }
    counts = {}
    for name, url in urls.items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts[name] = len(queries.captured_queries)
    return counts


def test_consultation_pages_cost_the_same_queries_at_any_size(client):
    seed(*SMALL, "--contributions", "300")
    small = page_queries(client)
    seed(*SMALL, "--contributions", "1500", "--clear")
    assert page_queries(client) == small
