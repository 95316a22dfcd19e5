"""Dashboard snapshots (dashboards/snapshots.py): the default dashboards read from a row
the beat task refreshes; filtered ones are computed live; every answer says when."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.models import DashboardSnapshot
from dashboards.snapshots import refresh_dashboards
from dashboards.tasks import refresh_dashboards as refresh_task
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
