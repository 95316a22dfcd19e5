"""Assessment tools are data, and scores are validated against them: 400 per domain."""

import pytest

from accreditation.signoff import services as signoff
from accreditation.signoff import tool_versions
from accreditation.signoff.models import (
    Assessment,
    AssessmentDomain,
    AssessmentTool,
    ToolVersionFrozen,
)
from accreditation.signoff.selectors import assessment_tool
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import Conflict, NotPermitted
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
    # ISCP 2021 wording: V is beyond a day-one consultant, not "able to supervise others".
    assert entrustment.domains.get().anchors["1"] == "I: able to observe only"
    assert entrustment.domains.get().anchors["4"] == "IV: able and trusted to act unsupervised (day-one consultant)"
    assert "beyond that of a day-one consultant" in entrustment.domains.get().anchors["5"]


@pytest.mark.parametrize(("code", "domains", "low", "high", "total_meaningful"), [
    ("race", 6, 1, 5, True),
    ("notss", 4, 1, 4, False),
    ("otas", 5, 0, 6, False),
    ("pba", 1, 1, 8, False),
])
def test_race_notss_otas_and_pba_come_with_the_database(code, domains, low, high, total_meaningful):
    tool = assessment_tool(code)
    assert tool.domains.count() == domains
    assert (tool.scale_min, tool.scale_max, tool.total_meaningful) == (low, high, total_meaningful)
    assert tool.version == 1 and tool.published_at is not None
    if code == "pba":
        anchors = tool.domains.get().anchors
        assert [anchors[str(n)].split(":")[0] for n in range(1, 9)] == ["0", "1a", "1b", "2a", "2b", "3a", "3b", "4"]


def test_the_tools_endpoint_lists_domains_and_scale(api, trainee):
    response = api.as_user(trainee).get("/api/v1/assessment-tools/")
    assert response.status_code == 200
    tools = {t["code"]: t for t in response.json()}
    assert tools["gears"]["total_min"] == 6 and tools["gears"]["total_max"] == 30
    assert len(tools["gears"]["domains"]) == 6
    assert tools["gears"]["total_range"] == [6, 30] and tools["gears"]["version"] == 1
    assert tools["notss"]["total_meaningful"] is False
    assert {(d["code"], d["min"], d["max"]) for d in tools["otas"]["domains"]} >= {("leadership", 0, 6)}
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
    response = api.as_user(assigned_trainer).post(URL, {"trainee": trainee.pk, "tool": "osats", "scores": {}},
                                                  format="json")
    assert response.status_code == 400 and "tool" in response.json()


def test_the_entrustment_level_is_one_domain_from_1_to_5(api, trainee, assigned_trainer):
    client = api.as_user(assigned_trainer)
    ok = client.post(URL, {"trainee": trainee.pk, "tool": "entrustment", "scores": {"level": 4}}, format="json")
    assert ok.status_code == 201 and ok.json()["total"] == 4
    bad = client.post(URL, {"trainee": trainee.pk, "tool": "entrustment", "scores": {"level": 6}}, format="json")
    assert bad.status_code == 400 and set(bad.json()["scores"]) == {"level"}


@pytest.mark.parametrize(("tool", "scores", "total", "bad", "message"), [
    ("race", {"needle_positioning": 4, "needle_entry": 4, "needle_driving": 3, "suture_placement": 4,
              "tissue_approximation": 3, "knot_tying": 5}, 23, ("knot_tying", 6), "from 1 to 5"),
    ("notss", {"situation_awareness": 3, "decision_making": 4, "communication_teamwork": 2, "leadership": 3}, 12,
     ("leadership", 5), "from 1 to 4"),
    ("otas", {"communication": 0, "coordination": 6, "cooperation": 4, "leadership": 5, "monitoring": 3}, 18,
     ("monitoring", 7), "from 0 to 6"),
    ("pba", {"global_summary": 7}, 7, ("global_summary", 0), "from 1 to 8"),
])
def test_scores_are_validated_per_tool(api, trainee, assigned_trainer, tool, scores, total, bad, message):
    client = api.as_user(assigned_trainer)
    response = client.post(URL, {"trainee": trainee.pk, "tool": tool, "scores": scores}, format="json")
    assert response.status_code == 201 and response.json()["total"] == total
    domain, value = bad
    wrong = client.post(URL, {"trainee": trainee.pk, "tool": tool, "scores": {**scores, domain: value}},
                        format="json")
    assert wrong.status_code == 400 and message in wrong.json()["scores"][domain][0]


