"""Shared fixtures: personas, API clients, the services some tests need, the shared demo
world (tests/builders/demo.py), and how the tests are spread over pytest-xdist's workers.

Personas (healthchecks style): `trainee` is the subject; `other_trainee` must never see the
trainee's records; `assigned_trainer` supervises the trainee; `unassigned_trainer` does not;
`lead` leads the trainee's region (London), `other_lead` another region (North West);
`admin` is a programme admin; `lab_manager` runs a London lab.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import hypothesis
import pytest
from django.db import connection
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from tests.builders import personas
from tests.builders.demo import SHARED as SHARED_DEMO_WORLD
from tests.builders.demo import demo_world_fixture, uses_demo_world  # noqa: F401 - fixture
from tests.builders.people import region
from tests.support import fast_flush, migrated_rows, xdist_groups
from tests.support.services import needs, redis_reachable

# Hypothesis measures its own speed: on a busy 2-core CI machine generating examples can be
# slow without anything being wrong, and a timing-based failure would prove nothing.
hypothesis.settings.register_profile(
    "rastrack", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("rastrack")


# --- Running in parallel (pytest-xdist, `-n 2 --dist loadgroup` in pyproject.toml) -------------


def pytest_configure(config):
    xdist_groups.ensure_run_id(config)
    fast_flush.install()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return xdist_groups.make_scheduler(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(config, items):
    """Pin two kinds of tests to one xdist worker each (`--dist loadgroup` sends a group to
    one worker, tests/support/xdist_groups.py; every other test goes to whichever worker is
    free):

    * `serial`: the tests that start or kill real Celery workers and beat, or a Redis of their
      own (`@pytest.mark.serial`). They run one after another, never beside each other.
    * `demo_world`: the tests that read the shared demo world, so that it is seeded once.

    The marks are added before the other hooks run (xdist's own reads them too); afterwards
    the groups are recorded for the scheduler. Groups are handed out first (xdist sorts its
    work units by size), so a worker may run non-transactional tests after the `serial` ones:
    `pytest_runtest_teardown` puts the migrated rows back after a transactional test. Without
    xdist (`-n 0`) the demo world's readers are moved together, just before the transactional
    tests (where pytest-django puts them), so that the world is seeded once there too.
    """
    for item in items:
        if item.get_closest_marker("serial"):
            item.add_marker(pytest.mark.xdist_group("serial"))
        elif uses_demo_world(item):
            item.add_marker(pytest.mark.xdist_group("demo_world"))
    yield
    readers = [item for item in items if uses_demo_world(item)]
    if readers:
        others = [item for item in items if not uses_demo_world(item)]
        at = next((i for i, item in enumerate(others) if _transactional(item)), len(others))
        items[:] = others[:at] + readers + others[at:]
    xdist_groups.record(config, items)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
                or (marker and marker.kwargs.get("transaction")))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # The last of a run of tests that read the shared demo world: roll it back before a test
    # that does not ask for it starts.
    if SHARED_DEMO_WORLD.active and not uses_demo_world(nextitem):
        SHARED_DEMO_WORLD.close()
    # A transactional test's flush wiped the rows the data migrations made; a test that is
    # not transactional may come next on this worker (the xdist groups run first), so they
    # are put back now. (A transactional test restores them itself, _restore_reference_data.)
    if _transactional(item) and nextitem is not None and not _transactional(nextitem):
        with item.config.stash[blocking_manager_key].unblock():
            _restore_migrated_rows_if_flushed()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_use_migrations,
                    django_db_keepdb, django_db_createdb, django_db_modify_db_settings):
    """pytest-django's test databases, built from the models (`--nomigrations` in
    pyproject.toml; `--migrations` runs the migrations instead) and completed with what the
    migrations add (tests/support/migrated_rows.py); on PostgreSQL under xdist, one template
    cloned per worker (tests/support/databases.py) instead of one build per worker."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests.support import databases

    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    if (connection.vendor == "postgresql" and databases.run_id()
            and not django_db_keepdb and set(aliases) <= {"default"}):
        with django_db_blocker.unblock():
            original_name = databases.setup_cloned_database(connection, verbosity=verbosity,
                                                            run_id=databases.run_id(),
                                                            migrate=django_db_use_migrations)
            if "default" in serialized_aliases:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
            fast_flush.remember_baseline(connection)
        yield
        with django_db_blocker.unblock():
            databases.teardown_cloned_database(connection, original_name, verbosity=verbosity)
        return

    # pytest-django's own set-up (SQLite, or a run without xdist).
    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = {"keepdb": True} if django_db_keepdb and not django_db_createdb else {}
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=verbosity, interactive=False, aliases=aliases,
                                 serialized_aliases=serialized_aliases, **keepdb)
        if not keepdb:
            if not django_db_use_migrations:
                migrated_rows.complete_schema(connection)
            fast_flush.remember_baseline(connection)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            if connection.vendor == "postgresql":
                databases.end_other_sessions(connection.settings_dict)
            teardown_databases(db_cfg, verbosity=verbosity)


