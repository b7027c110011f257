"""Reads for the portal's own pages (home, staff home): a few aggregate queries, whatever the data size."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from officine.core.models import AuditEvent
from officine.programmes.models import Membership, Programme
from officine.registry.models import Organization


@dataclass
class HomeSummary:
    programmes_2021: int
    national_2021: int
    regional_2021: int
    organisations: int
    members: int
    with_partnership: int
    featured: list


def home_summary(featured_count: int = 6) -> HomeSummary:
    today = timezone.localdate()
    counts = Programme.objects.aggregate(
        total=Count("pk", filter=Q(cycle="2021-2027")),
        national=Count("pk", filter=Q(cycle="2021-2027", kind="national")),
        regional=Count("pk", filter=Q(cycle="2021-2027", kind="regional")),
    )
    # Rank on the memberships table alone (one GROUP BY on an indexed column), then fetch the few winners.
    top = list(
        Membership.objects.current(today)
        .values("programme_id")
        .annotate(partner_count=Count("organization_id", distinct=True))
        .order_by("-partner_count", "programme_id")[:featured_count]
    )
    partner_counts = {row["programme_id"]: row["partner_count"] for row in top}
    featured = sorted(
        Programme.objects.filter(pk__in=partner_counts).select_related("managing_authority", "region"),
        key=lambda p: (-partner_counts[p.pk], p.title_it),
    )
    for programme in featured:
        programme.partner_count = partner_counts[programme.pk]
    return HomeSummary(
        programmes_2021=counts["total"],
        national_2021=counts["national"],
        regional_2021=counts["regional"],
        organisations=Organization.objects.filter(is_active=True).count(),
        members=Membership.objects.current(today).values("organization_id").distinct().count(),
        with_partnership=Membership.objects.current(today).values("programme_id").distinct().count(),
        featured=featured,
    )


def staff_overview(user, recent: int = 10) -> dict:
    """Programmes the user works on and the latest audit events on them (admins see all events)."""
    if user.is_superuser:
        programmes = list(Programme.objects.order_by("title_it").filter(staff__isnull=False).distinct()[:50])
    else:
        programmes = list(Programme.objects.filter(pk__in=user.staffed_programme_ids).order_by("title_it"))
    events = AuditEvent.objects.select_related("actor")
    if not user.is_superuser:
        events = events.filter(actor=user)
    return {"programmes": programmes, "events": list(events[:recent])}
