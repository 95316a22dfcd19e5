"""Proficiency-based progression: every listed exercise at benchmark on consecutive attempts,
on the right platform, counting only the provenances the requirement names."""

from __future__ import annotations

import pytest

from accreditation.logbook.progress import proficiency_runs
from curriculum import services as curriculum
from curriculum.progress import progress_for
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.logbook import legacy_session, make_session

pytestmark = pytest.mark.django_db

P, F = (True, True), (False, True)  # a counted pass, a failure
UNCOUNTED_PASS, UNCOUNTED_FAIL = (True, False), (False, False)


@pytest.mark.parametrize(("series", "reached", "run"), [
    ([], False, 0),
    ([P], False, 1),
    ([P, P], True, 2),
    ([P, F, P], False, 1),  # a failure between two passes resets the run
    ([F, P, P, F], True, 0),  # reached once stays reached; the run is now 0
    ([P, UNCOUNTED_PASS, P], True, 2),  # an unverified pass neither adds nor breaks
    ([P, UNCOUNTED_FAIL, P], False, 1),  # an unverified failure still resets
])
def test_pass_and_reset_rules(series, reached, run):
    assert proficiency_runs(series, 2) == (reached, run)


def _enrolment(admin, trainee, *, params, platform="", provenances=None):
    framework = make_framework(admin)
    pathway = curriculum.pathway_create(actor=admin, code="sim-pbp", title="Simulator PBP", audience="trainee",
                                        framework=framework)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Simulator")
    sim = curriculum.component_create(actor=admin, module=module, title="Simulator", kind="simulation")
    curriculum.requirement_create(actor=admin, component=sim, type="simulator_proficiency", params=params,
                                  platform=platform, provenances=provenances)
    pathway = curriculum.pathway_publish(actor=admin, pathway=pathway)
    return curriculum.enrolment_create(actor=admin, trainee=trainee, pathway=pathway, enrolled_on=days_ago(90))


def _item(enrolment):
    return next(i for i in progress_for(enrolment).requirements if i.requirement.type == "simulator_proficiency")


def test_the_same_exercise_twice_in_a_row_verified(admin, trainee, assigned_trainer):
    enrolment = _enrolment(admin, trainee, params={"exercises": ["mimic-pick-and-place", "mimic-peg-board-1"]})
    item = _item(enrolment)
    assert (item.met, item.value, item.target) == (False, 0, 2)
    # Two passes of different exercises are not "twice at benchmark".
    make_session(trainee, code="mimic-pick-and-place", days=10, verifier=assigned_trainer)
    make_session(trainee, code="mimic-peg-board-1", days=9, verifier=assigned_trainer)
    assert _item(enrolment).value == 0
    make_session(trainee, code="mimic-pick-and-place", days=8, verifier=assigned_trainer)
    item = _item(enrolment)
    assert item.value == 1 and not item.met
    assert any("Peg Board 1: current run 1 of 2" in n for n in item.notes)
    assert item.notes[-1].startswith("Next: 1 more attempt at benchmark in Peg Board 1")
    make_session(trainee, code="mimic-peg-board-1", days=7, passed=False, verifier=assigned_trainer)
    make_session(trainee, code="mimic-peg-board-1", days=6, verifier=assigned_trainer)
    assert not _item(enrolment).met  # the failure reset the run
    make_session(trainee, code="mimic-peg-board-1", days=5, verifier=assigned_trainer)
    item = _item(enrolment)
    assert item.met and item.value == 2


def test_self_reported_sessions_wait_for_verification(admin, trainee, assigned_trainer):
    enrolment = _enrolment(admin, trainee, params={"exercises": ["mimic-pick-and-place"]})
    make_session(trainee, days=4)
    make_session(trainee, days=3)
    item = _item(enrolment)
    assert not item.met and item.evidence == ()
    assert any("2 self-reported sessions wait for verification by" in n and assigned_trainer.full_name in n
               for n in item.notes)


def test_a_requirement_that_counts_self_reported_sessions(admin, trainee):
    enrolment = _enrolment(admin, trainee, params={"exercises": ["mimic-pick-and-place"]},
                           provenances=["self_reported", "trainer_verified", "device_import"])
    make_session(trainee, days=4)
    make_session(trainee, days=3)
    assert _item(enrolment).met


def test_platform_narrowing(admin, trainee, assigned_trainer):
    enrolment = _enrolment(admin, trainee, params={"exercises": ["versius-pegboard", "mimic-pick-and-place"]},
                           platform="versius")
    for days in (4, 3):
        make_session(trainee, code="versius-pegboard", days=days, verifier=assigned_trainer)
        make_session(trainee, code="mimic-pick-and-place", days=days, verifier=assigned_trainer)
    item = _item(enrolment)
    # The da Vinci exercise is not on the Versius: its sessions never count here.
    assert item.value == 1 and not item.met
    assert {e.label.split(":")[0] for e in item.evidence} == {"Pegboard"}


