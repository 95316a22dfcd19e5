"""The test personas (tests/conftest.py's fixtures of the same names), as functions, so that a
module-wide world (tests/builders/held.py) can make the same people once.

`trainee` is the subject; `other_trainee` must never see the trainee's records;
`assigned_trainer` supervises the trainee; `unassigned_trainer` does not; `lead` leads the
trainee's region (London), `other_lead` another region (North West); `admin` is a programme
admin; `lab_manager` runs a London lab.
"""

from __future__ import annotations

from types import SimpleNamespace

from rastrack.accounts.roles import Role
from tests.builders.faculty import accredit, assign
from tests.builders.people import UserFactory, region


def make_trainee(london):
    return UserFactory(full_name="Tara Trainee", roles=[Role.TRAINEE], region=london)


def make_other_trainee(london):
    return UserFactory(full_name="Otto Othertrainee", roles=[Role.TRAINEE], region=london)


def make_assigned_trainer(london, trainee):
    """Accredited two years ago (until a year from now), the trainee's educational
    supervisor since a year ago, holding the right on the trainee's portfolio."""
    trainer = UserFactory(full_name="Ada Assigned", roles=[Role.TRAINER], region=london)
    accredit(trainer)
    assign(trainer, trainee)
    return trainer


def make_unassigned_trainer(london):
    """Accredited just like `assigned_trainer`, but assigned to nobody."""
    trainer = UserFactory(full_name="Uma Unassigned", roles=[Role.TRAINER], region=london)
    accredit(trainer)
    return trainer


def make_lab_manager(london):
    return UserFactory(full_name="Lars Labmanager", roles=[Role.LAB_MANAGER], region=london)


def make_lead(london):
    return UserFactory(full_name="Lena Lead", roles=[Role.REGIONAL_LEAD], region=london)


def make_other_lead(north_west):
    return UserFactory(full_name="Nils Northwest", roles=[Role.REGIONAL_LEAD], region=north_west)


def make_admin():
    return UserFactory(full_name="Pam Programme", roles=[Role.PROGRAMME_ADMIN])


def make_personas() -> SimpleNamespace:
    """Every persona at once (in the order the fixtures would make them)."""
    london, north_west = region("london"), region("north-west")
    trainee = make_trainee(london)
    return SimpleNamespace(
        london=london, north_west=north_west, trainee=trainee, other_trainee=make_other_trainee(london),
        assigned_trainer=make_assigned_trainer(london, trainee), unassigned_trainer=make_unassigned_trainer(london),
        lab_manager=make_lab_manager(london), lead=make_lead(london), other_lead=make_other_lead(north_west),
        admin=make_admin(),
    )
