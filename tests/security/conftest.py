"""Security suite fixtures.

`world` builds every persona and one object of each kind on each side (tests/security/world.py)
once for the package, inside an outer transaction that is rolled back when its last test ends.
Each test still runs in its own savepoint (pytest-django's `db`), so a write a test makes
(an approval, a deletion) is undone before the next one: every cell of the matrix sees the
same world, and the database is left as it was found.

Also: `other_lab_manager` (manages a lab in another region), and a client per persona.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from rastrack.accounts.roles import Role
from tests.factories import UserFactory
from tests.security.world import build_world


@pytest.fixture(scope="package")
def _world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("security-media")


@pytest.fixture(autouse=True)
def _media_root(settings, _world_media):
    """One media folder for the package, so the world's uploaded documents stay downloadable."""
    settings.MEDIA_ROOT = _world_media


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, _world_media):
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=_world_media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def client_for(world, persona: str | None) -> APIClient:
    """One client per persona for the whole world: making a client loads the middleware
    chain (WhiteNoise scans the static files), which would cost more than the request."""
    clients = world.extra.setdefault("clients", {})
    key = persona or "anon"
    if key not in clients:
        client = APIClient()
        if key != "anon":
            client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[key]}")
        clients[key] = client
    client = clients[key]
    client.cookies.clear()
    return client


@pytest.fixture
def other_lab_manager(north_west):
    return UserFactory(full_name="Mo Othermanager", roles=[Role.LAB_MANAGER], region=north_west)
