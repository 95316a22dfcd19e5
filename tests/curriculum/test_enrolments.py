"""Enrolment: who may enrol whom, one live enrolment per pathway, pauses move the target date."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from curriculum import services
from curriculum.models import Enrolment, EnrolmentStatus
from curriculum.selectors import active_enrolments_of
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.dates import days_ago

pytestmark = pytest.mark.django_db


def test_a_trainee_enrols_themself_on_an_open_pathway(api, trainee, pathway):
    response = api.as_user(trainee).post("/api/v1/enrolments/", {"pathway": pathway.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["trainee"] == trainee.pk and body["status"] == "active"
    today = timezone.localdate()
    assert body["enrolled_on"] == today.isoformat()
    assert body["target_date"] == (today + datetime.timedelta(weeks=52)).isoformat()
    entry = AuditEntry.objects.get(action="enrolment.create", object_id=str(body["id"]))
    assert entry.actor_id == trainee.pk and entry.after["status"] == "active"


def test_self_enrolment_on_a_closed_pathway_is_403(api, trainee, closed_pathway):
    response = api.as_user(trainee).post("/api/v1/enrolments/", {"pathway": closed_pathway.pk})
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_a_lead_enrols_trainees_of_their_region_only(api, lead, trainee, north_trainee, closed_pathway):
    client = api.as_user(lead)
    response = client.post("/api/v1/enrolments/", {"pathway": closed_pathway.pk, "trainee": trainee.pk,
                                                   "target_date": "2099-01-31"})
    assert response.status_code == 201
    assert response.json()["target_date"] == "2099-01-31" and response.json()["enrolled_by"] == lead.pk
    assert Notification.objects.filter(recipient=trainee, kind="enrolment.created").exists()
    outside = client.post("/api/v1/enrolments/", {"pathway": closed_pathway.pk, "trainee": north_trainee.pk})
    assert outside.status_code == 400 and "trainee" in outside.json()  # not a trainee the lead can name
    with pytest.raises(NotPermitted):
        services.enrolment_create(actor=lead, trainee=north_trainee, pathway=closed_pathway)


def test_a_programme_admin_enrols_anyone_and_only_trainees(admin, north_trainee, lead, closed_pathway):
    enrolment = services.enrolment_create(actor=admin, trainee=north_trainee, pathway=closed_pathway)
    assert enrolment.enrolled_by_id == admin.pk
    with pytest.raises(ApplicationError) as exc:
        services.enrolment_create(actor=admin, trainee=lead, pathway=closed_pathway)
    assert "trainee" in exc.value.errors


def test_one_live_enrolment_per_trainee_and_pathway(api, trainee, pathway, enrolment):
    response = api.as_user(trainee).post("/api/v1/enrolments/", {"pathway": pathway.pk})
    assert response.status_code == 409 and "already enrolled" in response.json()["pathway"][0]
    # The database says so too, for paused ones as well.
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(trainee=trainee, pathway=pathway, enrolled_on=days_ago(1),
                                 target_date=days_ago(-300), enrolled_by=trainee, status=EnrolmentStatus.PAUSED)
    services.enrolment_withdraw(actor=trainee, enrolment=enrolment)
    again = api.as_user(trainee).post("/api/v1/enrolments/", {"pathway": pathway.pk})
    assert again.status_code == 201  # a withdrawn one is history


def test_drafts_and_retired_pathways_take_no_enrolments(api, admin, trainee, draft_pathway, pathway):
    client = api.as_user(trainee)
    assert client.post("/api/v1/enrolments/", {"pathway": draft_pathway.pk}).status_code == 400  # unseen
    with pytest.raises(Conflict):
        services.enrolment_create(actor=admin, trainee=trainee, pathway=draft_pathway)
    services.pathway_retire(actor=admin, pathway=pathway)
    assert client.post("/api/v1/enrolments/", {"pathway": pathway.pk}).status_code == 409


def test_a_pause_moves_the_target_date_by_its_length(trainee, enrolment):
    target = enrolment.target_date
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        paused = services.enrolment_pause(actor=trainee, enrolment=enrolment, kind="out_of_programme",
                                          reason="Research year out of programme")
        assert paused.status == "paused" and paused.target_date == target  # moves when the pause ends
        clock.shift(datetime.timedelta(days=45))
        resumed = services.enrolment_resume(actor=trainee, enrolment=enrolment)
    assert resumed.status == "active"
    assert resumed.target_date == target + datetime.timedelta(days=45)
    pause = resumed.pauses.get()
    assert pause.days == 45 and pause.kind == "out_of_programme"


def test_a_backdated_pause_and_a_second_one_add_up(lead, trainee, enrolment):
    target = enrolment.target_date
    services.enrolment_pause(actor=lead, enrolment=enrolment, kind="less_than_full_time",
                             reason="Less than full time at 60%", started_on=days_ago(30))
    services.enrolment_resume(actor=lead, enrolment=enrolment, ended_on=days_ago(20))
    services.enrolment_pause(actor=trainee, enrolment=enrolment, kind="other", reason="Parental leave",
                             started_on=days_ago(10))
    enrolment = services.enrolment_resume(actor=trainee, enrolment=enrolment)
    assert enrolment.target_date == target + datetime.timedelta(days=20)


def test_pause_and_resume_in_the_api_return_the_whole_resource(api, trainee, enrolment):
    client = api.as_user(trainee)
    paused = client.post(f"/api/v1/enrolments/{enrolment.pk}/pause/",
                         {"kind": "less_than_full_time", "reason": "Working at 80%", "started_on":
                          days_ago(14).isoformat()})
    assert paused.status_code == 200, paused.json()
    assert paused.json()["status"] == "paused" and paused.json()["pauses"][0]["ended_on"] is None
    assert client.post(f"/api/v1/enrolments/{enrolment.pk}/pause/",
                       {"kind": "other", "reason": "again"}).status_code == 409
    resumed = client.post(f"/api/v1/enrolments/{enrolment.pk}/resume/")
    assert resumed.status_code == 200
    assert resumed.json()["target_date"] == (enrolment.target_date + datetime.timedelta(days=14)).isoformat()
    assert resumed.json()["pauses"][0]["days"] == 14
    assert client.post(f"/api/v1/enrolments/{enrolment.pk}/resume/").status_code == 409
    withdrawn = client.post(f"/api/v1/enrolments/{enrolment.pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/enrolments/{enrolment.pk}/withdraw/").status_code == 409


def test_pause_input_is_checked_per_field(api, trainee, enrolment):
    client = api.as_user(trainee)
    pii = client.post(f"/api/v1/enrolments/{enrolment.pk}/pause/",
                      {"kind": "other", "reason": "Looking after patient MRN 1234567"})
    assert pii.status_code == 400 and "reason" in pii.json()
    future = client.post(f"/api/v1/enrolments/{enrolment.pk}/pause/",
                         {"kind": "other", "reason": "Leave", "started_on": days_ago(-3).isoformat()})
    assert future.status_code == 400 and "started_on" in future.json()
    early = client.post(f"/api/v1/enrolments/{enrolment.pk}/pause/",
                        {"kind": "other", "reason": "Leave", "started_on": days_ago(400).isoformat()})
    assert early.status_code == 400 and "started_on" in early.json()
    assert client.post(f"/api/v1/enrolments/{enrolment.pk}/pause/", {"kind": "holiday", "reason": "x"}
                       ).status_code == 400
    enrolment.refresh_from_db()
    assert enrolment.status == "active"


def test_enrolment_and_pause_are_audited(trainee, lead, enrolment):
    services.enrolment_pause(actor=lead, enrolment=enrolment, kind="out_of_programme", reason="OOPR")
    services.enrolment_resume(actor=lead, enrolment=enrolment)
    actions = list(AuditEntry.objects.filter(object_type="curriculum.enrolment", object_id=str(enrolment.pk))
                   .order_by("seq").values_list("action", "actor_id"))
    assert actions == [("enrolment.create", trainee.pk), ("enrolment.pause", lead.pk),
                       ("enrolment.resume", lead.pk)]
    pause = AuditEntry.objects.get(action="enrolment.pause")
    assert pause.after["pause"]["reason"] == "OOPR" and pause.before["status"] == "active"


def test_only_the_trainee_their_lead_or_an_admin_manage_an_enrolment(assigned_trainer, other_trainee, other_lead,
                                                                     enrolment):
    for user in (assigned_trainer, other_trainee, other_lead):
        with pytest.raises(NotPermitted):
            services.enrolment_pause(actor=user, enrolment=enrolment, kind="other", reason="No")


def test_active_enrolments_of(trainee, enrolment, closed_pathway, admin):
    other = services.enrolment_create(actor=admin, trainee=trainee, pathway=closed_pathway)
    services.enrolment_pause(actor=trainee, enrolment=other, kind="other", reason="Leave")
    assert list(active_enrolments_of(trainee)) == [enrolment]


def test_completion_needs_every_requirement_met(admin, enrolment):
    with pytest.raises(Conflict) as exc:
        services.enrolment_complete(actor=admin, enrolment=enrolment)
    assert "of 5 requirements are met" in str(exc.value)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_self_enrolments_make_one(admin, trainee):
    import threading

    from django.db import connection

    from tests.builders.curriculum import make_framework, make_pathway

    pathway = make_pathway(admin, make_framework(admin))
    barrier = threading.Barrier(4)
    outcomes = []

    def enrol():
        try:
            barrier.wait()
            services.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway)
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict"] * 3 + ["created"]
    assert Enrolment.objects.filter(trainee=trainee, pathway=pathway).count() == 1
