"""Emptying the database after a transactional test in the time of what the test wrote.

Django's flush after a transactional test empties every table (one TRUNCATE of ~90 tables on
PostgreSQL, a DELETE per table on SQLite) and emits `post_migrate`, which makes the content
types and permissions again; the suite then puts back the rows the data migrations made
(tests/conftest.py, `_restore_migrated_rows`, about 1,500 queries). That costs seconds per
transactional test on PostgreSQL, for tests that mostly wrote a few rows.

Here the rows the database holds right after it is set up (the data migrations' rows: the
baseline) are remembered once per database as a digest per table. After a transactional
test, the tables that hold rows and are not baseline tables are emptied with DELETE, and the
baseline tables are checked against their digests: when every one is unchanged the database
is exactly as it was set up, and nothing needs putting back. When a test changed a baseline
table (a new procedure, an edited benchmark), Django's full flush and the restore run as
before, and what the restore leaves becomes the new baseline.

On PostgreSQL the DELETEs run with `session_replication_role = replica` (superuser only,
as the test role is), which switches off triggers for that transaction: the audit log's
append-only trigger and the foreign-key checks (every referencing row is gone too, or is a
baseline row that references only baseline rows). Without superuser rights, or for a test
that names `available_apps` or a serialised rollback, Django's flush runs unchanged.
"""

from __future__ import annotations

import hashlib

from django.db import connections, transaction

_tables: dict[str, list[str]] = {}
_baseline: dict[str, dict[str, str]] = {}  # alias -> {table: digest of its rows}
_pristine: dict[str, bool] = {}  # alias -> the database holds exactly the baseline


def _table_names(connection) -> list[str]:
    if connection.alias not in _tables:
        _tables[connection.alias] = sorted(
            connection.introspection.django_table_names(only_existing=True, include_views=False))
    return _tables[connection.alias]


def _holding_rows(connection, tables: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    found: list[str] = []
    with connection.cursor() as cursor:
        for start in range(0, len(tables), 200):  # SQLite allows 500 terms in a compound SELECT
            chunk = tables[start:start + 200]
            cursor.execute(" UNION ALL ".join(
                f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in chunk))
            found.extend(row[0] for row in cursor.fetchall())
    return found


def _digest(connection, table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        rows = sorted(repr(row) for row in cursor.fetchall())
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def remember_baseline(connection) -> None:
    """Right after the database is set up (or put back): what it holds is the baseline."""
    _tables.pop(connection.alias, None)
    tables = _holding_rows(connection, _table_names(connection))
    _baseline[connection.alias] = {table: _digest(connection, table) for table in tables}
    _pristine[connection.alias] = True


def is_pristine(connection) -> bool:
    return _pristine.get(connection.alias, False)


def _superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        return cursor.fetchone()[0] == "on"


def flush(connection) -> bool:
    """Empty what a test wrote; True when the database is back at its baseline (False: use
    Django's flush)."""
    baseline = _baseline.get(connection.alias)
    if baseline is None or (connection.vendor == "postgresql" and not _superuser(connection)):
        return False
    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    holding = _holding_rows(connection, _table_names(connection))
    if set(baseline) - set(holding) or any(_digest(connection, t) != baseline[t] for t in baseline):
        return False
    written = [table for table in holding if table not in baseline]
    if written:
        quote = connection.ops.quote_name
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table in written:
                cursor.execute(f"DELETE FROM {quote(table)}")
    _pristine[connection.alias] = True
    return True


def install() -> None:
    """Put `flush` in front of Django's flush for every transactional test of the run."""
    from django.test import TransactionTestCase

    if getattr(TransactionTestCase._fixture_teardown, "fast_flush", False):
        return
    django_flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        aliases = list(self._databases_names(include_mirrors=False))
        if (self.available_apps is None and not self.serialized_rollback
                and all(flush(connections[alias]) for alias in aliases)):
            return
        django_flush(self)
        for alias in aliases:
            _pristine[alias] = False

    _fixture_teardown.fast_flush = True
    TransactionTestCase._fixture_teardown = _fixture_teardown
