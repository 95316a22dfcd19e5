"""Dashboards fixtures: the two labs (tests/builders/labs.py: a London lab, a North West lab)
and a North West trainee."""

import pytest

from rastrack.accounts.roles import Role
from tests.builders.labs import (  # noqa: F401 - fixtures
    lab_fixture,
    london_site_fixture,
    other_lab_fixture,
    other_lab_manager_fixture,
)
from tests.builders.people import UserFactory


@pytest.fixture
def north_trainee(north_west):
    return UserFactory(full_name="Nia Northtrainee", roles=[Role.TRAINEE], region=north_west)
