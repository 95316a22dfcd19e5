"""Capacity versus need (dashboards/capacity_need.py) against a small hand-computed world."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accreditation.faculty.models import FacultyRules
from curriculum import services as curriculum
from curriculum.progress_summary import refresh_all
from dashboards import capacity_need
from dashboards import selectors as dashboards
from labs import services
from rastrack.accounts.roles import Role
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.faculty import assign
from tests.builders.labs import book_in_past, make_session, when
from tests.builders.people import UserFactory
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def _enrol(trainee, pathway):
    return curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway, enrolled_on=days_ago(90))


@pytest.fixture
def need_world(admin, london, north_west, trainee, other_trainee, north_trainee, assigned_trainer,
               unassigned_trainer, lab, lab_manager, other_lab, other_lab_manager):
    """A pathway needing 3 dry-lab sessions and 6 wet-lab hours.

    London: trainee attended 1 dry lab and has 1 booked ahead; other_trainee and Dan nothing
      (Dan has no trainer); Paula is paused (left out).
      Sessions in the next three months: dry lab 2 h, 3 seats (trainee's booking: 2 free);
      wet lab 3 h, 2 seats. Outside: a dry lab in 4 months (10 seats), a cancelled wet lab.
      -> dry lab: still required 2 + 3 + 3 = 8, booked ahead 1, need 7, free 2, shortfall 5
      -> wet lab: 6 + 6 + 6 = 18 hours / 3 h per session = 6, need 6, free 2, shortfall 4
    North West: north_trainee nothing; a dry lab with 2 seats, no wet lab.
      -> dry lab: need 3, free 2, shortfall 1
      -> wet lab: 6 hours / 4 h (default length) -> 2, free 0, shortfall 2
    Trainers (cap set to 1): London assigned_trainer 1 trainee (0 places), unassigned_trainer
      (1 place); waiting: other_trainee and Dan -> shortfall 1. North West: no trainers,
      north_trainee waiting -> shortfall 1.
    """
    framework = make_framework(admin)
    pathway = curriculum.pathway_create(actor=admin, code="lab-need", title="Lab need", audience="trainee",
                                        framework=framework, self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Labs")
    dry = curriculum.component_create(actor=admin, module=module, title="Dry-lab drills", kind="dry_lab")
    curriculum.requirement_create(actor=admin, component=dry, type="min_count", params={"count": 3})
    wet = curriculum.component_create(actor=admin, module=module, title="Wet-lab hours", kind="wet_lab")
    curriculum.requirement_create(actor=admin, component=wet, type="min_hours", params={"hours": "6.0"})
    pathway = curriculum.pathway_publish(actor=admin, pathway=pathway)

    paula = UserFactory(full_name="Paula Paused", roles=[Role.TRAINEE], region=london)
    dan = UserFactory(full_name="Dan Waiting", roles=[Role.TRAINEE], region=london)
    for person in (trainee, other_trainee, north_trainee, dan):
        _enrol(person, pathway)
    curriculum.enrolment_pause(actor=admin, enrolment=_enrol(paula, pathway), kind="other", reason="Research year")

    past = make_session(lab, lab_manager, starts_at=when(weeks=-2), hours=2, kind="dry_lab")
    services.booking_mark_attendance(actor=lab_manager, booking=book_in_past(trainee, past), attended=True)
    soon_dry = make_session(lab, lab_manager, starts_at=when(weeks=2, hour=9), hours=2, seats=3, kind="dry_lab")
    services.booking_create(trainee=trainee, session=soon_dry)
    make_session(lab, lab_manager, starts_at=when(weeks=3, hour=9), hours=3, seats=2, kind="wet_lab")
    make_session(lab, lab_manager, starts_at=when(weeks=18, hour=9), hours=2, seats=10, kind="dry_lab")
    cancelled = make_session(lab, lab_manager, starts_at=when(weeks=4, hour=9), hours=3, seats=5, kind="wet_lab")
    services.session_cancel(actor=lab_manager, session=cancelled, reason="Faculty unwell")
    make_session(other_lab, other_lab_manager, starts_at=when(weeks=2, hour=9), hours=2, seats=2, kind="dry_lab")

    FacultyRules.objects.update_or_create(pk=1, defaults={"max_trainees_per_trainer": 1})
    refresh_all()
    return {"pathway": pathway}


def _rows(rows, region):
    """The rows of a region by kind, without their platform breakdown (tested on its own)."""
    return {row["kind"]: {k: v for k, v in row.items() if k != "by_platform"} for row in rows
            if row["region"] == region.pk}


def test_lab_need_supply_and_shortfall(need_world, london, north_west):
    rows = capacity_need.capacity_versus_need(None, now=timezone.now())
    assert _rows(rows, london) == {
        "dry_lab": {"region": london.pk, "region_name": london.name, "kind": "dry_lab", "still_required": 8,
                    "booked_ahead": 1, "need": 7, "sessions": 1, "seats_free": 2, "shortfall": 5},
        "wet_lab": {"region": london.pk, "region_name": london.name, "kind": "wet_lab", "still_required": 6,
                    "booked_ahead": 0, "need": 6, "sessions": 1, "seats_free": 2, "shortfall": 4},
    }
    assert _rows(rows, north_west) == {
        "dry_lab": {"region": north_west.pk, "region_name": north_west.name, "kind": "dry_lab",
                    "still_required": 3, "booked_ahead": 0, "need": 3, "sessions": 1, "seats_free": 2,
                    "shortfall": 1},
        "wet_lab": {"region": north_west.pk, "region_name": north_west.name, "kind": "wet_lab",
                    "still_required": 2, "booked_ahead": 0, "need": 2, "sessions": 0, "seats_free": 0,
                    "shortfall": 2},
    }


def test_need_follows_new_evidence_after_the_summary_refresh(need_world, london, trainee, lab, lab_manager):
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1), hours=2, kind="dry_lab")
    services.booking_mark_attendance(actor=lab_manager, booking=book_in_past(trainee, session), attended=True)
    before = _rows(capacity_need.capacity_versus_need(london.pk, now=timezone.now()), london)["dry_lab"]
    assert before["still_required"] == 8  # the summary is stale until the task runs
    from curriculum.progress_summary import refresh_due

    assert refresh_due() == 1
    after = _rows(capacity_need.capacity_versus_need(london.pk, now=timezone.now()), london)["dry_lab"]
    assert after["still_required"] == 7 and after["need"] == 6 and after["shortfall"] == 4


def test_trainer_capacity(need_world, london, north_west, assigned_trainer, trainee):
    rows = {row["region"]: row for row in capacity_need.trainer_capacity(None, today=timezone.localdate())}
    assert rows[london.pk] == {"region": london.pk, "region_name": london.name, "accredited_trainers": 2,
                               "trainee_cap": 1, "places_free": 1, "trainees_without_trainer": 2, "shortfall": 1}
    assert rows[north_west.pk] == {"region": north_west.pk, "region_name": north_west.name,
                                   "accredited_trainers": 0, "trainee_cap": 1, "places_free": 0,
                                   "trainees_without_trainer": 1, "shortfall": 1}


def test_trainer_over_the_cap_gives_no_negative_places(need_world, london, assigned_trainer, other_trainee):
    assign(assigned_trainer, other_trainee)  # 2 trainees with a cap of 1 (the cap was lowered)
    rows = {row["region"]: row for row in capacity_need.trainer_capacity(london.pk, today=timezone.localdate())}
    assert rows[london.pk]["places_free"] == 1  # unassigned_trainer's place; not 1 + (1 - 2)
    assert rows[london.pk]["trainees_without_trainer"] == 1


def test_region_scope_and_api(api, need_world, lead, other_lead, london, north_west):
    data = api.as_user(lead).get(f"/api/v1/dashboards/regions/{london.pk}/").json()
    assert {row["region"] for row in data["capacity"]} == {london.pk}
    assert {row["region"] for row in data["trainers"]} == {london.pk}
    assert sum(row["shortfall"] for row in data["capacity"]) == 9
    other = api.as_user(other_lead).get(f"/api/v1/dashboards/regions/{north_west.pk}/").json()
    assert {row["region"] for row in other["capacity"]} == {north_west.pk}
    assert data["capacity_period"]["from"] == timezone.localdate().isoformat()


def test_capacity_csv_matches_json(api, need_world, admin):
    import csv
    import io

    client = api.as_user(admin)
    rows = client.get("/api/v1/dashboards/national/").json()["capacity"]
    response = client.get("/api/v1/dashboards/national/", {"section": "capacity", "as": "csv"})
    parsed = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert parsed == [{key: str(value) for key, value in row.items() if key != "by_platform"} for row in rows]
    assert len(parsed) == 4


def test_capacity_versus_need_by_platform(need_world, london, lab, lab_manager):
    """The need world's requirements and sessions are platform-neutral; add a Versius dry lab
    (2 seats on one Versius dry-lab robot) in the horizon: London's dry-lab row gains 1 session
    and 2 free seats, all of them on Versius, where no requirement asks for a platform."""
    robot = services.equipment_create(actor=lab_manager, lab=lab, type="dry_lab_robot", platform="versius",
                                      model="Versius dry-lab system", count=2)
    make_session(lab, lab_manager, starts_at=when(weeks=4, hour=9), hours=2, seats=2, kind="dry_lab",
                 equipment=[robot])
    row = next(r for r in capacity_need.capacity_versus_need(london.pk, now=timezone.now()) if r["kind"] == "dry_lab")
    assert (row["sessions"], row["seats_free"], row["need"], row["shortfall"]) == (2, 4, 7, 3)
    assert row["by_platform"] == [
        {"platform": "", "still_required": 8, "booked_ahead": 1, "need": 7, "sessions": 1, "seats_free": 2,
         "shortfall": 5},
        {"platform": "versius", "still_required": 0, "booked_ahead": 0, "need": 0, "sessions": 1, "seats_free": 2,
         "shortfall": 0},
    ]


def test_the_page_shows_the_shortfall_plainly(client, need_world, lead, london):
    login_verified(client, lead)
    html = client.get(f"/dashboards/regions/{london.pk}/").content.decode()
    assert "Capacity versus need, next three months" in html
    assert "5 short" in html and "4 short" in html and "1 short" in html and "Dry lab" in html


def test_horizon_is_three_months(settings):
    now = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
    start, end = capacity_need.horizon(now)
    assert start == now and end == datetime.datetime(2027, 2, 28, 9, 0, tzinfo=datetime.UTC)


def test_query_count_is_constant(need_world, london, trainee, lab, lab_manager, django_assert_num_queries):
    now = timezone.now()
    dashboards.dashboard()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        capacity_need.capacity_versus_need(None, now=now)
        capacity_need.trainer_capacity(None, today=now.date())
    for n in range(3):
        person = UserFactory(full_name=f"Extra {n}", roles=[Role.TRAINEE], region=london)
        _enrol(person, need_world["pathway"])
        make_session(lab, lab_manager, starts_at=when(weeks=5 + n, hour=9), hours=2, kind="wet_lab")
    refresh_all()
    with CaptureQueriesContext(connection) as second:
        capacity_need.capacity_versus_need(None, now=now)
        capacity_need.trainer_capacity(None, today=now.date())
    assert len(first) == len(second) == 8
