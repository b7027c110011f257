"""Reads for the portal's own pages (home, staff home): a handful of aggregate queries, whatever the data size."""

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
    featured: list


def home_summary(featured_count: int = 6) -> HomeSummary:
    today = timezone.localdate()
    counts = Programme.objects.aggregate(
        total=Count("pk", filter=Q(cycle="2021-2027")),
        national=Count("pk", filter=Q(cycle="2021-2027", kind="national")),
        regional=Count("pk", filter=Q(cycle="2021-2027", kind="regional")),
    )
    current = Q(memberships__start_date__lte=today) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)
    )
    featured = list(
        Programme.objects.annotate(partner_count=Count("memberships", filter=current))
        .filter(partner_count__gt=0)
        .select_related("managing_authority", "region")
        .order_by("-partner_count", "title_it")[:featured_count]
    )
    return HomeSummary(
        programmes_2021=counts["total"],
        national_2021=counts["national"],
        regional_2021=counts["regional"],
        organisations=Organization.objects.filter(is_active=True).count(),
        members=Membership.objects.current().values("organization_id").distinct().count(),
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
