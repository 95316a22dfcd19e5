"""Ending an assignment ends the trainer's rights at once, not at midnight: lists, exports,
pages, sign-off decisions, assessments and case validation all follow the one rule
(`accreditation.faculty.eligibility.covering`, behind `rastrack/accounts/trainee_scope.py`)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise, supervised_trainee_ids
from accreditation.faculty.models import Assignment
from rastrack.accounts.trainee_scope import may_read_records_of, trainees_visible_to
from tests.builders.curriculum import make_framework
from tests.builders.logbook import make_case
from tests.builders.signoff import gears, request_signoff

pytestmark = pytest.mark.django_db


@pytest.fixture
def competency(admin):
    # A framework code of its own: the security world (tests/builders/security.py) may be
    # held open on this worker with the builders' default framework in it.
    return make_framework(admin, code="ras-red-team").competencies.get(key="comp-1-1")


def _end_today(api, lead, trainer, trainee):
    assignment = Assignment.objects.get(trainer=trainer, trainee=trainee)
    response = api.as_user(lead).post(f"/api/v1/assignments/{assignment.pk}/end/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False
    return assignment


def test_an_assignment_ended_today_closes_every_door_at_once(api, client, lead, assigned_trainer, trainee,
                                                            competency):
    submitted = make_case(trainee, status="submitted", days=0)
    pending = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    trainer = api.as_user(assigned_trainer)
    assert trainer.get(f"/api/v1/cases/{submitted.pk}/").status_code == 200

    _end_today(api, lead, assigned_trainer, trainee)

    assert not can_supervise(assigned_trainer, trainee)
    assert not supervised_trainee_ids(assigned_trainer).exists()
    assert not may_read_records_of(assigned_trainer, trainee)
    assert not trainees_visible_to(assigned_trainer).filter(pk=trainee.pk).exists()
    ids = [row["id"] for row in trainer.get("/api/v1/cases/").json()["results"]]
    assert submitted.pk not in ids
    assert trainer.get(f"/api/v1/cases/{submitted.pk}/").status_code == 404
    assert trainer.get("/api/v1/cases/export/").content.count(b"\n") <= 1
    client.force_login(assigned_trainer)
    assert client.get(f"/logbook/cases/{submitted.pk}/").status_code == 404
    assert trainer.post(f"/api/v1/cases/{submitted.pk}/validate/", {}, format="json").status_code in (403, 404)
    approve = trainer.post(f"/api/v1/signoff-requests/{pending.pk}/approve/", {"note": ""}, format="json")
    assert approve.status_code in (403, 404, 409), approve.content
    pending.refresh_from_db()
    assert pending.status == "pending"
    assessment = trainer.post("/api/v1/assessments/", {
        "trainee": trainee.pk, "tool": "gears", "scores": gears(18),
        "date": timezone.localdate().isoformat()}, format="json")
    assert assessment.status_code in (400, 403), assessment.content


def test_an_assignment_ended_today_still_covered_the_days_before(api, lead, assigned_trainer, trainee):
    _end_today(api, lead, assigned_trainer, trainee)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert can_supervise(assigned_trainer, trainee, on=yesterday)
    assert not can_supervise(assigned_trainer, trainee)


def test_an_assignment_whose_fixed_term_ends_today_still_covers_today(assigned_trainer, trainee):
    Assignment.objects.filter(trainer=assigned_trainer, trainee=trainee).unaudited_update(
        "test setup: a fixed term", ends_on=timezone.localdate())
    assert can_supervise(assigned_trainer, trainee)
    assert Assignment.objects.get(trainer=assigned_trainer, trainee=trainee).covers(timezone.localdate())
