"""Counting rules as data: the defaults, a change on a draft version moving progress, published
versions keeping their counting, the what-if preview, takeovers and proctored cases."""

import io

import pytest
from django.core.management import call_command

from accreditation.logbook import counting
from accreditation.logbook import services as logbook
from accreditation.logbook.counting import Rule
from accreditation.logbook.models import CountingRule
from curriculum import services as curriculum
from curriculum.progress import progress_for
from rastrack.core.exceptions import Conflict, NotPermitted
from rastrack.reference.models import Procedure
from tests.builders.curriculum import make_framework, rarp_step
from tests.builders.dates import days_ago
from tests.builders.people import SiteFactory

pytestmark = pytest.mark.django_db


def _pathway(admin, *, publish=True, audience="trainee", code="console"):
    framework = make_framework(admin, code=f"fw-{code}")
    pathway = curriculum.pathway_create(actor=admin, code=code, title="Console", audience=audience,
                                        framework=framework, self_enrol=True, duration_weeks=52)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Cases")
    for kind in ("supervised_console_cases", "independent_console_cases", "bedside_assisting"):
        component = curriculum.component_create(actor=admin, module=module, title=kind, kind=kind)
        curriculum.requirement_create(actor=admin, component=component, type="min_count", params={"count": 2})
    return curriculum.pathway_publish(actor=admin, pathway=pathway) if publish else pathway


def _case(trainee, trainer, role, code, *, takeover=False, proctor=None):
    data = {"date": days_ago(5), "site": SiteFactory(), "platform": "davinci_xi",
            "procedure": Procedure.objects.get(code="rarp"), "role": role, "supervision": code,
            "console_minutes": 60 if role.startswith("console") else None, "total_minutes": 240, "proctor": proctor}
    steps = [logbook.StepEntry(step=rarp_step("Bladder neck dissection"), takeover=takeover)]
    case = logbook.case_create(trainee=trainee, actor=trainee, data=data, steps=steps)
    logbook.case_submit(case=case, actor=trainee)
    return logbook.case_validate(case=case, actor=trainer)


def _values(enrolment):
    return {item.requirement.component.kind: item.value for item in progress_for(enrolment).requirements
            if item.requirement.type == "min_count"}


def test_the_defaults(admin, trainee, assigned_trainer):
    enrolment = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=_pathway(admin))
    _case(trainee, assigned_trainer, "console_part", "A")           # the trainer did the key parts
    _case(trainee, assigned_trainer, "console_part", "S-TS")        # supervised console
    _case(trainee, assigned_trainer, "console_whole", "P")          # independent whole case
    _case(trainee, assigned_trainer, "console_whole", "P", takeover=True)  # a takeover: not independent
    _case(trainee, assigned_trainer, "console_part", "T")           # teaching, never own console work
    _case(trainee, assigned_trainer, "bedside_assistant", "A")
    assert _values(enrolment) == {"supervised_console_cases": 1, "independent_console_cases": 1,
                                  "bedside_assisting": 1}


def test_a_change_on_a_draft_version_moves_progress_and_a_published_one_keeps_its_counting(
        admin, trainee, assigned_trainer, lead):
    draft = _pathway(admin, publish=False)
    _case(trainee, assigned_trainer, "console_part", "A")
    rules = [*counting.DEFAULT_RULES, Rule("supervised_console_cases", "console_part", "A")]
    with pytest.raises(NotPermitted):
        counting.rules_set(actor=lead, pathway=draft, rules=rules)
    counting.rules_set(actor=admin, pathway=draft, rules=rules)
    published = curriculum.pathway_publish(actor=admin, pathway=draft)
    enrolment = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=published)
    assert _values(enrolment)["supervised_console_cases"] == 1
    with pytest.raises(Conflict):
        counting.rules_set(actor=admin, pathway=published, rules=counting.DEFAULT_RULES)
    assert CountingRule.objects.filter(pathway=published).count() == len(rules)
    # Whose progress would move if this cohort were counted by today's defaults.
    changes = counting.progress_changes(pathway=published, rules=counting.DEFAULT_RULES)
    assert [(c["trainee"], c["kind"], c["now"], c["moved"]) for c in changes] == [
        (trainee, "supervised_console_cases", 1, 0)]
    out = io.StringIO()
    call_command("counting_rules", "preview", str(published.pk), stdout=out)
    assert f"{trainee.email}: supervised_console_cases" in out.getvalue() and "1 -> 0" in out.getvalue()


def test_a_proctored_case_counts_for_the_conversion_pathway_only(admin, trainee, assigned_trainer):
    from tests.builders.faculty import assign

    assign(assigned_trainer, trainee, kind="proctor")
    conversion = _pathway(admin, audience="established_surgeon", code="conversion")
    trainee_pathway = _pathway(admin, code="trainee-console")
    _case(trainee, assigned_trainer, "console_whole", "P", proctor=assigned_trainer)
    on_conversion = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=conversion)
    on_trainee = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=trainee_pathway)
    assert _values(on_conversion)["supervised_console_cases"] == 1
    assert _values(on_trainee)["independent_console_cases"] == 0


def test_only_an_assigned_proctor_may_be_named(api, trainee, assigned_trainer, unassigned_trainer):
    body = {"date": days_ago(2).isoformat(), "site": SiteFactory().pk, "platform": "davinci_xi",
            "procedure": Procedure.objects.get(code="rarp").pk, "role": "console_whole", "supervision": "P",
            "console_minutes": 60, "total_minutes": 200, "proctor": unassigned_trainer.pk}
    response = api.as_user(trainee).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400 and "proctor" in response.json()
