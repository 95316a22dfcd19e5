"""Dashboards fixtures: the labs fixtures (a London lab, a North West lab) and a North West
trainee."""

import pytest

from rastrack.accounts.roles import Role
from tests.factories import UserFactory
from tests.labs.conftest import lab, london_site, other_lab, other_lab_manager  # noqa: F401


@pytest.fixture
def north_trainee(north_west):
    return UserFactory(full_name="Nia Northtrainee", roles=[Role.TRAINEE], region=north_west)
