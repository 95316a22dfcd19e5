"""Sign-offs and assessments as evidence for every requirement kind, and a progress page whose
cost does not grow with the trainee's record."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accreditation.signoff import services as signoff_services
from curriculum import services as curriculum
from curriculum.progress import progress_for
from rastrack.reference.models import Procedure
from tests.builders.curriculum import rarp_step
from tests.builders.dates import days_ago
from tests.builders.logbook import make_case
from tests.builders.signoff import (  # noqa: F401 - fixtures
    assess,
    competency_fixture,
    enrol,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
    request_signoff,
    small_pathway,
)

pytestmark = pytest.mark.django_db


def _item(enrolment, type_):
    return next(i for i in progress_for(enrolment).requirements if i.requirement.type == type_)


def _approve(trainer, request):
    return signoff_services.signoff_request_approve(request=request, actor=trainer)


# --- competency_signoff ------------------------------------------------------------------------------


def test_a_competency_counts_once_approved_and_not_after_reversal(admin, trainee, assigned_trainer, competency,
                                                                  enrolment):
    item = _item(enrolment, "competency_signoff")
    assert (item.value, item.met, item.provider) == (0, False, "accreditation.competency_signoff")
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    assert not _item(enrolment, "competency_signoff").met  # pending
    _approve(assigned_trainer, request)
    item = _item(enrolment, "competency_signoff")
    assert (item.value, item.met) == (1, True)
    assert item.evidence[0].kind == "signoff" and assigned_trainer.full_name in item.evidence[0].label
    signoff_services.signoff_request_reverse(request=request, actor=admin, reason="Wrong trainee's drill.")
    assert not _item(enrolment, "competency_signoff").met


def test_a_returned_request_does_not_count(trainee, assigned_trainer, competency, enrolment):
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    signoff_services.signoff_request_return(request=request, actor=assigned_trainer, feedback="Not yet.")
    assert not _item(enrolment, "competency_signoff").met


def test_a_signoff_under_framework_v1_counts_for_a_v2_pathway_by_key(admin, trainee, assigned_trainer,
                                                                     framework, competency):
    _approve(assigned_trainer, request_signoff(trainee, assigned_trainer, competency=competency.pk))
    v2 = curriculum.framework_publish(actor=admin, framework=curriculum.framework_new_version(
        actor=admin, framework=framework))
    pathway_v2 = small_pathway(admin, v2, code="on-v2")
    item = _item(enrol(trainee, pathway_v2), "competency_signoff")
    assert item.requirement.competency.framework_id == v2.pk and item.requirement.competency_id != competency.pk
    assert item.met and item.value == 1


def test_another_trainees_signoff_never_counts(trainee, other_trainee, assigned_trainer, competency, enrolment):
    from tests.builders.faculty import assign

    assign(assigned_trainer, other_trainee)
    _approve(assigned_trainer, request_signoff(other_trainee, assigned_trainer, competency=competency.pk))
    assert not _item(enrolment, "competency_signoff").met


# --- assessment_threshold ------------------------------------------------------------------------------


def test_the_gears_threshold_needs_k_consecutive_trainer_assessments(trainee, assigned_trainer, enrolment):
    # min_total 20 on 2 consecutive (small_pathway), oldest first by date.
    for n, total in enumerate([18, 22, 19, 21]):
        assess(assigned_trainer, trainee, total=total, date=days_ago(40 - n))
    item = _item(enrolment, "assessment_threshold")
    assert (item.value, item.target, item.met) == (19, 20, False)  # best pair: (22, 19) or (19, 21)
    assert [e.kind for e in item.evidence] == ["assessment"] * 4
    assess(assigned_trainer, trainee, total=24, date=days_ago(30))
    item = _item(enrolment, "assessment_threshold")
    assert (item.value, item.met) == (21, True)  # (21, 24)


def test_order_is_by_date_then_id_not_by_entry(trainee, assigned_trainer, enrolment):
    assess(assigned_trainer, trainee, total=25, date=days_ago(1))
    assess(assigned_trainer, trainee, total=12, date=days_ago(5))
    assess(assigned_trainer, trainee, total=24, date=days_ago(10))
    # By date: 24, 12, 25: no two consecutive >= 20.
    assert _item(enrolment, "assessment_threshold").value == 12


def test_self_assessments_and_other_tools_do_not_count(trainee, assigned_trainer, enrolment):
    for days in (10, 9):
        case = make_case(trainee, assigned_trainer, days=days)
        signoff_services.assessment_create(actor=trainee, trainee=trainee, tool="gears", case=case,
                                           scores=dict.fromkeys(
                                               ["depth_perception", "bimanual_dexterity", "efficiency",
                                                "force_sensitivity", "autonomy", "robotic_control"], 5))
        assess(assigned_trainer, trainee, tool="entrustment", total=5, date=case.date)
    assert _item(enrolment, "assessment_threshold").value == 0


def test_a_threshold_narrowed_to_a_procedure_and_step_counts_assessments_of_such_cases(
        admin, trainee, assigned_trainer, framework):
    pathway = curriculum.pathway_create(actor=admin, code="narrow", title="Narrow", audience="trainee",
                                        framework=framework, self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="GEARS")
    component = curriculum.component_create(actor=admin, module=module, title="GEARS on RARP", kind="assessment")
    curriculum.requirement_create(actor=admin, component=component, type="assessment_threshold",
                                  params={"tool": "gears", "min_total": 20, "consecutive": 1},
                                  procedure=Procedure.objects.get(code="rarp"),
                                  procedure_step=rarp_step("Bladder neck dissection"))
    curriculum.requirement_create(actor=admin, component=component, type="min_count", params={"count": 2})
    enrolment = enrol(trainee, curriculum.pathway_publish(actor=admin, pathway=pathway))
    neck = make_case(trainee, assigned_trainer, days=20, steps=["Bladder neck dissection"])
    apex = make_case(trainee, assigned_trainer, days=19, steps=["Apical dissection"])
    assess(assigned_trainer, trainee, total=26, date=days_ago(18))  # no case: not narrowed in
    assess(assigned_trainer, trainee, total=27, case=apex, today=days_ago(19))
    assert _item(enrolment, "assessment_threshold").value == 0
    assess(assigned_trainer, trainee, total=21, case=neck, today=days_ago(20))
    item = _item(enrolment, "assessment_threshold")
    assert (item.value, item.met) == (21, True)
    count = _item(enrolment, "min_count")  # trainer assessments on an assessment component
    assert (count.value, count.provider) == (3, "accreditation.assessment_count")


# --- final_signoff ------------------------------------------------------------------------------------


def test_the_final_signoff_counts_for_its_pathway(admin, trainee, assigned_trainer, competency, enrolment):
    for i in range(2):
        assess(assigned_trainer, trainee, total=22, date=days_ago(20 - i))
    _approve(assigned_trainer, request_signoff(trainee, assigned_trainer, competency=competency.pk))
    progress = progress_for(enrolment)
    assert progress.all_met_except_final() and not progress.complete
    final = request_signoff(trainee, assigned_trainer, enrolment=enrolment.pk)
    assert not _item(enrolment, "final_signoff").met
    _approve(assigned_trainer, final)
    item = _item(enrolment, "final_signoff")
    assert (item.value, item.met, item.provider) == (1, True, "accreditation.final_signoff")
    assert progress_for(enrolment).complete
    signoff_services.signoff_request_reverse(request=final, actor=admin, reason="Audit.")
    assert not progress_for(enrolment).complete


# --- Cost --------------------------------------------------------------------------------------------


def _page_queries(client, enrolment) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/curriculum/enrolments/{enrolment.pk}/")
    assert response.status_code == 200
    return len(queries)


def _api_queries(client, enrolment) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/enrolments/{enrolment.pk}/progress/")
    assert response.status_code == 200
    return len(queries)


def test_the_progress_page_costs_the_same_for_1_or_many_records(client, api, trainee, assigned_trainer,
                                                                competency, framework, enrolment):
    def add(n):
        case = make_case(trainee, assigned_trainer, days=200 - n)
        assess(assigned_trainer, trainee, total=20 + n % 5, case=case, today=case.date)
        assess(assigned_trainer, trainee, tool="entrustment", total=3, date=case.date)

    add(0)
    _approve(assigned_trainer, request_signoff(trainee, assigned_trainer, competency=competency.pk))
    client.force_login(trainee)
    api_client = api.as_user(trainee)
    one_page, one_api = _page_queries(client, enrolment), _api_queries(api_client, enrolment)
    for n in range(1, 40):
        add(n)
    for key in ("comp-1-2", "comp-2-1"):
        _approve(assigned_trainer, request_signoff(trainee, assigned_trainer,
                                                   competency=framework.competencies.get(key=key).pk))
    item = _item(enrolment, "assessment_threshold")
    assert len(item.evidence) == 40
    assert _page_queries(client, enrolment) == one_page
    assert _api_queries(api_client, enrolment) == one_api
