"""The national and regional dashboards (API.md "Dashboards") against a small hand-computed
world: every figure, region scoping both ways, 403 / 404, CSV = JSON, constant query counts."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.signoff.models import SignoffRequest, SignoffStatus
from curriculum.progress_summary import refresh_all
from dashboards import selectors as dashboards
from rastrack.accounts.roles import Role
from rastrack.core.stats import percentile_cont
from tests.builders.dashboards import (  # noqa: F401 - fixture
    NATIONAL,
    decided_copy,
    rebuild_signoff_summaries,
    region_url,
    world_fixture,
)
from tests.builders.faculty import accredit
from tests.builders.labs import make_session, when
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
from tests.builders.signoff import enrol
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


# --- Figures ----------------------------------------------------------------------------------


def test_percentile_cont_interpolates_like_postgresql():
    assert percentile_cont([], 0.9) is None
    assert percentile_cont([5], 0.9) == 5
    assert percentile_cont([1, 2, 3, 4, 10], 0.5) == 3
    assert percentile_cont([10, 1, 4, 3, 2], 0.9) == pytest.approx(7.6)
    assert percentile_cont([1, 2], 0.5) == 1.5
    assert percentile_cont([1, 2, 3, 4], 0.9) == pytest.approx(3.7)


@pytest.mark.parametrize(("share", "complete", "band"), [
    (0.0, False, "band_0_25"), (0.2499, False, "band_0_25"), (0.25, False, "band_25_50"),
    (0.5, False, "band_50_75"), (0.75, False, "band_75_99"), (1.0, False, "band_75_99"),
    (1.0, True, "complete"),
])
def test_progress_bands(share, complete, band):
    assert dashboards.band_of(share, complete) == band


def test_regional_figures(api, world, lead, london):
    response = api.as_user(lead).get(region_url(london.pk))
    assert response.status_code == 200
    data = response.json()
    assert data["scope"] == {"region": london.pk, "region_name": london.name}
    assert data["expiry_warning_days"] == 90
    assert data["faculty"] == [{"region": london.pk, "region_name": london.name, "accredited": 2, "suspended": 1,
                                "lapsed": 0, "revoked": 0, "total": 3, "expiring_soon": 1,
                                "active_assignments": 2, "assignments_per_trainer": 1.0}]
    assert data["labs"] == [{"month": world["lab_month"], "sessions": 1, "seats_offered": 3, "booked": 2,
                             "attended": 0, "no_shows": 0, "waitlist_demand": 0, "waitlisted": 0}]
    assert data["signoffs"] == [{"pending": 2, "overdue": 1, "decided": 5, "turnaround_median_days": 3.0,
                                 "turnaround_p90_days": 7.6}]
    pathway = world["pathway"]
    assert data["trainees"] == [{"pathway": pathway.pk, "pathway_code": pathway.code,
                                 "pathway_title": pathway.title, "band_0_25": 1, "band_25_50": 0,
                                 "band_50_75": 0, "band_75_99": 0, "complete": 1, "not_computed": 0,
                                 "total": 2}]
    assert data["progress_freshness"]["stale"] == 0 and data["progress_freshness"]["not_computed"] == 0
    month = world["case_month"]
    assert data["cases"] == [{"month": month, "platform": "davinci_xi", "platform_name": "da Vinci Xi", "validated": 2, "submitted": 1},
                             {"month": month, "platform": "versius", "platform_name": "CMR Versius",
                              "validated": 1, "submitted": 0}]
    assert data["overlogging"] == [{"region": london.pk, "region_name": london.name, "month": month,
                                    "validated": 3, "disagreements": 0, "role_corrected": 0,
                                    "supervision_corrected": 0, "disagreement_rate": 0.0,
                                    "overlogged": 0}]
    assert data["calibration"] == [{"region": london.pk, "region_name": london.name, "month": month,
                                    "tool": "gears", "pairs": 1, "mean_gap": 4.0, "mean_abs_gap": 4.0}]


def test_national_figures(api, world, admin, london, north_west):
    data = api.as_user(admin).get(NATIONAL).json()
    assert data["scope"] == {"region": None, "region_name": ""}
    faculty = {row["region_name"]: row for row in data["faculty"]}
    assert faculty[london.name]["total"] == 3
    assert faculty[north_west.name] == {"region": north_west.pk, "region_name": north_west.name, "accredited": 1,
                                        "suspended": 0, "lapsed": 0, "revoked": 0, "total": 1, "expiring_soon": 1,
                                        "active_assignments": 1, "assignments_per_trainer": 1.0}
    assert data["labs"] == [{"month": world["lab_month"], "sessions": 2, "seats_offered": 5, "booked": 2,
                             "attended": 0, "no_shows": 0, "waitlist_demand": 0, "waitlisted": 0}]
    # Durations 1, 2, 3, 4, 10, 100: median 3.5; p90 at position 4.5 -> 10 + 0.5 * 90 = 55.
    assert data["signoffs"] == [{"pending": 2, "overdue": 1, "decided": 6, "turnaround_median_days": 3.5,
                                 "turnaround_p90_days": 55.0}]
    assert [(r["band_0_25"], r["complete"], r["total"]) for r in data["trainees"]] == [(2, 1, 3)]
    month = world["case_month"]
    assert data["cases"] == [{"month": month, "platform": "davinci_xi", "platform_name": "da Vinci Xi", "validated": 2, "submitted": 1},
                             {"month": month, "platform": "versius", "platform_name": "CMR Versius",
                              "validated": 1, "submitted": 1}]


def test_other_region_sees_only_its_own(api, world, other_lead, north_west):
    data = api.as_user(other_lead).get(region_url(north_west.pk)).json()
    assert [row["region"] for row in data["faculty"]] == [north_west.pk]
    assert [row["seats_offered"] for row in data["labs"]] == [2]
    assert data["signoffs"] == [{"pending": 0, "overdue": 0, "decided": 1, "turnaround_median_days": 100.0,
                                 "turnaround_p90_days": 100.0}]
    assert [(r["band_0_25"], r["total"]) for r in data["trainees"]] == [(1, 1)]
    assert data["cases"] == [{"month": world["case_month"], "platform": "versius", "platform_name": "CMR Versius", "validated": 0, "submitted": 1}]


def test_period_filter_leaves_out_other_months(api, world, admin):
    far = (timezone.localdate() - datetime.timedelta(days=400)).strftime("%Y-%m")
    data = api.as_user(admin).get(NATIONAL, {"from": far, "to": far}).json()
    assert data["period"] == {"from": far, "to": far}
    assert data["labs"] == [] and data["cases"] == []
    assert data["signoffs"][0]["decided"] == 6  # not filtered by period


def test_bad_parameters_are_400_per_field(api, admin):
    response = api.as_user(admin).get(NATIONAL, {"from": "soon", "section": "nope", "as": "pdf",
                                                 "specialty": "astrology", "region": "x"})
    assert response.status_code == 400
    assert set(response.json()) >= {"from", "section", "as", "specialty", "region"}


def test_regional_dashboard_takes_no_region_parameter(api, lead, london, north_west):
    response = api.as_user(lead).get(region_url(london.pk), {"region": north_west.pk})
    assert response.status_code == 400 and "region" in response.json()


def test_region_filter_narrows_the_national_dashboard(api, world, admin, north_west):
    data = api.as_user(admin).get(NATIONAL, {"region": north_west.pk}).json()
    assert data["scope"] == {"region": north_west.pk, "region_name": north_west.name}
    assert data["filters"] == {"region": north_west.pk, "specialty": ""}
    assert [row["region"] for row in data["faculty"]] == [north_west.pk]
    assert data["cases"] == [{"month": world["case_month"], "platform": "versius", "platform_name": "CMR Versius", "validated": 0, "submitted": 1}]
    assert api.as_user(admin).get(NATIONAL, {"region": 999999}).status_code == 404


def test_specialty_filter(api, world, admin):
    client = api.as_user(admin)
    urology = client.get(NATIONAL, {"specialty": "urology"}).json()  # the world's cases are RARP
    assert sum(row["validated"] + row["submitted"] for row in urology["cases"]) == 5
    colorectal = client.get(NATIONAL, {"specialty": "colorectal"}).json()
    assert colorectal["cases"] == [] and colorectal["overlogging"] == []
    assert colorectal["faculty"] == []  # no accreditation names colorectal
    # Figures without a specialty are not narrowed.
    assert colorectal["labs"] == urology["labs"] and colorectal["signoffs"] == urology["signoffs"]


def test_empty_world(api, admin):
    data = api.as_user(admin).get(NATIONAL).json()
    assert data["faculty"] == [] and data["labs"] == [] and data["trainees"] == [] and data["cases"] == []
    assert data["signoffs"] == [{"pending": 0, "overdue": 0, "decided": 0, "turnaround_median_days": None,
                                 "turnaround_p90_days": None}]


# --- CSV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("section", list(dashboards.SECTIONS))
def test_csv_download_matches_json(api, world, admin, section):
    client = api.as_user(admin)
    data = client.get(NATIONAL).json()
    response = client.get(NATIONAL, {"section": section, "as": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"dashboard-national-{section}.csv" in response["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert tuple(reader.fieldnames) == dashboards.SECTIONS[section]
    # The CSV's columns carry the JSON's values; nested breakdowns (capacity by platform) stay JSON-only.
    columns = dashboards.SECTIONS[section]
    expected = [{key: "" if row[key] is None else str(row[key]) for key in columns} for row in data[section]]
    assert list(reader) == expected
    assert len(expected) >= 1


def test_regional_csv(api, world, lead, london):
    response = api.as_user(lead).get(region_url(london.pk), {"section": "faculty", "as": "csv"})
    assert response.status_code == 200
    assert response.content.decode().splitlines()[1] == f"{london.pk},{london.name},2,1,0,0,3,1,2,1.0"


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lab_manager", "lead", "other_lead"])
def test_national_is_for_programme_admins_only(api, request, persona):
    assert api.as_user(request.getfixturevalue(persona)).get(NATIONAL).status_code == 403


def test_anonymous_is_refused(api, london):
    assert api.get(NATIONAL).status_code == 401
    assert api.get(region_url(london.pk)).status_code == 401


def test_regional_access(api, admin, lead, other_lead, london, north_west):
    assert api.as_user(admin).get(region_url(london.pk)).status_code == 200
    assert api.as_user(admin).get(region_url(north_west.pk)).status_code == 200
    assert api.as_user(lead).get(region_url(london.pk)).status_code == 200
    assert api.as_user(lead).get(region_url(north_west.pk)).status_code == 404
    assert api.as_user(other_lead).get(region_url(london.pk)).status_code == 404
    assert api.as_user(other_lead).get(region_url(north_west.pk)).status_code == 200
    assert api.as_user(admin).get(region_url(999999)).status_code == 404
    assert api.as_user(lead).get(region_url(999999)).status_code == 404


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lab_manager"])
def test_regional_refuses_other_roles(api, request, london, persona):
    client = api.as_user(request.getfixturevalue(persona))
    assert client.get(region_url(london.pk)).status_code == 403
    assert client.get(region_url(999999)).status_code == 403
    assert client.get(region_url(london.pk), {"section": "faculty", "as": "csv"}).status_code == 403


# --- Query counts --------------------------------------------------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_query_count_does_not_grow_with_rows(world, admin, assigned_trainer, trainee, lab, lab_manager, london):
    """Every section runs a fixed number of aggregate queries whatever the number of rows."""
    dashboards.dashboard()  # warm-up: the faculty rules row and cached lookups
    national = _count(lambda: dashboards.dashboard())
    regional = _count(lambda: dashboards.dashboard(region=london))

    today = timezone.localdate()
    for n in range(4):
        trainer = UserFactory(full_name=f"More Trainer {n}", roles=[Role.TRAINER], region=london)
        accredit(trainer, expires_on=today + datetime.timedelta(days=20 + n))
        make_session(lab, lab_manager, starts_at=when(weeks=2 + n, weekday=2, hour=9), seats=4)
        make_case(trainee, assigned_trainer, days=40 * n + 1, platform="hugo")
    first = SignoffRequest.objects.filter(status=SignoffStatus.RETURNED).first()
    for n in range(5):
        decided_copy(first, assigned_trainer, days=n + 0.5, created=timezone.now() - datetime.timedelta(days=50))
    pathway = world["pathway"]
    for n in range(3):
        more = UserFactory(full_name=f"More Trainee {n}", roles=[Role.TRAINEE], region=london)
        enrol(more, pathway)
        make_case(more, status="draft", days=n + 1)
    refresh_all()
    assert rebuild_signoff_summaries() > 0  # the decided copies were written behind the services

    assert _count(lambda: dashboards.dashboard()) == national
    assert _count(lambda: dashboards.dashboard(region=london)) == regional


def test_query_count_is_pinned(world, admin, london):
    # faculty: rules + 2; labs: 1 (the lab session summary); sign-offs: 2 (summaries); trainees: 1 + freshness 1;
    # cases: 1 (the case summary); capacity versus need: 3 + region names 1; trainers: rules + 2 + region names 1;
    # over-logging: 1 (the case summary, region names in it); calibration: 1 (summary); privileges: 1.
    dashboards.dashboard()  # creates the faculty rules row once
    assert _count(lambda: dashboards.dashboard()) == 20
    assert _count(lambda: dashboards.dashboard(region=london)) == 20
    assert _count(lambda: dashboards.dashboard(specialty="urology")) == 20


# --- Pages -------------------------------------------------------------------------------------


def test_national_page(client, world, admin):
    login_verified(client, admin)
    response = client.get("/dashboards/")
    assert response.status_code == 200
    html = response.content.decode()
    for section in dashboards.SECTIONS:
        assert f"section={section}&amp;as=csv" in html
    for canvas in ("chart-faculty", "chart-labs", "chart-trainees", "chart-cases", "chart-capacity",
                   "chart-overlogging", "chart-calibration"):
        assert f'id="{canvas}"' in html
    assert 'id="dashboard-data" type="application/json"' in html
    assert "js/dashboard-charts.js" in html and "vendor/chartjs/chart.umd.min.js" in html
    # No inline scripts or styles (CSP): every script has a src, except the JSON data.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html
    assert "<caption" in html and "55.0" in html


def test_page_csv_download(client, world, admin):
    login_verified(client, admin)
    response = client.get("/dashboards/", {"section": "cases", "as": "csv"})
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0] == "month,platform,platform_name,validated,submitted"


def test_lead_is_sent_to_their_region(client, lead, london, other_lead, north_west):
    login_verified(client, lead)
    response = client.get("/dashboards/")
    assert response.status_code == 302 and response["Location"] == f"/dashboards/regions/{london.pk}/"
    assert client.get(f"/dashboards/regions/{london.pk}/").status_code == 200
    assert client.get(f"/dashboards/regions/{north_west.pk}/").status_code == 404


def test_page_refuses_other_roles(client, trainee, london):
    client.force_login(trainee)
    assert client.get("/dashboards/").status_code == 403
    assert client.get(f"/dashboards/regions/{london.pk}/").status_code == 403


def test_nav_link_for_admins_and_leads(admin, lead, trainee):
    from rastrack.navigation import links_for

    assert "Dashboard" in [link.label for link in links_for(admin)]
    assert "Dashboard" in [link.label for link in links_for(lead)]
    assert "Dashboard" not in [link.label for link in links_for(trainee)]


@pytest.mark.postgres
def test_percentiles_match_postgresql_percentile_cont():
    values = [0.5, 1.25, 2.0, 3.0, 7.5, 11.0, 30.0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.9) WITHIN GROUP (ORDER BY v) "
            "FROM unnest(%s::float8[]) AS v", [values])
        median, p90 = cursor.fetchone()
    assert percentile_cont(values, 0.5) == pytest.approx(median)
    assert percentile_cont(values, 0.9) == pytest.approx(p90)


def test_empty_page_renders(client, admin):
    login_verified(client, admin)
    response = client.get("/dashboards/")
    assert response.status_code == 200
    assert "No lab sessions in this period." in response.content.decode()


def test_page_bad_month_is_400(client, admin):
    login_verified(client, admin)
    assert client.get("/dashboards/", {"from": "soon"}).status_code == 400


@pytest.mark.postgres
def test_signoff_turnaround_is_one_percentile_cont_query_on_postgresql(world):
    """On PostgreSQL the percentiles are computed in the database (one aggregate query) and
    agree with the portable path that SQLite uses."""
    from rastrack.core.stats import percentile_cont, percentiles

    decided = SignoffRequest.objects.filter(decided_at__isnull=False)
    with CaptureQueriesContext(connection) as queries:
        n, (median, p90) = percentiles(decided, start="created_at", end="decided_at", fractions=(0.5, 0.9))
    assert len(queries) == 1 and "percentile_cont" in queries[0]["sql"]
    durations = [(d - c).total_seconds() / 86400 for c, d in decided.values_list("created_at", "decided_at")]
    assert n == len(durations) == 6
    assert median == pytest.approx(percentile_cont(durations, 0.5))
    assert p90 == pytest.approx(percentile_cont(durations, 0.9))


def test_page_filter_errors_keep_the_form_and_name_the_field_in_words(client, admin):
    login_verified(client, admin)
    response = client.get("/dashboards/", {"from": "soon", "specialty": "surgery-of-everything"})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_from">First month:' in html and '<a href="#id_specialty">Specialty:' in html
    assert 'id="id_from" name="from" type="month" value="soon"' in html  # the form as it was sent
    # And by the field itself, NHS.UK style: the group in its error state with the message.
    assert 'id="id_from-error"' in html and 'id="id_specialty-error"' in html and 'id="id_to-error"' not in html
    assert html.count("nhsuk-form-group--error") == 2
    assert "from:" not in html.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
