"""Sessions: seats vs equipment, opening hours, faculty accreditation, equipment overlaps."""

import datetime

import pytest
from django.utils import timezone

from labs import services
from labs.models import EquipmentStatus, LabSession
from rastrack.core.exceptions import ApplicationError, NotPermitted
from tests.builders.faculty import accredit
from tests.builders.labs import make_session, when
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db


def _post(api, user, lab, **overrides):
    starts_at = overrides.pop("starts_at", when())
    body = {"lab": lab.pk, "kind": "simulation", "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + datetime.timedelta(hours=2)).isoformat(), "seats": 2, **overrides}
    return api.as_user(user).post("/api/v1/lab-sessions/", body, format="json")


# --- Seats vs equipment ----------------------------------------------------------------------


def test_a_session_cannot_offer_more_seats_than_its_equipment_has_units(api, lab, lab_manager, simulators):
    response = _post(api, lab_manager, lab, seats=3, equipment=[simulators.pk])
    assert response.status_code == 400
    assert "at most 2 seat" in response.json()["seats"][0]
    response = _post(api, lab_manager, lab, seats=2, equipment=[simulators.pk])
    assert response.status_code == 201, response.json()
    assert response.json()["seats"] == 2 and response.json()["equipment"] == [simulators.pk]


def test_seats_count_the_units_of_every_equipment_named(lab, lab_manager, simulators, box_trainers):
    session = make_session(lab, lab_manager, seats=8, kind="dry_lab", equipment=[simulators, box_trainers])
    assert session.seats == 8
    with pytest.raises(ApplicationError) as exc:
        make_session(lab, lab_manager, starts_at=when(weeks=2), seats=9, kind="dry_lab",
                     equipment=[simulators, box_trainers])
    assert "seats" in exc.value.errors


def test_a_box_trainer_is_never_a_robotic_seat(lab, lab_manager, simulators, box_trainers):
    # Two simulators and six boxes give a simulation session two seats, not eight.
    assert make_session(lab, lab_manager, seats=2, equipment=[simulators, box_trainers]).seats == 2
    with pytest.raises(ApplicationError) as exc:
        make_session(lab, lab_manager, starts_at=when(weeks=2), seats=3, equipment=[simulators, box_trainers])
    assert "not a robotic seat" in exc.value.errors["seats"][0]


def test_equipment_out_of_service_cannot_be_scheduled(api, lab, lab_manager, simulators):
    services.equipment_update(actor=lab_manager, equipment=simulators, status=EquipmentStatus.OUT_OF_SERVICE)
    response = _post(api, lab_manager, lab, seats=1, equipment=[simulators.pk])
    assert response.status_code == 400
    assert "Out of service: da Vinci SimNow" in response.json()["equipment"][0]


def test_equipment_of_another_lab_is_refused(api, lab, lab_manager, other_lab, other_lab_manager):
    theirs = services.equipment_create(actor=other_lab_manager, lab=other_lab, kind="box_trainer",
                                       model="Their box trainer", count=4)
    response = _post(api, lab_manager, lab, seats=1, equipment=[theirs.pk])
    assert response.status_code == 400
    assert "Not equipment of London Test Skills Lab" in response.json()["equipment"][0]


def test_overlapping_sessions_on_the_same_equipment_are_refused(api, lab, lab_manager, simulators, box_trainers):
    make_session(lab, lab_manager, starts_at=when(hour=10), hours=2, seats=2, equipment=[simulators])
    clash = _post(api, lab_manager, lab, starts_at=when(hour=11), seats=1, equipment=[simulators.pk])
    assert clash.status_code == 400
    assert "already in use" in clash.json()["equipment"][0]
    # Other equipment at the same time, or the same equipment right after, is fine.
    assert _post(api, lab_manager, lab, starts_at=when(hour=11), seats=1, kind="dry_lab",
                 equipment=[box_trainers.pk]).status_code == 201
    assert _post(api, lab_manager, lab, starts_at=when(hour=12), seats=1, equipment=[simulators.pk]).status_code == 201


def test_a_cancelled_session_frees_its_equipment(lab, lab_manager, simulators):
    first = make_session(lab, lab_manager, seats=2, equipment=[simulators])
    services.session_cancel(actor=lab_manager, session=first)
    assert make_session(lab, lab_manager, seats=2, equipment=[simulators]).pk != first.pk


# --- Opening hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(("weekday", "hour", "hours", "ok"), [
    (1, 8, 2, True),      # Tuesday 08:00-10:00: from opening
    (1, 16, 2, True),     # until closing
    (1, 7, 2, False),     # starts before opening
    (1, 17, 2, False),    # ends after closing
    (5, 10, 2, False),    # Saturday: closed
    (6, 10, 2, False),    # Sunday: closed
])
def test_sessions_lie_within_the_labs_opening_hours(api, lab, lab_manager, weekday, hour, hours, ok):
    starts_at = when(weekday=weekday, hour=hour)
    response = _post(api, lab_manager, lab, starts_at=starts_at,
                     ends_at=(starts_at + datetime.timedelta(hours=hours)).isoformat())
    assert (response.status_code == 201) is ok, response.json()
    if not ok:
        assert "starts_at" in response.json()
        message = response.json()["starts_at"][0]
        assert ("closed on" in message) if weekday >= 5 else ("open 08:00-18:00" in message)


