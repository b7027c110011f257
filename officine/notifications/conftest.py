"""Fixtures of the notification tests: two people to notify."""

import pytest

from officine.conftest import make_user


@pytest.fixture
def anna(db):
    return make_user("anna@example.org", full_name="Anna Rossi")


@pytest.fixture
def bruno(db):
    return make_user("bruno@example.org", full_name="Bruno Bianchi")
