"""The demo world of `manage.py seed_demo`, seeded once and shared by the tests that only read
it (fixture `demo_world`).

Seeding the whole demo takes 10-20 s; about ten tests only look at it. They share one copy:

* The world is seeded inside a transaction that stays open (uncommitted) while the tests
  that ask for `demo_world` run, and is rolled back as soon as the next test does not ask
  for it (tests/conftest.py, `pytest_runtest_teardown`). Each of those tests runs in a
  savepoint inside it (pytest-django's `db`), so whatever a test writes (a token, a sign-in)
  is undone before the next one: every test sees the world exactly as seeded.
* No other test ever sees it, or anything it left: a test that does not ask for the world
  starts after the rollback, and being uncommitted it is never visible on another
  connection or in another xdist worker's database.
* The tests that ask for it form the xdist group `demo_world` (tests/conftest.py marks
  them), so they run one after another on one worker and the world is seeded once per run.
  Without xdist (`-n 0`) it is seeded again for each run of consecutive tests that ask for
  it: slower, equally correct.

A test that asks for `demo_world` gets its database access from it: it must not carry
`pytest.mark.django_db` (that savepoint would open first, and the world would be seeded,
and rolled back, inside it). Tests that change the seeding itself (twice the same world,
refusing without DEBUG) and the browser tour (its live server answers on other connections,
which cannot see an uncommitted world) seed a database of their own.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

DEMO_DOMAIN = "@demo.rastrack.org"


class SharedDemoWorld:
    """The one open transaction holding the seeded world, in this pytest process."""

    def __init__(self) -> None:
        self._atomic = None
        self._blocker = None
        self.media_root = None
        self.seeded = 0  # how often this process seeded it (1 per run with xdist)

    @property
    def active(self) -> bool:
        return self._atomic is not None

    def open(self, django_db_blocker, media_root) -> None:
        assert not self.active
        self._blocker, self.media_root = django_db_blocker, media_root
        with django_db_blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            try:
                with override_settings(DEBUG=True, MEDIA_ROOT=media_root):
                    call_command("seed_demo", stdout=io.StringIO())
            except BaseException:
                self.close()
                raise
        self.seeded += 1

    def close(self) -> None:
        """Roll the world back: the database is as it was before it was seeded."""
        if not self.active:
            return
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = None


SHARED = SharedDemoWorld()


class DemoWorld:
    """What a test gets from `demo_world`: the seeded users by the part of their e-mail
    address before the domain (`demo_world.user("trainee1")`)."""

    def user(self, name: str):
        from rastrack.accounts.models import User

        return User.objects.get(email=name + DEMO_DOMAIN)


def uses_demo_world(item) -> bool:
    return item is not None and "demo_world" in getattr(item, "fixturenames", ())


@pytest.fixture(name="demo_world")
def demo_world_fixture(request, django_db_setup, django_db_blocker, tmp_path_factory, settings):
    marker = request.node.get_closest_marker("django_db")
    if marker is not None or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        raise pytest.UsageError(
            f"{request.node.nodeid}: a test that asks for `demo_world` takes its database from it; "
            "drop its django_db mark (see tests/builders/demo.py)")
    if not SHARED.active:
        SHARED.open(django_db_blocker, tmp_path_factory.mktemp("demo-media"))
    request.getfixturevalue("db")  # this test's savepoint, inside the world
    settings.MEDIA_ROOT = SHARED.media_root  # the seeded uploads stay readable
    return DemoWorld()
