"""Lists never reveal records the caller may not see: not in the rows, not in `count`, not
through a filter, `?search=` or `?ordering=`.

What each persona may not see comes from the permission matrix itself: an object whose
detail is a 404 for a persona (TABLE) must never be listed for them. Every list operation of
the schema that has a detail operation is walked, with each of its query parameters set to
the hidden object's own value (`?trainee=<its trainee>`, `?status=<its status>`, ...).
"""

from __future__ import annotations

import pytest

from tests.builders.security import PERSONAS
from tests.security.matrix import SIDES, expected, is_detail, kind_of, operations, schema
from tests.security.permission_table import TABLE
from tests.support.api_clients import client_for

pytestmark = pytest.mark.django_db

SKIP_PARAMS = {"page", "page_size", "format", "search", "ordering"}


def _list_ops():
    out = []
    for method, path, _ in operations():
        if method != "GET" or is_detail(path):
            continue
        detail = next((p for m, p, _ in operations() if m == "GET" and p in (f"{path}{{id}}/", f"{path}{{code}}/")),
                      None)
        if detail:
            out.append((path, detail))
    return out


LIST_OPS = _list_ops()
SIGNED_IN = [p for p in PERSONAS if p != "anon"]


def _params(path: str) -> list[str]:
    op = schema()["paths"][path]["get"]
    return [p["name"] for p in op.get("parameters", []) if p["in"] == "query" and p["name"] not in SKIP_PARAMS]


def _value(obj, name: str):
    for attr in (f"{name}_id", name):
        value = getattr(obj, attr, None)
        if value is not None and not callable(value) and not hasattr(value, "all"):
            return getattr(value, "pk", value)
    return None


def _text(obj) -> str:
    for attr in ("title", "name", "full_name", "exercise", "subject", "notes", "model", "statement"):
        value = getattr(obj, attr, "")
        if isinstance(value, str) and value:
            return value.split()[0]
    return ""


def _declared(path: str) -> set[str]:
    return {p["name"] for p in schema()["paths"][path]["get"].get("parameters", [])}


def _queries(path: str, hidden) -> list[dict]:
    """The plain list, reversed ordering (declared or not: it must not matter), search by
    each hidden object's text where the list has `search`, and each filter at the hidden
    object's value."""
    queries = [{}, {"ordering": "-id"}]
    for obj in hidden:
        if "search" in _declared(path) and _text(obj):
            queries.append({"search": _text(obj)})
        for name in _params(path):
            value = _value(obj, name)
            if value is not None and {name: value} not in queries:
                queries.append({name: value})
    return queries


def test_every_list_is_walked():
    assert len(LIST_OPS) >= 25, LIST_OPS


@pytest.mark.parametrize("persona", SIGNED_IN)
@pytest.mark.parametrize(("path", "detail"), LIST_OPS, ids=[p for p, _ in LIST_OPS])
def test_a_list_shows_only_what_its_detail_shows(world, path, detail, persona):
    client = client_for(world, persona)
    listed = client.get(path)
    if expected(TABLE, "GET", path, persona, None) != 200:
        # A role that may not list at all is refused whatever the query says.
        assert listed.status_code == 403
        assert client.get(path, {"ordering": "-id", "page_size": 100}).status_code == 403
        return
    assert listed.status_code == 200
    kind = kind_of(detail)
    hidden = [world.objects[kind][side] for side in SIDES
              if expected(TABLE, "GET", detail, persona, side) == 404]
    hidden_ids = {obj.pk for obj in hidden}
    problems = []
    for query in _queries(path, hidden):
        response = client.get(path, {**query, "page_size": 100})
        if response.status_code != 200:
            assert response.status_code == 400, (query, response.status_code)
            continue
        body = response.json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        ids = {row.get("id") for row in rows if isinstance(row, dict)}
        if ids & hidden_ids:
            problems.append(f"{query}: lists hidden ids {sorted(ids & hidden_ids)}")
        if isinstance(body, dict) and "count" in body and not body.get("next"):
            if body["count"] != len(rows):
                problems.append(f"{query}: count {body['count']} but {len(rows)} rows")
    assert not problems, f"{path} as {persona}: " + "; ".join(problems)


@pytest.mark.parametrize("persona", ["other_trainee", "unassigned_trainer", "other_lab_manager", "other_lead"])
def test_filtering_by_someone_elses_trainee_finds_nothing(world, persona):
    """Asking a list for the trainee's records by id gives an empty page (count 0), never
    theirs, for everyone who may not see the trainee."""
    client = client_for(world, persona)
    trainee = world.trainee.pk
    for path in ("/api/v1/cases/", "/api/v1/simulator-sessions/", "/api/v1/assessments/",
                 "/api/v1/signoff-requests/", "/api/v1/assignments/", "/api/v1/bookings/"):
        response = client.get(path, {"trainee": trainee})
        if response.status_code == 403:
            continue
        assert response.status_code in (200, 400), (path, response.status_code)
        if response.status_code == 200:
            assert response.json()["count"] == 0, (path, response.json())


def test_validate_batch_says_not_found_for_cases_out_of_scope(world):
    """The batch endpoint answers per item; for a case the caller may not see, the item says
    what it says for a case that does not exist."""
    client = client_for(world, "unassigned_trainer")
    hidden = world.extra["case_submitted_own"].pk
    body = client.post("/api/v1/cases/validate-batch/",
                       {"cases": [{"id": hidden}, {"id": 999_999}]}, format="json").json()
    first, second = body["results"]
    assert not first["ok"] and not second["ok"]
    assert first["error"] == second["error"]
    assert first["status"] is None
