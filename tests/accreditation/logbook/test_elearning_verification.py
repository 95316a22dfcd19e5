"""Provenance on e-learning completions: self-reported until an assigned trainer verifies one
(the simulator sessions' rule: not one's own, audited, a second time 409), counted as the
requirement's provenances say, waiting beside sessions and cases in the trainer's queue."""

from __future__ import annotations

import datetime

import pytest

from accreditation.logbook import verification
from curriculum import services as curriculum
from curriculum.models import ELearningCompletion
from curriculum.progress import progress_for
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.logbook import make_session
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

URL = "/api/v1/elearning-completions/"
EVERY = ["self_reported", "trainer_verified", "device_import"]


def _enrolment(admin, trainee, *, provenances=None, code="elearning-provenance"):
    framework = make_framework(admin, code=f"{code}-standards")
    pathway = curriculum.pathway_create(actor=admin, code=code, title="E-learning", audience="trainee",
                                        framework=framework)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Platform")
    component = curriculum.component_create(actor=admin, module=module, title="Platform e-module",
                                            kind="e_learning")
    curriculum.requirement_create(actor=admin, component=component, type="min_count", params={"count": 1},
                                  provenances=provenances)
    pathway = curriculum.pathway_publish(actor=admin, pathway=pathway)
    enrolment = curriculum.enrolment_create(actor=admin, trainee=trainee, pathway=pathway, enrolled_on=days_ago(90))
    return enrolment, pathway.modules.get(title="Platform").components.get()


def _record(trainee, component, days=3) -> ELearningCompletion:
    return curriculum.elearning_record(trainee=trainee, component=component, completed_on=days_ago(days),
                                       provider="e-LfH")


def _item(enrolment):
    return next(i for i in progress_for(enrolment).requirements if i.requirement.type == "min_count")


def test_a_new_version_counts_a_completion_once_verified_and_says_who_may_verify(admin, trainee,
                                                                                assigned_trainer):
    enrolment, component = _enrolment(admin, trainee)
    completion = _record(trainee, component)
    assert completion.provenance == "self_reported"
    item = _item(enrolment)
    assert (item.value, item.met, item.evidence) == (0, False, ())
    assert any("1 self-reported e-learning completion waits for verification by" in note
               and assigned_trainer.full_name in note for note in item.notes), item.notes

    verification.elearning_completion_verify(completion=completion, actor=assigned_trainer)
    item = _item(enrolment)
    assert (item.value, item.met) == (1, True)
    assert [e.id for e in item.evidence] == [completion.pk] and item.notes == ()


def test_a_requirement_that_counts_self_reported_completions(admin, trainee):
    enrolment, component = _enrolment(admin, trainee, provenances=EVERY)
    _record(trainee, component)
    item = _item(enrolment)
    assert item.met and item.notes == ()


def test_a_requirement_that_counts_only_imports_leaves_verified_ones_out(admin, trainee, assigned_trainer):
    enrolment, component = _enrolment(admin, trainee, provenances=["device_import"])
    verification.elearning_completion_verify(completion=_record(trainee, component), actor=assigned_trainer)
    assert not _item(enrolment).met


def test_verify_is_for_an_assigned_trainer_never_the_trainee(api, admin, trainee, assigned_trainer,
                                                             unassigned_trainer, lead):
    _enrolment_, component = _enrolment(admin, trainee)
    completion = _record(trainee, component)
    url = f"{URL}{completion.pk}/verify/"
    assert api.as_user(trainee).post(url).status_code == 403  # their own evidence
    assert api.as_user(lead).post(url).status_code == 403  # sees it, supervises nobody
    assert api.as_user(unassigned_trainer).post(url).status_code == 404  # does not see it
    assert ELearningCompletion.objects.get().provenance == "self_reported"

    response = api.as_user(assigned_trainer).post(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["provenance"], body["verified_by"]) == ("trainer_verified", assigned_trainer.pk)
    entry = AuditEntry.objects.get(action="elearning.verify", object_id=str(completion.pk))
    assert entry.actor_id == assigned_trainer.pk
    assert api.as_user(assigned_trainer).post(url).status_code == 409  # frozen once verified
    listed = api.as_user(trainee).get(URL, {"provenance": "trainer_verified"}).json()["results"]
    assert [c["id"] for c in listed] == [completion.pk]


