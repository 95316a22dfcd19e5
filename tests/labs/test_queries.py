"""The calendar page and the bookings lists take as many queries for 30 rows as for 1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labs import services
from tests.builders.labs import make_session, when

pytestmark = pytest.mark.django_db


def _slots(n):
    """n one-hour slots next week, Monday to Friday, 08:00 to 16:00: none overlaps another."""
    return [when(weekday=i // 8, hour=8 + i % 8) for i in range(n)]


def _sessions(lab, manager, trainee, faculty, slots, *, others=()):
    for starts_at in slots:
        session = make_session(lab, manager, starts_at=starts_at, hours=1, seats=1, faculty=[faculty])
        services.booking_create(trainee=trainee, session=session)
        for other in others:
            services.booking_create(trainee=other, session=session)  # waitlisted


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


def test_the_week_calendar_takes_constant_queries(client, lab, lab_manager, trainee, other_trainee,
                                                  faculty_trainer):
    slots = _slots(30)
    week = f"?week={slots[0]:%G-W%V}"
    _sessions(lab, lab_manager, trainee, faculty_trainer, slots[:1], others=[other_trainee])
    client.force_login(trainee)
    one, page = _count(client, "/labs/calendar/" + week)
    assert page.context["session_count"] == 1
    _sessions(lab, lab_manager, trainee, faculty_trainer, slots[1:], others=[other_trainee])
    thirty, page = _count(client, "/labs/calendar/" + week)
    assert page.context["session_count"] == 30
    assert one == thirty, (one, thirty)


@pytest.mark.parametrize(("caller", "per_session"), [("trainee", 1), ("lab_manager", 2), ("faculty_trainer", 2),
                                                   ("lead", 2), ("admin", 2)])
def test_the_bookings_list_takes_constant_queries(api, request, lab, lab_manager, trainee, other_trainee,
                                                  faculty_trainer, caller, per_session):
    slots = _slots(30)
    client = api.as_user(request.getfixturevalue(caller))
    _sessions(lab, lab_manager, trainee, faculty_trainer, slots[:1], others=[other_trainee])
    one, response = _count(client, "/api/v1/bookings/?page_size=100")
    assert response.json()["count"] == per_session
    _sessions(lab, lab_manager, trainee, faculty_trainer, slots[1:], others=[other_trainee])
    thirty, response = _count(client, "/api/v1/bookings/?page_size=100")
    assert response.json()["count"] == 30 * per_session
    assert [r["waitlist_position"] for r in response.json()["results"] if r["status"] == "waitlisted"][:1] in (
        [], [1])
    assert one == thirty, (one, thirty)


def test_my_bookings_page_and_sessions_list_take_constant_queries(client, api, lab, lab_manager, trainee,
                                                                  faculty_trainer):
    slots = _slots(30)
    client.force_login(trainee)
    sessions_api = api.as_user(trainee)
    _sessions(lab, lab_manager, trainee, faculty_trainer, slots[:1])
    page_one, _ = _count(client, "/labs/bookings/")
    api_one, _ = _count(sessions_api, "/api/v1/lab-sessions/?page_size=100")
    _sessions(lab, lab_manager, trainee, faculty_trainer, slots[1:])
    page_thirty, _ = _count(client, "/labs/bookings/")
    api_thirty, response = _count(sessions_api, "/api/v1/lab-sessions/?page_size=100")
    assert response.json()["count"] == 30
    assert (page_one, api_one) == (page_thirty, api_thirty)
