"""Security suite fixtures.

`world` builds every persona and one object of each kind on each side (tests/builders/security.py)
once for the package, inside an outer transaction that is rolled back when its last test ends.
Each test still runs in its own savepoint (pytest-django's `db`), so a write a test makes
(an approval, a deletion) is undone before the next one: every cell of the matrix sees the
same world, and the database is left as it was found.

Also: `other_lab_manager` (manages a lab in another region). A client per persona:
`tests.support.api_clients.client_for`.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.builders.labs import other_lab_manager_fixture  # noqa: F401 - fixture
from tests.builders.security import build_world


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
