"""The test databases of a parallel run on PostgreSQL: built once, cloned per xdist worker.

pytest-django gives each xdist worker its own database (test_rastrack_gw0, _gw1, ...) and
would build each one. On PostgreSQL the first worker builds a template database instead
(test_rastrack_template, under an advisory lock the other workers wait on), and every
worker copies it with `CREATE DATABASE ... TEMPLATE ...`, which takes about a second. The
template carries the id of the run (`PYTEST_XDIST_TESTRUNUID`) as its comment, so a template
left by an earlier run is rebuilt, never reused; the run that made it drops it at the end
(tests/conftest.py, `pytest_sessionfinish` of the xdist controller).

SQLite (an in-memory database per worker) and runs without xdist use pytest-django's own
set-up.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator

TEMPLATE_SUFFIX = "_template"


def template_name(settings_dict: dict) -> str:
    return f"test_{settings_dict['NAME']}{TEMPLATE_SUFFIX}"


@contextlib.contextmanager
def maintenance_cursor(settings_dict: dict) -> Iterator:
    """An autocommit cursor on the server's `postgres` database (never on a test database,
    which CREATE DATABASE ... TEMPLATE needs idle)."""
    import psycopg

    with psycopg.connect(host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
                         user=settings_dict["USER"], password=settings_dict.get("PASSWORD") or None,
                         dbname="postgres", autocommit=True) as conn:
        yield conn.cursor()


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def setup_cloned_database(connection, *, verbosity: int, run_id: str, migrate: bool = True) -> str:
    """Give this xdist worker its test database as a copy of the run's template.

    Returns the database's original NAME, for `teardown_cloned_database`."""
    from django.conf import settings
    from psycopg import sql

    settings_dict = connection.settings_dict
    original_name = settings_dict["NAME"]
    worker_db = connection.creation._get_test_db_name()  # test_rastrack_gw0: pytest-django's suffix
    template = template_name(settings_dict)
    with maintenance_cursor(settings_dict) as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_lock_key(template)])
        try:
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [template])
            row = cursor.fetchone()
            if row is None or row[0] != f"rastrack test template {run_id}":
                _build_template(connection, template, verbosity=verbosity, migrate=migrate)
                cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(template), sql.Literal(f"rastrack test template {run_id}")))
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(worker_db)))
            cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(worker_db), sql.Identifier(template)))
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(template)])
    connection.close()
    settings_dict["NAME"] = worker_db
    settings.DATABASES[connection.alias]["NAME"] = worker_db
    connection.ensure_connection()
    return original_name


def _build_template(connection, template: str, *, verbosity: int, migrate: bool) -> None:
    """Create the template as Django creates a test database (from the models, completed with
    what the migrations add, or by running the migrations), then leave it idle."""
    from pytest_django.fixtures import _disable_migrations

    from tests.support import migrated_rows

    test_settings = connection.settings_dict["TEST"]
    worker_name = test_settings.get("NAME")
    original_name = connection.settings_dict["NAME"]
    test_settings["NAME"] = template
    try:
        if not migrate:
            _disable_migrations()
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
        if not migrate:
            migrated_rows.complete_schema(connection)
    finally:
        test_settings["NAME"] = worker_name
        connection.close()
        connection.settings_dict["NAME"] = original_name


def teardown_cloned_database(connection, original_name: str, *, verbosity: int) -> None:
    """Drop this worker's copy. WITH (FORCE): a session a test left behind (a live server's
    thread, a worker process still shutting down) must not fail the whole run at its end."""
    from django.conf import settings
    from django.db import connections
    from psycopg import sql

    worker_db = connection.settings_dict["NAME"]
    connections.close_all()
    with maintenance_cursor(connection.settings_dict) as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(worker_db)))
    connection.settings_dict["NAME"] = original_name
    settings.DATABASES[connection.alias]["NAME"] = original_name


def end_other_sessions(settings_dict: dict) -> None:
    """Before Django drops a test database it made itself (the runs that do not clone): end the
    sessions a test left on it (a live server's thread, a worker process still shutting down),
    which would otherwise fail the whole run at its end."""
    from django.db import connections

    connections.close_all()
    with maintenance_cursor(settings_dict) as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", [settings_dict["NAME"]])


def drop_template(settings_dict: dict) -> None:
    """The end of the run (the xdist controller): the template is no longer needed."""
    from psycopg import sql

    with maintenance_cursor(settings_dict) as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(template_name(settings_dict))))


def run_id() -> str | None:
    return os.environ.get("PYTEST_XDIST_TESTRUNUID")
