"""Sign-off requests (API.md "Sign-off"): making one, deciding it once, reversing it, and the
rules around them; notifications and the audit trail."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accreditation.faculty.models import Accreditation, AccreditationStatus, Assignment
from accreditation.logbook.models import SimulatorSession
from accreditation.signoff import services as signoff_services
from accreditation.signoff.models import SignoffRequest, SignoffStatus
from accreditation.signoff.selectors import signoff_rules
from curriculum import services as curriculum
from curriculum.models import Component, ELearningCompletion
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign
from tests.builders.logbook import case_fixture, make_case  # noqa: F401 - fixtures
from tests.builders.people import UserFactory
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

URL = "/api/v1/signoff-requests/"


def _create(api, trainee, trainer, **body):
    return api.as_user(trainee).post(URL, {"trainer": trainer.pk, **body}, format="json")


def _approve(trainer, request, **kwargs):
    return signoff_services.signoff_request_approve(request=request, actor=trainer, **kwargs)


# --- Making a request ------------------------------------------------------------------------------


def test_a_trainee_asks_an_assigned_trainer(api, trainee, assigned_trainer, competency, case):
    response = _create(api, trainee, assigned_trainer, competency=competency.pk, evidence_cases=[case.pk],
                       note="Docked on my last three cases.")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["target"] == "competency"
    assert body["due_on"] == (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    assert body["competency"] == competency.pk and body["competency_key"] == "comp-1-1"
    assert body["evidence_cases"] == [case.pk] and body["trainer"] == assigned_trainer.pk
    request = SignoffRequest.objects.get()
    note = Notification.objects.get(idempotency_key=f"signoff.new:{request.pk}")
    assert note.recipient == assigned_trainer and note.link == f"/signoff/{request.pk}/"
    assert AuditEntry.objects.filter(action="signoff.request", object_id=str(request.pk)).exists()


def test_the_due_date_is_configurable(api, trainee, assigned_trainer, competency):
    rules = signoff_rules()
    rules.due_days = 5
    rules.save()
    body = _create(api, trainee, assigned_trainer, competency=competency.pk).json()
    assert body["due_on"] == (timezone.localdate() + datetime.timedelta(days=5)).isoformat()


def test_evidence_of_every_kind_must_be_the_trainees_own(api, trainee, other_trainee, assigned_trainer,
                                                          competency, case, enrolment):
    assign(assigned_trainer, other_trainee)
    others_case = make_case(other_trainee, assigned_trainer)
    draft = make_case(trainee, status="draft")
    own_session = SimulatorSession.objects.create(trainee=trainee, date=days_ago(3), simulator="davinci_skills",
                                                  exercise_name="Ring walk", score=90, minutes=10)
    others_session = SimulatorSession.objects.create(trainee=other_trainee, date=days_ago(3),
                                                     simulator="davinci_skills", exercise_name="Ring walk",
                                                     score=90, minutes=10)
    own_rating = assess(assigned_trainer, trainee)
    others_rating = assess(assigned_trainer, other_trainee)
    component = Component.objects.filter(module__pathway=enrolment.pathway).first()
    others_completion = ELearningCompletion.objects.create(trainee=other_trainee, component=component,
                                                           completed_on=days_ago(2), provider="Vendor")
    response = _create(api, trainee, assigned_trainer, competency=competency.pk,
                       evidence_cases=[case.pk, others_case.pk, draft.pk],
                       evidence_simulator_sessions=[own_session.pk, others_session.pk],
                       evidence_assessments=[own_rating.pk, others_rating.pk],
                       evidence_elearning_completions=[others_completion.pk])
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"evidence_cases", "evidence_simulator_sessions", "evidence_assessments",
                           "evidence_elearning_completions"}
    assert str(others_case.pk) in errors["evidence_cases"][0] and str(draft.pk) in errors["evidence_cases"][0]
    assert str(case.pk) not in errors["evidence_cases"][0].split(":")[1]
    assert not SignoffRequest.objects.exists()
    ok = _create(api, trainee, assigned_trainer, competency=competency.pk, evidence_cases=[case.pk],
                 evidence_simulator_sessions=[own_session.pk], evidence_assessments=[own_rating.pk])
    assert ok.status_code == 201
    assert ok.json()["evidence_assessments"] == [own_rating.pk]


def test_the_trainer_must_be_able_to_supervise_the_trainee(api, trainee, assigned_trainer, unassigned_trainer,
                                                            other_trainee, competency):
    response = _create(api, trainee, unassigned_trainer, competency=competency.pk)
    assert response.status_code == 400 and assigned_trainer.full_name in response.json()["trainer"][0]
    assert _create(api, trainee, other_trainee, competency=competency.pk).status_code == 400
    assert api.as_user(trainee).post(URL, {"trainer": 999999, "competency": competency.pk},
                                     format="json").status_code == 400


def test_nobody_asks_themself(api, trainee, competency):
    assert _create(api, trainee, trainee, competency=competency.pk).status_code == 403


def test_exactly_one_target(api, trainee, assigned_trainer, competency, enrolment):
    assert _create(api, trainee, assigned_trainer).status_code == 400
    both = _create(api, trainee, assigned_trainer, competency=competency.pk, enrolment=enrolment.pk)
    assert both.status_code == 400 and "non_field_errors" in both.json()
    assert "competency" in _create(api, trainee, assigned_trainer, competency=999999).json()


def test_a_draft_frameworks_competency_cannot_be_signed_off(api, admin, trainee, assigned_trainer):
    from tests.builders.curriculum import make_framework

    draft = make_framework(admin, code="ras-draft", publish=False)
    competency = draft.competencies.first()
    assert "competency" in _create(api, trainee, assigned_trainer, competency=competency.pk).json()


def test_a_component_of_a_pathway_the_trainee_is_on(api, trainee, assigned_trainer, enrolment, admin, framework):
    component = Component.objects.filter(module__pathway=enrolment.pathway, kind="dry_lab").get()
    response = _create(api, trainee, assigned_trainer, component=component.pk)
    assert response.status_code == 201 and response.json()["pathway"] == enrolment.pathway_id
    other_pathway = small_pathway(admin, framework, code="elsewhere")
    elsewhere = Component.objects.filter(module__pathway=other_pathway).first()
    assert "component" in _create(api, trainee, assigned_trainer, component=elsewhere.pk).json()
    final = Component.objects.get(module__pathway=enrolment.pathway, kind="final_signoff")
    assert "component" in _create(api, trainee, assigned_trainer, component=final.pk).json()


@pytest.mark.parametrize("persona", ["assigned_trainer", "lead", "admin", "lab_manager"])
def test_only_trainees_ask(api, request, trainee, assigned_trainer, competency, persona):
    user = request.getfixturevalue(persona)
    assert _create(api, user, assigned_trainer, competency=competency.pk).status_code == 403


def test_anonymous_is_401(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, {}, content_type="application/json").status_code == 401


# --- Duplicates --------------------------------------------------------------------------------------


def test_a_second_request_while_one_is_pending_is_409(api, trainee, assigned_trainer, competency):
    assert _create(api, trainee, assigned_trainer, competency=competency.pk).status_code == 201
    assert _create(api, trainee, assigned_trainer, competency=competency.pk).status_code == 409


def test_a_request_after_an_approval_is_409_also_for_the_v2_competency_with_the_same_key(
        api, admin, trainee, assigned_trainer, competency, framework):
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    _approve(assigned_trainer, request)
    v2 = curriculum.framework_new_version(actor=admin, framework=framework)
    v2 = curriculum.framework_publish(actor=admin, framework=v2)
    same_key = v2.competencies.get(key="comp-1-1")
    assert same_key.pk != competency.pk
    response = _create(api, trainee, assigned_trainer, competency=same_key.pk)
    assert response.status_code == 409 and "already signed off" in response.json()["detail"]


def test_after_a_return_a_withdrawal_or_a_reversal_the_trainee_may_ask_again(
        api, admin, trainee, assigned_trainer, competency):
    first = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    signoff_services.signoff_request_return(request=first, actor=assigned_trainer, feedback="More cases.")
    second = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    signoff_services.signoff_request_withdraw(request=second, actor=trainee)
    third = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    _approve(assigned_trainer, third)
    signoff_services.signoff_request_reverse(request=third, actor=admin, reason="Signed off in error.")
    assert _create(api, trainee, assigned_trainer, competency=competency.pk).status_code == 201


def test_the_database_refuses_a_second_live_request_too(trainee, assigned_trainer, competency):
    first = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    clone = SignoffRequest(trainee=trainee, trainer=assigned_trainer, target="competency", competency=competency,
                           target_key=first.target_key, due_on=first.due_on)
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_another_trainee_may_ask_for_the_same_competency(api, trainee, other_trainee, assigned_trainer,
                                                          competency):
    assign(assigned_trainer, other_trainee)
    assert _create(api, trainee, assigned_trainer, competency=competency.pk).status_code == 201
    assert _create(api, other_trainee, assigned_trainer, competency=competency.pk).status_code == 201


# --- Deciding -----------------------------------------------------------------------------------------


@pytest.fixture
def pending(trainee, assigned_trainer, competency):
    return request_signoff(trainee, assigned_trainer, competency=competency.pk)


def test_the_trainer_approves_once_and_the_trainee_is_told(api, trainee, assigned_trainer, pending):
    client = api.as_user(assigned_trainer)
    response = client.post(f"{URL}{pending.pk}/approve/", {"feedback": "Well done."}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved" and body["decided_by"] == assigned_trainer.pk
    assert body["feedback"] == "Well done." and body["id"] == pending.pk
    note = Notification.objects.get(idempotency_key=f"signoff.decided:{pending.pk}")
    assert note.recipient == trainee and "Well done." in note.body
    assert AuditEntry.objects.filter(action="signoff.approve", object_id=str(pending.pk)).exists()
    assert client.post(f"{URL}{pending.pk}/approve/", {}, format="json").status_code == 409
    assert client.post(f"{URL}{pending.pk}/return/", {"feedback": "x"}, format="json").status_code == 409


def test_approval_needs_no_feedback(api, assigned_trainer, pending):
    assert api.as_user(assigned_trainer).post(f"{URL}{pending.pk}/approve/", format="json").status_code == 200


def test_a_return_needs_feedback_and_is_final(api, trainee, assigned_trainer, pending):
    client = api.as_user(assigned_trainer)
    missing = client.post(f"{URL}{pending.pk}/return/", {}, format="json")
    assert missing.status_code == 400 and "feedback" in missing.json()
    blank = client.post(f"{URL}{pending.pk}/return/", {"feedback": "   "}, format="json")
    assert blank.status_code == 400 and "feedback" in blank.json()
    pii = client.post(f"{URL}{pending.pk}/return/", {"feedback": "See patient ID 998877"}, format="json")
    assert pii.status_code == 400
    response = client.post(f"{URL}{pending.pk}/return/", {"feedback": "Attach the drill record."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert Notification.objects.filter(idempotency_key=f"signoff.decided:{pending.pk}", recipient=trainee).exists()
    assert client.post(f"{URL}{pending.pk}/approve/", {}, format="json").status_code == 409


def test_only_the_addressed_trainer_decides(api, london, trainee, pending, lead, admin):
    second = UserFactory(roles=["trainer"], region=london)
    accredit(second)
    assign(second, trainee, kind="clinical_supervisor")
    # Another trainer of the trainee sees the request but may not decide it.
    assert api.as_user(second).get(f"{URL}{pending.pk}/").status_code == 200
    assert api.as_user(second).post(f"{URL}{pending.pk}/approve/", format="json").status_code == 403
    # The trainee, the lead and the admin may not either (their roles never decide).
    for user in (trainee, lead, admin):
        assert api.as_user(user).post(f"{URL}{pending.pk}/approve/", format="json").status_code == 403
    assert SignoffRequest.objects.get().status == SignoffStatus.PENDING


def test_an_unassigned_trainer_cannot_even_see_it(api, unassigned_trainer, pending):
    assert api.as_user(unassigned_trainer).post(f"{URL}{pending.pk}/approve/", format="json").status_code == 404


@pytest.mark.parametrize("change", ["suspended", "lapsed", "revoked", "expired", "assignment_ended", "inactive"])
def test_eligibility_is_checked_again_at_decision_time(api, trainee, assigned_trainer, pending, change):
    if change == "expired":
        Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", expires_on=days_ago(1))
    elif change == "assignment_ended":
        Assignment.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", ends_on=days_ago(1))
    elif change == "inactive":
        assigned_trainer.is_active = False
        assigned_trainer.save(update_fields=["is_active"])
        with pytest.raises(NotPermitted):
            _approve(assigned_trainer, pending)
        return
    else:
        Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", status=change)
    client = api.as_user(assigned_trainer)
    assert client.post(f"{URL}{pending.pk}/approve/", format="json").status_code == 403
    assert client.post(f"{URL}{pending.pk}/return/", {"feedback": "x"}, format="json").status_code == 403
    assert SignoffRequest.objects.get().status == SignoffStatus.PENDING
    # The trainee withdraws it and asks someone who can.
    assert api.as_user(trainee).post(f"{URL}{pending.pk}/withdraw/").status_code == 200


def test_nobody_signs_off_their_own_evidence(trainee, assigned_trainer, pending):
    # Even if a request somehow named the trainee as its trainer (the database refuses that
    # too), the service would refuse the decision.
    pending.trainer = trainee
    with pytest.raises(NotPermitted):
        signoff_services.signoff_request_approve(request=pending, actor=trainee)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignoffRequest.objects.filter(pk=pending.pk).unaudited_update("test setup", trainer=trainee)


def test_a_trainer_who_is_also_a_trainee_cannot_approve_their_own_request(api, london, assigned_trainer,
                                                                         competency):
    both = UserFactory(roles=["trainee", "trainer"], region=london)
    accredit(both)
    assign(assigned_trainer, both)
    assert _create(api, both, both, competency=competency.pk).status_code == 403


# --- Reversal ---------------------------------------------------------------------------------------


def test_a_programme_admin_reverses_an_approval_with_a_reason(api, trainee, assigned_trainer, admin, lead,
                                                              pending):
    _approve(assigned_trainer, pending)
    assert api.as_user(lead).post(f"{URL}{pending.pk}/reverse/", {"reason": "x"}, format="json").status_code == 403
    assert api.as_user(assigned_trainer).post(f"{URL}{pending.pk}/reverse/", {"reason": "x"},
                                              format="json").status_code == 403
    client = api.as_user(admin)
    assert client.post(f"{URL}{pending.pk}/reverse/", {}, format="json").status_code == 400
    response = client.post(f"{URL}{pending.pk}/reverse/", {"reason": "Evidence was another trainee's."},
                           format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "reversed" and body["reversed_by"] == admin.pk
    assert body["reversal_reason"] == "Evidence was another trainee's."
    assert Notification.objects.filter(idempotency_key=f"signoff.reversed:{pending.pk}", recipient=trainee).exists()
    assert AuditEntry.objects.filter(action="signoff.reverse", object_id=str(pending.pk)).exists()
    assert client.post(f"{URL}{pending.pk}/reverse/", {"reason": "again"}, format="json").status_code == 409


def test_only_an_approval_can_be_reversed(api, admin, pending):
    assert api.as_user(admin).post(f"{URL}{pending.pk}/reverse/", {"reason": "x"}, format="json").status_code == 409


# --- Withdrawal ---------------------------------------------------------------------------------------


def test_the_trainee_withdraws_a_pending_request(api, trainee, other_trainee, assigned_trainer, pending):
    assert api.as_user(other_trainee).post(f"{URL}{pending.pk}/withdraw/").status_code == 404
    response = api.as_user(trainee).post(f"{URL}{pending.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert Notification.objects.filter(idempotency_key=f"signoff.withdrawn:{pending.pk}",
                                       recipient=assigned_trainer).exists()
    assert api.as_user(trainee).post(f"{URL}{pending.pk}/withdraw/").status_code == 409
    assert api.as_user(assigned_trainer).post(f"{URL}{pending.pk}/approve/").status_code == 409


# --- Final sign-off -----------------------------------------------------------------------------------


def _meet_everything_but_the_final(trainee, trainer, competency):
    for i in range(2):
        assess(trainer, trainee, total=22, date=days_ago(20 - i))
    _approve(trainer, request_signoff(trainee, trainer, competency=competency.pk))


def test_the_final_signoff_is_refused_until_every_other_requirement_is_met(
        api, trainee, assigned_trainer, competency, enrolment):
    response = _create(api, trainee, assigned_trainer, enrolment=enrolment.pk)
    assert response.status_code == 400
    message = response.json()["enrolment"][0]
    assert "every other requirement" in message and "2 still are not" in message
    _meet_everything_but_the_final(trainee, assigned_trainer, competency)
    response = _create(api, trainee, assigned_trainer, enrolment=enrolment.pk)
    assert response.status_code == 201 and response.json()["target"] == "final"
    assert response.json()["pathway"] == enrolment.pathway_id
    assert _create(api, trainee, assigned_trainer, enrolment=enrolment.pk).status_code == 409


def test_the_final_signoff_is_of_ones_own_active_enrolment(api, trainee, other_trainee, assigned_trainer,
                                                           pathway, enrolment, admin):
    others = enrol(other_trainee, pathway)
    assert "enrolment" in _create(api, trainee, assigned_trainer, enrolment=others.pk).json()
    curriculum.enrolment_pause(actor=admin, enrolment=enrolment, kind="other", reason="Leave.")
    assert "enrolment" in _create(api, trainee, assigned_trainer, enrolment=enrolment.pk).json()


def test_approving_a_final_signoff_rechecks_the_requirements_and_calls_the_hooks(
        api, admin, trainee, assigned_trainer, competency, enrolment):
    _meet_everything_but_the_final(trainee, assigned_trainer, competency)
    final = request_signoff(trainee, assigned_trainer, enrolment=enrolment.pk)
    competency_request = SignoffRequest.objects.get(target="competency")
    signoff_services.signoff_request_reverse(request=competency_request, actor=admin, reason="Error.")
    response = api.as_user(assigned_trainer).post(f"{URL}{final.pk}/approve/", format="json")
    assert response.status_code == 409 and "every other requirement" in response.json()["detail"]

    _approve(assigned_trainer, request_signoff(trainee, assigned_trainer, competency=competency.pk))
    calls = []

    def listener(*, request, actor):
        calls.append((request.pk, actor.pk, request.status))

    signoff_services.on_final_signoff_approved(listener)
    signoff_services.on_final_signoff_reversed(listener)
    try:
        assert api.as_user(assigned_trainer).post(f"{URL}{final.pk}/approve/", format="json").status_code == 200
        signoff_services.signoff_request_reverse(request=final, actor=admin, reason="Audit found a gap.")
    finally:
        signoff_services._final_approved_listeners.remove(listener)
        signoff_services._final_reversed_listeners.remove(listener)
    assert calls == [(final.pk, assigned_trainer.pk, "approved"), (final.pk, admin.pk, "reversed")]


# --- Reading, both ways -------------------------------------------------------------------------------


def test_readers_see_requests_in_their_scope(api, request, trainee, pending):
    detail = f"{URL}{pending.pk}/"
    for persona, expected in (("trainee", 200), ("assigned_trainer", 200), ("lead", 200), ("admin", 200),
                              ("other_trainee", 404), ("unassigned_trainer", 404), ("other_lead", 404),
                              ("lab_manager", 403)):
        client = api.as_user(request.getfixturevalue(persona))
        assert client.get(detail).status_code == expected, persona
        listed = client.get(URL)
        if expected == 403:
            assert listed.status_code == 403
        else:
            assert (listed.json()["count"] == 1) == (expected == 200), persona


def test_the_addressed_trainer_still_sees_it_after_losing_the_right(api, assigned_trainer, pending):
    Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", status=AccreditationStatus.SUSPENDED)
    assert api.as_user(assigned_trainer).get(f"{URL}{pending.pk}/").status_code == 200


def test_the_queue_is_the_trainers_pending_requests_oldest_first(api, trainee, assigned_trainer, competency,
                                                                  framework, lab_manager):
    keys = ["comp-1-1", "comp-1-2", "comp-2-1"]
    made = []
    for n, key in enumerate(keys):
        made.append(signoff_services.signoff_request_create(
            trainee=trainee, trainer=assigned_trainer, competency=framework.competencies.get(key=key).pk,
            now=timezone.now() - datetime.timedelta(days=20 - n * 5)))
    _approve(assigned_trainer, made[1])
    response = api.as_user(assigned_trainer).get(f"{URL}queue/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [made[0].pk, made[2].pk]
    assert [r["overdue"] for r in rows] == [True, False]  # asked 20 days ago, due after 14
    assert api.as_user(trainee).get(f"{URL}queue/").status_code == 403
    assert api.as_user(lab_manager).get(f"{URL}queue/").status_code == 403


def test_filters(api, trainee, assigned_trainer, framework):
    for n, key in enumerate(["comp-1-1", "comp-1-2"]):
        signoff_services.signoff_request_create(
            trainee=trainee, trainer=assigned_trainer, competency=framework.competencies.get(key=key).pk,
            now=timezone.now() - datetime.timedelta(days=20 * n))
    client = api.as_user(assigned_trainer)
    assert client.get(f"{URL}?status=pending").json()["count"] == 2
    assert client.get(f"{URL}?overdue=true").json()["count"] == 1
    assert client.get(f"{URL}?target=final").json()["count"] == 0
    assert client.get(f"{URL}?trainee={trainee.pk}").json()["count"] == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_one_target_make_one(admin, trainee, assigned_trainer):
    import threading

    from django.db import connection

    from rastrack.core.exceptions import Conflict
    from tests.builders.curriculum import make_framework

    competency = make_framework(admin).competencies.get(key="comp-1-1")
    barrier = threading.Barrier(4)
    outcomes = []

    def ask():
        try:
            barrier.wait()
            request_signoff(trainee, assigned_trainer, competency=competency.pk)
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict"] * 3 + ["created"]
    assert SignoffRequest.objects.filter(trainee=trainee).count() == 1
