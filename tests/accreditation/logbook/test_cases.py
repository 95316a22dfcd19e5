"""The logbook: field rules, workflow, validator rule, batch validation, permissions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.logbook.models import Case, CaseStatus, SimulatorExercise
from rastrack.audit.models import AuditEntry
from rastrack.notifications.models import Notification
from rastrack.reference.models import Procedure
from tests.builders.people import SiteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"
TODAY = timezone.localdate


@pytest.fixture
def rarp(db):
    return Procedure.objects.prefetch_related("steps").get(code="rarp")


@pytest.fixture
def site(london):
    return SiteFactory(region=london, name="Guy's Hospital")


@pytest.fixture
def payload(site, rarp):
    def make(**overrides):
        data = {
            "date": (TODAY() - datetime.timedelta(days=2)).isoformat(), "site": site.pk,
            "platform": "davinci_xi", "procedure": rarp.pk, "role": "console_part",
            "supervision": "S-TS", "console_minutes": 95, "docking_minutes": 9,
            "total_minutes": 210, "conversion": "none", "complication_grade": "none",
            "case_reference": "Case 12 of 2026", "notes": "Did the bladder neck.",
            "steps": [{"step": rarp.steps.get(name="Bladder neck dissection").pk, "role": "console"}],
        }
        data.update(overrides)
        return data
    return make


@pytest.fixture
def draft(api, trainee, payload, assigned_trainer):
    response = api.as_user(trainee).post(URL, payload(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _submit(api, trainee, case_id):
    return api.as_user(trainee).post(f"{URL}{case_id}/submit/")


# --- Creating and the field rules -----------------------------------------------------------

def test_a_trainee_logs_a_case_with_steps(draft, trainee, assigned_trainer):
    assert draft["trainee"] == trainee.pk
    assert draft["status"] == "draft"
    assert draft["validator"] == assigned_trainer.pk
    assert [s["step_name"] for s in draft["steps"]] == ["Bladder neck dissection"]
    assert AuditEntry.objects.filter(action="case.create", object_id=str(draft["id"])).exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"date": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()}, "date"),
    ({"console_minutes": None}, "console_minutes"),
    ({"console_minutes": 300, "total_minutes": 200}, "console_minutes"),
    ({"docking_minutes": 241}, "docking_minutes"),
    ({"total_minutes": 1441}, "total_minutes"),
    ({"console_minutes": -5}, "console_minutes"),
    ({"console_minutes": 12.5}, "console_minutes"),
    ({"platform": "laparoscope"}, "platform"),
    ({"supervision": "X"}, "supervision"),
    ({"complication_grade": "III"}, "complication_grade"),
    ({"notes": "Patient NHS number 943 476 5919, tricky case."}, "notes"),
    ({"case_reference": "MRN 12345678"}, "case_reference"),
    ({"supervisor_name": "Mr Smith, DOB 12/03/1961"}, "supervisor_name"),
])
def test_every_field_rule_gives_a_message_for_its_field(api, trainee, payload, overrides, field):
    response = api.as_user(trainee).post(URL, payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Case.objects.exists()


def test_console_time_is_optional_for_bedside_and_observer(api, trainee, payload):
    for role, code in (("bedside_assistant", "A"), ("observer", "O")):
        response = api.as_user(trainee).post(URL, payload(role=role, supervision=code, console_minutes=None,
                                                          steps=[]), format="json")
        assert response.status_code == 201, response.json()


def test_the_supervisor_must_be_a_registered_trainer(api, trainee, payload, other_trainee, assigned_trainer):
    response = api.as_user(trainee).post(URL, payload(supervisor=other_trainee.pk), format="json")
    assert response.status_code == 400 and "supervisor" in response.json()
    both = payload(supervisor=assigned_trainer.pk, supervisor_name="Mr Jones")
    assert "supervisor_name" in api.as_user(trainee).post(URL, both, format="json").json()
    named = api.as_user(trainee).post(URL, payload(supervisor_name="Mr Jones (visiting proctor)"), format="json")
    assert named.status_code == 201


def test_steps_must_belong_to_the_procedure(api, trainee, payload):
    other_step = Procedure.objects.get(code="cholecystectomy").steps.first()
    response = api.as_user(trainee).post(URL, payload(steps=[{"step": other_step.pk}]), format="json")
    assert response.status_code == 400 and "steps" in response.json()


@pytest.mark.parametrize("persona", ["assigned_trainer", "lead", "admin", "lab_manager"])
def test_only_trainees_log_cases_for_themselves(api, request, persona, payload):
    response = api.as_user(request.getfixturevalue(persona)).post(URL, payload(), format="json")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_trainee_field_cannot_be_mass_assigned(api, trainee, other_trainee, payload):
    response = api.as_user(trainee).post(URL, payload(trainee=other_trainee.pk, status="validated"), format="json")
    assert response.status_code == 201
    assert response.json()["trainee"] == trainee.pk and response.json()["status"] == "draft"


# --- Workflow -----------------------------------------------------------------------------------

def test_submit_validate_and_the_frozen_case(api, trainee, assigned_trainer, draft):
    case_id = draft["id"]
    assert _submit(api, trainee, case_id).json()["status"] == "submitted"
    response = api.as_user(assigned_trainer).post(f"{URL}{case_id}/validate/", {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "validated"
    assert body["validated_role"] == "console_part" and body["disagreement"] is False
    client = api.as_user(trainee)
    assert client.patch(f"{URL}{case_id}/", {"notes": "changed"}, format="json").status_code == 409
    assert client.delete(f"{URL}{case_id}/").status_code == 409
    assert _submit(api, trainee, case_id).status_code == 409
    assert api.as_user(assigned_trainer).post(f"{URL}{case_id}/validate/").status_code == 409
    assert api.as_user(assigned_trainer).post(f"{URL}{case_id}/reject/", {"reason": "x"}).status_code == 409


def test_wrong_state_actions_are_409(api, trainee, assigned_trainer, draft):
    case_id = draft["id"]
    trainer = api.as_user(assigned_trainer)
    assert trainer.post(f"{URL}{case_id}/validate/").status_code == 409       # still a draft
    assert trainer.post(f"{URL}{case_id}/reject/", {"reason": "x"}).status_code == 409
    _submit(api, trainee, case_id)
    assert _submit(api, trainee, case_id).status_code == 409                   # already submitted
    assert api.as_user(trainee).patch(f"{URL}{case_id}/", {"notes": "x"}, format="json").status_code == 409


def test_reject_needs_a_reason_then_the_trainee_resubmits(api, trainee, assigned_trainer, draft,
                                                          django_capture_on_commit_callbacks):
    case_id = draft["id"]
    _submit(api, trainee, case_id)
    trainer = api.as_user(assigned_trainer)
    response = trainer.post(f"{URL}{case_id}/reject/", {"reason": "  "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = trainer.post(f"{URL}{case_id}/reject/", {"reason": "You did not do the anastomosis."}, format="json")
    assert response.json()["status"] == "rejected"
    assert Notification.objects.filter(recipient=trainee, kind="case.rejected").count() == 1
    client = api.as_user(trainee)
    assert client.patch(f"{URL}{case_id}/", {"notes": "Corrected steps."}, format="json").status_code == 200
    assert _submit(api, trainee, case_id).json()["status"] == "submitted"


def test_the_trainee_withdraws_a_submitted_case_to_draft_until_it_is_decided(api, trainee, assigned_trainer, draft):
    case_id = draft["id"]
    _submit(api, trainee, case_id)
    assert api.as_user(assigned_trainer).post(f"{URL}{case_id}/withdraw/").status_code == 403  # not theirs
    response = api.as_user(trainee).post(f"{URL}{case_id}/withdraw/")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["validator"], response.json()["submitted_at"]) == (
        "draft", None, None)
    assert AuditEntry.objects.filter(action="case.withdraw", object_id=str(case_id)).exists()
    # Out of the validator's queue; a draft is not withdrawn twice; a decided case never.
    assert case_id not in [c["id"] for c in api.as_user(assigned_trainer).get(f"{URL}queue/").json()["results"]]
    assert api.as_user(trainee).post(f"{URL}{case_id}/withdraw/").status_code == 409
    _submit(api, trainee, case_id)
    assert api.as_user(assigned_trainer).post(f"{URL}{case_id}/validate/").status_code == 200
    assert api.as_user(trainee).post(f"{URL}{case_id}/withdraw/").status_code == 409
    assert Case.objects.get(pk=case_id).status == CaseStatus.VALIDATED


def test_validation_records_a_disagreement(api, trainee, assigned_trainer, draft):
    _submit(api, trainee, draft["id"])
    body = api.as_user(assigned_trainer).post(
        f"{URL}{draft['id']}/validate/", {"supervision": "A", "role": "bedside_assistant"}, format="json").json()
    assert body["disagreement"] is True
    assert (body["role"], body["supervision"]) == ("console_part", "S-TS")  # the trainee's view kept
    assert (body["validated_role"], body["validated_supervision"]) == ("bedside_assistant", "A")


def test_only_the_validator_validates(api, trainee, draft, unassigned_trainer, lead, admin, assigned_trainer):
    _submit(api, trainee, draft["id"])
    assert api.as_user(unassigned_trainer).post(f"{URL}{draft['id']}/validate/").status_code == 404
    assert api.as_user(lead).post(f"{URL}{draft['id']}/validate/").status_code == 403   # sees, may not act
    assert api.as_user(admin).post(f"{URL}{draft['id']}/validate/").status_code == 403
    assert api.as_user(trainee).post(f"{URL}{draft['id']}/validate/").status_code == 403  # own evidence
    assert Case.objects.get(pk=draft["id"]).status == CaseStatus.SUBMITTED
    assert api.as_user(assigned_trainer).post(f"{URL}{draft['id']}/validate/").status_code == 200


def test_without_an_educational_supervisor_a_case_cannot_be_submitted(api, other_trainee, payload):
    created = api.as_user(other_trainee).post(URL, payload(), format="json").json()
    assert created["validator"] is None
    response = _submit(api, other_trainee, created["id"])
    assert response.status_code == 400
    assert "educational supervisor" in response.json()["detail"]


def test_batch_validation_gives_a_result_per_case(api, trainee, other_trainee, assigned_trainer, payload):
    client = api.as_user(trainee)
    ids = [client.post(URL, payload(), format="json").json()["id"] for _ in range(3)]
    for case_id in ids[:2]:
        _submit(api, trainee, case_id)
    response = api.as_user(assigned_trainer).post(f"{URL}validate-batch/", {"cases": [
        {"id": ids[0]}, {"id": ids[1], "supervision": "S-TU"}, {"id": ids[2]}, {"id": 999999}]}, format="json")
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["results"]}
    assert results[ids[0]]["ok"] and results[ids[1]]["ok"]
    assert not results[ids[2]]["ok"] and "draft" in results[ids[2]]["error"]
    assert not results[999999]["ok"] and results[999999]["error"] == "Not found."
    assert Case.objects.get(pk=ids[1]).disagreement is True


# --- Permissions --------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "expected"), [
    ("trainee", 200), ("assigned_trainer", 200), ("lead", 200), ("admin", 200),
    ("other_trainee", 404), ("unassigned_trainer", 404), ("other_lead", 404), ("lab_manager", 404),
])
def test_who_reads_a_case(api, request, draft, persona, expected):
    user = request.getfixturevalue(persona)
    assert api.as_user(user).get(f"{URL}{draft['id']}/").status_code == expected
    listed = [c["id"] for c in api.as_user(user).get(URL).json()["results"]]
    assert (draft["id"] in listed) is (expected == 200)


def test_anonymous_gets_401(draft):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}{draft['id']}/").status_code == 401


@pytest.mark.parametrize("persona", ["assigned_trainer", "lead", "admin"])
def test_nobody_edits_another_persons_case(api, request, draft, persona):
    client = api.as_user(request.getfixturevalue(persona))
    assert client.patch(f"{URL}{draft['id']}/", {"notes": "mine now"}, format="json").status_code == 403
    assert client.delete(f"{URL}{draft['id']}/").status_code == 403
    assert Case.objects.get(pk=draft["id"]).notes == "Did the bladder neck."


def test_filters(api, trainee, payload, rarp):
    client = api.as_user(trainee)
    client.post(URL, payload(platform="versius"), format="json")
    client.post(URL, payload(date=(TODAY() - datetime.timedelta(days=30)).isoformat()), format="json")
    assert client.get(f"{URL}?platform=versius").json()["count"] == 1
    since = (TODAY() - datetime.timedelta(days=7)).isoformat()
    assert client.get(f"{URL}?date_from={since}").json()["count"] == 1
    assert client.get(f"{URL}?status=draft&procedure={rarp.pk}&role=console_part").json()["count"] == 2


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_list_and_the_queue_use_constant_queries(api, trainee, assigned_trainer, payload):
    from django.core.cache import cache

    client = api.as_user(trainee)
    _submit(api, trainee, client.post(URL, payload(), format="json").json()["id"])
    trainer = api.as_user(assigned_trainer)
    one_list = _count_queries(trainer, URL + "?page_size=100")
    one_queue = _count_queries(trainer, URL + "queue/?page_size=100")
    for _ in range(25):
        case_id = client.post(URL, payload(), format="json").json()["id"]
        _submit(api, trainee, case_id)
    cache.clear()
    assert _count_queries(trainer, URL + "?page_size=100") == one_list
    assert _count_queries(trainer, URL + "queue/?page_size=100") == one_queue
    queue = trainer.get(URL + "queue/?page_size=100").json()
    assert queue["count"] == 26
    submitted = [c["submitted_at"] for c in queue["results"]]
    assert submitted == sorted(submitted)  # oldest first


# --- Learning curve ---------------------------------------------------------------------------

def test_learning_curve_matches_a_hand_computed_cusum(api, trainee, payload, rarp, assigned_trainer):
    client = api.as_user(trainee)
    minutes = [200, 180, 150, 130, 90]
    base = TODAY() - datetime.timedelta(days=50)
    ids = []
    for i, m in enumerate(minutes):
        case_id = client.post(URL, payload(date=(base + datetime.timedelta(days=i)).isoformat(), role="console_whole",
                                           console_minutes=m, total_minutes=m + 60), format="json").json()["id"]
        _submit(api, trainee, case_id)
        api.as_user(assigned_trainer).post(f"{URL}{case_id}/validate/")
        ids.append(case_id)
    client.post(URL, payload(role="bedside_assistant", supervision="A", console_minutes=None, steps=[]),
                format="json")  # not console
    _submit(api, trainee, client.post(URL, payload(), format="json").json()["id"])  # submitted only
    body = client.get(f"{URL}learning-curve/?procedure={rarp.pk}&stay=3").json()
    assert [p["n"] for p in body["points"]] == [1, 2, 3, 4, 5]
    assert [p["case"] for p in body["points"]] == ids
    assert [p["console_minutes"] for p in body["points"]] == minutes
    assert [p["cusum"] for p in body["points"]] == [50.0, 80.0, 80.0, 60.0, 0.0]
    assert (body["target"], body["learning_phase_cases"]) == (150.0, 2)
    assert body["excluded"] == {"not_validated": 2}  # the draft bedside case and the submitted one
    assert client.get(f"{URL}learning-curve/?procedure={rarp.pk}").json()["learning_phase_cases"] is None
    # Against a set target of 160: deviations 40, 20, -10, -30, -70.
    targeted = client.get(f"{URL}learning-curve/?procedure={rarp.pk}&target=160&stay=3").json()
    assert [p["cusum"] for p in targeted["points"]] == [40.0, 60.0, 50.0, 20.0, -50.0]
    assert targeted["complications"]["signal_case"] is None
    trainer_view = api.as_user(assigned_trainer).get(
        f"{URL}learning-curve/?procedure={rarp.pk}&trainee={trainee.pk}&stay=3")
    assert trainer_view.json()["points"] == body["points"]


def test_a_step_curve_reads_part_and_whole_cases_by_the_steps_own_minutes(api, trainee, rarp, assigned_trainer):
    from tests.builders.logbook import make_case

    neck = rarp.steps.get(name="Bladder neck dissection")
    whole = make_case(trainee, assigned_trainer, role="console_whole", steps=["Bladder neck dissection"], days=9)
    part = make_case(trainee, assigned_trainer, role="console_part", days=8, steps=["Bladder neck dissection"])
    make_case(trainee, assigned_trainer, role="console_part", days=7, steps=["Apical dissection"])
    CaseStep = whole.steps.model
    for case, minutes in ((whole, 25), (part, None)):
        step = CaseStep.objects.get(case=case, step=neck)
        step.console_minutes = minutes
        step.save()
    body = api.as_user(trainee).get(f"{URL}learning-curve/?procedure={rarp.pk}&step={neck.pk}").json()
    # The whole case by the step's 25 minutes; the part case's only console step by its 90 case minutes.
    assert [(p["case"], p["console_minutes"]) for p in body["points"]] == [(whole.pk, 25), (part.pk, 90)]
    assert body["excluded"] == {"step_not_recorded": 1}
    whole_curve = api.as_user(trainee).get(f"{URL}learning-curve/?procedure={rarp.pk}").json()
    assert [p["case"] for p in whole_curve["points"]] == [whole.pk]
    assert whole_curve["excluded"] == {"part_case": 2}


def test_the_curve_costs_the_same_queries_for_1_and_many_cases(api, trainee, rarp, assigned_trainer,
                                                               django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.builders.logbook import make_case

    client = api.as_user(trainee)
    url = f"{URL}learning-curve/?procedure={rarp.pk}&step={rarp.steps.first().pk}"
    make_case(trainee, assigned_trainer, role="console_whole", days=9)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for days in (8, 7, 6):
        make_case(trainee, assigned_trainer, role="console_whole", days=days)
    with django_assert_num_queries(len(one)):
        client.get(url)


def test_learning_curve_of_someone_else_is_404(api, trainee, other_trainee, rarp):
    response = api.as_user(other_trainee).get(f"{URL}learning-curve/?procedure={rarp.pk}&trainee={trainee.pk}")
    assert response.status_code == 404
    assert api.as_user(trainee).get(f"{URL}learning-curve/").status_code == 400


# --- Simulator sessions -------------------------------------------------------------------------

def test_simulator_sessions(api, trainee, assigned_trainer, unassigned_trainer, other_trainee):
    client = api.as_user(trainee)
    exercise = SimulatorExercise.objects.get(code="dvss-ring-walk-3")
    data = {"date": TODAY().isoformat(), "exercise": exercise.pk, "score": "91.5", "minutes": 20,
            "metrics": {m["name"]: m["benchmark"] for m in exercise.metrics}}
    created = client.post("/api/v1/simulator-sessions/", data, format="json")
    assert created.status_code == 201
    session_id = created.json()["id"]
    bad = client.post("/api/v1/simulator-sessions/", {**data, "score": "101"}, format="json")
    assert bad.status_code == 400 and "score" in bad.json()
    assert api.as_user(trainee).post(f"/api/v1/simulator-sessions/{session_id}/verify/").status_code == 403
    assert api.as_user(other_trainee).get(f"/api/v1/simulator-sessions/{session_id}/").status_code == 404
    assert api.as_user(unassigned_trainer).post(f"/api/v1/simulator-sessions/{session_id}/verify/").status_code == 404
    verified = api.as_user(assigned_trainer).post(f"/api/v1/simulator-sessions/{session_id}/verify/")
    assert verified.status_code == 200 and verified.json()["verified_by"] == assigned_trainer.pk
    assert verified.json()["provenance"] == "trainer_verified"
    assert api.as_user(assigned_trainer).post(f"/api/v1/simulator-sessions/{session_id}/verify/").status_code == 409


def test_the_trainee_is_told_of_a_validation_and_plainly_of_a_correction(trainee, assigned_trainer):
    from rastrack.notifications.models import Notification
    from tests.builders.logbook import make_case

    plain = make_case(trainee, assigned_trainer, status="validated")
    told = Notification.objects.get(recipient=trainee, kind="case.validated")
    assert told.link == f"/logbook/cases/{plain.pk}/" and "counts as evidence" in told.body
    corrected = make_case(trainee, status="submitted")
    from accreditation.logbook.services import case_validate

    case_validate(case=corrected, actor=assigned_trainer, role="console_whole", supervision="S-TU")
    note = Notification.objects.get(recipient=trainee, kind="case.corrected")
    assert "with a correction" in note.subject
    assert "role: Console surgeon, whole case (you logged Console surgeon, part of the case)" in note.body
    assert "supervision: S-TU (you logged S-TS)" in note.body
