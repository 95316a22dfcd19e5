"""The logbook's evidence providers, as the curriculum's progress engine sees them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accreditation.logbook import services as logbook
from accreditation.logbook.models import SimulatorSession
from curriculum import services as curriculum
from curriculum.progress import progress_for
from rastrack.reference.models import Procedure
from tests.builders.curriculum import make_framework, rarp_step
from tests.builders.logbook import CODE_FOR_ROLE
from tests.builders.people import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway(admin):
    """Bedside: 3 validated RARP cases; console: 2 supervised console cases with the
    bladder-neck step at the console, and 1.5 console hours; simulator: 90 on 2 in a row."""
    framework = make_framework(admin)
    pathway = curriculum.pathway_create(actor=admin, code="console", title="Console", audience="trainee",
                                        framework=framework, self_enrol=True, duration_weeks=52)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Cases")
    rarp = Procedure.objects.get(code="rarp")
    bedside = curriculum.component_create(actor=admin, module=module, title="Bedside", kind="bedside_assisting")
    curriculum.requirement_create(actor=admin, component=bedside, type="min_count", params={"count": 3},
                                  procedure=rarp)
    console = curriculum.component_create(actor=admin, module=module, title="Console",
                                          kind="supervised_console_cases")
    curriculum.requirement_create(actor=admin, component=console, type="min_count", params={"count": 2},
                                  procedure=rarp, procedure_step=rarp_step("Bladder neck dissection"))
    curriculum.requirement_create(actor=admin, component=console, type="min_hours", params={"hours": "1.5"})
    sim = curriculum.component_create(actor=admin, module=module, title="Simulator", kind="simulation")
    # As versions published before provenance was recorded: every session counts.
    curriculum.requirement_create(actor=admin, component=sim, type="min_score",
                                  params={"score": 90, "consecutive": 2},
                                  provenances=["self_reported", "trainer_verified", "device_import"])
    return curriculum.pathway_publish(actor=admin, pathway=pathway)


@pytest.fixture
def enrolment(pathway, trainee):
    return curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway)


def _case(trainee, trainer, *, role, supervision=None, minutes=None, steps=(), validate=True,
          corrected_supervision=None, corrected_role=None):
    data = {"date": timezone.localdate() - datetime.timedelta(days=5), "site": SiteFactory(),
            "platform": "davinci_xi", "procedure": Procedure.objects.get(code="rarp"), "role": role,
            "supervision": supervision or CODE_FOR_ROLE[role], "console_minutes": minutes, "total_minutes": 240}
    case = logbook.case_create(trainee=trainee, actor=trainee, data=data,
                               steps=[logbook.StepEntry(step=rarp_step(s)) for s in steps])
    if validate:
        logbook.case_submit(case=case, actor=trainee)
        logbook.case_validate(case=case, actor=trainer, supervision=corrected_supervision, role=corrected_role)
    return case


def _by_component(progress):
    return {(item.requirement.component.kind, item.requirement.type): item for item in progress.requirements}


def test_only_validated_cases_count_as_the_trainer_confirmed_them(enrolment, trainee, assigned_trainer):
    for _ in range(2):
        _case(trainee, assigned_trainer, role="bedside_assistant")
    _case(trainee, assigned_trainer, role="bedside_assistant", validate=False)  # a draft: does not count
    item = _by_component(progress_for(enrolment))[("bedside_assisting", "min_count")]
    assert (item.value, item.target, item.met) == (2, 3, False)
    assert item.provider == "accreditation.cases"
    assert len(item.evidence) == 2 and {e.kind for e in item.evidence} == {"case"}
    _case(trainee, assigned_trainer, role="bedside_assistant")
    assert _by_component(progress_for(enrolment))[("bedside_assisting", "min_count")].met


def test_console_steps_and_hours(enrolment, trainee, assigned_trainer):
    _case(trainee, assigned_trainer, role="console_part", minutes=60, steps=["Bladder neck dissection"])
    _case(trainee, assigned_trainer, role="console_part", minutes=40, steps=["Apical dissection"])
    _case(trainee, assigned_trainer, role="console_whole", minutes=45, steps=["Bladder neck dissection"])
    # Logged as supervised, but the trainer says the trainer did the key parts (A): never console work.
    _case(trainee, assigned_trainer, role="console_part", minutes=30, steps=["Bladder neck dissection"],
          corrected_supervision="A")
    items = _by_component(progress_for(enrolment))
    steps = items[("supervised_console_cases", "min_count")]
    assert (steps.value, steps.met) == (2, True)
    hours = items[("supervised_console_cases", "min_hours")]
    assert hours.value == Decimal("2.4") and hours.met  # 60 + 40 + 45 minutes, not the A case's 30


def test_a_case_the_trainer_reclassified_as_independent_leaves_the_supervised_count(
        enrolment, trainee, assigned_trainer):
    _case(trainee, assigned_trainer, role="console_part", minutes=60, steps=["Bladder neck dissection"],
          corrected_supervision="P", corrected_role="console_whole")
    assert _by_component(progress_for(enrolment))[("supervised_console_cases", "min_count")].value == 0


def test_simulator_score_on_consecutive_attempts(enrolment, trainee):
    today = timezone.localdate()
    for i, score in enumerate([70, 92, 88, 91, 89]):
        SimulatorSession.objects.create(trainee=trainee, date=today - datetime.timedelta(days=10 - i),
                                        simulator="davinci_skills", exercise_name="Ring walk", score=score, minutes=15)
    item = _by_component(progress_for(enrolment))[("simulation", "min_score")]
    assert item.value == 89 and not item.met  # best pair (91, 89) -> 89
    SimulatorSession.objects.create(trainee=trainee, date=today, simulator="davinci_skills",
                                    exercise_name="Ring walk", score=95, minutes=15)
    item = _by_component(progress_for(enrolment))[("simulation", "min_score")]
    assert item.value == 89 and not item.met  # (89, 95) -> 89
    SimulatorSession.objects.create(trainee=trainee, date=today, simulator="davinci_skills",
                                    exercise_name="Ring walk", score=93, minutes=15)
    item = _by_component(progress_for(enrolment))[("simulation", "min_score")]
    assert item.value == 93 and item.met
    assert len(item.evidence) == 7


def test_another_trainees_cases_never_count(enrolment, trainee, other_trainee, assigned_trainer):
    from tests.builders.faculty import assign

    assign(assigned_trainer, other_trainee)
    for _ in range(3):
        _case(other_trainee, assigned_trainer, role="bedside_assistant")
    assert _by_component(progress_for(enrolment))[("bedside_assisting", "min_count")].value == 0
