"""Fixtures of the meetings tests: programme staff (TOTP enrolled), their programme, another programme
with its own staff, a platform administrator, and a monitoring committee serving the staff's programme."""

import pytest

from officine.meetings.tests import factories


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def programme(staff):
    return factories.staff_programme()


@pytest.fixture
def other_programme(programme):
    return factories.make_other_programme(programme)


@pytest.fixture
def other_staff(other_programme):
    return factories.add_staff(other_programme, "altro@example.org")


@pytest.fixture
def admin(db):
    return factories.make_admin()


@pytest.fixture
def body(programme):
    return factories.make_body([programme])
