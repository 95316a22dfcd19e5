"""Requirements are validated data: bad parameters are refused with a message per field."""

import decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from curriculum import services
from curriculum.models import Requirement
from curriculum.rules import requirement_description
from rastrack.core.exceptions import ApplicationError
from rastrack.reference.models import Procedure
from tests.builders.curriculum import rarp_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def component(admin, draft_pathway):
    module = draft_pathway.modules.filter(is_final=False).first()
    return services.component_create(actor=admin, module=module, title="Console steps",
                                     kind="supervised_console_cases")


def _errors(admin, component, type_, params=None, **narrowing):
    with pytest.raises(ApplicationError) as exc:
        services.requirement_create(actor=admin, component=component, type=type_, params=params, **narrowing)
    assert exc.value.status_code == 400
    return exc.value.errors


@pytest.mark.parametrize(("type_", "params", "field"), [
    ("min_count", {}, "count"),
    ("min_count", {"count": 0}, "count"),
    ("min_count", {"count": -3}, "count"),
    ("min_count", {"count": 2.5}, "count"),
    ("min_count", {"count": "ten"}, "count"),
    ("min_count", {"count": True}, "count"),
    ("min_count", {"count": 5, "hours": "2"}, "hours"),
    ("min_hours", {}, "hours"),
    ("min_hours", {"hours": "0"}, "hours"),
    ("min_hours", {"hours": "1.25"}, "hours"),
    ("min_hours", {"hours": "lots"}, "hours"),
    ("min_score", {"score": 101}, "score"),
    ("min_score", {"consecutive": 2}, "score"),
    ("min_score", {"score": 90, "consecutive": 0}, "consecutive"),
    ("min_score", {"score": 90, "exercise": "DOB 12/03/1961"}, "exercise"),
    ("competency_signoff", {}, "competency_key"),
    ("competency_signoff", {"competency_key": "no-such-key"}, "competency_key"),
    ("assessment_threshold", {"min_total": 20, "consecutive": 3}, "tool"),
    ("assessment_threshold", {"tool": "osats", "min_total": 20}, "tool"),
    ("assessment_threshold", {"tool": "gears", "min_total": 31}, "min_total"),
    ("assessment_threshold", {"tool": "gears", "min_total": 5}, "min_total"),
    ("assessment_threshold", {"tool": "gears"}, "min_total"),
    ("final_signoff", {}, "type"),
    ("max_count", {"count": 3}, "type"),
])
def test_bad_parameters_are_refused_per_field(admin, component, type_, params, field):
    errors = _errors(admin, component, type_, params)
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])
    assert not Requirement.objects.filter(component=component).exists()


def test_good_parameters_are_stored_as_typed_columns(admin, component):
    step = rarp_step("Bladder detachment")
    count = services.requirement_create(actor=admin, component=component, type="min_count", params={"count": "20"},
                                        procedure_step=step, platform="davinci_xi")
    assert (count.count, count.procedure_id, count.procedure_step_id) == (20, step.procedure_id, step.pk)
    assert count.params == {"count": 20}
    assert requirement_description(count) == (
        "At least 20 supervised console cases of the step “Bladder detachment” of "
        "Robot-assisted radical prostatectomy on da Vinci Xi")
    hours = services.requirement_create(actor=admin, component=component, type="min_hours", params={"hours": 5})
    assert hours.hours == decimal.Decimal("5.0") and hours.params == {"hours": "5.0"}
    score = services.requirement_create(actor=admin, component=component, type="min_score",
                                        params={"score": 90, "consecutive": 2, "exercise": "Ring walk"})
    assert score.params == {"score": 90, "consecutive": 2, "exercise": "Ring walk"}
    gears = services.requirement_create(actor=admin, component=component, type="assessment_threshold",
                                        params={"tool": "gears", "min_total": 20, "consecutive": 3})
    assert requirement_description(gears) == "A GEARS total of at least 20 on 3 consecutive assessments"
    signoff = services.requirement_create(actor=admin, component=component, type="competency_signoff",
                                          params={"competency_key": "comp-2-1"})
    assert signoff.competency_key == "comp-2-1"
    assert signoff.competency.framework_id == component.module.pathway.framework_id


