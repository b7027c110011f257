"""What the consultation tells people, and whom (issue 3, point 8).

Each ``notify_*`` function builds one event's notice and says whom it is for; ``_sends_notice`` hands it to
``officine.notifications.services.notify`` and the caller gets the number of people notified. The ``key``
names the event so that running a job twice never repeats a notice. Texts are written in the platform's
default language (Italian), the language of the administration's correspondence.
"""

from collections.abc import Callable, Iterable
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from officine.notifications.services import Notice, notify
from officine.programmes.models import Membership, ProgrammeStaff
from officine.registry.models import Organization, Representative

from .models import Audience, Consultation, ContributionState, Disposition, Question


def _sends_notice(build: Callable[..., tuple[Iterable, Notice]]) -> Callable[..., int]:
    """Turn a function returning (recipients, notice) into one that sends it and returns how many were
    notified. The notice is built and sent in the platform's language whatever the current request's, so
    its text and its link (``/it/…``) are those of the administration's correspondence."""

    @wraps(build)
    def send(*args, **kwargs) -> int:
        with translation.override(settings.LANGUAGE_CODE):
            recipients, notice = build(*args, **kwargs)
            return len(notify(recipients, notice))

    return send


def _consultation_url(consultation: Consultation) -> str:
    return reverse("consultations:detail", kwargs={"pk": consultation.pk})


def invited_users(consultation: Consultation, on: date | None = None):
    """Representatives (mandate in force) of the programme's current consulted members.

    Public consultations are announced to the same people: the public at large has no account to notify.
    Co-programming and co-design go only to registered third-sector bodies.

    The conditions apply to one and the same mandate: someone whose mandate for a member has expired is
    not invited because they still represent a non-member, and vice versa.
    """
    today = on or timezone.localdate()
    members = Membership.objects.current(today).filter(
        programme_id=consultation.programme_id, is_consultee=True
    )
    organizations = Organization.objects.filter(pk__in=members.values("organization_id"), is_active=True)
    if consultation.is_third_sector_procedure:
        organizations = organizations.exclude(runts_number="")
    mandates = Representative.objects.in_force(today).filter(
        organization__in=organizations, user__isnull=False
    )
    return get_user_model().objects.filter(is_active=True, pk__in=mandates.values("user_id"))


def programme_staff(consultation: Consultation):
    """The people who run the consultation: the programme's staff."""
    return get_user_model().objects.filter(
        is_active=True,
        pk__in=ProgrammeStaff.objects.filter(programme_id=consultation.programme_id).values("user_id"),
    )


def participants(consultation: Consultation):
    """Everyone who contributed (and did not withdraw) or asked a question."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(
                contributions__consultation=consultation,
                contributions__state=ContributionState.SUBMITTED,
            )
            | Q(pk__in=Question.objects.filter(consultation=consultation).values("asked_by_id"))
        )
        .distinct()
    )


@_sends_notice
def notify_consultation_opened(consultation: Consultation) -> tuple[Iterable, Notice]:
    audience = _("open to everyone") if consultation.audience == Audience.PUBLIC else _("open to partners")
    return invited_users(consultation), Notice(
        kind="consultation_opened",
        key=f"consultation:{consultation.pk}:opened",
        subject=_("Consultation open: %(title)s") % {"title": consultation.title},
        body=_(
            "The consultation “%(title)s” (%(audience)s) is open. You can send contributions until "
            "%(date)s included."
        )
        % {
            "title": consultation.title,
            "audience": audience,
            "date": date_format(consultation.closes_on, "DATE_FORMAT"),
        },
        url=_consultation_url(consultation),
    )


@_sends_notice
def notify_closing_soon(consultation: Consultation, today: date | None = None) -> tuple[Iterable, Notice]:
    return invited_users(consultation, today), Notice(
        kind="consultation_closing",
        key=f"consultation:{consultation.pk}:closing",
        subject=_("Closing soon: %(title)s") % {"title": consultation.title},
        body=_("The consultation “%(title)s” accepts contributions until %(date)s included.")
        % {"title": consultation.title, "date": date_format(consultation.closes_on, "DATE_FORMAT")},
        url=_consultation_url(consultation),
    )


@_sends_notice
def notify_question_answered(question: Question) -> tuple[Iterable, Notice]:
    return [question.asked_by], Notice(
        kind="question_answered",
        key=f"question:{question.pk}:answered",
        subject=_("Your question was answered: %(title)s") % {"title": question.consultation.title},
        body=_("The staff answered your question on the consultation “%(title)s”.")
        % {"title": question.consultation.title},
        url=reverse("contributions:questions", kwargs={"pk": question.consultation_id})
        + f"#question-{question.pk}",
    )


@_sends_notice
def notify_disposition_given(disposition: Disposition) -> tuple[Iterable, Notice]:
    contribution = disposition.contribution
    return [contribution.author], Notice(
        kind="disposition_given",
        key=f"disposition:{disposition.pk}",
        subject=_("Disposition of your contribution #%(number)d") % {"number": contribution.number},
        body=_("Your contribution #%(number)d to “%(title)s”: %(outcome)s.")
        % {
            "number": contribution.number,
            "title": contribution.consultation.title,
            "outcome": disposition.get_outcome_display(),
        },
        url=reverse("contributions:detail", kwargs={"pk": contribution.pk}),
    )


@_sends_notice
def notify_outcome_published(consultation: Consultation) -> tuple[Iterable, Notice]:
    return participants(consultation), Notice(
        kind="outcome_published",
        key=f"consultation:{consultation.pk}:outcome",
        subject=_("Outcome published: %(title)s") % {"title": consultation.title},
        body=_(
            "The outcome of the consultation “%(title)s” is published: what was asked, what you said, "
            "what was done with each contribution."
        )
        % {"title": consultation.title},
        url=reverse("outcomes:report", kwargs={"pk": consultation.pk}),
    )


@_sends_notice
def notify_opening_failed(consultation: Consultation, reason: str, today: date) -> tuple[Iterable, Notice]:
    """Tell the programme's staff that the daily job could not open a consultation due today.

    Keyed by day: while the problem lasts, staff are reminded each morning, because the opening date was
    announced publicly and partners are waiting.
    """
    return programme_staff(consultation), Notice(
        kind="consultation_open_failed",
        key=f"consultation:{consultation.pk}:open_failed:{today.isoformat()}",
        subject=_("Consultation not opened: %(title)s") % {"title": consultation.title},
        body=_(
            "The consultation “%(title)s” was due to open on %(date)s but it could not be opened: "
            "%(reason)s It stays scheduled; fix the problem and open it from its page."
        )
        % {
            "title": consultation.title,
            "date": date_format(consultation.opens_on, "DATE_FORMAT"),
            "reason": reason,
        },
        url=reverse("manage_consultations:detail", kwargs={"pk": consultation.pk}),
    )
