"""Read-only fields cannot be mass-assigned: a client that sends `status`, `trainee`,
`validator`, `expires_on`, `applicant`, ... with a create or an edit gets them ignored (or
the request refused), and the stored value is what the service decided."""

from __future__ import annotations

import datetime

import pytest

from accreditation.faculty.models import Accreditation
from accreditation.logbook.models import Case
from tests.builders.security import days_ago
from tests.builders.signoff import gears
from tests.security.requests import BODIES
from tests.support.api_clients import client_for

pytestmark = pytest.mark.django_db

FAR = "2099-12-31"


def _body(world, method, path, persona="trainee"):
    return BODIES[(method, path)](world, persona, None)


def test_a_new_case_belongs_to_its_author_as_a_draft(world):
    others = world.other_trainee
    body = {**_body(world, "POST", "/api/v1/cases/"), "trainee": others.pk, "status": "validated",
            "validator": world.unassigned_trainer.pk, "validated_role": "observer", "disagreement": True,
            "submitted_at": "2020-01-01T00:00:00Z", "rejection_reason": "x"}
    response = client_for(world, "trainee").post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    # The validator is the service's choice (the educational supervisor), not the client's.
    assert (case.trainee_id, case.status, case.validator_id, case.disagreement) == (
        world.trainee.pk, "draft", world.assigned_trainer.pk, False)
    assert case.submitted_at is None and case.rejection_reason == ""


@pytest.mark.parametrize("method", ["patch", "put"])
def test_editing_a_case_leaves_its_owner_status_and_validator(world, method):
    case = world.extra["case_draft_own"]
    body = {**_body(world, "PUT", "/api/v1/cases/{id}/"), "trainee": world.other_trainee.pk,
            "status": "validated", "validator": world.unassigned_trainer.pk, "validated_supervision": "O"}
    response = getattr(client_for(world, "trainee"), method)(f"/api/v1/cases/{case.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert (case.trainee_id, case.status, case.validator_id, case.validated_supervision) == (
        world.trainee.pk, "draft", world.assigned_trainer.pk, "")


def test_a_simulator_session_is_the_callers_and_unverified(world):
    body = {**_body(world, "POST", "/api/v1/simulator-sessions/"), "trainee": world.other_trainee.pk,
            "verified_by": world.assigned_trainer.pk, "verified_at": "2026-01-01T00:00:00Z"}
    data = client_for(world, "trainee").post("/api/v1/simulator-sessions/", body, format="json").json()
    assert (data["trainee"], data["verified_by"], data["verified_at"]) == (world.trainee.pk, None, None)


def test_a_trainer_application_is_the_callers_and_pending(world):
    body = {**_body(world, "POST", "/api/v1/trainer-applications/"), "applicant": world.trainee.pk,
            "status": "approved", "decided_by": world.admin.pk, "decision_reason": "ok"}
    response = client_for(world, "lab_manager").post("/api/v1/trainer-applications/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["applicant"], data["status"], data["decided_by"]) == (world.lab_manager.pk, "pending", None)


def test_a_signoff_request_is_the_callers_pending_and_due_by_the_rules(world):
    body = {**_body(world, "POST", "/api/v1/signoff-requests/"), "trainee": world.other_trainee.pk,
            "status": "approved", "due_on": FAR, "decided_by": world.assigned_trainer.pk, "feedback": "Yes"}
    response = client_for(world, "trainee").post("/api/v1/signoff-requests/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["trainee"], data["status"], data["decided_by"], data["feedback"]) == (
        world.trainee.pk, "pending", None, "")
    assert data["due_on"] != FAR


def test_a_booking_is_the_callers_and_the_service_sets_its_status(world):
    body = {**_body(world, "POST", "/api/v1/bookings/"), "trainee": world.other_trainee.pk, "status": "attended",
            "waitlist_position": 0}
    data = client_for(world, "trainee").post("/api/v1/bookings/", body, format="json").json()
    assert (data["trainee"], data["status"]) == (world.trainee.pk, "confirmed")


def test_an_assessment_is_by_the_caller_with_its_computed_total(world):
    body = {**_body(world, "POST", "/api/v1/assessments/"), "assessor": world.admin.pk, "total": 30,
            "is_self": True, "scores": gears(12)}
    response = client_for(world, "assigned_trainer").post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["assessor"], data["total"], data["is_self"]) == (world.assigned_trainer.pk, 12, False)


