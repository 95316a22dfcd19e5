"""The faculty's demo world: who is accredited, lapsed, pending and assigned; idempotent."""

import datetime

import pytest
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise, educational_supervisor_of
from accreditation.faculty.models import Accreditation, Assignment, TrainerApplication
from rastrack.accounts.models import User
from rastrack.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _seed():
    # The seeders this one builds on, then the faculty's own (the whole `seed_demo` is
    # tested in tests/rastrack/test_seed_demo.py).
    from accreditation.faculty.demo import seed
    from rastrack.accounts.demo import seed as seed_people
    from rastrack.reference.demo import seed as seed_reference

    seed_reference()
    seed_people()
    seed()


def _user(email):
    return User.objects.get(email=email)


def _faculty_world():
    return {
        "accreditations": sorted(Accreditation.objects.values_list(
            "trainer__email", "status", "accredited_on", "expires_on")),
        "assignments": sorted(Assignment.objects.values_list("trainer__email", "trainee__email", "kind")),
        "applications": sorted(TrainerApplication.objects.values_list("applicant__email", "status")),
        "audit": AuditEntry.objects.count(),
    }


def test_the_demo_faculty():
    _seed()
    today = timezone.localdate()
    status = {a.trainer.email: a for a in Accreditation.objects.select_related("trainer")}

    trainer1, trainer2 = status["trainer1@demo.rastrack.org"], status["trainer2@demo.rastrack.org"]
    assert trainer1.status == trainer2.status == "accredited"
    assert trainer1.expires_on != trainer2.expires_on
    assert today < trainer2.expires_on <= today + datetime.timedelta(days=30)  # expiring soon
    assert trainer1.trainer.region.code == trainer2.trainer.region.code == "london"
    northwest = status["trainer.northwest@demo.rastrack.org"]
    assert northwest.status == "accredited" and northwest.trainer.region.code == "north-west"
    assert status["trainer.lapsed@demo.rastrack.org"].status == "lapsed"
    assert TrainerApplication.objects.filter(applicant__email="applicant@demo.rastrack.org",
                                             status="pending").exists()

    two_years_ago = today - datetime.timedelta(days=730)
    for trainee_email, trainer_email in (("trainee1", "trainer1"), ("trainee2", "trainer1"),
                                         ("trainee3", "trainer.northwest")):
        trainee = _user(f"{trainee_email}@demo.rastrack.org")
        trainer = _user(f"{trainer_email}@demo.rastrack.org")
        assert educational_supervisor_of(trainee) == trainer
        # Before any seeded case: supervised since two years ago.
        assert can_supervise(trainer, trainee, on=two_years_ago)
        assert trainer.has_perm("accounts.supervise_portfolio", trainee.portfolio)


def test_seeding_twice_changes_nothing():
    _seed()
    first = _faculty_world()
    _seed()
    assert _faculty_world() == first
