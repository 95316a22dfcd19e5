"""Permissions both ways for every labs endpoint: anonymous 401, a role that may never use it
403, out of scope 404 (the same answer as a record that does not exist), allowed 2xx."""

import pytest
import time_machine
from rest_framework.test import APIClient

from labs import services
from tests.builders.labs import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(lab, lab_manager, other_lab, other_lab_manager, trainee, faculty_trainer, simulators):
    session = make_session(lab, lab_manager, seats=2, faculty=[faculty_trainer])
    theirs = make_session(other_lab, other_lab_manager, seats=2)
    booking = services.booking_create(trainee=trainee, session=session)
    return {"session": session, "their_session": theirs, "booking": booking, "equipment": simulators}


def _call(api, user, method, path, body=None):
    client = api.as_user(user) if user is not None else APIClient()
    return getattr(client, method)(path, body or {}, format="json")


def test_anonymous_gets_401_everywhere(api, world, lab):
    s, b, e = world["session"].pk, world["booking"].pk, world["equipment"].pk
    calls = [("get", "/api/v1/labs/"), ("get", f"/api/v1/labs/{lab.pk}/"), ("post", "/api/v1/labs/"),
             ("patch", f"/api/v1/labs/{lab.pk}/"), ("get", "/api/v1/labs/capacity/"),
             ("get", "/api/v1/lab-equipment/"), ("post", "/api/v1/lab-equipment/"),
             ("patch", f"/api/v1/lab-equipment/{e}/"),
             ("get", "/api/v1/lab-sessions/"), ("get", f"/api/v1/lab-sessions/{s}/"),
             ("post", "/api/v1/lab-sessions/"), ("post", f"/api/v1/lab-sessions/{s}/cancel/"),
             ("get", "/api/v1/bookings/"), ("get", f"/api/v1/bookings/{b}/"), ("post", "/api/v1/bookings/"),
             ("post", f"/api/v1/bookings/{b}/cancel/"), ("post", f"/api/v1/bookings/{b}/attended/"),
             ("post", f"/api/v1/bookings/{b}/no_show/")]
    assert {path: _call(api, None, m, path).status_code for m, path in calls} == {path: 401 for _, path in calls}


# --- Labs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lab_manager", "lead", "admin"])
def test_everyone_signed_in_reads_labs(api, request, lab, other_lab, persona):
    response = _call(api, request.getfixturevalue(persona), "get", "/api/v1/labs/")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {lab.name, other_lab.name}
    detail = _call(api, request.getfixturevalue(persona), "get", f"/api/v1/labs/{lab.pk}/").json()
    assert {"id", "name", "region", "site", "address", "opening_hours", "managers"} <= set(detail)


def test_only_programme_admins_create_labs(api, admin, lab_manager, trainee, lead, london, london_site):
    body = {"name": "New Lab", "region": london.pk, "site": london_site.pk}
    for user in (lab_manager, trainee, lead):
        assert _call(api, user, "post", "/api/v1/labs/", body).status_code == 403
    created = _call(api, admin, "post", "/api/v1/labs/", {**body, "managers": [lab_manager.pk]})
    assert created.status_code == 201, created.json()
    assert created.json()["managers"] == [lab_manager.pk]
    assert [h["weekday"] for h in created.json()["opening_hours"]] == [0, 1, 2, 3, 4]
    assert _call(api, admin, "post", "/api/v1/labs/", body).status_code == 409  # same name


def test_the_site_must_be_in_the_labs_region(api, admin, north_west, london_site):
    response = _call(api, admin, "post", "/api/v1/labs/", {"name": "X", "region": north_west.pk,
                                                           "site": london_site.pk})
    assert response.status_code == 400 and "site" in response.json()


def test_lab_edits(api, lab, lab_manager, other_lab_manager, trainee, admin, lead):
    path = f"/api/v1/labs/{lab.pk}/"
    assert _call(api, lab_manager, "patch", path, {"address": "Floor 2"}).json()["address"] == "Floor 2"
    assert _call(api, other_lab_manager, "patch", path, {"address": "Elsewhere"}).status_code == 403
    assert _call(api, trainee, "patch", path, {"address": "Elsewhere"}).status_code == 403
    assert _call(api, lead, "patch", path, {"address": "Elsewhere"}).status_code == 403
    # Managers are named by programme admins only.
    assert _call(api, lab_manager, "patch", path, {"managers": [other_lab_manager.pk]}).status_code == 403
    assert _call(api, admin, "patch", path, {"managers": [lab_manager.pk, other_lab_manager.pk]}).status_code == 200
    assert _call(api, admin, "patch", path, {"managers": [trainee.pk]}).status_code == 400
    assert _call(api, lab_manager, "patch", path, {"opening_hours": [
        {"weekday": 1, "opens": "10:00", "closes": "09:00"}]}).status_code == 400


# --- Equipment -------------------------------------------------------------------------------