def test_a_new_tool_is_rows_not_code(api, admin, trainee, assigned_trainer):
    oscore = AssessmentTool.objects.create(code="oscore", name="O-SCORE", scale_min=1, scale_max=5, is_active=False)
    for order, code in enumerate(["preparation", "knowledge", "technique"], start=1):
        AssessmentDomain.objects.create(tool=oscore, code=code, name=code.title(), order=order)
    client = api.as_user(assigned_trainer)
    scores = {"preparation": 3, "knowledge": 4, "technique": 2}
    # A draft is not offered yet.
    assert client.post(URL, {"trainee": trainee.pk, "tool": "oscore", "scores": scores},
                       format="json").status_code == 400
    tool_versions.assessment_tool_publish(actor=admin, tool=oscore)
    response = client.post(URL, {"trainee": trainee.pk, "tool": "oscore", "scores": scores}, format="json")
    assert response.status_code == 201 and response.json()["total"] == 9
    tools = {t["code"]: t for t in client.get("/api/v1/assessment-tools/").json()}
    assert tools["oscore"]["total_range"] == [3, 15] and tools["oscore"]["published"] is True


def test_a_published_tool_version_never_changes(admin):
    gears_tool = assessment_tool("gears")
    gears_tool.scale_max = 7
    with pytest.raises(ToolVersionFrozen):
        gears_tool.save()
    domain = gears_tool.domains.first()
    domain.anchors = {"1": "changed"}
    with pytest.raises(ToolVersionFrozen):
        domain.save()
    with pytest.raises(ToolVersionFrozen):
        domain.delete()
    with pytest.raises(ToolVersionFrozen):
        AssessmentDomain.objects.create(tool=gears_tool, code="extra", name="Extra")
    with pytest.raises(Conflict):
        tool_versions.assessment_tool_publish(actor=admin, tool=gears_tool)


def test_a_new_version_replaces_the_one_in_use_and_old_assessments_keep_theirs(admin, trainee, assigned_trainer):
    v1 = assessment_tool("notss")
    old = signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="notss", scores={
        "situation_awareness": 3, "decision_making": 3, "communication_teamwork": 3, "leadership": 3})
    v2 = tool_versions.assessment_tool_new_version(actor=admin, tool=v1)
    assert (v2.version, v2.is_active, v2.published_at) == (2, False, None)
    v2.domains.filter(code="leadership").update(name="Leadership (revised)")  # a draft may change
    tool_versions.assessment_tool_publish(actor=admin, tool=v2)
    assert assessment_tool("notss").pk == v2.pk
    v1.refresh_from_db()
    assert v1.is_active is False
    old.refresh_from_db()
    assert old.tool_id == v1.pk
    assert AuditEntry.objects.filter(action="assessment_tool.publish", object_id=str(v2.pk)).exists()


def test_only_a_programme_admin_manages_tool_versions(lead, assigned_trainer):
    for person in (lead, assigned_trainer):
        with pytest.raises(NotPermitted):
            tool_versions.assessment_tool_retire(actor=person, tool=assessment_tool("race"))
    assert assessment_tool("race") is not None


def test_an_inactive_tool_takes_no_new_assessments(api, trainee, assigned_trainer):
    AssessmentTool.objects.filter(code="entrustment").update(is_active=False)
    response = api.as_user(assigned_trainer).post(
        URL, {"trainee": trainee.pk, "tool": "entrustment", "scores": {"level": 3}}, format="json")
    assert response.status_code == 400 and "tool" in response.json()


@pytest.mark.django_db(transaction=True)
def test_the_tools_are_back_after_a_transactional_tests_flush():
    assert assessment_tool("gears").domains.count() == 6
    assert assessment_tool("entrustment") is not None
