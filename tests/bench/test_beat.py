"""bench/beat.py and the timing middleware count statements with an execute wrapper
(bench/statements.py), so a task that runs more than Django's 9,000-entry query log is
counted in full."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from bench.beat import measure
from bench.statements import counting_statements

pytestmark = pytest.mark.django_db

BEYOND_THE_LOG = 9_250  # Django's query log keeps 9,000 entries (BaseDatabaseWrapper.queries_limit)


def _select_one(times: int) -> None:
    with connection.cursor() as cursor:
        for _ in range(times):
            cursor.execute("SELECT 1")


def test_a_task_past_the_query_log_limit_is_counted_in_full():
    with CaptureQueriesContext(connection) as logged:
        statements, seconds = measure(lambda: _select_one(BEYOND_THE_LOG))
    with pytest.warns(UserWarning, match="only the last 9000"):
        old_count = len(logged)
    assert old_count == connection.queries_limit == 9_000  # what the query log said
    assert statements == BEYOND_THE_LOG and seconds > 0


# The replica alias (Django's test mirror of the default database) needs a transactional test.
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_every_alias_is_counted_and_nothing_after_the_block(settings):
    settings.DEBUG = False  # no debug cursor, as with production settings: still counted
    with counting_statements() as counter:
        for alias in ("default", "replica"):
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.execute("SELECT 2")
    _select_one(3)
    assert counter.count == 4
