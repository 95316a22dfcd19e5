"""The matrix engine: enumerate the API's operations and call one as one persona."""

from __future__ import annotations

import functools
import os
import re

from drf_spectacular.generators import SchemaGenerator

from tests.builders.security import PERSONAS
from tests.security.requests import BODIES, MULTIPART, SIDED_QUERIES, TARGETS

METHODS = ("get", "post", "put", "patch", "delete")
SIDES = ("own", "others")


@functools.cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@functools.cache
def operations() -> list[tuple[str, str, str]]:
    """Every (METHOD, path template, operationId) of the API, from the OpenAPI schema."""
    found = []
    for path, item in schema()["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                found.append((method.upper(), path, op["operationId"]))
    return sorted(found)


def is_detail(path: str) -> bool:
    return "{" in path


def kind_of(path: str) -> str:
    rest = path.removeprefix("/api/v1/")
    if rest.startswith("dashboards/regions/"):
        return "dashboards/regions"
    return rest.split("/")[0]


def is_sided(method: str, path: str) -> bool:
    return is_detail(path) or (method, path) in SIDED_QUERIES


def target(world, method: str, path: str, side: str):
    prefix = TARGETS.get((method, path))
    if prefix:
        return world.extra[f"{prefix}_{side}"]
    return world.objects[kind_of(path)][side]


def call(world, client, persona: str, method: str, path: str, side: str | None):
    """Call the operation as `persona` on `side`'s object; returns the response."""
    url = path
    query = {}
    if is_detail(path):
        obj = target(world, method, path, side)
        key = obj.code if "{code}" in path else obj.pk
        url = re.sub(r"\{[^}]+\}", str(key), path)
    elif (method, path) in SIDED_QUERIES:
        trainee = world.trainee if side == "own" else world.other_trainee
        query = SIDED_QUERIES[(method, path)](world, trainee)
    body_of = BODIES.get((method, path))
    body = body_of(world, persona, obj if is_detail(path) else None) if body_of else None
    if method == "GET":
        return client.get(url, query)
    if method == "DELETE":
        return client.delete(url)
    fmt = "multipart" if (method, path) in MULTIPART else "json"
    return getattr(client, method.lower())(url, body if body is not None else {}, format=fmt)


def cells(table: dict) -> list[tuple[str, str, str, str | None]]:
    """(method, path, persona, side) for every cell the table declares."""
    out = []
    for (method, path) in sorted(table):
        sides = SIDES if is_sided(method, path) else (None,)
        for side in sides:
            for persona in PERSONAS:
                out.append((method, path, persona, side))
    return out


def expected(table: dict, method: str, path: str, persona: str, side: str | None) -> int:
    row = table[(method, path)]
    line = row[side] if side else row["all"]
    codes = line.split()
    assert len(codes) == len(PERSONAS), f"{method} {path}: {len(codes)} codes for {len(PERSONAS)} personas"
    return int(codes[PERSONAS.index(persona)])


RECORD = os.environ.get("SECURITY_MATRIX_RECORD")
