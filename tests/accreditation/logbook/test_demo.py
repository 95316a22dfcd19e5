"""The logbook's demo world: the shape the pages show (read from the shared demo world,
tests/builders/demo.py; seeding it twice is tests/rastrack/test_seed_demo.py)."""

from django.utils import timezone

from accreditation.faculty.models import Assignment
from accreditation.logbook.learning_curve import learning_phase_cases
from accreditation.logbook.models import Case, SimulatorSession
from accreditation.logbook.selectors import learning_curve
from rastrack.accounts.models import User
from rastrack.reference.models import Procedure


def test_the_demo_logbook_of_trainee1(demo_world):
    assert Case.objects.count() > 60
    today = timezone.localdate()
    trainee1 = User.objects.get(email="trainee1@demo.rastrack.org")
    trainer1 = User.objects.get(email="trainer1@demo.rastrack.org")
    cases = Case.objects.filter(trainee=trainee1)
    assert cases.count() >= 50
    assert cases.filter(status="validated", decided_by=trainer1).count() > 30
    assert cases.filter(status="submitted", validator=trainer1).count() >= 5
    assert cases.filter(status="rejected").count() == 1
    assert cases.get(status="rejected").rejection_reason
    assert cases.filter(status="draft").exists()
    assert cases.filter(disagreement=True).exists()
    # Every case lies after the assignments began and before today.
    start = Assignment.objects.filter(trainee=trainee1).order_by("starts_on").first().starts_on
    assert all(start < case.date < today for case in cases)
    assert all(c.submitted_at.date() <= today for c in cases.exclude(submitted_at=None))
    # Console time falls: the RARP curve (validated whole cases) has a learning phase well inside it.
    points = learning_curve(trainee=trainee1, procedure_id=Procedure.objects.get(code="rarp").pk)
    assert len(points) >= 15
    end = learning_phase_cases(points, stay=5)
    assert end is not None and 5 < end < len(points) - 5
    first, last = points[:5], points[-5:]
    assert sum(p.console_minutes for p in first) / 5 > sum(p.console_minutes for p in last) / 5 + 50
    # Steps grow with experience.
    ordered = list(cases.filter(procedure__code="rarp", role__startswith="console").order_by("date")
                   .prefetch_related("steps"))
    assert len(ordered[0].steps.all()) < len(ordered[-1].steps.all())
    sessions = SimulatorSession.objects.filter(trainee=trainee1).order_by("date")
    assert sessions.count() == 15 and sessions.first().score < sessions.last().score


def test_trainee2_and_trainee3_have_a_few_cases(demo_world):
    trainee2 = Case.objects.filter(trainee__email="trainee2@demo.rastrack.org")
    assert {"bedside_assistant", "observer", "console_part"} <= set(trainee2.values_list("role", flat=True))
    trainee3 = Case.objects.filter(trainee__email="trainee3@demo.rastrack.org")
    assert trainee3.exists()
    assert set(trainee3.values_list("decided_by__email", flat=True)) == {"trainer.northwest@demo.rastrack.org"}
    assert SimulatorSession.objects.filter(trainee__email="trainee2@demo.rastrack.org").exists()


def test_the_demo_shows_simulator_evidence(demo_world):
    from accreditation.logbook.models import SimulatorImportFile
    from curriculum.models import Enrolment
    from curriculum.progress import progress_for

    trainee1 = SimulatorSession.objects.filter(trainee__email="trainee1@demo.rastrack.org")
    assert {"self_reported", "trainer_verified"} <= set(trainee1.values_list("provenance", flat=True))
    assert not trainee1.filter(meets_benchmark__isnull=True).exists()
    assert SimulatorImportFile.objects.filter(trainee__email="trainee2@demo.rastrack.org").exists()
    assert SimulatorSession.objects.filter(trainee__email="trainee2@demo.rastrack.org",
                                           provenance="device_import").count() == 3
    console = Enrolment.objects.get(trainee__email="trainee1@demo.rastrack.org", pathway__code="console-surgeon")
    item = next(i for i in progress_for(console).requirements if i.requirement.type == "simulator_proficiency")
    # One attempt away: Energy Switching 1 done, Suture Sponge 1 on a run of one of two.
    assert (item.value, item.target, item.met) == (1, 2, False)
    assert item.notes[-1].startswith("Next: 1 more attempt at benchmark in Suture Sponge 1")


def test_the_demo_shows_elearning_verified_and_waiting(demo_world):
    from accreditation.logbook.selectors import elearning_verification_queue
    from curriculum.models import ELearningCompletion

    trainee1 = ELearningCompletion.objects.filter(trainee__email="trainee1@demo.rastrack.org")
    assert sorted(trainee1.values_list("provenance", flat=True)) == [
        "self_reported", "trainer_verified", "trainer_verified"]
    trainer1 = User.objects.get(email="trainer1@demo.rastrack.org")
    assert [c.trainee.email for c in elearning_verification_queue(trainer1)] == ["trainee1@demo.rastrack.org"]
    trainee2 = ELearningCompletion.objects.filter(trainee__email="trainee2@demo.rastrack.org")
    assert trainee2.exists() and not trainee2.filter(provenance="self_reported").exists()
