"""Load everything ``manage.py load_demo`` promises, in one transaction."""

from django.db import transaction

from officine.programmes.models import Programme

from .consultations import load_consultations
from .meetings import load_meetings
from .partnerships import load_partnerships
from .programmes import load_programmes
from .upsert import LoadStats


def database_has_programmes() -> bool:
    return Programme.objects.exists()


@transaction.atomic
def load_demo() -> LoadStats:
    """Reference programmes first (the partnerships hang on two of them), then the demo partnerships,
    then the demo consultations (their contributions come from the partnerships' members), then the demo
    monitoring committee with its meetings and a public web conference (seats held by those members).

    All or nothing: a bad row in a data file leaves the database as it was.
    """
    stats = LoadStats()
    programmes = load_programmes(stats)
    load_partnerships(stats, programmes)
    load_consultations(stats, programmes)
    load_meetings(stats, programmes)
    return stats
