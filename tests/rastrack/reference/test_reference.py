import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rastrack.reference.models import Procedure, Region, Site
from tests.builders.people import SiteFactory
from tests.support.personas import PERSONAS

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/regions/", "/api/v1/sites/", "/api/v1/procedures/"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_callers_get_401(api, endpoint):
    assert api.get(endpoint).status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_signed_in_persona_reads_reference_data(api, request, persona, endpoint):
    SiteFactory()
    response = api.as_user(request.getfixturevalue(persona)).get(endpoint)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] >= 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_reference_data_is_read_only(api, admin, endpoint):
    assert api.as_user(admin).post(endpoint, {"name": "New"}).status_code == 405


def test_the_seven_nhs_england_regions_exist(api, trainee):
    names = [r["name"] for r in api.as_user(trainee).get("/api/v1/regions/").json()["results"]]
    assert len(names) == 7
    assert "London" in names and "North West" in names


def test_the_catalogue_has_the_erus_prostatectomy_steps(api, trainee):
    body = api.as_user(trainee).get("/api/v1/procedures/?page_size=100").json()
    assert body["count"] >= 40
    specialties = {p["specialty"] for p in body["results"]}
    assert {"urology", "general", "obstetrics_gynaecology", "cardiothoracic", "otolaryngology"} <= specialties
    # The first catalogue's codes stay readable beside the new ones.
    assert {p["legacy_specialty"] for p in body["results"]} >= {"urology", "colorectal", "gynaecology",
                                                               "general_upper_gi", "hpb", "thoracic", "ent"}
    rarp = next(p for p in body["results"] if p["code"] == "rarp")
    steps = [s["name"] for s in rarp["steps"]]
    assert steps.index("Bladder detachment") < steps.index("Bladder neck dissection") < steps.index("Apical dissection")
    assert [s["order"] for s in rarp["steps"]] == sorted(s["order"] for s in rarp["steps"])


def test_sites_filter_by_region(api, trainee, london, north_west):
    SiteFactory(region=london, name="A London site")
    SiteFactory(region=north_west, name="A North West site")
    body = api.as_user(trainee).get(f"/api/v1/sites/?region={north_west.pk}").json()
    assert [s["name"] for s in body["results"]] == ["A North West site"]
    assert body["results"][0]["region"] == north_west.pk


def test_page_size_is_capped_at_100(api, trainee, london):
    Site.objects.bulk_create([Site(name=f"Site {i:03}", region=london) for i in range(120)])
    body = api.as_user(trainee).get("/api/v1/sites/?page_size=500").json()
    assert body["count"] == 120
    assert len(body["results"]) == 100
    assert body["next"] is not None


def _queries(api, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_reference_lists_use_the_same_number_of_queries_for_1_and_50_rows(api, trainee, london, endpoint):
    api.as_user(trainee)
    # Keep one row of each, measure, then grow to 50 and measure again.
    Site.objects.all().delete()
    SiteFactory(region=london)
    keep = Procedure.objects.order_by("id").first()
    Procedure.objects.exclude(pk=keep.pk).delete()
    Region.objects.exclude(pk=london.pk).exclude(sites__isnull=False).delete()
    one = _queries(api, endpoint + "?page_size=100")
    Site.objects.bulk_create([Site(name=f"S{i}", region=london) for i in range(49)])
    for i in range(49):
        p = Procedure.objects.create(code=f"p{i}", name=f"Procedure {i}", specialty="urology")
        p.steps.create(order=1, name="Docking")
        p.steps.create(order=2, name="Dissection")
    Region.objects.bulk_create([Region(code=f"r{i}", name=f"Region {i}") for i in range(49)])
    fifty = _queries(api, endpoint + "?page_size=100")
    assert one == fifty
