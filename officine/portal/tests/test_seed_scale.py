"""``seed_scale``: synthetic rows in bulk, clearly marked, counted, searchable and removable."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from officine.core.models import AuditEvent
from officine.core.search import apply_search
from officine.meetings.models import (
    PRESENT_STATUSES,
    Attendance,
    Body,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingState,
    Minutes,
    Seat,
    SeatRole,
    Vote,
)
from officine.meetings.tests.factories import make_body, make_meeting, make_seat
from officine.portal.demo.synthetic import (
    SYNTHETIC_CCI_PREFIX,
    synthetic_counts,
    synthetic_organizations,
    synthetic_programmes,
)
from officine.portal.demo.synthetic_meetings import (
    BODY_NAME_PREFIX,
    synthetic_bodies,
    synthetic_meeting_counts,
    synthetic_meetings,
)
from officine.programmes.models import Membership, Programme
from officine.programmes.validators import validate_cci
from officine.registry.models import Organization, Representative

pytestmark = pytest.mark.django_db

SMALL = ["--organisations", "50", "--programmes", "3", "--representatives", "100"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def real_organisation() -> Organization:
    """A non-synthetic organisation (with a membership) that --clear must leave alone."""
    org = Organization.objects.create(
        name="Associazione reale di prova",
        legal_form="association",
        eccp_subcategory="c.i",
        cpr_category="c",
        territorial_level="national",
        tax_code="80012345678",
    )
    programme = Programme.objects.create(
        cci="2021IT05SFPR099",
        title_it="PR di prova",
        cycle="2021-2027",
        kind="national",
        managing_authority=org,
    )
    Membership.objects.create(
        programme=programme,
        organization=org,
        start_date="2023-01-01",
        selection_act_number="1/2023",
        selection_act_date="2022-12-01",
    )
    return org


def test_counts_match_the_request():
    output = seed(*SMALL)
    assert synthetic_counts() == {"organisations": 50, "programmes": 3, "representatives": 100}
    assert Representative.objects.filter(role="delegate").count() == 50, "one delegate per organisation"
    for table in ("organisations", "programmes", "memberships", "representatives"):
        assert any(line.startswith(table) and "rows/s" in line for line in output.splitlines()), output
    assert "total" in output


def test_rows_are_marked_synthetic_and_valid():
    seed(*SMALL)
    for org in synthetic_organizations():
        assert org.is_demo
        assert "Sintetic" in org.name
        assert org.acronym.startswith("SYN-")
        assert org.search_document.strip()
        assert not org.civil_society_focus or org.cpr_category == "c"
    for programme in synthetic_programmes():
        assert programme.cci.startswith(SYNTHETIC_CCI_PREFIX)
        validate_cci(programme.cci)
        programme.full_clean()
        assert programme.funds.exists()
        assert programme.is_demo
    assert all(r.is_demo and r.email.endswith("@example.org") for r in Representative.objects.all())
    assert Membership.objects.filter(is_demo=False).count() == 0


def test_every_programme_gets_between_30_and_all_organisations():
    seed(*SMALL)
    sizes = synthetic_programmes().annotate(n=Count("memberships")).values_list("n", flat=True)
    assert all(30 <= n <= 50 for n in sizes)


def test_regional_and_local_organisations_have_a_territory():
    seed(*SMALL)
    placed = synthetic_organizations().exclude(territorial_level="national")
    assert placed.exists()
    assert placed.filter(territories__isnull=True).count() == 0
    assert (
        synthetic_organizations().filter(territorial_level="national", territories__isnull=False).count() == 0
    )


def test_search_finds_synthetic_organisations():
    seed(*SMALL)
    found = apply_search(Organization.objects.all(), "associazione sintetica")
    assert found.exists()
    assert set(found.values_list("pk", flat=True)) <= set(
        synthetic_organizations().values_list("pk", flat=True)
    )
    number = synthetic_organizations().order_by("pk").first().acronym.removeprefix("SYN-")
    assert apply_search(Organization.objects.all(), number).count() == 1


def test_same_seed_gives_same_data():
    seed(*SMALL)
    first = list(synthetic_organizations().order_by("acronym").values_list("name", "cpr_category"))
    seed(*SMALL, "--clear")
    assert list(synthetic_organizations().order_by("acronym").values_list("name", "cpr_category")) == first


def test_rerun_without_clear_refuses(real_organisation):
    seed(*SMALL)
    with pytest.raises(CommandError, match="--clear"):
        seed(*SMALL)
    assert synthetic_counts()["organisations"] == 50


def test_clear_replaces_synthetic_rows_only(real_organisation):
    seed(*SMALL)
    output = seed("--organisations", "20", "--programmes", "2", "--representatives", "40", "--clear")
    assert "Cleared synthetic data" in output and "50 organisations" in output
    assert synthetic_counts() == {"organisations": 20, "programmes": 2, "representatives": 40}
    assert Organization.objects.filter(pk=real_organisation.pk).exists()
    assert Programme.objects.filter(cci="2021IT05SFPR099").exists()
    assert Membership.objects.filter(organization=real_organisation).count() == 1


def test_seeding_is_recorded_in_the_audit_trail():
    seed(*SMALL)
    event = AuditEvent.objects.get(action="seed_scale")
    assert event.actor is None
    assert event.changes["organisations"] == 50 and event.changes["representatives"] == 100


@pytest.mark.parametrize("programmes", ["0", "1000"])
def test_programme_count_out_of_range_is_refused(programmes):
    with pytest.raises(CommandError, match="programmes"):
        seed("--organisations", "10", "--programmes", programmes, "--representatives", "0")
    assert not synthetic_organizations().exists()


def page_query_counts(client) -> dict[str, int]:
    """Queries per public page, on the largest synthetic programme and the busiest organisation."""
    programme = synthetic_programmes().annotate(n=Count("memberships")).order_by("-n", "pk").first()
    organization = (
        synthetic_organizations()
        .annotate(n=Count("memberships", distinct=True), r=Count("representatives", distinct=True))
        .order_by("-n", "-r", "pk")
        .first()
    )
    urls = {
        "home": "/it/",
        "directory": "/it/partners/",
        "search": "/it/partners/?q=inclusione&cpr_category=c",
        "programme": f"/it/programmes/{programme.cci}/",
        "organisation": f"/it/partners/{organization.pk}/",
    }
    counts = {}
    for name, url in urls.items():
        client.get(url)  # first request fills per-process caches (content types, site settings)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[name] = len(queries.captured_queries)
    return counts


def test_page_query_counts_are_the_same_at_100_and_10000_organisations(client):
    """Issue #2 item 9: a page's query count must not grow with the data."""
    seed("--organisations", "100", "--programmes", "5", "--representatives", "300")
    small = page_query_counts(client)
    seed("--organisations", "10000", "--programmes", "50", "--representatives", "30000", "--clear")
    large = page_query_counts(client)
    assert small == large


