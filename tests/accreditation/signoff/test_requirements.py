"""Requirements on any tool, on every domain, on modes, on the supervision level (global and
per step) and on a passed blinded video review: validated per parameter, measured by progress."""

import pytest

from accreditation.signoff import services as signoff
from accreditation.signoff import video_reviews
from curriculum import services as curriculum
from curriculum.progress import progress_for
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError
from tests.builders.curriculum import rarp_step
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
from tests.builders.signoff import GEARS, enrol, framework_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

NOTSS = ["situation_awareness", "decision_making", "communication_teamwork", "leadership"]
RACE = ["needle_positioning", "needle_entry", "needle_driving", "suture_placement", "tissue_approximation",
        "knot_tying"]


def _pathway(admin, framework, type_, params, **narrowing):
    pathway = curriculum.pathway_create(actor=admin, code=f"p-{type_}", title=type_, audience="trainee",
                                        framework=framework, self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Assessments")
    component = curriculum.component_create(actor=admin, module=module, title=type_, kind="assessment")
    curriculum.requirement_create(actor=admin, component=component, type=type_, params=params, **narrowing)
    return curriculum.pathway_publish(actor=admin, pathway=pathway)


def _item(enrolment, type_):
    return next(i for i in progress_for(enrolment).requirements if i.requirement.type == type_)


def _assess(trainer, trainee, tool, scores, **kwargs):
    kwargs.setdefault("today", days_ago(20))
    return signoff.assessment_create(actor=trainer, trainee=trainee, tool=tool, scores=scores, **kwargs)


@pytest.mark.parametrize(("type_", "params", "field"), [
    ("assessment_threshold", {"tool": "osats", "min_total": 3}, "tool"),
    ("assessment_threshold", {"tool": "notss", "min_domain": 5}, "min_domain"),
    ("assessment_threshold", {"tool": "notss"}, "min_total"),
    ("assessment_threshold", {"tool": "race", "min_total": 20, "modes": ["hologram"]}, "modes"),
    ("entrustment_level", {"level": "VI"}, "level"),
    ("entrustment_level", {"level": "IV", "count": 0}, "count"),
    ("video_review_passed", {"tool": "gears", "min_total": 24, "min_agreement": "1.5"}, "min_agreement"),
    ("video_review_passed", {"tool": "gears", "min_total": 40, "min_agreement": "0.6"}, "min_total"),
])
def test_bad_parameters_are_a_400_on_their_name(admin, framework, type_, params, field):
    pathway = curriculum.pathway_create(actor=admin, code="bad", title="Bad", audience="trainee",
                                        framework=framework, self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="M")
    component = curriculum.component_create(actor=admin, module=module, title="C", kind="assessment")
    with pytest.raises(ApplicationError) as refused:
        curriculum.requirement_create(actor=admin, component=component, type=type_, params=params)
    assert field in refused.value.errors, refused.value.errors


def test_notss_on_every_domain_twice_in_a_row(admin, framework, trainee, assigned_trainer):
    enrolment = enrol(trainee, _pathway(admin, framework, "assessment_threshold",
                                        {"tool": "notss", "min_domain": 3, "consecutive": 2}))
    assert "Every NOTSS domain at least 3 on 2 consecutive" in str(_item(enrolment, "assessment_threshold")
                                                                   .requirement)
    _assess(assigned_trainer, trainee, "notss", dict.fromkeys(NOTSS, 4), date=days_ago(30))
    _assess(assigned_trainer, trainee, "notss", {**dict.fromkeys(NOTSS, 4), "leadership": 2}, date=days_ago(29))
    _assess(assigned_trainer, trainee, "notss", dict.fromkeys(NOTSS, 3), date=days_ago(28))
    assert (_item(enrolment, "assessment_threshold").value, _item(enrolment, "assessment_threshold").met) == (1, False)
    _assess(assigned_trainer, trainee, "notss", dict.fromkeys(NOTSS, 3), date=days_ago(27))
    assert _item(enrolment, "assessment_threshold").met


def test_race_counts_only_the_modes_the_requirement_names(admin, framework, trainee, assigned_trainer):
    enrolment = enrol(trainee, _pathway(admin, framework, "assessment_threshold",
                                        {"tool": "race", "min_total": 24, "modes": ["live", "video"]}))
    _assess(assigned_trainer, trainee, "race", dict.fromkeys(RACE, 5), mode="dry_lab", date=days_ago(30))
    assert _item(enrolment, "assessment_threshold").value == 0
    _assess(assigned_trainer, trainee, "race", dict.fromkeys(RACE, 4), mode="video", date=days_ago(29))
    assert _item(enrolment, "assessment_threshold").met


def test_a_supervision_level_twice(admin, framework, trainee, assigned_trainer):
    enrolment = enrol(trainee, _pathway(admin, framework, "entrustment_level", {"level": "IV", "count": 2}))
    assert str(_item(enrolment, "entrustment_level").requirement) == "Supervision level IV or above on 2 assessments"
    for day, level in ((30, "III"), (29, "IV"), (28, "V")):
        _assess(assigned_trainer, trainee, "gears", dict.fromkeys(GEARS, 3), entrustment=level, date=days_ago(day))
    item = _item(enrolment, "entrustment_level")
    assert (item.value, item.met) == (2, True)


def test_a_level_on_a_step_reads_the_per_step_grid(admin, framework, trainee, assigned_trainer):
    step = rarp_step("Urethrovesical anastomosis")
    enrolment = enrol(trainee, _pathway(admin, framework, "entrustment_level", {"level": "III"},
                                        procedure=step.procedure, procedure_step=step))
    case = make_case(trainee, assigned_trainer, days=25, steps=["Urethrovesical anastomosis",
                                                                 "Bladder neck dissection"])
    neck = rarp_step("Bladder neck dissection")
    _assess(assigned_trainer, trainee, "gears", dict.fromkeys(GEARS, 3), case=case, entrustment="V",
            step_entrustment=[{"step": step.pk, "level": "II"}, {"step": neck.pk, "level": "IV"}])
    assert _item(enrolment, "entrustment_level").value == 0  # the global V and another step do not count
    other = make_case(trainee, assigned_trainer, days=24, steps=["Urethrovesical anastomosis"])
    _assess(assigned_trainer, trainee, "gears", dict.fromkeys(GEARS, 3), case=other,
            step_entrustment=[{"step": step.pk, "level": "III"}])
    assert _item(enrolment, "entrustment_level").met


def test_a_passed_blinded_review_needs_the_mean_and_the_agreement(admin, framework, trainee, assigned_trainer,
                                                                  unassigned_trainer, london):
    enrolment = enrol(trainee, _pathway(admin, framework, "video_review_passed",
                                        {"tool": "gears", "min_total": 18, "min_agreement": "0.6"}))
    second = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(second)
    case = make_case(trainee, assigned_trainer)

    def review(a, b):
        opened = video_reviews.video_review_open(actor=admin, trainee=trainee, case=case, tool="gears",
                                           video_reference="vault:r", raters=[unassigned_trainer.pk, second.pk])
        video_reviews.video_review_rate(actor=unassigned_trainer, review=opened, scores=dict(zip(GEARS, a, strict=True)))
        video_reviews.video_review_rate(actor=second, review=opened, scores=dict(zip(GEARS, b, strict=True)))
        return opened

    review([1, 5, 1, 5, 1, 5], [5, 1, 5, 1, 5, 1])  # mean 18, but the raters disagree
    assert _item(enrolment, "video_review_passed").value == 0
    review([2, 3, 3, 4, 4, 5], [2, 3, 4, 4, 4, 5])  # mean 21.5, alpha high
    item = _item(enrolment, "video_review_passed")
    assert item.met and "agreement" in item.evidence[0].label
