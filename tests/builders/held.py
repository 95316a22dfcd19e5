"""A world built once for many tests: inside a transaction held open while they run and
rolled back after the last one (the security suite's, the curriculum permission table's).

Each test still runs in its own savepoint (pytest-django's `db`), so what one test writes is
undone before the next: every test sees the world as built, and the database is left as it
was found. Tests get the world's objects fresh from the database (`refetch`), never
instances another test may have changed in memory. Module- or package-scoped: with xdist,
each worker that runs some of the tests builds it once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")


@contextlib.contextmanager
def held_world(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def refetch(namespace):
    """A copy of a namespace of model instances, each read again from the database."""
    from types import SimpleNamespace

    from django.db.models import Model

    return SimpleNamespace(**{
        name: type(value).objects.get(pk=value.pk) if isinstance(value, Model) else value
        for name, value in vars(namespace).items()})
