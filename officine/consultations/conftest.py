"""Fixtures of the consultations tests: the programme's staff (TOTP enrolled, so staff pages let them in),
the programme, another programme with its own staff, a platform administrator, and a client logged in as
staff. A test module may still define its own fixture of the same name when it needs something else."""

import pytest

from officine.consultations.tests import factories


@pytest.fixture
def staff(db):
    return factories.make_staff(full_name="Staff Programma")


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
def staff_client(client, staff):
    client.force_login(staff)
    return client
