"""Capacity reporting against a hand-computed fixture, and who may see it."""

import datetime

import pytest
from django.utils import timezone

from labs import services
from labs.capacity import capacity_report
from rastrack.core.months import add_months
from tests.builders.labs import make_session
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def _tuesday_of(month_first: datetime.date) -> datetime.date:
    day = month_first + datetime.timedelta(days=2)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)


def _at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _before(session, days):
    return session.starts_at - datetime.timedelta(days=days)


@pytest.fixture
def months():
    this_month = timezone.localdate().replace(day=1)
    return add_months(this_month, -2), add_months(this_month, -1)


@pytest.fixture
def world(months, lab, lab_manager, other_lab, other_lab_manager, trainee, other_trainee, third_trainee,
          north_trainee):
    """Month 1, London lab:
      S1 3 seats: trainee attended, other_trainee no-show, third_trainee attended, north_trainee waitlisted
      S2 1 seat: trainee booked then cancelled; other_trainee waitlisted, promoted, attended
      S3 4 seats, cancelled (third_trainee had booked): left out of every figure
    Month 2, London lab: S4 4 seats: trainee attended
    Month 1, North West lab: S5 2 seats: north_trainee attended, third_trainee no-show
    """
    m1, m2 = months
    tuesday1, tuesday2 = _tuesday_of(m1), _tuesday_of(m2)
    s1 = make_session(lab, lab_manager, starts_at=_at(tuesday1, 10), seats=3)
    s2 = make_session(lab, lab_manager, starts_at=_at(tuesday1 + datetime.timedelta(days=1), 10), seats=1)
    s3 = make_session(lab, lab_manager, starts_at=_at(tuesday1 + datetime.timedelta(days=2), 10), seats=4)
    s4 = make_session(lab, lab_manager, starts_at=_at(tuesday2, 10), seats=4)
    s5 = make_session(other_lab, other_lab_manager, starts_at=_at(tuesday1, 14), seats=2)

    def book(trainee_, session):
        return services.booking_create(trainee=trainee_, session=session, now=_before(session, 5))

    def mark(manager, booking, attended):
        services.booking_mark_attendance(actor=manager, booking=booking, attended=attended)

    b = [book(t, s1) for t in (trainee, other_trainee, third_trainee, north_trainee)]
    assert [x.status for x in b] == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    mark(lab_manager, b[0], True)
    mark(lab_manager, b[1], False)
    mark(lab_manager, b[2], True)

    first, waiting = book(trainee, s2), book(other_trainee, s2)
    services.booking_cancel(actor=trainee, booking=first, now=_before(s2, 2))
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    mark(lab_manager, waiting, True)

    book(third_trainee, s3)
    services.session_cancel(actor=lab_manager, session=s3, now=_before(s3, 1))

    mark(lab_manager, book(trainee, s4), True)

    mark(other_lab_manager, book(north_trainee, s5), True)
    mark(other_lab_manager, book(third_trainee, s5), False)
    return m1, m2


ZERO = {"no_shows": 0, "waitlist_demand": 0, "waitlisted": 0}


def test_capacity_by_lab_matches_the_hand_computed_figures(world, lab, other_lab):
    m1, m2 = world
    rows = capacity_report(labs=[lab.pk, other_lab.pk], start=m1, end=m2)
    assert rows == [
        {"month": f"{m1:%Y-%m}", "lab": lab.pk, "lab_name": lab.name, "region": lab.region_id,
         "region_name": "London", "sessions": 2, "seats_offered": 4, "booked": 4, "attended": 3, "no_shows": 1,
         "waitlist_demand": 2, "waitlisted": 1},
        {"month": f"{m1:%Y-%m}", "lab": other_lab.pk, "lab_name": other_lab.name, "region": other_lab.region_id,
         "region_name": "North West", "sessions": 1, "seats_offered": 2, "booked": 2, "attended": 1,
         "no_shows": 1, "waitlist_demand": 0, "waitlisted": 0},
        {"month": f"{m2:%Y-%m}", "lab": lab.pk, "lab_name": lab.name, "region": lab.region_id,
         "region_name": "London", "sessions": 1, "seats_offered": 4, "booked": 1, "attended": 1, **ZERO},
    ]