# --- Bodies and meetings (issue 4, point 11) -------------------------------------------------------

MEETINGS = [*SMALL, "--bodies", "8", "--meetings", "60"]


def test_bodies_and_meetings_are_seeded_valid_and_marked():
    output = seed(*MEETINGS)
    for table in (
        "bodies",
        "seats",
        "meetings",
        "agenda items",
        "meeting documents",
        "attendance",
        "minutes",
    ):
        assert any(line.startswith(table) and "rows/s" in line for line in output.splitlines()), output
    assert synthetic_meeting_counts() == {"bodies": 8, "meetings": 60}
    programmes = set(synthetic_programmes().values_list("pk", flat=True))
    for body in synthetic_bodies().prefetch_related("programmes"):
        assert body.is_demo and body.name_it.startswith(BODY_NAME_PREFIX)
        assert {p.pk for p in body.programmes.all()} <= programmes
        body.full_clean()
        seats = Seat.objects.filter(body=body).in_force()
        assert seats.count() >= 12
        assert seats.filter(role=SeatRole.CHAIR).count() == 1
        assert seats.filter(role=SeatRole.VOTING_MEMBER).exists()
        assert not seats.exclude(organization__in=synthetic_organizations()).exists()
    for seat in Seat.objects.filter(replaces__isnull=False).select_related("replaces"):
        assert seat.replaces.end_date == seat.start_date - timedelta(days=1)
    now = timezone.now()
    for meeting in synthetic_meetings():
        meeting.full_clean(exclude=["created_by"])
        assert meeting.agenda_items.exists()
        if meeting.state == MeetingState.HELD:
            assert meeting.starts_at < now
        if meeting.state in (MeetingState.CONVENED, MeetingState.DRAFT):
            assert meeting.starts_at > now
        if meeting.kind == MeetingKind.BODY_MEETING and meeting.state == MeetingState.HELD:
            in_force = Seat.objects.filter(body=meeting.body_id).in_force(meeting.day).count()
            assert meeting.attendances.count() == in_force
            assert not meeting.agenda_items.filter(outcome="").exists()
        else:
            assert not meeting.attendances.exists()
    for vote in Vote.objects.select_related("item", "seat"):
        attendance = Attendance.objects.get(meeting=vote.item.meeting_id, seat=vote.seat)
        assert attendance.status in PRESENT_STATUSES and vote.seat.has_vote
    assert Vote.objects.exists() and Minutes.objects.exists()
    assert not Minutes.objects.exclude(meeting__state=MeetingState.HELD).exists()
    for document in MeetingDocument.objects.all():
        assert document.published_at <= document.meeting.starts_at
        assert document.file.open().read(5) == b"%PDF-"


def test_meetings_are_cleared_with_the_synthetic_data(real_organisation):
    real_body = make_body([Programme.objects.get(cci="2021IT05SFPR099")], name_it="Comitato reale")
    make_seat(real_body, organization=real_organisation)
    make_meeting(real_body)
    seed(*MEETINGS)
    output = seed("--organisations", "20", "--programmes", "2", "--representatives", "0", "--clear")
    assert "8 bodies" in output and "60 meetings" in output
    assert synthetic_meeting_counts() == {"bodies": 0, "meetings": 0}
    assert list(Body.objects.values_list("name_it", flat=True)) == ["Comitato reale"]
    assert Meeting.objects.count() == 1 and Seat.objects.count() == 1


def test_negative_meetings_are_refused():
    with pytest.raises(CommandError, match="bodies and meetings"):
        seed(*SMALL, "--meetings", "-1")
    assert not synthetic_organizations().exists()
