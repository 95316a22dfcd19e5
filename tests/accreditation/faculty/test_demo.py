"""The faculty's demo world: who is accredited, lapsed, pending and assigned (read from the
shared demo world, tests/builders/demo.py; seeding it twice is tests/rastrack/test_seed_demo.py)."""

import datetime

from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise, educational_supervisor_of
from accreditation.faculty.models import Accreditation, TrainerApplication
from rastrack.accounts.models import User


def _user(email):
    return User.objects.get(email=email)


def test_the_demo_faculty(demo_world):
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
    # A second one, so the decision journey can be tried twice on one demo world.
    assert TrainerApplication.objects.filter(applicant__email="applicant2@demo.rastrack.org",
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