def test_provenance_is_not_the_trainees_to_type(api, admin, trainee):
    _enrolment_, component = _enrolment(admin, trainee)
    response = api.as_user(trainee).post(URL, {"component": component.pk, "completed_on": str(days_ago(2)),
                                               "provider": "e-LfH", "provenance": "trainer_verified"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["provenance"] == "self_reported"


def test_nobody_verifies_their_own_completion_whatever_their_roles(admin, trainee, assigned_trainer):
    _enrolment_, component = _enrolment(admin, trainee)
    completion = _record(trainee, component)
    completion.trainee = assigned_trainer  # as if the trainer had recorded it
    assert verification.refusal_to_verify(assigned_trainer, completion) is not None
    with pytest.raises(ApplicationError):
        verification.elearning_completion_verify(completion=_record(trainee, component, days=4),
                                                 actor=trainee)


def test_the_queue_lists_unverified_elearning_beside_sessions_and_verifies_from_the_page(
        client, admin, trainee, other_trainee, assigned_trainer, unassigned_trainer):
    _enrolment_, component = _enrolment(admin, trainee, provenances=EVERY)
    waiting = _record(trainee, component, days=5)
    verification.elearning_completion_verify(completion=_record(trainee, component, days=4), actor=assigned_trainer)
    session = make_session(trainee, days=3)
    login_verified(client, assigned_trainer)
    page = client.get("/logbook/queue/").content.decode()
    assert f'data-completion="{waiting.pk}"' in page and page.count("data-completion=") == 1
    assert f'data-session="{session.pk}"' in page

    login_verified(client, unassigned_trainer)
    assert client.post(f"/logbook/elearning-completions/{waiting.pk}/verify/").status_code == 404
    login_verified(client, assigned_trainer)
    response = client.post(f"/logbook/elearning-completions/{waiting.pk}/verify/")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.provenance, waiting.verified_by_id) == ("trainer_verified", assigned_trainer.pk)
    assert 'data-completion="' not in client.get("/logbook/queue/").content.decode()


def test_the_trainees_page_says_what_waits(client, admin, trainee, assigned_trainer):
    _enrolment_, component = _enrolment(admin, trainee)
    _record(trainee, component, days=5)
    verification.elearning_completion_verify(completion=_record(trainee, component, days=4), actor=assigned_trainer)
    login_verified(client, trainee)
    page = client.get("/curriculum/elearning/").content.decode()
    assert 'data-provenance="self_reported"' in page and "waiting for a trainer assigned to you" in page
    assert f"verified by a trainer by {assigned_trainer.full_name}" in page


def test_the_impact_command_lists_elearning_that_would_stop_counting(admin, trainee):
    from curriculum.progress import changes_under_default_provenances

    enrolment, component = _enrolment(admin, trainee, provenances=EVERY)
    _record(trainee, component)
    changes = changes_under_default_provenances([enrolment])
    assert [(c.requirement.component.kind, c.met_now, c.met_then) for c in changes] == [("e_learning", True, False)]


def test_the_date_of_verification_is_recorded(admin, trainee, assigned_trainer, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 4, 9, 30, tzinfo=datetime.UTC), tick=False)
    _enrolment_, component = _enrolment(admin, trainee)
    completion = verification.elearning_completion_verify(completion=_record(trainee, component),
                                                          actor=assigned_trainer)
    assert completion.verified_at == datetime.datetime(2026, 3, 4, 9, 30, tzinfo=datetime.UTC)
