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