def test_capacity_by_month_and_region(world, lab, other_lab):
    m1, m2 = world
    by_month = capacity_report(labs=[lab.pk, other_lab.pk], start=m1, end=m2, group_by="month")
    assert by_month == [
        {"month": f"{m1:%Y-%m}", "sessions": 3, "seats_offered": 6, "booked": 6, "attended": 4, "no_shows": 2,
         "waitlist_demand": 2, "waitlisted": 1},
        {"month": f"{m2:%Y-%m}", "sessions": 1, "seats_offered": 4, "booked": 1, "attended": 1, **ZERO},
    ]
    by_region = capacity_report(labs=[lab.pk, other_lab.pk], start=m2, end=m2, group_by="region")
    assert by_region == [{"month": f"{m2:%Y-%m}", "region": lab.region_id, "region_name": "London",
                          "sessions": 1, "seats_offered": 4, "booked": 1, "attended": 1, **ZERO}]


def test_the_capacity_api_is_scoped_to_the_caller(api, world, lab, other_lab, lab_manager, other_lab_manager,
                                                  lead, other_lead, admin, trainee, assigned_trainer):
    m1, m2 = world
    query = f"?from={m1:%Y-%m}&to={m2:%Y-%m}"

    def labs_seen(user, extra=""):
        response = api.as_user(user).get(f"/api/v1/labs/capacity/{query}{extra}")
        assert response.status_code == 200, response.content
        return {row["lab"] for row in response.json()["rows"]}, response.json()

    assert labs_seen(admin)[0] == {lab.pk, other_lab.pk}
    seen, body = labs_seen(admin)
    assert body["totals"] == {"sessions": 4, "seats_offered": 10, "booked": 7, "attended": 5, "no_shows": 2,
                              "waitlist_demand": 2, "waitlisted": 1}
    assert (body["period_from"], body["period_to"], body["group_by"]) == (f"{m1:%Y-%m}", f"{m2:%Y-%m}", "lab")
    assert labs_seen(lead)[0] == {lab.pk}
    assert labs_seen(other_lead)[0] == {other_lab.pk}
    assert labs_seen(lab_manager)[0] == {lab.pk}
    assert labs_seen(other_lab_manager)[0] == {other_lab.pk}
    assert labs_seen(admin, f"&region={other_lab.region_id}")[0] == {other_lab.pk}
    # Outside the caller's scope: 404; roles that never see capacity: 403; anonymous: 401.
    assert api.as_user(lab_manager).get(f"/api/v1/labs/capacity/?lab={other_lab.pk}").status_code == 404
    assert api.as_user(lead).get(f"/api/v1/labs/capacity/?region={other_lab.region_id}").status_code == 404
    assert api.as_user(trainee).get("/api/v1/labs/capacity/").status_code == 403
    assert api.as_user(assigned_trainer).get("/api/v1/labs/capacity/").status_code == 403
    api.credentials()
    assert api.get("/api/v1/labs/capacity/").status_code == 401
    bad = api.as_user(admin).get("/api/v1/labs/capacity/?from=September&group_by=week")
    assert bad.status_code == 400 and set(bad.json()) == {"from", "group_by"}


def test_the_capacity_page(client, world, lab, other_lab, lead, lab_manager, trainee):
    m1, m2 = world
    login_verified(client, lead)
    page = client.get(f"/labs/capacity/?start={m1:%Y-%m}&end={m2:%Y-%m}")
    assert page.status_code == 200
    html = page.content.decode()
    assert lab.name in html and other_lab.name not in html
    client.force_login(lab_manager)
    assert client.get("/labs/capacity/").status_code == 200
    client.force_login(trainee)
    assert client.get("/labs/capacity/").status_code == 403
