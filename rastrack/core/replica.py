"""Reads that may come from a PostgreSQL read replica (`DATABASE_REPLICA_URL`).

Dashboards, exports and reports read a lot and tolerate a replica's lag of a few seconds;
everything else reads and writes the primary. Which reads go to the replica is decided per
request (`ReplicaReadsMiddleware`: safe requests to the paths of `REPLICA_READ_PATHS`) or per
block of code (`replica_reads()`, e.g. a report task); `ReplicaRouter` then sends the reads of
that request or block to the alias "replica". Without a replica configured, nothing changes.

Reads inside a transaction on the primary always stay on the primary, so a service that
reads what it just wrote, locks rows (`select_for_update`) or extends an audit chain never
sees a replica's older copy. Writes and migrations always go to the primary.
"""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextlib.contextmanager
def replica_reads():
    """Send the reads of this block to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_configured() -> bool:
    # REPLICA_READS off keeps the alias defined but unused (the test settings: only the
    # replica's own tests route reads to the mirror).
    return REPLICA in settings.DATABASES and getattr(settings, "REPLICA_READS", True)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # read your own writes, and locks, on the primary
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """GET and HEAD requests to the dashboards, exports and reports read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = [re.compile(p) for p in settings.REPLICA_READ_PATHS]

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and replica_configured() and any(
                p.search(request.path_info) for p in self.paths):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
