"""Recommendations of a body to the managing authority and the authority's reply (CPR Art. 40(3): the
committee may make recommendations, including on reducing the administrative burden for beneficiaries, and
the managing authority informs it of the actions taken).

A recommendation starts open; the managing authority replies with its position (accepted, partly accepted,
rejected) or reports it implemented. An accepted or partly accepted recommendation may later be reported as
implemented, with a new reply; a rejected or implemented one is final.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.audit import diff, record

from .auditing import picture
from .models import Body, Recommendation, RecommendationStatus

#: The statuses a reply may set, from each status.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    RecommendationStatus.OPEN: (
        RecommendationStatus.ACCEPTED,
        RecommendationStatus.PARTLY_ACCEPTED,
        RecommendationStatus.REJECTED,
        RecommendationStatus.IMPLEMENTED,
    ),
    RecommendationStatus.ACCEPTED: (RecommendationStatus.IMPLEMENTED,),
    RecommendationStatus.PARTLY_ACCEPTED: (RecommendationStatus.IMPLEMENTED,),
    RecommendationStatus.REJECTED: (),
    RecommendationStatus.IMPLEMENTED: (),
}


@transaction.atomic
def record_recommendation(actor, body: Body, data: Mapping[str, Any]) -> Recommendation:
    """Record a recommendation made by ``body`` (optionally at one of its meetings)."""
    errors: dict[str, list[str]] = {}
    text_it = (data.get("text_it") or "").strip()
    if not text_it:
        errors["text_it"] = [_("Write the recommendation in Italian.")]
    meeting = data.get("meeting")
    if meeting is not None and meeting.body_id != body.pk:
        errors["meeting"] = [_("This meeting is not a meeting of the body.")]
    made_on = data.get("date") or timezone.localdate()
    if made_on > timezone.localdate():
        errors["date"] = [_("A recommendation cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    recommendation = Recommendation.objects.create(
        body=body,
        meeting=meeting,
        text_it=text_it,
        text_en=(data.get("text_en") or "").strip(),
        date=made_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(actor, "meetings.recommendation.recorded", recommendation, diff({}, picture(recommendation)))
    return recommendation


@transaction.atomic
def reply_to_recommendation(
    actor, recommendation: Recommendation, reply: str, status: str, on: date | None = None
) -> Recommendation:
    """Record the managing authority's reply and the status it gives the recommendation."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    reply = (reply or "").strip()
    on = on or timezone.localdate()
    allowed = NEXT_STATUSES[recommendation.status]
    errors: dict[str, list[str]] = {}
    if not allowed:
        errors["status"] = [_("This recommendation has its final reply.")]
    elif status not in allowed:
        errors["status"] = [
            _("Choose one of: %(statuses)s.")
            % {"statuses": ", ".join(str(RecommendationStatus(s).label) for s in allowed)}
        ]
    if not reply:
        errors["reply"] = [_("Write the reply: what the managing authority did or will do, and why.")]
    if on < recommendation.date:
        errors["reply_date"] = [_("The reply cannot come before the recommendation.")]
    if errors:
        raise ValidationError(errors)
    before = picture(recommendation)
    recommendation.reply = reply
    recommendation.reply_date = on
    recommendation.status = status
    recommendation.save(update_fields=["reply", "reply_date", "status", "updated_at"])
    record(actor, "meetings.recommendation.replied", recommendation, diff(before, picture(recommendation)))
    return recommendation
