"""Input at the edges never reaches a 500: integers beyond 64 bits (SQLite cannot bind them),
calendar dates at year 1 and year 9999, JSON nested a thousand levels deep; the API answers
JSON even for its 404 and 500. The schema sweep sends each class to every query parameter
of every GET operation (rastrack/core/edges.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.security.matrix import schema
from tests.support.api_clients import client_for

pytestmark = pytest.mark.django_db

HUGE = str(2**64 + 7)
EDGES = (HUGE, "-" + HUGE, "0001-01-01", "9999-12-31", "0001-01", "9999-12", "0001-W01", "9999-W52")


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize("address", [
    "/labs/calendar/?week={v}", "/labs/calendar/?start={v}", "/labs/calendar/?lab={v}",
    "/labs/capacity/?from={v}&to={v}", "/dashboards/?from={v}&to={v}",
    "/api/v1/lab-sessions/?date_from={v}&date_to={v}", "/api/v1/cases/?site={v}&date_from={v}",
    "/api/v1/dashboards/national/?from={v}&to={v}", "/api/v1/labs/capacity/?from={v}&to={v}",
])
def test_edge_values_in_query_strings_are_a_400_never_a_500(world, address, value):
    browser = Client(raise_request_exception=False)
    browser.force_login(world.admin)
    url = address.format(v=value)
    response = (client_for(world, "admin") if url.startswith("/api/") else browser).get(url)
    assert response.status_code < 500, (url, response.status_code)
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json"), url


def test_a_huge_id_in_a_form_field_is_a_400(world):
    browser = Client(raise_request_exception=False)
    browser.force_login(world.trainee)
    response = browser.post("/logbook/cases/new/", {"site": HUGE, "procedure": HUGE, "date": "9999-12-31"})
    assert response.status_code == 400
    api = client_for(world, "trainee")
    response = api.post("/api/v1/cases/", json.dumps({"site": 2**64, "procedure": 1, "date": "2026-01-01"}),
                        content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("persona", [None, "trainee"])
def test_json_nested_a_thousand_levels_deep_is_a_400(world, persona):
    client = client_for(world, persona or "anon")
    for path in ("/api/v1/auth/token/", "/api/v1/cases/"):
        response = client.generic("POST", path, _deep(1000), content_type="application/json")
        assert response.status_code in (400, 401, 403), (path, response.status_code)
    response = client.post("/api/v1/auth/token/", _deep(1000), content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_unknown_api_addresses_answer_json_404(world, settings):
    settings.DEBUG = False
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_api_500_answers_json(world, settings):
    from rastrack.core.views import server_error

    request = Client().get("/api/v1/me/").wsgi_request
    response = server_error(request)
    assert response.status_code == 500
    assert json.loads(response.content)["detail"]


def _query_parameters():
    out = []
    for path, item in schema()["paths"].items():
        get = item.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            if parameter.get("in") == "query":
                out.append((path, parameter["name"]))
    return out


def test_every_query_parameter_of_every_list_survives_each_edge_class(world):
    """The fuzzing of test_fuzz_api.py draws from the schema's types; this sweep makes sure
    each edge class reaches every query parameter, whatever type the schema declares."""
    client = client_for(world, "admin")
    failures = []
    parameters = _query_parameters()
    assert len(parameters) > 50
    for path, name in parameters:
        for value in (HUGE, "0001-01-01", "9999-12-31", "9999-W52"):
            response = client.get(path, {name: value})
            if response.status_code >= 500 or not response["Content-Type"].startswith(("application/json",
                                                                                         "text/csv")):
                failures.append((path, name, value, response.status_code))
    assert not failures, failures[:20]
