"""Equipment: kinds and statuses; out of service flags the future sessions needing it."""

import pytest

from labs import services
from labs.models import EquipmentStatus, LabSession
from rastrack.notifications.models import Notification
from tests.builders.labs import make_session, when

pytestmark = pytest.mark.django_db


def test_managers_add_equipment_through_the_api(api, lab, lab_manager):
    response = api.as_user(lab_manager).post("/api/v1/lab-equipment/", {
        "lab": lab.pk, "kind": "vr_console_simulator", "model": "Mimic dV-Trainer", "count": 1}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "available"
    bad = api.as_user(lab_manager).post("/api/v1/lab-equipment/", {
        "lab": lab.pk, "kind": "teleporter", "model": "X", "count": 0}, format="json")
    assert bad.status_code == 400 and {"kind", "count"} <= set(bad.json())


def test_out_of_service_flags_future_sessions_and_tells_the_managers(api, lab, lab_manager, simulators,
                                                                     box_trainers):
    needing = make_session(lab, lab_manager, seats=2, equipment=[simulators])
    other = make_session(lab, lab_manager, starts_at=when(weeks=2), seats=2, kind="dry_lab", equipment=[box_trainers])
    past = make_session(lab, lab_manager, starts_at=when(weeks=-1), seats=2, equipment=[simulators])
    response = api.as_user(lab_manager).patch(f"/api/v1/lab-equipment/{simulators.pk}/",
                                              {"status": "out_of_service"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "out_of_service"
    flags = dict(LabSession.objects.values_list("pk", "equipment_flagged"))
    assert flags == {needing.pk: True, other.pk: False, past.pk: False}
    note = Notification.objects.get(recipient=lab_manager, kind="labs.equipment_flagged")
    assert "da Vinci SimNow" in note.subject and "1 session" in note.subject
    assert api.as_user(lab_manager).get(f"/api/v1/lab-sessions/{needing.pk}/").json()["equipment_flagged"] is True

    # Back in service: the flag goes.
    services.equipment_update(actor=lab_manager, equipment=simulators, status=EquipmentStatus.AVAILABLE)
    assert not LabSession.objects.get(pk=needing.pk).equipment_flagged


def test_fewer_units_than_seats_flags_too(lab, lab_manager, simulators):
    session = make_session(lab, lab_manager, seats=2, equipment=[simulators])
    services.equipment_update(actor=lab_manager, equipment=simulators, count=1)
    assert LabSession.objects.get(pk=session.pk).equipment_flagged


def test_only_the_labs_managers_change_its_equipment(api, simulators, other_lab_manager, trainee, lab_manager):
    path = f"/api/v1/lab-equipment/{simulators.pk}/"
    assert api.as_user(other_lab_manager).patch(path, {"status": "out_of_service"}, format="json").status_code == 403
    assert api.as_user(trainee).patch(path, {"status": "out_of_service"}, format="json").status_code == 403
    assert api.as_user(trainee).get(path).status_code == 200
    assert api.as_user(lab_manager).patch(path, {"count": 3}, format="json").json()["count"] == 3
