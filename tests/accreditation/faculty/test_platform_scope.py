"""Trainer rights are platform-scoped: validation, verification and assessment of a case only
on the platforms the trainer's accreditation covers; a sign-off or an assessment tied to no
case is not platform-scoped. A case whose named supervisor is not accredited for its platform
goes to an assigned trainer who is; with none, it cannot be submitted."""

from __future__ import annotations

import pytest

from accreditation.faculty.eligibility import can_supervise
from accreditation.faculty.models import Accreditation
from accreditation.logbook import services as logbook
from accreditation.signoff import services as signoff
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError, NotPermitted
from tests.builders.faculty import accredit, assign
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
from tests.builders.signoff import gears

pytestmark = pytest.mark.django_db


@pytest.fixture
def xi_only(trainee, assigned_trainer):
    acc = Accreditation.objects.get(trainer=assigned_trainer)
    Accreditation.objects.filter(pk=acc.pk).unaudited_update("test: narrow the platforms", platforms=["davinci_xi"])
    return assigned_trainer


def test_the_rule_reads_the_platform(trainee, xi_only):
    assert can_supervise(xi_only, trainee)
    assert can_supervise(xi_only, trainee, platform="davinci_xi")
    assert not can_supervise(xi_only, trainee, platform="hugo")
    assert not can_supervise(xi_only, trainee, platform="davinci_x")  # "davinci_x" is not "davinci_xi"


def test_a_case_on_another_platform_goes_to_an_assigned_trainer_accredited_for_it(trainee, xi_only, london):
    hugo_trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(hugo_trainer, platforms=["hugo"])
    assign(hugo_trainer, trainee, kind="clinical_supervisor")
    case = make_case(trainee, status="submitted", platform="hugo")
    assert case.validator_id == hugo_trainer.pk
    with pytest.raises(NotPermitted):
        logbook.case_validate(case=case, actor=xi_only)
    logbook.case_validate(case=case, actor=hugo_trainer)


def test_without_an_eligible_trainer_the_case_cannot_be_submitted(trainee, xi_only):
    case = make_case(trainee, status="draft", platform="hugo")
    with pytest.raises(ApplicationError, match="accredited on the Medtronic Hugo RAS"):
        logbook.case_submit(case=case, actor=trainee)


def test_assessment_of_a_case_on_another_platform_is_refused(trainee, xi_only, london):
    hugo_trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(hugo_trainer, platforms=["hugo"])
    assign(hugo_trainer, trainee, kind="clinical_supervisor")
    case = make_case(trainee, hugo_trainer, platform="hugo")
    with pytest.raises(NotPermitted, match="does not cover"):
        signoff.assessment_create(actor=xi_only, trainee=trainee, tool="gears", scores=gears(18), case=case)
    signoff.assessment_create(actor=hugo_trainer, trainee=trainee, tool="gears", scores=gears(18), case=case)
    # Not tied to a case: not platform-scoped.
    signoff.assessment_create(actor=xi_only, trainee=trainee, tool="gears", scores=gears(18))
