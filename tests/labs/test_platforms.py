"""Equipment by platform and type: a session's platform, the seats its equipment gives, and
capacity by platform against a hand-computed world."""

import datetime

import pytest

from labs import services
from labs.capacity import capacity_report
from labs.models import EquipmentType
from rastrack.core.exceptions import ApplicationError
from tests.builders.labs import make_session, when

pytestmark = pytest.mark.django_db


def _kit(lab, manager, type_, model, platform="", count=1):
    return services.equipment_create(actor=manager, lab=lab, type=type_, model=model, platform=platform, count=count)


def test_equipment_has_a_type_and_a_platform_and_old_clients_still_send_kind(api, lab, lab_manager):
    response = api.as_user(lab_manager).post("/api/v1/lab-equipment/", {
        "lab": lab.pk, "type": "vr_trainer", "platform": "hugo", "model": "Hugo VR", "count": 2}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["type"], response.json()["platform"]) == (
        "vr_console_simulator", "vr_trainer", "hugo")
    old = api.as_user(lab_manager).post("/api/v1/lab-equipment/", {
        "lab": lab.pk, "kind": "box_trainer", "model": "Box", "count": 2}, format="json")
    assert (old.status_code, old.json()["type"], old.json()["platform"]) == (201, "laparoscopic_box_trainer", "")
    with pytest.raises(ApplicationError) as exc:
        _kit(lab, lab_manager, EquipmentType.LAPAROSCOPIC_BOX_TRAINER, "Box 2", platform="versius")
    assert "no robotic platform" in exc.value.errors["platform"][0]
    assert api.as_user(lab_manager).post("/api/v1/lab-equipment/", {"lab": lab.pk, "model": "Thing"},
                                         format="json").status_code == 400


def test_a_session_takes_its_platform_from_its_robotic_equipment_and_refuses_another(lab, lab_manager):
    versius = _kit(lab, lab_manager, EquipmentType.CONSOLE_SIMULATOR, "Versius Trainer", "versius", count=2)
    hugo = _kit(lab, lab_manager, EquipmentType.VR_TRAINER, "Hugo VR", "hugo")
    neutral = _kit(lab, lab_manager, EquipmentType.VR_TRAINER, "RobotiX Mentor")
    assert make_session(lab, lab_manager, seats=3, equipment=[versius, neutral]).platform == "versius"
    with pytest.raises(ApplicationError) as exc:
        make_session(lab, lab_manager, starts_at=when(weeks=2), seats=1, equipment=[hugo], platform="versius")
    assert "does not train on CMR Versius" in exc.value.errors["equipment"][0]
    with pytest.raises(ApplicationError) as exc:
        make_session(lab, lab_manager, starts_at=when(weeks=3), seats=1, equipment=[hugo, versius])
    assert "several platforms" in exc.value.errors["platform"][0]


def test_capacity_by_platform_against_a_hand_computed_world(lab, lab_manager, trainee, other_trainee):
    """Next month: a da Vinci Xi simulation (2 seats, 1 booked), a Versius simulation (1 seat,
    1 booked), a box-trainer dry lab (4 seats, 0 booked) and a cancelled Xi session (left out)."""
    xi = _kit(lab, lab_manager, EquipmentType.CONSOLE_SIMULATOR, "SimNow", "davinci_xi", count=2)
    versius = _kit(lab, lab_manager, EquipmentType.CONSOLE_SIMULATOR, "Versius Trainer", "versius")
    boxes = _kit(lab, lab_manager, EquipmentType.LAPAROSCOPIC_BOX_TRAINER, "Box", count=4)
    start = when(weeks=5)
    s_xi = make_session(lab, lab_manager, starts_at=start, seats=2, equipment=[xi])
    s_v = make_session(lab, lab_manager, starts_at=start, seats=1, equipment=[versius])
    make_session(lab, lab_manager, starts_at=start, seats=4, kind="dry_lab", equipment=[boxes])
    gone = make_session(lab, lab_manager, starts_at=start + datetime.timedelta(hours=3), seats=2, equipment=[xi])
    services.session_cancel(actor=lab_manager, session=gone)
    services.booking_create(trainee=trainee, session=s_xi)
    services.booking_create(trainee=other_trainee, session=s_v)
    month = start.date()
    rows = capacity_report(labs=[lab.pk], start=month, end=month, group_by="platform")
    figures = {r["platform"]: (r["platform_name"], r["sessions"], r["seats_offered"], r["booked"]) for r in rows}
    assert figures == {"": ("Platform-neutral", 1, 4, 0), "davinci_xi": ("da Vinci Xi", 1, 2, 1),
                       "versius": ("CMR Versius", 1, 1, 1)}


def test_the_capacity_api_groups_by_platform(api, lab, lab_manager):
    response = api.as_user(lab_manager).get("/api/v1/labs/capacity/?group_by=platform")
    assert response.status_code == 200 and response.json()["group_by"] == "platform"