def test_a_requirement_names_any_active_instrument_from_the_tool_data(admin, component):
    """Instruments are data kept by sign-off: one added there is at once one a requirement
    may name, with its own range of totals; a retired one is refused."""
    from accreditation.signoff.models import AssessmentDomain, AssessmentTool

    oscore = AssessmentTool.objects.create(code="oscore", name="O-SCORE", scale_min=1, scale_max=4)
    for order, code in enumerate(["situation_awareness", "decision_making", "communication", "leadership"]):
        AssessmentDomain.objects.create(tool=oscore, code=code, name=code, order=order)
    req = services.requirement_create(actor=admin, component=component, type="assessment_threshold",
                                      params={"tool": "oscore", "min_total": 12})
    assert (req.tool, req.min_total) == ("oscore", 12)
    assert requirement_description(req) == "A OSCORE total of at least 12"
    assert "min_total" in _errors(admin, component, "assessment_threshold", {"tool": "oscore", "min_total": 17})
    oscore.is_active = False
    oscore.save()
    errors = _errors(admin, component, "assessment_threshold", {"tool": "oscore", "min_total": 12})
    assert "tool" in errors and "gears" in errors["tool"][0]


def test_a_step_must_belong_to_the_procedure(admin, component):
    other = Procedure.objects.get(code="hysterectomy")
    errors = _errors(admin, component, "min_count", {"count": 5}, procedure=other,
                     procedure_step=rarp_step("Apical dissection"))
    assert "procedure_step" in errors and "not Robotic total hysterectomy" in errors["procedure_step"][0]


def test_signoffs_cannot_be_narrowed(admin, component):
    errors = _errors(admin, component, "competency_signoff", {"competency_key": "comp-1-1"}, platform="hugo")
    assert set(errors) == {"platform"}


def test_a_competency_of_another_framework_is_refused(admin, component):
    from tests.builders.curriculum import make_framework

    other = make_framework(admin, code="elsewhere")
    foreign = other.competencies.get(key="comp-1-1")
    errors = _errors(admin, component, "competency_signoff", {"competency": foreign.pk})
    assert "competency" in errors


def test_bad_parameters_are_a_400_per_field_in_the_api(api, admin, component):
    client = api.as_user(admin)
    response = client.post("/api/v1/requirements/", {"component": component.pk, "type": "min_score",
                                                     "params": {"score": 150, "consecutive": 0, "colour": "red"}},
                           format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"score", "consecutive", "colour"}
    bad_type = client.post("/api/v1/requirements/", {"component": component.pk, "type": "nonsense"}, format="json")
    assert bad_type.status_code == 400 and "type" in bad_type.json()
    ok = client.post("/api/v1/requirements/", {"component": component.pk, "type": "assessment_threshold",
                                               "params": {"tool": "gears", "min_total": 20, "consecutive": 3}},
                     format="json")
    assert ok.status_code == 201
    assert ok.json()["unit"] == "total" and ok.json()["target"] == 20


def test_updating_a_requirement_validates_again(api, admin, component):
    requirement = services.requirement_create(actor=admin, component=component, type="min_count",
                                              params={"count": 10})
    client = api.as_user(admin)
    bad = client.patch(f"/api/v1/requirements/{requirement.pk}/", {"params": {"count": 0}}, format="json")
    assert bad.status_code == 400 and "count" in bad.json()
    platform = client.patch(f"/api/v1/requirements/{requirement.pk}/", {"platform": "versius"}, format="json")
    assert platform.status_code == 200 and platform.json()["params"] == {"count": 10}
    changed = client.patch(f"/api/v1/requirements/{requirement.pk}/",
                           {"type": "min_hours", "params": {"hours": "2.5"}}, format="json")
    assert changed.status_code == 200 and changed.json()["params"] == {"hours": "2.5"}
    requirement.refresh_from_db()
    assert requirement.count is None and requirement.hours == decimal.Decimal("2.5")


def test_model_clean_gives_the_same_messages_for_admin_forms(admin, component):
    requirement = Requirement(component=component, type="min_count", count=0, hours=decimal.Decimal("2"))
    with pytest.raises(ValidationError) as exc:
        requirement.clean()
    assert set(exc.value.message_dict) == {"count", "hours"}
    Requirement(component=component, type="min_count", count=3).clean()  # fine


def test_the_database_refuses_columns_that_do_not_fit_the_type(component):
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.create(component=component, type="min_count", count=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.create(component=component, type="min_count", count=3, score=90)
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.create(component=component, type="assessment_threshold", tool="gears")


def test_a_second_final_signoff_is_refused_in_admin_forms(draft_pathway):
    final = Requirement.objects.get(component__module__pathway=draft_pathway, type="final_signoff")
    final.clean()  # the one there is fine
    with pytest.raises(ValidationError) as exc:
        Requirement(component=final.component, type="final_signoff").clean()
    assert "type" in exc.value.message_dict
