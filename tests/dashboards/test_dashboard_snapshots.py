"""Dashboard snapshots (dashboards/snapshots.py): the default dashboards read from a row
the beat task refreshes; filtered ones compute what their filters change and take the rest
from a fresh snapshot; every answer says when."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dashboards.models import DashboardSnapshot
from dashboards.snapshots import refresh_dashboards
from dashboards.tasks import refresh_dashboards as refresh_task
from rastrack.accounts.roles import Role
from rastrack.reference.models import Region
from tests.builders.dashboards import NATIONAL, region_url, world_fixture  # noqa: F401 - fixture
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def test_the_task_stores_national_and_every_region(world, settings):
    assert refresh_task.apply().get() == 1 + Region.objects.count()
    assert DashboardSnapshot.objects.filter(scope="national").exists()
    schedule = settings.CELERY_BEAT_SCHEDULE["labs-refresh-dashboards"]
    assert schedule == {"task": "labs.refresh_dashboards", "schedule": settings.DASHBOARD_REFRESH_SECONDS}


def test_default_view_is_read_from_the_snapshot(api, world, admin, lead, london):
    client = api.as_user(admin)
    live = client.get(NATIONAL).json()
    refresh_dashboards()
    with CaptureQueriesContext(connection) as queries:
        stored = client.get(NATIONAL).json()
    assert len(queries) <= 6  # authentication and the one snapshot row, not 21 aggregates
    assert {key: value for key, value in stored.items() if key != "computed_at"} == \
        {key: value for key, value in live.items() if key != "computed_at"}
    regional = api.as_user(lead).get(region_url(london.pk)).json()
    assert regional["scope"]["region"] == london.pk
    assert regional["computed_at"] == stored["computed_at"]


def test_a_snapshot_is_not_refreshed_by_new_data_until_the_task_runs(api, world, admin, trainee, assigned_trainer):
    client = api.as_user(admin)
    refresh_dashboards()
    before = client.get(NATIONAL).json()
    from tests.builders.logbook import make_case

    make_case(trainee, assigned_trainer, days=1, platform="hugo")  # the figures change
    assert client.get(NATIONAL).json()["cases"] == before["cases"]  # the snapshot, as it says
    refresh_dashboards()
    assert client.get(NATIONAL).json()["cases"] != before["cases"]


def test_old_snapshots_and_filtered_views_are_computed_live(api, world, admin, settings):
    client = api.as_user(admin)
    refresh_dashboards(now=timezone.now() - datetime.timedelta(
        seconds=settings.DASHBOARD_SNAPSHOT_MAX_AGE_SECONDS + 60))
    stored_at = DashboardSnapshot.objects.get(scope="national").computed_at
    answer = client.get(NATIONAL).json()
    assert answer["computed_at"] > stored_at.isoformat()  # too old: computed now
    refresh_dashboards()
    filtered = client.get(NATIONAL, {"specialty": "urology"}).json()
    assert filtered["computed_at"] > DashboardSnapshot.objects.get(scope="national").computed_at.isoformat()


def test_access_rules_come_before_the_snapshot(api, world, lead, other_lead, trainee, london):
    refresh_dashboards()
    assert api.as_user(other_lead).get(region_url(london.pk)).status_code == 404
    assert api.as_user(trainee).get(region_url(london.pk)).status_code == 403
    assert api.as_user(lead).get(NATIONAL).status_code == 403


def test_the_page_says_when_the_figures_were_computed(client, world, admin):
    refresh_dashboards()
    login_verified(client, admin)
    html = client.get("/dashboards/").content.decode()
    stamp = timezone.localtime(DashboardSnapshot.objects.get(scope="national").computed_at)
    assert f"Figures computed at {stamp:%-d %b %Y, %H:%M}" in html


def _months(today=None) -> dict:
    today = today or timezone.localdate()
    return {"from": f"{today.year - 1}-01", "to": today.strftime("%Y-%m")}


def _without_times(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key not in ("computed_at", "snapshot_sections")}


def test_a_filtered_view_takes_what_its_filters_do_not_change_from_the_fresh_snapshot(
        api, world, admin, london, trainee, assigned_trainer):
    from dashboards.selectors import SCOPE_ONLY, SPECIALTY_ONLY
    from tests.builders.faculty import accredit
    from tests.builders.logbook import make_case
    from tests.builders.people import UserFactory

    client = api.as_user(admin)
    live_before = client.get(NATIONAL, _months()).json()  # no snapshot yet: every section now
    assert live_before["snapshot_sections"] is None
    refresh_dashboards()
    stored_at = DashboardSnapshot.objects.get(scope="national").computed_at
    with CaptureQueriesContext(connection) as queries:
        reused = client.get(NATIONAL, _months()).json()
    assert _without_times(reused) == _without_times(live_before)  # the same figures, fewer queries
    # The token, the snapshot, then one summary-table query each: labs, cases, over-logging, calibration.
    assert len(queries) == 6, [query["sql"] for query in queries]
    assert parse_datetime(reused["snapshot_sections"]["computed_at"]) == stored_at
    assert reused["snapshot_sections"]["sections"] == [*SCOPE_ONLY, *SPECIALTY_ONLY]

    # New evidence after the snapshot: the months' sections (summary tables) show it at once;
    # the faculty, which the months do not change, waits for the next snapshot, with a
    # specialty or without.
    make_case(trainee, assigned_trainer, days=1, platform="hugo")
    accredit(UserFactory(roles=[Role.TRAINER], region=london))  # a urology accreditation
    after = client.get(NATIONAL, _months()).json()
    assert after["cases"] != reused["cases"]
    assert after["faculty"] == reused["faculty"]
    urology = {**_months(), "specialty": "urology"}
    before_refresh = client.get(NATIONAL, urology).json()
    assert before_refresh["snapshot_sections"]["sections"] == [*SCOPE_ONLY, *SPECIALTY_ONLY]
    refresh_dashboards()
    refreshed = client.get(NATIONAL, urology).json()

    def london_total(answer):
        return next(row for row in answer["faculty"] if row["region"] == london.pk)["total"]

    assert london_total(refreshed) == london_total(before_refresh) + 1


@pytest.mark.parametrize("specialty", ["urology", "colorectal", "vascular"])
def test_a_view_from_the_snapshots_has_the_figures_it_would_compute(api, world, admin, lead, london, specialty):
    from tests.builders.faculty import accredit
    from tests.builders.people import UserFactory

    accredit(UserFactory(roles=[Role.TRAINER], region=london))
    params = {**_months(), "specialty": specialty}
    national, regional = api.as_user(admin), api.as_user(lead)
    live = national.get(NATIONAL, params).json(), regional.get(region_url(london.pk), params).json()
    assert live[0]["snapshot_sections"] is None
    refresh_dashboards()
    with CaptureQueriesContext(connection) as queries:
        stored = regional.get(region_url(london.pk), params).json()
    # The token, the region (may the lead see it), the region's snapshot, the specialty's, and
    # one summary-table query per section by month: labs, cases, over-logging, calibration.
    assert len(queries) == 8, "\n".join(query["sql"][:120] for query in queries)
    assert _without_times(stored) == _without_times(live[1])
    assert _without_times(national.get(NATIONAL, params).json()) == _without_times(live[0])
    assert {row["region"] for row in stored["faculty"] + stored["trainers"]} <= {london.pk}


def test_the_national_dashboard_narrowed_to_a_region_is_the_regions_snapshot(api, world, admin, london):
    client = api.as_user(admin)
    refresh_dashboards()
    with CaptureQueriesContext(connection) as queries:
        narrowed = client.get(NATIONAL, {"region": london.pk}).json()
    assert len(queries) <= 6
    assert narrowed == client.get(region_url(london.pk)).json()
    assert narrowed["scope"]["region"] == london.pk


def test_the_page_says_which_sections_come_from_the_snapshot(client, world, admin):
    refresh_dashboards()
    login_verified(client, admin)
    html = client.get("/dashboards/", _months()).content.decode()
    stamp = timezone.localtime(DashboardSnapshot.objects.get(scope="national").computed_at)
    assert ("trainees, sign-offs, privileges, capacity versus need, faculty, trainer capacity, which these "
            f"filters do not change, as computed at {stamp:%-d %b %Y, %H:%M}") in html
