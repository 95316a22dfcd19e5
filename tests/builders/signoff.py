"""Sign-off builders: GEARS scores, assessments and sign-off requests through sign-off's
services, and the small sign-off pathway.

`small_pathway` is a published pathway of the test framework with a competency sign-off
(comp-1-1), a GEARS threshold (total >= 20 on 2 consecutive) and its automatic final
sign-off. Fixtures: `framework`, `competency` (comp-1-1), `pathway` (the small pathway),
`enrolment` (the trainee's, enrolled 100 days ago).
"""

from __future__ import annotations

import pytest

from accreditation.signoff import services as signoff
from curriculum import services as curriculum
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago

GEARS = ["depth_perception", "bimanual_dexterity", "efficiency", "force_sensitivity", "autonomy",
         "robotic_control"]


def gears(total: int = 18) -> dict[str, int]:
    """Six 1-5 scores adding up to `total`."""
    scores = dict.fromkeys(GEARS, total // 6)
    for code in GEARS[: total % 6]:
        scores[code] += 1
    return scores


def assess(trainer, trainee, *, total=18, case=None, tool="gears", today=None, date=None, feedback=""):
    scores = gears(total) if tool == "gears" else {"level": total}
    return signoff.assessment_create(actor=trainer, trainee=trainee, tool=tool, scores=scores, case=case,
                                     today=today, date=date, feedback=feedback)


def self_assess(trainee, case, *, total=20, today=None):
    return signoff.assessment_create(actor=trainee, trainee=trainee, tool="gears", scores=gears(total),
                                     case=case, today=today)


def small_pathway(admin, framework, *, code="console-test", consecutive=2, min_total=20):
    pathway = curriculum.pathway_create(actor=admin, code=code, title="Console test", audience="trainee",
                                        framework=framework, self_enrol=True, duration_weeks=52)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Skills")
    docking = curriculum.component_create(actor=admin, module=module, title="Docking", kind="dry_lab")
    curriculum.requirement_create(actor=admin, component=docking, type="competency_signoff",
                                  params={"competency_key": "comp-1-1"})
    gears_component = curriculum.component_create(actor=admin, module=module, title="GEARS", kind="assessment")
    curriculum.requirement_create(actor=admin, component=gears_component, type="assessment_threshold",
                                  params={"tool": "gears", "min_total": min_total, "consecutive": consecutive})
    return curriculum.pathway_publish(actor=admin, pathway=pathway)


def enrol(trainee, pathway):
    return curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway, enrolled_on=days_ago(100))


def request_signoff(trainee, trainer, **kwargs):
    kwargs.setdefault("note", "")
    return signoff.signoff_request_create(trainee=trainee, trainer=trainer, **kwargs)


@pytest.fixture(name="framework")
def framework_fixture(admin):
    return make_framework(admin)


@pytest.fixture(name="competency")
def competency_fixture(framework):
    return framework.competencies.get(key="comp-1-1")


@pytest.fixture(name="pathway")
def pathway_fixture(admin, framework):
    return small_pathway(admin, framework)


@pytest.fixture(name="enrolment")
def enrolment_fixture(trainee, pathway):
    return enrol(trainee, pathway)
