"""Counting the SQL statements a piece of work runs, for the benchmarks (bench/beat.py, the
timing middleware).

A wrapper around every execution (`connection.execute_wrapper`), not Django's query log: that
log keeps only the last 9,000 entries (and only with DEBUG or a forced debug cursor), so a
sweep that runs more would be reported as 9,000 however many it ran. What is counted is each
statement sent through a cursor (an `executemany` counts once, savepoints count);
transaction control that Django issues on the connection itself (BEGIN, COMMIT, ROLLBACK) is
not, where the query log lists it too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class StatementCounter:
    """An execute wrapper that counts the statements it lets through."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counting_statements() -> Iterator[StatementCounter]:
    """Counts the statements run on every database alias (the replica's reads too) in this
    thread while it is open, however many."""
    from django.db import connections

    counter = StatementCounter()
    with contextlib.ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(counter))
        yield counter