def test_equipment_permissions(api, world, lab, other_lab, lab_manager, other_lab_manager, trainee, admin):
    body = {"lab": lab.pk, "kind": "box_trainer", "model": "Box", "count": 2}
    assert _call(api, trainee, "post", "/api/v1/lab-equipment/", body).status_code == 403
    assert _call(api, admin, "post", "/api/v1/lab-equipment/", body).status_code == 403
    assert _call(api, other_lab_manager, "post", "/api/v1/lab-equipment/", body).status_code == 403
    assert _call(api, lab_manager, "post", "/api/v1/lab-equipment/", body).status_code == 201
    assert _call(api, trainee, "get", "/api/v1/lab-equipment/").json()["count"] == 2
    assert _call(api, trainee, "get", "/api/v1/lab-equipment/999999/").status_code == 404


# --- Sessions --------------------------------------------------------------------------------


def test_session_permissions(api, world, lab, lab_manager, other_lab_manager, trainee, lead, admin,
                             faculty_trainer):
    s = world["session"]
    for user in (trainee, lead, admin, faculty_trainer, lab_manager):
        assert _call(api, user, "get", "/api/v1/lab-sessions/").json()["count"] == 2
        assert _call(api, user, "get", f"/api/v1/lab-sessions/{s.pk}/").status_code == 200
    assert _call(api, trainee, "get", "/api/v1/lab-sessions/999999/").status_code == 404
    body = {"lab": lab.pk, "kind": "dry_lab", "starts_at": s.starts_at.isoformat(),
            "ends_at": s.ends_at.isoformat(), "seats": 1}
    for user in (trainee, lead, admin, faculty_trainer):
        assert _call(api, user, "post", "/api/v1/lab-sessions/", body).status_code == 403
        assert _call(api, user, "post", f"/api/v1/lab-sessions/{s.pk}/cancel/").status_code == 403
    assert _call(api, other_lab_manager, "post", "/api/v1/lab-sessions/", body).status_code == 403
    assert _call(api, other_lab_manager, "post", f"/api/v1/lab-sessions/{s.pk}/cancel/").status_code == 403
    assert _call(api, lab_manager, "post", "/api/v1/lab-sessions/", body).status_code == 201
    assert _call(api, lab_manager, "post", f"/api/v1/lab-sessions/{s.pk}/cancel/").status_code == 200


def test_session_filters(api, world, trainee, lab, other_lab):
    client = api.as_user(trainee)
    assert client.get(f"/api/v1/lab-sessions/?lab={lab.pk}").json()["count"] == 1
    assert client.get(f"/api/v1/lab-sessions/?region={other_lab.region_id}").json()["count"] == 1
    assert client.get("/api/v1/lab-sessions/?upcoming=true").json()["count"] == 2
    assert client.get("/api/v1/lab-sessions/?kind=wet_lab").json()["count"] == 0


# --- Bookings --------------------------------------------------------------------------------


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_who_sees_which_bookings(api, world, trainee, other_trainee, lab_manager, other_lab_manager, lead,
                                 other_lead, admin, faculty_trainer, assigned_trainer, north_trainee):
    b = world["booking"].pk
    theirs = services.booking_create(trainee=north_trainee, session=world["their_session"]).pk
    seen = {
        "trainee": (trainee, {b}), "other_trainee": (other_trainee, set()), "lab_manager": (lab_manager, {b}),
        "other_lab_manager": (other_lab_manager, {theirs}), "lead": (lead, {b}), "other_lead": (other_lead, {theirs}),
        "admin": (admin, {b, theirs}), "faculty": (faculty_trainer, {b}), "assigned_trainer": (assigned_trainer, set()),
        "north_trainee": (north_trainee, {theirs}),
    }
    for name, (user, expected) in seen.items():
        assert _ids(_call(api, user, "get", "/api/v1/bookings/")) == expected, name
        for pk in (b, theirs):
            code = _call(api, user, "get", f"/api/v1/bookings/{pk}/").status_code
            assert code == (200 if pk in expected else 404), (name, pk, code)


def test_only_trainees_book(api, world, lab_manager, lead, admin, faculty_trainer, other_trainee):
    body = {"session": world["session"].pk}
    for user in (lab_manager, lead, admin, faculty_trainer):
        assert _call(api, user, "post", "/api/v1/bookings/", body).status_code == 403
    assert _call(api, other_trainee, "post", "/api/v1/bookings/", body).status_code == 201
    assert _call(api, other_trainee, "post", "/api/v1/bookings/", {"session": 999999}).status_code == 400


def test_booking_actions_both_ways(api, world, trainee, other_trainee, lab_manager, other_lab_manager, lead,
                                   faculty_trainer, admin):
    b = world["booking"]
    cancel = f"/api/v1/bookings/{b.pk}/cancel/"
    assert _call(api, other_trainee, "post", cancel).status_code == 404
    for user in (lab_manager, lead, admin, faculty_trainer):
        assert _call(api, user, "post", cancel).status_code == 403
    with time_machine.travel(b.session.starts_at, tick=False):
        for verb in ("attended", "no_show"):
            path = f"/api/v1/bookings/{b.pk}/{verb}/"
            assert _call(api, trainee, "post", path).status_code == 403
            assert _call(api, lead, "post", path).status_code == 403
            assert _call(api, other_lab_manager, "post", path).status_code == 404
        assert _call(api, faculty_trainer, "post", f"/api/v1/bookings/{b.pk}/no_show/").status_code == 200
        assert _call(api, lab_manager, "post", f"/api/v1/bookings/{b.pk}/attended/").status_code == 200
    assert _call(api, trainee, "post", cancel).status_code == 409  # attendance recorded: no longer live
