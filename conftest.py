"""Test-session hooks for the whole repository."""

import pytest


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    fixtures = getattr(item, "fixturenames", [])
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests that flush the database (transactional and browser tests) after all the others.

    A flush empties every table, including the reference rows that data migrations load (ISTAT territories,
    EU funds). pytest-django already sorts transactional tests late, but places tests that reach the
    database only through an indirect fixture after them; this stable sort keeps every other test first.
    """
    items.sort(key=_is_transactional)


# Quality figures that tests record with ``record_property("triage_…", value)`` (clustering of contributions:
# adjusted Rand index, near-duplicate precision and recall), printed at the end of every run so that a change
# in quality shows in the test output, not only in a JUnit file.
_QUALITY_PREFIX = "triage_"
_quality_figures: list[tuple[str, object]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _quality_figures.extend(
            (name, value) for name, value in report.user_properties if name.startswith(_QUALITY_PREFIX)
        )


def pytest_terminal_summary(terminalreporter) -> None:
    if not _quality_figures:
        return
    terminalreporter.write_sep("-", "quality of the grouping of contributions")
    for name, value in _quality_figures:
        terminalreporter.write_line(f"{name.removeprefix(_QUALITY_PREFIX)}: {value}")
