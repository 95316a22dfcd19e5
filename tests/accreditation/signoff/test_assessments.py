"""Who may assess whom, self-assessment, and who reads assessments (both ways)."""

import pytest

from accreditation.faculty.models import Accreditation, AccreditationStatus
from accreditation.signoff.models import Assessment
from rastrack.audit.models import AuditEntry
from rastrack.notifications.models import Notification
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign
from tests.builders.logbook import case_fixture, make_case  # noqa: F401 - fixtures
from tests.builders.people import UserFactory
from tests.builders.signoff import assess, gears

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"


def _body(trainee, **extra):
    return {"trainee": trainee.pk, "tool": "gears", "scores": gears(18), **extra}


def test_an_assigned_trainer_assesses_with_a_case_and_the_trainee_is_told(api, trainee, assigned_trainer, case):
    response = api.as_user(assigned_trainer).post(URL, _body(trainee, case=case.pk, feedback="Steady."),
                                                  format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"] == case.pk and body["date"] == case.date.isoformat()
    assert body["blind_until"] is not None
    assessment = Assessment.objects.get()
    assert AuditEntry.objects.filter(action="assessment.create", object_id=str(assessment.pk)).exists()
    note = Notification.objects.get(idempotency_key=f"assessment.new:{assessment.pk}")
    assert note.recipient == trainee
    assert "18" not in note.body  # never the scores: they may be blinded


def test_anonymous_is_401(client, trainee):
    assert client.post(URL, {}, content_type="application/json").status_code == 401
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("persona", ["lab_manager", "lead", "admin"])
def test_roles_that_never_assess_get_403(api, request, trainee, persona):
    user = request.getfixturevalue(persona)
    assert api.as_user(user).post(URL, _body(trainee), format="json").status_code == 403


def test_an_unassigned_trainer_gets_403(api, trainee, unassigned_trainer):
    response = api.as_user(unassigned_trainer).post(URL, _body(trainee), format="json")
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_trainee_cannot_assess_another_trainee(api, trainee, other_trainee):
    assert api.as_user(other_trainee).post(URL, _body(trainee), format="json").status_code == 403


@pytest.mark.parametrize("status", ["suspended", "lapsed", "revoked"])
def test_a_trainer_whose_accreditation_is_not_current_gets_403(api, trainee, assigned_trainer, status):
    Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", status=status)
    assert api.as_user(assigned_trainer).post(URL, _body(trainee), format="json").status_code == 403


def test_a_trainer_whose_assignment_ended_gets_403(api, london):
    trainee = UserFactory(roles=["trainee"], region=london)
    trainer = UserFactory(roles=["trainer"], region=london)
    accredit(trainer)
    assign(trainer, trainee, starts_on=days_ago(300), ends_on=days_ago(10))
    assert api.as_user(trainer).post(URL, _body(trainee), format="json").status_code == 403


def test_the_case_must_be_the_trainees_and_not_a_draft(api, trainee, other_trainee, assigned_trainer):
    assign(assigned_trainer, other_trainee)
    others = make_case(other_trainee, assigned_trainer)
    draft = make_case(trainee, status="draft")
    client = api.as_user(assigned_trainer)
    assert "case" in client.post(URL, _body(trainee, case=others.pk), format="json").json()
    assert "case" in client.post(URL, _body(trainee, case=draft.pk), format="json").json()
    assert "case" in client.post(URL, _body(trainee, case=999999), format="json").json()


def test_a_date_before_the_trainer_could_supervise_or_in_the_future_is_a_400(api, trainee, assigned_trainer):
    client = api.as_user(assigned_trainer)
    before = client.post(URL, _body(trainee, date=days_ago(400).isoformat()), format="json")  # assigned 365 days ago
    assert before.status_code == 400 and "date" in before.json()
    future = client.post(URL, _body(trainee, date=days_ago(-2).isoformat()), format="json")
    assert future.status_code == 400 and "date" in future.json()


def test_feedback_with_patient_data_is_refused(api, trainee, assigned_trainer):
    response = api.as_user(assigned_trainer).post(URL, _body(trainee, feedback="MRN 12345678 bled"), format="json")
    assert response.status_code == 400 and "hospital number" in response.json()["feedback"][0]


def test_a_case_is_rated_once_per_trainer_and_tool(api, trainee, assigned_trainer, case):
    client = api.as_user(assigned_trainer)
    assert client.post(URL, _body(trainee, case=case.pk), format="json").status_code == 201
    assert client.post(URL, _body(trainee, case=case.pk), format="json").status_code == 409
    entrustment = {"trainee": trainee.pk, "tool": "entrustment", "scores": {"level": 3}, "case": case.pk}
    assert client.post(URL, entrustment, format="json").status_code == 201


def test_a_trainee_self_assesses_one_of_their_own_cases(api, trainee, other_trainee, assigned_trainer, case):
    client = api.as_user(trainee)
    response = client.post(URL, _body(trainee, case=case.pk, feedback="Slow at the apex."), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_self"] is True and response.json()["total"] == 18
    assert response.json()["blind_until"] is None
    assert AuditEntry.objects.filter(action="assessment.self_create").exists()
    assert client.post(URL, _body(trainee, case=case.pk), format="json").status_code == 409  # once


def test_a_self_assessment_needs_an_own_case(api, trainee, other_trainee, assigned_trainer):
    assign(assigned_trainer, other_trainee)
    others = make_case(other_trainee, assigned_trainer)
    client = api.as_user(trainee)
    missing = client.post(URL, _body(trainee), format="json")
    assert missing.status_code == 400 and "case" in missing.json()
    assert client.post(URL, _body(trainee, case=others.pk), format="json").status_code == 400


# --- Reading, both ways ------------------------------------------------------------------------------


def test_readers_see_assessments_in_their_scope(api, request, trainee, assigned_trainer, lead, other_lead,
                                                 other_trainee, unassigned_trainer, admin, lab_manager):
    assessment = assess(assigned_trainer, trainee)
    detail = f"{URL}{assessment.pk}/"
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


def test_a_trainer_still_reads_what_they_wrote_after_the_assignment_ends(api, trainee, assigned_trainer):
    assessment = assess(assigned_trainer, trainee)
    Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", status=AccreditationStatus.SUSPENDED)
    assert api.as_user(assigned_trainer).get(f"{URL}{assessment.pk}/").status_code == 200


def test_filters(api, trainee, assigned_trainer, case):
    assess(assigned_trainer, trainee, total=12)
    assess(assigned_trainer, trainee, total=24, case=case)
    assess(assigned_trainer, trainee, tool="entrustment", total=3)
    client = api.as_user(assigned_trainer)
    assert client.get(f"{URL}?tool=gears").json()["count"] == 2
    assert client.get(f"{URL}?case={case.pk}").json()["count"] == 1
    assert client.get(f"{URL}?total_min=20").json()["count"] == 1
    assert client.get(f"{URL}?is_self=true").json()["count"] == 0
    assert client.get(f"{URL}?trainee={trainee.pk}").json()["count"] == 3


def test_assessments_cannot_be_changed_or_deleted(api, trainee, assigned_trainer):
    assessment = assess(assigned_trainer, trainee)
    client = api.as_user(assigned_trainer)
    assert client.patch(f"{URL}{assessment.pk}/", {"feedback": "x"}, format="json").status_code == 405
    assert client.delete(f"{URL}{assessment.pk}/").status_code == 405
