"""The migrations, run from zero, give the schema the models describe and the rows the
suite's test databases are given.

The suite builds its test databases from the models and completes them with what the
migrations add (tests/support/migrated_rows.py: the data migrations' rows and, on
PostgreSQL, the audit log's trigger): this test is where the migrations themselves run, into
a database of their own (a PostgreSQL database, or an SQLite file, like the suite's), and are
compared with the test database. It fails when a migration and the models disagree, or when a
data migration loads rows the suite does not restore.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.support.schema import describe

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Django's own: on PostgreSQL auth's migrations give the group-permission table a bigint id,
# its model (AuthConfig's default AutoField) an integer one. Not ours to change.
INTEGER_KINDS_ALIKE = {("auth_group_permissions", "id")}


def _alike(table: str, described: dict) -> dict:
    columns = [[name, "integer" if (table, name) in INTEGER_KINDS_ALIKE else kind, null]
               for name, kind, null in described["columns"]]
    return {**described, "columns": columns}


def _migrated_database(tmp_path):
    """A database URL, the migrations applied to it from zero, and its clean-up."""
    if connection.vendor == "postgresql":
        from psycopg import sql

        from tests.support.databases import maintenance_cursor

        name = f"test_rastrack_migrations_{os.getpid()}"
        settings_dict = connection.settings_dict
        with maintenance_cursor(settings_dict) as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        url = f"postgres://{settings_dict['USER']}@{host}:{port}/{name}"

        def drop():
            with maintenance_cursor(settings_dict) as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        return url, drop
    return f"sqlite:///{tmp_path / 'migrated.sqlite3'}", lambda: None


def test_the_migrations_from_zero_give_the_models_schema_and_the_migrated_rows(tmp_path):
    url, drop = _migrated_database(tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "rastrack.settings_test"}
    try:
        migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=600)
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        described = subprocess.run([sys.executable, "-m", "tests.support.schema"], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=120)
        assert described.returncode == 0, described.stderr[-3000:]
        migrated = json.loads(described.stdout.strip().splitlines()[-1])
    finally:
        drop()

    built = {table: _alike(table, d) for table, d in describe(connection).items()}
    migrated = {table: _alike(table, d) for table, d in migrated.items()}
    assert sorted(migrated) == sorted(built), "tables only one side has: " + ", ".join(
        sorted(set(migrated) ^ set(built)))
    differences = {table: {part: (migrated[table][part], built[table][part])
                           for part in ("columns", "constraints", "rows")
                           if migrated[table][part] != built[table][part]}
                   for table in built if migrated[table] != built[table]}
    assert not differences, json.dumps(differences, indent=1)[:6000]
    assert built["reference_procedure"]["rows"] > 0 and built["auth_group"]["rows"] > 0