def test_a_lab_session_starts_with_no_seats_booked(world):
    body = {**_body(world, "POST", "/api/v1/lab-sessions/"), "seats_booked": 2, "waitlist_length": 5,
            "status": "cancelled"}
    response = client_for(world, "lab_manager").post("/api/v1/lab-sessions/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["seats_booked"], data["waitlist_length"], data["status"]) == (0, 0, "scheduled")


def test_equipment_cannot_be_moved_to_another_lab_by_an_edit(world):
    equipment = world.objects["lab-equipment"]["own"]
    other_lab = world.objects["labs"]["others"]
    response = client_for(world, "lab_manager").patch(
        f"/api/v1/lab-equipment/{equipment.pk}/", {"lab": other_lab.pk, "notes": "moved?"}, format="json")
    assert response.status_code == 200
    equipment.refresh_from_db()
    assert equipment.lab_id == world.objects["labs"]["own"].pk


def test_an_accreditation_action_never_sets_its_dates_or_status_from_the_body(world):
    accreditation = world.objects["accreditations"]["own"]
    before = accreditation.expires_on
    response = client_for(world, "admin").post(
        f"/api/v1/accreditations/{accreditation.pk}/suspend/",
        {"reason": "Review.", "expires_on": FAR, "status": "accredited", "trainer": world.lead.pk}, format="json")
    assert response.status_code == 200
    accreditation = Accreditation.objects.get(pk=accreditation.pk)
    assert (accreditation.status, accreditation.expires_on, accreditation.trainer_id) == (
        "suspended", before, world.assigned_trainer.pk)


def test_an_enrolment_starts_active_whatever_the_body_says(world):
    response = client_for(world, "trainee").post(
        "/api/v1/enrolments/", {"pathway": world.extra["open_pathway"].pk, "status": "completed",
                                "trainee": world.other_trainee.pk, "completed_on": days_ago(1).isoformat()},
        format="json")
    # A trainee enrols only themself: naming someone else is refused, never obeyed.
    if response.status_code == 201:
        assert (response.json()["trainee"], response.json()["status"]) == (world.trainee.pk, "active")
    else:
        assert response.status_code in (400, 403), response.json()


def test_a_document_cannot_be_uploaded_onto_someone_elses_record(world):
    response = client_for(world, "trainee").post(
        "/api/v1/documents/", {"file": BODIES[("POST", "/api/v1/documents/")](world, "trainee")["file"],
                               "owner": world.other_trainee.pk}, format="multipart")
    assert response.status_code in (400, 403, 404)
    assert not world.other_trainee.evidence_documents.exclude(pk=world.objects["documents"]["others"].pk).exists()


def test_moderation_status_is_only_changed_by_the_actions(world):
    pending = world.objects["resources"]["others"]
    response = client_for(world, "admin").patch(f"/api/v1/resources/{pending.pk}/",
                                                {"status": "approved", "modules": []}, format="json")
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_certificate_code_and_dates_are_not_writable(world):
    certificate = world.objects["certificates"]["own"]
    code = certificate.verification_code
    response = client_for(world, "admin").post(
        f"/api/v1/certificates/{certificate.pk}/revoke/",
        {"reason": "Issued in error.", "verification_code": "AAAAAAAAAAAAAAAA",
         "issued_on": (datetime.date.today() - datetime.timedelta(days=3000)).isoformat()}, format="json")
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.verification_code == code and certificate.status == "revoked"


def test_a_person_changes_only_their_own_grade_and_programme(world):
    body = {**_body(world, "PATCH", "/api/v1/me/"), "id": world.other_trainee.pk, "email": "x@example.org",
            "roles": ["programme_admin"], "is_active": False, "region": None, "registration_number": "1111111"}
    response = client_for(world, "trainee").patch("/api/v1/me/", body, format="json")
    assert response.status_code == 200, response.json()
    trainee = type(world.trainee).objects.get(pk=world.trainee.pk)
    assert (trainee.email, trainee.is_active, trainee.region_id, trainee.grade) == (
        world.trainee.email, True, world.trainee.region_id, "ST5")
    assert not trainee.has_role("programme_admin")
