"""Assessment tools are data, and scores are validated against them: 400 per domain."""

import pytest

from accreditation.signoff.models import Assessment, AssessmentDomain, AssessmentTool
from accreditation.signoff.selectors import assessment_tool
from tests.builders.signoff import gears

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"


def test_gears_and_the_entrustment_scale_come_with_the_database():
    gears_tool = assessment_tool("gears")
    assert [d.code for d in gears_tool.domains.all()] == [
        "depth_perception", "bimanual_dexterity", "efficiency", "force_sensitivity", "autonomy", "robotic_control"]
    assert (gears_tool.scale_min, gears_tool.scale_max, gears_tool.total_min, gears_tool.total_max) == (1, 5, 6, 30)
    entrustment = assessment_tool("entrustment")
    assert [d.code for d in entrustment.domains.all()] == ["level"]
    assert entrustment.domains.get().anchors["1"].startswith("I: observe only")
    assert entrustment.domains.get().anchors["5"].startswith("V:")


def test_the_tools_endpoint_lists_domains_and_scale(api, trainee):
    response = api.as_user(trainee).get("/api/v1/assessment-tools/")
    assert response.status_code == 200
    tools = {t["code"]: t for t in response.json()}
    assert tools["gears"]["total_min"] == 6 and tools["gears"]["total_max"] == 30
    assert len(tools["gears"]["domains"]) == 6
    assert api.as_user(trainee).get("/api/v1/assessment-tools/gears/").json()["name"] == "GEARS"


def test_the_tools_endpoint_needs_sign_in(client):
    assert client.get("/api/v1/assessment-tools/").status_code == 401


def _post(api, trainer, trainee, scores, **extra):
    return api.as_user(trainer).post(URL, {"trainee": trainee.pk, "tool": "gears", "scores": scores, **extra},
                                     format="json")


def test_a_valid_gears_assessment_answers_its_total(api, trainee, assigned_trainer):
    response = _post(api, assigned_trainer, trainee, gears(20), feedback="Good camera work.")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total"] == 20 and body["scores"] == gears(20) and body["tool"] == "gears"
    assert body["is_self"] is False and body["blinded"] is False and body["trainee"] == trainee.pk


@pytest.mark.parametrize(("change", "domain", "fragment"), [
    ({"drop": "autonomy"}, "autonomy", "Missing"),
    ({"set": ("efficiency", 6)}, "efficiency", "whole number from 1 to 5"),
    ({"set": ("efficiency", 0)}, "efficiency", "whole number from 1 to 5"),
    ({"set": ("efficiency", 2.5)}, "efficiency", "whole number from 1 to 5"),
    ({"set": ("efficiency", "three")}, "efficiency", "whole number from 1 to 5"),
    ({"set": ("efficiency", True)}, "efficiency", "whole number from 1 to 5"),
    ({"set": ("efficiency", None)}, "efficiency", "Missing"),
    ({"set": ("speed", 3)}, "speed", "Unknown domain"),
])
def test_scores_are_checked_against_the_tool_per_domain(api, trainee, assigned_trainer, change, domain, fragment):
    scores = gears(18)
    if "drop" in change:
        scores.pop(change["drop"])
    else:
        key, value = change["set"]
        scores[key] = value
    response = _post(api, assigned_trainer, trainee, scores)
    assert response.status_code == 400
    errors = response.json()["scores"]
    assert set(errors) == {domain}, errors
    assert fragment in errors[domain][0]
    assert not Assessment.objects.exists()


def test_every_wrong_domain_is_reported_at_once(api, trainee, assigned_trainer):
    scores = gears(18)
    scores.pop("autonomy")
    scores["efficiency"] = 9
    scores["speed"] = 1
    errors = _post(api, assigned_trainer, trainee, scores).json()["scores"]
    assert set(errors) == {"autonomy", "efficiency", "speed"}


def test_scores_that_are_not_an_object_are_refused(api, trainee, assigned_trainer):
    response = _post(api, assigned_trainer, trainee, [3, 3, 3, 3, 3, 3])
    assert response.status_code == 400
    assert "object" in response.json()["scores"][0]


def test_an_unknown_tool_is_a_400_on_tool(api, trainee, assigned_trainer):
    response = api.as_user(assigned_trainer).post(URL, {"trainee": trainee.pk, "tool": "race", "scores": {}},
                                                  format="json")
    assert response.status_code == 400 and "tool" in response.json()


def test_the_entrustment_level_is_one_domain_from_1_to_5(api, trainee, assigned_trainer):
    client = api.as_user(assigned_trainer)
    ok = client.post(URL, {"trainee": trainee.pk, "tool": "entrustment", "scores": {"level": 4}}, format="json")
    assert ok.status_code == 201 and ok.json()["total"] == 4
    bad = client.post(URL, {"trainee": trainee.pk, "tool": "entrustment", "scores": {"level": 6}}, format="json")
    assert bad.status_code == 400 and set(bad.json()["scores"]) == {"level"}


def test_a_new_tool_is_rows_not_code(api, trainee, assigned_trainer):
    notss = AssessmentTool.objects.create(code="notss", name="NOTSS", scale_min=1, scale_max=4)
    for order, (code, name) in enumerate([("situation_awareness", "Situation awareness"),
                                          ("decision_making", "Decision making"),
                                          ("communication_teamwork", "Communication and teamwork"),
                                          ("leadership", "Leadership")], start=1):
        AssessmentDomain.objects.create(tool=notss, code=code, name=name, order=order)
    client = api.as_user(assigned_trainer)
    scores = {"situation_awareness": 3, "decision_making": 4, "communication_teamwork": 2, "leadership": 3}
    response = client.post(URL, {"trainee": trainee.pk, "tool": "notss", "scores": scores}, format="json")
    assert response.status_code == 201 and response.json()["total"] == 12
    scores["leadership"] = 5  # beyond NOTSS's 1-4
    assert client.post(URL, {"trainee": trainee.pk, "tool": "notss", "scores": scores},
                       format="json").json()["scores"] == {"leadership": ["Enter a whole number from 1 to 4."]}
    tools = {t["code"]: t for t in client.get("/api/v1/assessment-tools/").json()}
    assert (tools["notss"]["total_min"], tools["notss"]["total_max"]) == (4, 16)


def test_an_inactive_tool_takes_no_new_assessments(api, trainee, assigned_trainer):
    AssessmentTool.objects.filter(code="entrustment").update(is_active=False)
    response = api.as_user(assigned_trainer).post(
        URL, {"trainee": trainee.pk, "tool": "entrustment", "scores": {"level": 3}}, format="json")
    assert response.status_code == 400 and "tool" in response.json()


@pytest.mark.django_db(transaction=True)
def test_the_tools_are_back_after_a_transactional_tests_flush():
    assert assessment_tool("gears").domains.count() == 6
    assert assessment_tool("entrustment") is not None
