"""The case-create floor of the benchmark writes what the API's create writes (bench/floors.py):
the same case row and steps, and an audit entry that keeps the trainee's chain whole."""

from __future__ import annotations

import pytest

from accreditation.logbook.models import Case, CaseStep
from rastrack.accounts.tokens import token_issue
from rastrack.audit.models import AuditEntry
from rastrack.audit.verify import first_broken_link
from rastrack.reference.models import Procedure
from tests.builders.curriculum import rarp_step
from tests.builders.dates import days_ago
from tests.builders.logbook import make_case
from tests.builders.people import SiteFactory

pytestmark = [pytest.mark.postgres, pytest.mark.urls("bench.floor_urls")]

# The columns only the API's rules fill (the validator rule) or that differ between two writes.
NOT_COMPARED = {"id", "validator_id", "created_at", "updated_at"}


def test_the_floor_writes_the_case_steps_and_audit_entry_the_api_writes(client, trainee, assigned_trainer):
    make_case(trainee, assigned_trainer)  # the trainee's chain has a head already
    steps = [rarp_step(code).pk for code in ("Bladder neck dissection", "Urethrovesical anastomosis")]
    body = {"date": str(days_ago(3)), "site": SiteFactory().pk, "platform": "davinci_xi",
            "procedure": Procedure.objects.get(code="rarp").pk, "role": "console_whole",
            "supervision": "S-TU", "console_minutes": 150, "docking_minutes": 9, "total_minutes": 200,
            "steps": [{"step": s, "role": "console"} for s in steps]}
    auth = {"HTTP_AUTHORIZATION": f"Token {token_issue(trainee)}"}

    api = client.post("/api/v1/cases/", body, content_type="application/json", **auth)
    floor = client.post("/bench/floor/cases/", body, content_type="application/json", **auth)

    assert api.status_code == 201, api.content
    assert floor.status_code == 201, floor.content
    by_api, by_floor = (Case.objects.filter(pk=r.json()["id"]).values().get() for r in (api, floor))
    assert {k: v for k, v in by_floor.items() if k not in NOT_COMPARED} == \
        {k: v for k, v in by_api.items() if k not in NOT_COMPARED}
    assert by_floor["trainee_id"] == trainee.pk and by_floor["status"] == "draft"
    for case in (by_api, by_floor):
        assert list(CaseStep.objects.filter(case_id=case["id"]).order_by("step_id")
                    .values_list("step_id", "role", "takeover")) == [(s, "console", False) for s in sorted(steps)]
    entries = AuditEntry.objects.filter(action="case.create", object_id__in=[str(by_api["id"]), str(by_floor["id"])])
    assert entries.count() == 2
    assert {e.stream for e in entries} == {f"portfolio:{trainee.pk}"}
    assert first_broken_link() is None


def test_the_floor_refuses_a_request_without_a_token(client, db):
    response = client.post("/bench/floor/cases/", {}, content_type="application/json")
    assert response.status_code == 401
    assert not Case.objects.exists()


def test_the_learning_curve_floor_answers_the_apis_json(client, trainee, assigned_trainer):
    from accreditation.logbook import services as logbook

    for n in range(6):
        case = make_case(trainee, assigned_trainer, role="console_whole", supervision="S-TU", days=40 - n)
        if n % 2:
            logbook.case_outcome_add(case=case, actor=trainee,
                                     data={"followup_days": 30, "complication_grade": "II"})
    make_case(trainee, assigned_trainer, role="bedside_assistant", days=3)  # left out, by reason
    path = f"?procedure={Procedure.objects.get(code='rarp').pk}"
    auth = {"HTTP_AUTHORIZATION": f"Token {token_issue(trainee)}"}
    api = client.get("/api/v1/cases/learning-curve/" + path, **auth)
    floor = client.get("/bench/floor/learning-curve/" + path, **auth)
    assert api.status_code == floor.status_code == 200
    assert floor.json() == api.json()
    assert len(api.json()["points"]) == 6 and api.json()["excluded"]
    assert any(p["failure"] for p in api.json()["complications"]["points"])


def test_the_queue_floor_answers_the_cases_the_api_queue_answers(client, admin, trainee, other_trainee,
                                                                 assigned_trainer):
    """Both read the validator's submitted cases of the trainees they may supervise today: a
    case whose trainee's supervision has ended is in neither."""
    from accreditation.faculty.models import Assignment
    from accreditation.faculty.services.assignments import assignment_end
    from tests.builders.dates import days_ago as ago
    from tests.builders.faculty import assign

    assign(assigned_trainer, other_trainee)
    kept = [make_case(trainee, assigned_trainer, status="submitted", days=d).pk for d in (9, 8, 7)]
    gone = make_case(other_trainee, assigned_trainer, status="submitted", days=6).pk
    auth = {"HTTP_AUTHORIZATION": f"Token {token_issue(assigned_trainer)}"}

    def ids(url):
        answer = client.get(url, **auth)
        assert answer.status_code == 200
        return answer.json()["count"], [row["id"] for row in answer.json()["results"]]

    assert ids("/api/v1/cases/queue/") == ids("/bench/floor/queue/") == (4, [*kept, gone])
    assignment_end(assignment=Assignment.objects.get(trainer=assigned_trainer, trainee=other_trainee),
                   actor=admin, ends_on=ago(1))
    assert ids("/api/v1/cases/queue/") == ids("/bench/floor/queue/") == (3, kept)
