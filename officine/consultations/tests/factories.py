"""Builders shared by the consultations tests (plain functions; the fixtures in ``../conftest.py`` wrap them).

Staff users get a TOTP authenticator because the MFA middleware sends staff without one to the enrolment
page; the service tests do not need it, but one set-up for both keeps the two kinds of tests on the same data.
Consultations are written straight to the database in whatever state a test needs: the state machine has its
own tests (``test_lifecycle.py``).
"""

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from officine.conftest import enrol_totp, make_programme_staff, make_user
from officine.consultations.models import Audience, Consultation, Document, Phase
from officine.programmes.models import Programme, ProgrammeStaff

# The programme ``make_programme_staff`` creates (PN Inclusione), and the one used as "another programme".
PROGRAMME_CCI = "2021IT05FFPR003"
OTHER_PROGRAMME_CCI = "2021IT05FFPR001"


def make_staff(email: str = "staff@example.org", **user_fields):
    """A member of the staff of PN Inclusione (created with its managing authority), TOTP enrolled."""
    user = make_programme_staff(email, **user_fields)
    enrol_totp(user)
    return user


def staff_programme() -> Programme:
    """PN Inclusione, once :func:`make_staff` has created it."""
    return Programme.objects.get(cci=PROGRAMME_CCI)


def make_other_programme(
    programme: Programme, title_it: str = "PN Scuola e competenze 2021-2027"
) -> Programme:
    """A second national programme of the same managing authority: its staff must not reach ``programme``."""
    return Programme.objects.create(
        cci=OTHER_PROGRAMME_CCI,
        title_it=title_it,
        cycle="2021-2027",
        kind="national",
        managing_authority=programme.managing_authority,
    )


def add_staff(programme: Programme, email: str, **user_fields):
    """A new user on the staff of ``programme``, TOTP enrolled."""
    user = make_user(email, **user_fields)
    ProgrammeStaff.objects.create(programme=programme, user=user)
    enrol_totp(user)
    return user


def make_admin(email: str = "admin@example.org", **user_fields):
    """A platform administrator, TOTP enrolled."""
    user = make_user(email, is_superuser=True, is_staff=True, **user_fields)
    enrol_totp(user)
    return user


def make_consultation(programme: Programme, documents: Iterable[Document] = (), **fields) -> Consultation:
    """A partners' consultation in preparation of the programme, opening in a week for 40 days, in the
    model's default state (draft) unless ``state`` is given; ``fields`` override any default."""
    opens = timezone.localdate() + timedelta(days=7)
    defaults = {
        "title_it": "Consultazione sulla bozza",
        "phase": Phase.PREPARATION,
        "audience": Audience.PARTNERS,
        "opens_on": opens,
        "closes_on": opens + timedelta(days=40),
        "topics": ["priorities"],
    }
    consultation = Consultation.objects.create(programme=programme, **{**defaults, **fields})
    consultation.documents.add(*documents)
    return consultation