def pytest_sessionfinish(session):
    """Remove this process's var folder (rastrack/settings_test.py: /tmp/rastrack-test-<pid>),
    and, in the xdist controller of a PostgreSQL run, the template the workers cloned."""
    from django.conf import settings

    xdist_groups.forget(session.config)
    if session.config.pluginmanager.has_plugin("dsession") and connection.vendor == "postgresql":
        from tests.support import databases

        databases.drop_template(connection.settings_dict)

    var_dir = Path(str(getattr(settings, "VAR_DIR", "")))
    if var_dir.parent == Path(tempfile.gettempdir()) and var_dir.name.startswith("rastrack-test-"):
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres"):
        needs("PostgreSQL", connection.vendor == "postgresql",
              "set DATABASE_URL=postgres://... to run it")
    if request.node.get_closest_marker("redis"):
        needs("Redis", redis_reachable(), "set REDIS_URL=redis://... to a running Redis")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _restore_reference_data(request):
    """Give transactional tests the rows data migrations made (regions, procedures, roles,
    assessment tools).

    A transactional test's flush wipes them. pytest-django runs transactional tests after
    the others, so restoring them at the start of each transactional test is enough.
    """
    if _transactional(request.node):
        request.getfixturevalue("transactional_db")
        _restore_migrated_rows_if_flushed()


def _restore_migrated_rows_if_flushed() -> None:
    """After Django's full flush (tests/support/fast_flush.py: a test changed the migrated
    rows), put them back; what that leaves is the new baseline."""
    if not fast_flush.is_pristine(connection):
        _restore_migrated_rows()
        fast_flush.remember_baseline(connection)


def _restore_migrated_rows() -> None:
    """What the data migrations put in the database (tests/support/migrated_rows.py)."""
    migrated_rows.restore()


# --- Personas --------------------------------------------------------------------------------


@pytest.fixture
def london(db):
    return region("london")


@pytest.fixture
def north_west(db):
    return region("north-west")


@pytest.fixture
def trainee(london):
    return personas.make_trainee(london)


@pytest.fixture
def other_trainee(london):
    return personas.make_other_trainee(london)


@pytest.fixture
def assigned_trainer(london, trainee):
    """Accredited two years ago (until a year from now), the trainee's educational
    supervisor since a year ago, holding the right on the trainee's portfolio."""
    return personas.make_assigned_trainer(london, trainee)


@pytest.fixture
def unassigned_trainer(london):
    """Accredited just like `assigned_trainer`, but assigned to nobody."""
    return personas.make_unassigned_trainer(london)


@pytest.fixture
def lab_manager(london):
    return personas.make_lab_manager(london)


@pytest.fixture
def lead(london):
    return personas.make_lead(london)


@pytest.fixture
def other_lead(north_west):
    return personas.make_other_lead(north_west)


@pytest.fixture
def admin(db):
    return personas.make_admin()


@pytest.fixture
def api():
    """An API client. `api.as_user(user)` returns a new client authenticated with that
    user's token (so several users can act in one test), and also authenticates `api`."""
    client = APIClient()
    keys: dict[int, str] = {}

    def as_user(user):
        from rastrack.accounts.models import ApiToken
        from rastrack.accounts.tokens import token_digest, token_issue

        # One key per user for the test, as a client keeps it, while it is still valid.
        key = keys.get(user.pk)
        if key is None or not ApiToken.objects.filter(digest=token_digest(key)).exists():
            key = keys[user.pk] = token_issue(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        own = APIClient()
        own.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return own

    client.as_user = as_user
    return client
