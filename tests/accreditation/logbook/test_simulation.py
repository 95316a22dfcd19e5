"""Simulator exercises and sessions: the catalogue, metrics judged against benchmarks (never
typed), benchmark edits that never rewrite the past, and verification with provenance."""

from __future__ import annotations

import pytest

from accreditation.logbook.models import SimulatorExercise, SimulatorSession
from accreditation.logbook.services import simulator_session_create
from rastrack.audit.models import AuditEntry
from tests.builders.dates import days_ago
from tests.builders.logbook import at_benchmark, exercise, make_session

pytestmark = pytest.mark.django_db

EXERCISES = "/api/v1/simulator-exercises/"
SESSIONS = "/api/v1/simulator-sessions/"


def _body(ex, **changes):
    return {"date": days_ago(1).isoformat(), "exercise": ex.pk, "minutes": 20,
            "metrics": at_benchmark(ex), **changes}


def test_the_catalogue_holds_the_frs_tasks_and_every_simulator(api, trainee):
    response = api.as_user(trainee).get(EXERCISES, {"page_size": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["simulator"] for r in rows} >= {"davinci_skills", "simnow", "mimic_dv_trainer", "robotix_mentor",
                                               "versius_trainer", "hugo_simulator", "other"}
    assert sum(1 for r in rows if r["frs_task"]) == 4
    ring = next(r for r in rows if r["code"] == "dvss-ring-walk-3")
    assert ring["pass_rule"] == "overall_score" and ring["platform"] == "davinci_xi"
    assert {"name", "unit", "better", "benchmark"} == set(ring["metrics"][0])


def test_a_session_is_judged_against_the_benchmarks_not_typed(api, trainee):
    ex = exercise("mimic-pick-and-place")
    client = api.as_user(trainee)
    passed = client.post(SESSIONS, _body(ex, meets_benchmark=False), format="json")
    assert passed.status_code == 201, passed.json()
    data = passed.json()
    assert (data["meets_benchmark"], data["provenance"], data["simulator"]) == (True, "self_reported",
                                                                                "mimic_dv_trainer")
    assert data["exercise_name"] == "Pick and Place"
    failed = client.post(SESSIONS, _body(ex, metrics=at_benchmark(ex, better=False)), format="json")
    assert failed.json()["meets_benchmark"] is False
    # Overall-score exercises pass on the simulator's score.
    ring = exercise("dvss-ring-walk-3")
    assert client.post(SESSIONS, _body(ring, score=79), format="json").json()["meets_benchmark"] is False
    assert client.post(SESSIONS, _body(ring, score=80), format="json").json()["meets_benchmark"] is True


def test_bad_metrics_are_400_per_field(api, trainee):
    ex = exercise("mimic-pick-and-place")
    client = api.as_user(trainee)
    metrics = {**at_benchmark(ex), "time": -3, "economy_of_motion": "fast", "smiles": 3}
    del metrics["drops"]
    response = client.post(SESSIONS, _body(ex, metrics=metrics), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"metrics.time", "metrics.economy_of_motion", "metrics.drops", "metrics"} <= set(errors)
    assert "smiles" in errors["metrics"][0]
    # A different simulator than the exercise's, and a missing overall score.
    ring = exercise("dvss-ring-walk-3")
    response = client.post(SESSIONS, _body(ring, simulator="versius_trainer"), format="json")
    assert {"simulator", "score"} <= set(response.json())
    assert client.post(SESSIONS, _body(ex, exercise=None), format="json").status_code == 400
    assert not SimulatorSession.objects.exists()


def test_a_benchmark_edit_is_audited_and_never_rewrites_past_results(api, trainee, admin):
    ex = exercise("mimic-pick-and-place")
    before = make_session(trainee, code=ex.code, passed=True)
    metrics = [dict(m, benchmark=m["benchmark"] / 2 if m["benchmark"] else 0) for m in ex.metrics]
    assert api.as_user(trainee).patch(f"{EXERCISES}{ex.pk}/", {"metrics": metrics}, format="json").status_code == 403
    response = api.as_user(admin).patch(f"{EXERCISES}{ex.pk}/", {"metrics": metrics}, format="json")
    assert response.status_code == 200, response.json()
    assert AuditEntry.objects.filter(action="simulator_exercise.update", object_id=str(ex.pk)).exists()
    before.refresh_from_db()
    assert before.meets_benchmark is True and before.benchmarks["metrics"] == ex.metrics
    # The same values, recorded after the change, are judged by the new benchmarks.
    after = simulator_session_create(trainee=trainee, actor=trainee, data={
        "date": days_ago(1), "exercise": SimulatorExercise.objects.get(pk=ex.pk), "minutes": 20,
        "metrics": before.metrics})
    assert after.metrics == before.metrics and after.meets_benchmark is False


def test_bad_exercise_definitions_are_400(api, admin):
    client = api.as_user(admin)
    body = {"code": "x-task", "simulator": "other", "name": "X task", "pass_rule": "overall_score",
            "metrics": [{"name": "time", "unit": "hours", "better": "faster", "benchmark": "soon"}]}
    response = client.post(EXERCISES, body, format="json")
    assert response.status_code == 400
    assert {"metrics", "score_threshold"} <= set(response.json())
    assert len(response.json()["metrics"]) == 3
    good = {**body, "pass_rule": "all_metrics",
            "metrics": [{"name": "time", "unit": "s", "better": "lower", "benchmark": 90}]}
    assert client.post(EXERCISES, good, format="json").status_code == 201
    assert SimulatorExercise.objects.filter(code="x-task").exists()


def test_verify_is_for_an_assigned_trainer_never_the_trainee(api, trainee, assigned_trainer, unassigned_trainer):
    session = make_session(trainee)
    url = f"{SESSIONS}{session.pk}/verify/"
    assert api.as_user(trainee).post(url).status_code == 403
    assert api.as_user(unassigned_trainer).post(url).status_code == 404
    response = api.as_user(assigned_trainer).post(url)
    assert response.status_code == 200
    assert (response.json()["provenance"], response.json()["verified_by"]) == ("trainer_verified",
                                                                               assigned_trainer.pk)
    assert AuditEntry.objects.filter(action="simulator_session.verify", object_id=str(session.pk)).exists()
    assert api.as_user(assigned_trainer).post(url).status_code == 409


def test_a_trainer_cannot_verify_their_own_session(trainee, assigned_trainer):
    from accreditation.logbook.policies import refusal_to_verify

    session = make_session(trainee)
    session.trainee = assigned_trainer  # as if the trainer had logged it
    assert refusal_to_verify(assigned_trainer, session) is not None


def test_the_verification_queue_lists_self_reported_sessions(trainee, other_trainee, assigned_trainer):
    from accreditation.logbook.selectors import verification_queue

    waiting = make_session(trainee, days=3)
    make_session(trainee, verifier=assigned_trainer)
    make_session(other_trainee)  # not assigned to this trainer
    assert list(verification_queue(assigned_trainer)) == [waiting]


def test_the_queue_page_verifies_a_session(client, trainee, assigned_trainer, unassigned_trainer):
    session = make_session(trainee)
    client.force_login(assigned_trainer)
    page = client.get("/logbook/queue/")
    assert page.status_code == 200 and f'data-session="{session.pk}"' in page.content.decode()
    client.force_login(unassigned_trainer)
    assert client.post(f"/logbook/simulator-sessions/{session.pk}/verify/").status_code == 404
    client.force_login(assigned_trainer)
    response = client.post(f"/logbook/simulator-sessions/{session.pk}/verify/")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.provenance == "trainer_verified"
    assert f'data-session="{session.pk}"' not in client.get("/logbook/queue/").content.decode()
