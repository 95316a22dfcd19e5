"""The one eligibility rule: accredited on the day, assigned on the day, active account."""

import datetime

import pytest

from accreditation.faculty.eligibility import (
    can_supervise,
    educational_supervisor_of,
    is_accredited_on,
    supervised_trainee_ids,
    supervisors_of,
)
from accreditation.faculty.models import AccreditationStatus, AssignmentKind
from rastrack.accounts import supervision as core_eligibility
from rastrack.accounts.roles import Role
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def _trainer(london, **kwargs):
    return UserFactory(roles=[Role.TRAINER], region=london, **kwargs)


def test_accredited_on_is_inclusive_of_both_ends(london):
    trainer = _trainer(london)
    acc = accredit(trainer, since=days_ago(100), expires_on=days_ago(10))
    assert is_accredited_on(trainer, acc.accredited_on)
    assert is_accredited_on(trainer, acc.expires_on)  # the last valid day
    assert not is_accredited_on(trainer, acc.accredited_on - datetime.timedelta(days=1))
    assert not is_accredited_on(trainer, acc.expires_on + datetime.timedelta(days=1))


@pytest.mark.parametrize("status", [AccreditationStatus.SUSPENDED, AccreditationStatus.LAPSED,
                                    AccreditationStatus.REVOKED])
def test_only_the_accredited_status_counts(london, trainee, status):
    trainer = _trainer(london)
    accredit(trainer, status=status)
    assign(trainer, trainee)
    assert not is_accredited_on(trainer, days_ago(1))
    assert not can_supervise(trainer, trainee)
    assert list(supervised_trainee_ids(trainer)) == []
    assert list(supervisors_of(trainee)) == []


def test_nobody_without_an_accreditation_is_accredited(trainee):
    assert not is_accredited_on(trainee, days_ago(0))
    assert not is_accredited_on(None, days_ago(0))


def test_can_supervise_needs_an_assignment_covering_the_day(assigned_trainer, unassigned_trainer, trainee,
                                                             other_trainee):
    assert can_supervise(assigned_trainer, trainee)
    assert can_supervise(assigned_trainer, trainee, on=days_ago(365))  # its first day
    assert not can_supervise(assigned_trainer, trainee, on=days_ago(366))  # before it started
    assert not can_supervise(assigned_trainer, other_trainee)
    assert not can_supervise(unassigned_trainer, trainee)
    assert not can_supervise(trainee, trainee)


def test_an_ended_assignment_covers_up_to_its_last_day(london, trainee):
    trainer = _trainer(london)
    accredit(trainer)
    assign(trainer, trainee, starts_on=days_ago(300), ends_on=days_ago(100))
    assert can_supervise(trainer, trainee, on=days_ago(100))
    assert not can_supervise(trainer, trainee, on=days_ago(99))
    assert not can_supervise(trainer, trainee)


def test_can_supervise_needs_the_accreditation_on_that_day(london, trainee):
    trainer = _trainer(london)
    accredit(trainer, since=days_ago(200), years=3)
    assign(trainer, trainee, starts_on=days_ago(400))
    assert not can_supervise(trainer, trainee, on=days_ago(300))  # assigned, not yet accredited
    assert can_supervise(trainer, trainee, on=days_ago(100))


def test_a_deactivated_trainer_supervises_nobody(assigned_trainer, trainee):
    assigned_trainer.is_active = False
    assigned_trainer.save(update_fields=["is_active"])
    assert not can_supervise(assigned_trainer, trainee)
    assert educational_supervisor_of(trainee) is None
    assert list(supervised_trainee_ids(assigned_trainer)) == []


def test_the_educational_supervisor_is_the_newest_eligible_one(london, trainee, assigned_trainer):
    newer = _trainer(london)
    accredit(newer)
    assign(newer, trainee, starts_on=days_ago(30))
    clinical = _trainer(london)
    accredit(clinical)
    assign(clinical, trainee, kind=AssignmentKind.CLINICAL_SUPERVISOR, starts_on=days_ago(5))

    assert educational_supervisor_of(trainee) == newer
    assert educational_supervisor_of(trainee, on=days_ago(100)) == assigned_trainer
    assert set(supervisors_of(trainee)) == {assigned_trainer, newer, clinical}
    assert set(supervisors_of(trainee, on=days_ago(100))) == {assigned_trainer}

    newer.accreditation.status = AccreditationStatus.SUSPENDED
    newer.accreditation.save()
    assert educational_supervisor_of(trainee) == assigned_trainer  # the next eligible one


def test_supervised_trainee_ids_is_a_lazy_queryset_for_scoping(assigned_trainer, trainee, other_trainee,
                                                              django_assert_num_queries):
    with django_assert_num_queries(0):
        ids = supervised_trainee_ids(assigned_trainer)
    assert list(ids) == [trainee.pk]
    from rastrack.accounts.models import User

    assert list(User.objects.filter(pk__in=ids)) == [trainee]
    assert list(supervised_trainee_ids(assigned_trainer, on=days_ago(400))) == []


def test_the_core_registry_holds_the_faculty_rule():
    # Registered by AccreditationConfig.ready(): the core asks the faculty without importing it.
    assert core_eligibility._supervision_check is can_supervise
    assert core_eligibility._supervised_ids is supervised_trainee_ids


def test_may_supervise_needs_the_right_and_the_rule(assigned_trainer, unassigned_trainer, trainee):
    from guardian.shortcuts import assign_perm

    assert core_eligibility.may_supervise(assigned_trainer, trainee)
    # A stray guardian row alone (no assignment) is not enough ...
    assign_perm("accounts.supervise_portfolio", unassigned_trainer, trainee.portfolio)
    assert not core_eligibility.may_supervise(unassigned_trainer, trainee)
    assert trainee.pk not in set(core_eligibility.supervised_trainee_ids(unassigned_trainer))
    # ... and neither is the rule without the right.
    from guardian.shortcuts import remove_perm

    remove_perm("accounts.supervise_portfolio", assigned_trainer, trainee.portfolio)
    assert can_supervise(assigned_trainer, trainee)
    assert not core_eligibility.may_supervise(assigned_trainer, trainee)


def test_without_a_registered_rule_the_guardian_right_decides(monkeypatch, assigned_trainer,
                                                             unassigned_trainer, trainee):
    monkeypatch.setattr(core_eligibility, "_supervision_check", None)
    monkeypatch.setattr(core_eligibility, "_supervised_ids", None)
    assert core_eligibility.may_supervise(assigned_trainer, trainee)
    assert not core_eligibility.may_supervise(unassigned_trainer, trainee)
    assert list(core_eligibility.supervised_trainee_ids(assigned_trainer)) == [trainee.pk]
