"""Assessment mode, the global ISCP 2021 supervision level and per-step entrustment: checked in
the service (400 per field), blinded like the scores."""

import pytest

from accreditation.signoff import services as signoff
from accreditation.signoff.models import Assessment, AssessmentStep, SupervisionLevel
from rastrack.core.exceptions import ApplicationError
from tests.builders.curriculum import rarp_step
from tests.builders.logbook import make_case
from tests.builders.signoff import gears
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"
STEPS = ("Bladder neck dissection", "Urethrovesical anastomosis")


@pytest.fixture(name="stepped_case")
def stepped_case_fixture(trainee, assigned_trainer):
    return make_case(trainee, assigned_trainer, steps=STEPS)


def _post(api, trainer, trainee, **extra):
    return api.as_user(trainer).post(URL, {"trainee": trainee.pk, "tool": "gears", "scores": gears(20), **extra},
                                     format="json")


def test_mode_entrustment_and_step_levels_are_recorded_and_answered(api, trainee, assigned_trainer, stepped_case):
    neck, anastomosis = (rarp_step(s) for s in STEPS)
    response = _post(api, assigned_trainer, trainee, case=stepped_case.pk, mode="video", entrustment="III",
                     step_entrustment=[{"step": neck.pk, "level": "IV"}, {"step": anastomosis.pk, "level": "II"}])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["mode"] == "video" and body["entrustment"] == "III"
    assert body["entrustment_label"] == "III: able and trusted to act with indirect supervision"
    assert [(s["step"], s["level"]) for s in body["step_entrustment"]] == [(neck.pk, "IV"), (anastomosis.pk, "II")]
    assessment = Assessment.objects.get()
    assert assessment.entrustment == 3
    assert dict(AssessmentStep.objects.values_list("step_id", "level")) == {neck.pk: 4, anastomosis.pk: 2}


def test_the_mode_defaults_to_live(api, trainee, assigned_trainer):
    body = _post(api, assigned_trainer, trainee).json()
    assert body["mode"] == "live" and body["entrustment"] is None and body["step_entrustment"] == []


@pytest.mark.parametrize(("extra", "field"), [
    ({"mode": "telepathy"}, "mode"),
    ({"entrustment": "VI"}, "entrustment"),
    ({"entrustment": "2b"}, "entrustment"),
    ({"step_entrustment": "IV"}, "step_entrustment"),
    ({"step_entrustment": [{"step": 1, "level": "IV"}]}, "step_entrustment"),  # no case
])
def test_bad_values_are_a_400_on_their_field(api, trainee, assigned_trainer, extra, field):
    response = _post(api, assigned_trainer, trainee, **extra)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Assessment.objects.exists()


def test_a_step_the_trainee_did_not_do_or_a_bad_level_is_named_by_its_row(api, trainee, assigned_trainer,
                                                                         stepped_case):
    neck = rarp_step(STEPS[0])
    not_done = rarp_step("Apical dissection")
    response = _post(api, assigned_trainer, trainee, case=stepped_case.pk,
                     step_entrustment=[{"step": neck.pk, "level": "IV"}, {"step": not_done.pk, "level": "IV"},
                                       {"step": neck.pk, "level": "III"}, {"step": "x", "level": "I"}])
    assert response.status_code == 400
    messages = response.json()["step_entrustment"]
    assert messages[0].startswith("1:") and "did in this case" in messages[0]
    assert messages[1].startswith("2:") and "twice" in messages[1]
    assert messages[2].startswith("3:")


def test_the_service_refuses_for_every_door(trainee, assigned_trainer, stepped_case):
    with pytest.raises(ApplicationError) as refused:
        signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="gears", scores=gears(20),
                                  case=stepped_case, step_entrustment=[{"step": rarp_step(STEPS[0]).pk,
                                                                        "level": 9}])
    assert "step_entrustment" in refused.value.errors


def test_step_levels_and_entrustment_are_blinded_with_the_scores(api, client, trainee, assigned_trainer, stepped_case):
    neck = rarp_step(STEPS[0])
    created = _post(api, assigned_trainer, trainee, case=stepped_case.pk, entrustment="IV",
                    step_entrustment=[{"step": neck.pk, "level": "IV"}]).json()
    seen_by_trainee = api.as_user(trainee).get(f"{URL}{created['id']}/").json()
    assert seen_by_trainee["blinded"] is True
    assert seen_by_trainee["entrustment"] is None and seen_by_trainee["step_entrustment"] == []
    login_verified(client, trainee)
    page = client.get(f"/assessments/{created['id']}/")
    assert b"data-step-entrustment" not in page.content and b"IV: able" not in page.content
    # The trainer who wrote it sees it all, on the page too.
    login_verified(client, assigned_trainer)
    page = client.get(f"/assessments/{created['id']}/")
    assert b"data-step-entrustment" in page.content and SupervisionLevel.IV.label.encode() in page.content


def test_the_trainers_form_takes_mode_and_level(client, trainee, assigned_trainer):
    login_verified(client, assigned_trainer)
    data = {"confirmed": "yes", "tool_code": "gears", "case": "", "date": "", "mode": "simulator", "entrustment": "2", "feedback": ""}
    data.update({f"score_{code}": str(score) for code, score in gears(18).items()})
    response = client.post(f"/assessments/new/?trainee={trainee.pk}&tool=gears", data)
    assert response.status_code == 302, response.content[:500]
    assessment = Assessment.objects.get()
    assert (assessment.mode, assessment.entrustment) == ("simulator", 2)


def test_the_trainees_page_shows_the_step_grid_once_released(client, trainee, assigned_trainer):
    from tests.builders.dates import days_ago

    neck = rarp_step(STEPS[0])
    old_case = make_case(trainee, assigned_trainer, days=12, steps=STEPS)
    signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="gears", scores=gears(20),
                              case=old_case, today=days_ago(12),
                              step_entrustment=[{"step": neck.pk, "level": "IV"}])
    login_verified(client, trainee)
    page = client.get("/assessments/").content.decode()
    assert "data-step-grid" in page and SupervisionLevel.IV.label in page
    other_case = make_case(trainee, assigned_trainer, days=2, steps=STEPS)
    signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="gears", scores=gears(20),
                              case=other_case, step_entrustment=[{"step": neck.pk, "level": "V"}])
    page = client.get("/assessments/").content.decode()
    assert SupervisionLevel.V.label not in page  # still blinded: it adds nothing to the grid
