"""Counting rules as data: the defaults, a change on a draft version moving progress, published
versions keeping their counting, the what-if preview, takeovers and proctored cases; the table
through the API (read by whoever sees the pathway, replaced by programme admins on a draft only)."""

import io

import pytest
from django.core.management import call_command

from accreditation.logbook import counting
from accreditation.logbook import services as logbook
from accreditation.logbook.counting import Rule
from accreditation.logbook.models import CountingRule
from curriculum import services as curriculum
from curriculum.progress import progress_for
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import Conflict, NotPermitted
from rastrack.reference.models import Procedure
from tests.builders.curriculum import make_framework, rarp_step
from tests.builders.dates import days_ago
from tests.builders.people import SiteFactory
from tests.support.api_clients import token_client

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


# --- The counting table through the API ---------------------------------------------------

A_AS_SUPERVISED = {"counted_as": "supervised_console_cases", "role": "console_part", "supervision": "A"}


def _url(pathway):
    return f"/api/v1/counting-rules/{pathway.pk}/"


def _rows(rules):
    return [r._asdict() for r in rules]


def test_an_admin_changes_a_drafts_table_and_progress_on_that_version_moves(admin, trainee, assigned_trainer):
    draft = _pathway(admin, publish=False)
    _case(trainee, assigned_trainer, "console_part", "A")
    client = token_client(admin)
    before = client.get(_url(draft)).json()
    assert before == {"pathway": draft.pk, "defaults": True, "rules": _rows(counting.DEFAULT_RULES)}

    body = {"rules": [*before["rules"], A_AS_SUPERVISED]}
    response = client.put(_url(draft), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["defaults"] is False
    assert {"takeover": "any", **A_AS_SUPERVISED} in response.json()["rules"]
    assert CountingRule.objects.filter(pathway=draft).count() == len(counting.DEFAULT_RULES) + 1
    assert AuditEntry.objects.filter(action="counting_rules.set").count() == 1

    published = curriculum.pathway_publish(actor=admin, pathway=draft)
    enrolment = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=published)
    # Under the defaults an "A" case is the trainer's console work; this version counts it.
    assert _values(enrolment)["supervised_console_cases"] == 1


def test_an_empty_table_returns_a_draft_to_the_defaults(admin):
    draft = _pathway(admin, publish=False)
    counting.rules_set(actor=admin, pathway=draft, rules=[counting.Rule(**A_AS_SUPERVISED)])
    response = token_client(admin).put(_url(draft), {"rules": []}, format="json")
    assert response.status_code == 200
    assert response.json()["defaults"] is True
    assert not CountingRule.objects.filter(pathway=draft).exists()


def test_a_published_version_keeps_its_counting(admin):
    published = _pathway(admin)
    kept = list(CountingRule.objects.filter(pathway=published).values_list("counted_as", "role", "supervision"))
    response = token_client(admin).put(_url(published), {"rules": [A_AS_SUPERVISED]}, format="json")
    assert response.status_code == 409
    assert list(CountingRule.objects.filter(pathway=published).values_list(
        "counted_as", "role", "supervision")) == kept


def test_only_programme_admins_write_and_drafts_are_hidden_from_others(admin, lead, trainee):
    draft = _pathway(admin, publish=False)
    published = _pathway(admin, code="published")
    for user in (lead, trainee):
        client = token_client(user)
        assert client.put(_url(draft), {"rules": [A_AS_SUPERVISED]}, format="json").status_code == 403
        assert client.get(_url(draft)).status_code == 404
        assert client.get(_url(published)).status_code == 200
    assert not CountingRule.objects.filter(pathway=draft).exists()
    assert not AuditEntry.objects.filter(action="counting_rules.set").exists()


def test_a_bad_row_is_refused_per_field(admin):
    draft = _pathway(admin, publish=False)
    body = {"rules": [A_AS_SUPERVISED, {"counted_as": "miracles", "role": "surgeon", "supervision": "Z",
                                        "takeover": "sometimes"}]}
    response = token_client(admin).put(_url(draft), body, format="json")
    assert response.status_code == 400
    # The project's error shape names the row (by its index) and each bad field in it.
    bad = response.json()["rules"]["1"]
    assert set(bad) == {"counted_as", "role", "supervision", "takeover"}
    assert "0" not in response.json()["rules"]
    assert not CountingRule.objects.filter(pathway=draft).exists()


def test_reading_a_table_costs_the_same_whatever_it_holds(admin, django_assert_num_queries):
    draft = _pathway(admin, publish=False)
    client = token_client(admin)
    client.get(_url(draft))
    with django_assert_num_queries(4) as first:
        client.get(_url(draft))
    counting.rules_set(actor=admin, pathway=draft, rules=counting.DEFAULT_RULES)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(_url(draft))
