"""A supervision level on one competency ("level IV on docking twice"): an assessment names the
competency it assesses, a requirement names the competency and the count, progress counts only
assessments of that competency (by its key, across framework versions) and says so."""

import pytest

from accreditation.signoff import services as signoff
from accreditation.signoff.models import Assessment
from curriculum import services as curriculum
from curriculum.progress import progress_for
from rastrack.core.exceptions import ApplicationError
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.signoff import (  # noqa: F401 - fixtures
    GEARS,
    enrol,
    enrolment_fixture,
    framework_fixture,
    gears,
    pathway_fixture,
)
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"


def _component(admin, framework, code="level-on-competency"):
    pathway = curriculum.pathway_create(actor=admin, code=code, title="Levels", audience="trainee",
                                        framework=framework, self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Assessments")
    return curriculum.component_create(actor=admin, module=module, title="Docking", kind="assessment")


def _pathway(admin, framework, params):
    component = _component(admin, framework)
    curriculum.requirement_create(actor=admin, component=component, type="entrustment_level", params=params)
    return curriculum.pathway_publish(actor=admin, pathway=component.module.pathway)


def _item(enrolment):
    return next(i for i in progress_for(enrolment).requirements if i.requirement.type == "entrustment_level")


def _assess(trainer, trainee, level, competency, day):
    return signoff.assessment_create(actor=trainer, trainee=trainee, tool="gears", scores=dict.fromkeys(GEARS, 3),
                                     entrustment=level, competency=competency, date=days_ago(day),
                                     today=days_ago(20))


def test_level_iv_on_a_competency_twice_counts_only_assessments_of_it(admin, framework, trainee,
                                                                     assigned_trainer):
    docking = framework.competencies.get(key="comp-1-1")
    other = framework.competencies.get(key="comp-1-2")
    enrolment = enrol(trainee, _pathway(admin, framework, {"level": "IV", "count": 2,
                                                           "competency_key": "comp-1-1"}))
    item = _item(enrolment)
    assert str(item.requirement) == "Supervision level IV or above in S1.1 Competency 1.1 on 2 assessments"
    assert item.requirement.params["competency_key"] == "comp-1-1"

    _assess(assigned_trainer, trainee, "V", other, 30)      # another competency
    _assess(assigned_trainer, trainee, "V", None, 29)       # no competency named
    _assess(assigned_trainer, trainee, "III", docking, 28)  # below the level
    _assess(assigned_trainer, trainee, "IV", docking, 27)
    item = _item(enrolment)
    assert (item.value, item.met) == (1, False)
    assert item.notes[0].startswith("1 of 2 assessments at level IV or above in S1.1 Competency 1.1.")
    assert "Only assessments that name this competency count" in item.notes[0]

    _assess(assigned_trainer, trainee, "V", docking, 26)
    item = _item(enrolment)
    assert (item.value, item.met) == (2, True)
    assert item.notes == ("2 of 2 assessments at level IV or above in S1.1 Competency 1.1.",)


def test_without_a_competency_every_assessment_at_the_level_counts(admin, framework, trainee, assigned_trainer):
    enrolment = enrol(trainee, _pathway(admin, framework, {"level": "IV", "count": 2}))
    _assess(assigned_trainer, trainee, "IV", framework.competencies.get(key="comp-1-2"), 30)
    _assess(assigned_trainer, trainee, "IV", None, 29)
    assert _item(enrolment).met


def test_an_assessment_under_an_older_framework_version_counts_by_the_competencys_key(
        admin, framework, trainee, assigned_trainer):
    _assess(assigned_trainer, trainee, "IV", framework.competencies.get(key="comp-1-1"), 30)
    _assess(assigned_trainer, trainee, "IV", framework.competencies.get(key="comp-1-1"), 29)
    v2 = curriculum.framework_publish(actor=admin, framework=curriculum.framework_new_version(
        actor=admin, framework=framework))
    enrolment = enrol(trainee, _pathway(admin, v2, {"level": "IV", "count": 2, "competency_key": "comp-1-1"}))
    assert _item(enrolment).requirement.competency.framework_id == v2.pk
    assert _item(enrolment).met


@pytest.mark.parametrize(("params", "field"), [
    ({"level": "IV", "competency_key": "no-such-competency"}, "competency_key"),
    ({"level": "IV", "competency_key": 7}, "competency_key"),
    ({"level": "IV", "competency": "seven"}, "competency"),
])
def test_a_bad_competency_on_the_requirement_is_a_400_on_its_name(admin, framework, params, field):
    component = _component(admin, framework)
    with pytest.raises(ApplicationError) as refused:
        curriculum.requirement_create(actor=admin, component=component, type="entrustment_level", params=params)
    assert field in refused.value.errors, refused.value.errors
    assert not component.requirements.exists()


def test_a_competency_of_another_framework_is_refused_on_the_requirement(admin, framework):
    elsewhere = make_framework(admin, code="elsewhere").competencies.get(key="comp-1-1")
    component = _component(admin, framework)
    with pytest.raises(ApplicationError) as refused:
        curriculum.requirement_create(actor=admin, component=component, type="entrustment_level",
                                      params={"level": "IV", "competency": elsewhere.pk})
    assert "competency" in refused.value.errors


def test_the_api_records_and_answers_the_competency(api, framework, trainee, assigned_trainer):
    docking = framework.competencies.get(key="comp-1-1")
    response = api.as_user(assigned_trainer).post(URL, {
        "trainee": trainee.pk, "tool": "gears", "scores": gears(20), "entrustment": "IV",
        "competency": docking.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["competency"], body["competency_key"], body["competency_title"]) == (
        docking.pk, "comp-1-1", "Competency 1.1")
    assert Assessment.objects.get().competency_id == docking.pk
    listed = api.as_user(trainee).get(URL).json()["results"]
    assert listed[0]["competency_key"] == "comp-1-1"


@pytest.mark.parametrize("value", [999999, "docking", 0])
def test_an_unknown_competency_is_a_400_on_the_field_and_records_nothing(api, trainee, assigned_trainer, value):
    response = api.as_user(assigned_trainer).post(URL, {
        "trainee": trainee.pk, "tool": "gears", "scores": gears(20), "competency": value}, format="json")
    assert response.status_code == 400
    assert "competency" in response.json(), response.json()
    assert not Assessment.objects.exists()


def test_a_competency_of_a_draft_framework_is_refused_by_the_service(admin, trainee, assigned_trainer):
    draft = make_framework(admin, code="draft-standards", publish=False).competencies.get(key="comp-1-1")
    with pytest.raises(ApplicationError) as refused:
        signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="gears", scores=gears(20),
                                  competency=draft.pk)
    assert "competency" in refused.value.errors
    assert not Assessment.objects.exists()


def test_the_trainers_form_names_a_competency_of_the_trainees_pathways(client, framework, trainee,
                                                                        assigned_trainer, enrolment):
    docking = framework.competencies.get(key="comp-1-1")
    login_verified(client, assigned_trainer)
    url = f"/assessments/new/?trainee={trainee.pk}&tool=gears"
    assert f'value="{docking.pk}"' in client.get(url).content.decode()
    data = {"confirmed": "yes", "tool_code": "gears", "case": "", "date": "", "mode": "live", "entrustment": "4",
            "competency": str(docking.pk), "feedback": ""}
    data.update({f"score_{code}": str(score) for code, score in gears(18).items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    assessment = Assessment.objects.get()
    assert assessment.competency_id == docking.pk
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "data-competency" in page and "S1.1 Competency 1.1" in page
    data["competency"] = "999999"  # not a competency of the trainee's pathways: a form error, nothing recorded
    assert client.post(url, data).status_code == 400
    assert Assessment.objects.count() == 1


def test_a_new_version_keeps_every_assessment_parameter(admin, framework):
    component = _component(admin, framework, code="copied-params")
    made = [
        ("entrustment_level", {"level": "IV", "count": 2, "modes": ["live"], "competency_key": "comp-1-1"}),
        ("assessment_threshold", {"tool": "notss", "min_domain": 3, "consecutive": 2, "modes": ["video"]}),
        ("video_review_passed", {"tool": "gears", "min_total": 24, "min_agreement": "0.667"}),
    ]
    for type_, params in made:
        curriculum.requirement_create(actor=admin, component=component, type=type_, params=params)
    v1 = curriculum.pathway_publish(actor=admin, pathway=component.module.pathway)
    v2 = curriculum.pathway_new_version(actor=admin, pathway=v1)
    copied = {r.type: r.params for r in
              v2.modules.get(title="Assessments").components.get().requirements.all()}
    original = {r.type: r.params for r in component.requirements.all()}
    assert copied == original
    assert copied["entrustment_level"]["competency_key"] == "comp-1-1"
    assert copied["video_review_passed"]["min_agreement"] == "0.667"