def test_opening_hours_are_the_labs_own(api, admin, lab, lab_manager):
    api.as_user(lab_manager).patch(f"/api/v1/labs/{lab.pk}/", {"opening_hours": [
        {"weekday": 5, "opens": "09:00", "closes": "13:00"}]}, format="json")
    saturday = when(weekday=5, hour=9)
    assert _post(api, lab_manager, lab, starts_at=saturday).status_code == 201
    assert _post(api, lab_manager, lab, starts_at=when(weekday=1)).status_code == 400  # Tuesdays now closed


def test_a_session_cannot_span_two_days_or_start_in_the_past(lab, lab_manager):
    start = when(hour=17)
    with pytest.raises(ApplicationError) as exc:
        services.session_create(actor=lab_manager, lab=lab, kind="simulation", starts_at=start,
                                ends_at=start + datetime.timedelta(hours=18), seats=1)
    assert "same day" in exc.value.errors["starts_at"][0]
    with pytest.raises(ApplicationError) as exc:
        services.session_create(actor=lab_manager, lab=lab, kind="simulation", starts_at=when(weeks=-1),
                                ends_at=when(weeks=-1, hour=12), seats=1)
    assert "future" in exc.value.errors["starts_at"][0]


def test_ends_after_it_starts(api, lab, lab_manager):
    start = when()
    response = _post(api, lab_manager, lab, starts_at=start, ends_at=start.isoformat())
    assert response.status_code == 400 and "ends_at" in response.json()


# --- Faculty ---------------------------------------------------------------------------------


def test_faculty_must_be_accredited_on_the_session_date(api, lab, lab_manager, london, faculty_trainer):
    unaccredited = UserFactory(full_name="Ned Notaccredited", roles=["trainer"], region=london)
    response = _post(api, lab_manager, lab, faculty=[faculty_trainer.pk, unaccredited.pk])
    assert response.status_code == 400
    assert response.json()["faculty"] == [
        f"Ned Notaccredited is not an accredited trainer on {when().day} {when():%B %Y}: "
        "lab faculty must be accredited on the day of the session."]
    response = _post(api, lab_manager, lab, faculty=[faculty_trainer.pk])
    assert response.status_code == 201
    assert response.json()["faculty"] == [faculty_trainer.pk]
    assert response.json()["faculty_detail"][0]["full_name"] == faculty_trainer.full_name


def test_faculty_whose_accreditation_ends_before_the_session_is_refused(api, lab, lab_manager, london):
    expiring = UserFactory(full_name="Eve Expiring", roles=["trainer"], region=london)
    accredit(expiring, expires_on=timezone.localdate() + datetime.timedelta(days=8))
    # The Tuesday after next is 9 to 15 days away: after the last valid day.
    response = _post(api, lab_manager, lab, starts_at=when(weeks=2, weekday=1), faculty=[expiring.pk])
    assert response.status_code == 400 and "Eve Expiring" in response.json()["faculty"][0]
    # Next Monday is 1 to 7 days away: still accredited that day.
    response = _post(api, lab_manager, lab, starts_at=when(weeks=1, weekday=0), faculty=[expiring.pk])
    assert response.status_code == 201, response.json()


# --- Who may create --------------------------------------------------------------------------


def test_only_the_labs_managers_create_its_sessions(lab, other_lab_manager, admin):
    for outsider in (other_lab_manager, admin):
        with pytest.raises(NotPermitted):
            make_session(lab, outsider)
    assert LabSession.objects.count() == 0


def test_curriculum_links(api, admin, lab, lab_manager):
    from tests.builders.curriculum import make_framework, make_pathway

    pathway = make_pathway(admin, make_framework(admin))
    module = pathway.modules.get(title="Platform e-learning")
    component = pathway.modules.get(title="Skills").components.get(kind="dry_lab")
    response = _post(api, lab_manager, lab, kind="dry_lab", component=component.pk, prerequisite=module.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["component"], body["prerequisite"]) == (component.pk, module.pk)
    assert body["prerequisite_title"] == "Platform e-learning"
    assert _post(api, lab_manager, lab, starts_at=when(weeks=2), kind="console_practice",
                 component=999999).status_code == 400