def test_all_frs_tasks_and_legacy_sessions(admin, trainee, assigned_trainer):
    enrolment = _enrolment(admin, trainee, params={"all_frs_tasks": True, "consecutive": 1})
    legacy_session(trainee, date=days_ago(5), score=99, verifier=assigned_trainer, exercise_name="FRS: Ball placement")
    item = _item(enrolment)
    assert (item.value, item.target, item.met) == (0, 4, False)
    for code in ("frs-ball-placement", "frs-suture-knot-tying", "frs-fourth-arm-cutting",
                 "frs-puzzle-piece-dissection"):
        make_session(trainee, code=code, verifier=assigned_trainer)
    assert _item(enrolment).met


def test_bad_proficiency_parameters_are_400(admin):
    from rastrack.core.exceptions import ApplicationError

    framework = make_framework(admin)
    pathway = curriculum.pathway_create(actor=admin, code="bad-pbp", title="Bad", audience="trainee",
                                        framework=framework)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Simulator")
    sim = curriculum.component_create(actor=admin, module=module, title="Simulator", kind="simulation")
    with pytest.raises(ApplicationError) as exc:
        curriculum.requirement_create(actor=admin, component=sim, type="simulator_proficiency",
                                      params={"exercises": ["no-such-task"]}, provenances=["typed"])
    assert {"exercises", "provenances"} <= set(exc.value.errors)


def test_progress_queries_do_not_grow_with_sessions(admin, trainee, assigned_trainer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enrolment = _enrolment(admin, trainee, params={"exercises": ["mimic-pick-and-place", "mimic-peg-board-1"]})
    make_session(trainee, days=9, verifier=assigned_trainer)
    make_session(trainee, days=8)
    with CaptureQueriesContext(connection) as few:
        _item(enrolment)
    for days in range(7, 1, -1):
        make_session(trainee, code="mimic-peg-board-1", days=days, verifier=assigned_trainer)
        make_session(trainee, days=days)
    with CaptureQueriesContext(connection) as many:
        _item(enrolment)
    assert len(many) == len(few)


def test_the_command_lists_trainees_whose_progress_would_change(admin, trainee, other_trainee, assigned_trainer):
    from io import StringIO

    from django.core.management import call_command

    from tests.builders.faculty import assign

    every = ["self_reported", "trainer_verified", "device_import"]
    enrolment = _enrolment(admin, trainee, params={"exercises": ["mimic-pick-and-place"]}, provenances=every)
    curriculum.enrolment_create(actor=admin, trainee=other_trainee, pathway=enrolment.pathway,
                                enrolled_on=days_ago(30))
    assign(assigned_trainer, other_trainee)
    for days in (4, 3):
        make_session(trainee, days=days)  # typed: counts now, would not under the default
        make_session(other_trainee, days=days, verifier=assigned_trainer)  # verified: unchanged
    out = StringIO()
    call_command("provenance_impact", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith(trainee.email) and "met (1) -> not met (0)" in lines[0]
    assert "1 trainee(s)" in lines[1]


def test_the_progress_page_explains_the_run(client, admin, trainee, assigned_trainer):
    enrolment = _enrolment(admin, trainee, params={"exercises": ["mimic-pick-and-place"]})
    make_session(trainee, verifier=assigned_trainer)
    make_session(trainee)
    client.force_login(trainee)
    page = client.get(f"/curriculum/enrolments/{enrolment.pk}/").content.decode()
    assert "Pick and Place: current run 1 of 2." in page
    assert "1 self-reported session waits for verification" in page


def test_the_progress_page_reads_the_exercises_once_for_the_measure_and_the_names(admin, trainee, assigned_trainer):
    """The requirement's description names the exercises the measure read: one read of the
    catalogue, made inside the page's progress computation."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    enrolment = _enrolment(admin, trainee, params={"exercises": ["mimic-pick-and-place", "mimic-peg-board-1"]})
    make_session(trainee, code="mimic-pick-and-place", days=9, verifier=assigned_trainer)
    page = Client()
    page.force_login(trainee)
    with CaptureQueriesContext(connection) as queries:
        response = page.get(f"/curriculum/enrolments/{enrolment.pk}/")
    assert response.status_code == 200
    # The description, with the catalogue's names for the listed codes.
    assert "“Pick and Place”, “Peg Board 1”" in response.content.decode()
    reads = [q["sql"] for q in queries if 'FROM "accreditation_simulatorexercise"' in q["sql"]]
    assert len(reads) == 1, reads

    from tests.support.api_clients import token_client

    api = token_client(trainee)
    with CaptureQueriesContext(connection) as queries:
        body = api.get(f"/api/v1/enrolments/{enrolment.pk}/progress/").json()
    assert any("Pick and Place" in str(r) for r in body["requirements"])
    reads = [q["sql"] for q in queries if 'FROM "accreditation_simulatorexercise"' in q["sql"]]
    assert len(reads) == 1, reads
