"""``load_demo_monitoring``: synthetic data for the demo programmes, labelled synthetic, run once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from officine.monitoring.models import ProgrammeCoverage, Release
from officine.portal.demo.loader import load_demo


@pytest.mark.django_db
def test_demo_release_is_synthetic_covers_the_demo_programmes_and_runs_once() -> None:
    load_demo()
    out = StringIO()
    call_command("load_demo_monitoring", "--rows", "400", stdout=out)
    release = Release.objects.get()
    assert release.is_synthetic and release.status == "current" and release.project_count == 400
    assert "not OpenCoesione's figures" in out.getvalue()
    covered = set(ProgrammeCoverage.objects.filter(release=release).values_list("programme__cci", flat=True))
    assert {"2021IT05FFPR003", "2021IT05SFPR004"} <= covered  # the two demo partnerships' programmes
    out = StringIO()
    call_command("load_demo_monitoring", "--rows", "400", "--if-empty", stdout=out)
    assert "already in use" in out.getvalue() and Release.objects.count() == 1
