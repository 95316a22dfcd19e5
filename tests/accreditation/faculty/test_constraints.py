"""The invariants the database itself keeps, whatever code writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from accreditation.faculty.models import Accreditation, Assignment, FacultyRules, TrainerApplication
from accreditation.faculty.selectors import faculty_rules
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit

pytestmark = pytest.mark.django_db


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_accreditation_per_trainer(unassigned_trainer):
    _refused(lambda: accredit(unassigned_trainer))


def test_an_accreditation_expires_after_it_starts(trainee):
    _refused(lambda: Accreditation.objects.create(trainer=trainee, accredited_on=days_ago(1),
                                                  expires_on=days_ago(1)))
    _refused(lambda: Accreditation.objects.create(trainer=trainee, accredited_on=days_ago(1),
                                                  expires_on=days_ago(2), status="accredited"))
    _refused(lambda: Accreditation.objects.create(trainer=trainee, accredited_on=days_ago(9),
                                                  expires_on=days_ago(2), status="dormant"))


def test_assignment_invariants(assigned_trainer, trainee, other_trainee):
    _refused(lambda: Assignment.objects.create(trainer=assigned_trainer, trainee=trainee,
                                               kind="educational_supervisor", starts_on=days_ago(3)))
    _refused(lambda: Assignment.objects.create(trainer=assigned_trainer, trainee=other_trainee,
                                               kind="proctor", starts_on=days_ago(3), ends_on=days_ago(4)))
    _refused(lambda: Assignment.objects.create(trainer=trainee, trainee=trainee, kind="proctor",
                                               starts_on=days_ago(3)))
    _refused(lambda: Assignment.objects.create(trainer=assigned_trainer, trainee=other_trainee,
                                               kind="mentor", starts_on=days_ago(3)))


def test_one_pending_application_and_decisions_have_a_decider(trainee, lead):
    data = {"applicant": trainee, "kind": "initial", "specialty": "urology", "platforms": ["hugo"],
            "independent_console_cases": 60, "statement": "x"}
    TrainerApplication.objects.create(**data)
    _refused(lambda: TrainerApplication.objects.create(**data))
    _refused(lambda: TrainerApplication.objects.create(**{**data, "status": "approved"}))
    _refused(lambda: TrainerApplication.objects.create(**{**data, "status": "rejected", "decided_by": lead}))
    _refused(lambda: TrainerApplication.objects.create(**{**data, "status": "approved", "decided_by": trainee,
                                                          "decided_at": "2026-01-01T00:00:00Z"}))


def test_the_rules_are_one_row_with_the_defaults():
    rules = faculty_rules()
    assert rules.pk == 1 and faculty_rules().pk == 1 and FacultyRules.objects.count() == 1
    assert (rules.min_independent_console_cases_initial, rules.train_the_trainer_required_initial,
            rules.min_independent_console_cases_renewal, rules.accreditation_period_years,
            rules.max_trainees_per_trainer, rules.expiry_warning_days) == (50, True, 20, 3, 8, 90)
    _refused(lambda: FacultyRules.objects.create(id=2))
