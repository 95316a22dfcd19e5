"""Labs fixtures: a London lab run by `lab_manager`, a North West lab run by
`other_lab_manager` (a manager of another lab), both from tests/builders/labs.py, and
equipment, sessions and more people.

Session times come from `tests.builders.labs.when` (relative to the current week).
"""

from __future__ import annotations

import pytest

from labs import services
from labs.models import EquipmentKind
from rastrack.accounts.roles import Role
from tests.builders.labs import (  # noqa: F401 - fixtures
    lab_fixture,
    london_site_fixture,
    make_session,
    other_lab_fixture,
    other_lab_manager_fixture,
)
from tests.builders.people import UserFactory


@pytest.fixture
def simulators(lab, lab_manager):
    return services.equipment_create(actor=lab_manager, lab=lab, kind=EquipmentKind.VR_CONSOLE_SIMULATOR,
                                     model="da Vinci SimNow", count=2)


@pytest.fixture
def box_trainers(lab, lab_manager):
    return services.equipment_create(actor=lab_manager, lab=lab, kind=EquipmentKind.BOX_TRAINER,
                                     model="Box trainer", count=6)


@pytest.fixture
def session(lab, lab_manager):
    """Next week's Tuesday 10:00-12:00, 3 seats, no equipment."""
    return make_session(lab, lab_manager)


@pytest.fixture
def faculty_trainer(unassigned_trainer):
    """An accredited trainer (accredited two years ago for three years)."""
    return unassigned_trainer


@pytest.fixture
def third_trainee(london):
    return UserFactory(full_name="Thea Third", roles=[Role.TRAINEE], region=london)


@pytest.fixture
def north_trainee(north_west):
    return UserFactory(full_name="Nora North", roles=[Role.TRAINEE], region=north_west)
