"""Querysets of a fixed shape, compiled to SQL once per process and run with new values.

Turning a queryset into SQL is pure CPU, and on the busiest requests it cost more than
running the SQL: the token check (six EXISTS for the roles) and the validator rule (an
assignment joined to its trainer's accreditation, ordered by kind) were each rebuilt and
compiled on every request. A `CompiledQuery` builds its queryset once with stand-in values,
compiles it, remembers where each stand-in landed among the SQL parameters, and then runs
that SQL with the caller's values, turning the rows into model instances the way the ORM
does (`select_related` and annotations included). The rule stays in the queryset, written
once; only its compilation is reused. Nothing is cached but the SQL text (and, on
PostgreSQL, the server's plan of it: `prepared_cursor`): every call reads the database.

What may vary between calls: values compared as they are (ids, strings, dates). A value the
ORM transforms before it becomes a parameter (an `icontains` pattern, say) must be part of
the shape instead: name it in `shape`, and each distinct value compiles once.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.utils import timezone


class _Plan:
    """One compilation: the SQL, its parameters (stand-ins marked by name) and the compiler,
    whose read-only state turns rows into instances."""

    def __init__(self, queryset: QuerySet, alias: str, stand_ins: dict[str, Any]) -> None:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots: list[tuple[str, Callable[[Any], Any]] | None] = []
        found = set()
        for param in params:
            slot = None
            for name, stand_in in stand_ins.items():
                adapt = _adapter(param, stand_in, compiler.connection.ops)
                if adapt is not None:
                    slot = (name, adapt)
                    found.add(name)
                    break
            slots.append(slot)
        missing = set(stand_ins) - found
        if missing:
            raise ValueError(f"The compiled SQL takes no parameter for {sorted(missing)}: put them in the shape.")
        self.sql, self.params, self.slots = sql, list(params), slots
        self.compiler = compiler
        self.db = alias
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in compiler.select[self.start:self.end]]
        self.annotations = dict(compiler.annotation_col_map or {})
        self.trim = compiler.col_count if compiler.has_extra_select else None
        # What turns a row into instances, worked out once: the converters by column (dates
        # from text on SQLite, say; applied with the running thread's connection) and the
        # populators of the `select_related` instances (they keep no state between rows).
        self.converters = compiler.get_converters([s[0] for s in compiler.select[:compiler.col_count]])
        self.populators = get_related_populators(compiler.klass_info, compiler.select, alias)

    def run(self, values: dict[str, Any]) -> list:
        params = [param if slot is None else slot[1](values[slot[0]])
                  for param, slot in zip(self.params, self.slots, strict=True)]
        # A connection belongs to its thread: the plan is shared, so each run takes this
        # thread's connection (and converts with a shallow copy of the compiler bound to it).
        connection = connections[self.db]
        rows = _fetch(connection, self.sql, params)
        if self.trim is not None:
            rows = [row[:self.trim] for row in rows]
        if self.converters:
            compiler = copy.copy(self.compiler)
            compiler.connection = connection
            rows = compiler.apply_converters(rows, self.converters)
        out = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start:self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            out.append(obj)
        return out


@contextlib.contextmanager
def prepared_cursor(connection) -> Iterator:
    """A cursor (Django's wrapper: logged, counted, errors translated) whose values are bound
    by the server on PostgreSQL, so that the SQL text is the same on every call and psycopg
    prepares it once per connection (after the connection's `prepare_threshold` runs; never
    behind PgBouncer, where that is None): PostgreSQL then plans it once, not on every
    request. Planning the token's six EXISTS cost more than running them. For SQL of a fixed
    shape whose every value is a parameter; the ORM's own queries keep Django's client-side
    binding. Other databases get their usual cursor."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.cursor.close()
            cursor.cursor = _server_binding_cursor()(connection.connection)
        yield cursor


@functools.cache
def _server_binding_cursor() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def _send_query_prepared(self, name, pgq, **kwargs):
            # psycopg keeps the query it sent only when it did not prepare it; Django's log
            # of each statement (the debug log, the tests' query counts) reads it from there.
            self._query = pgq
            super()._send_query_prepared(name, pgq, **kwargs)

    return PreparingCursor


def _fetch(connection, sql: str, params: list) -> list[tuple]:
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _adapter(param: Any, stand_in: Any, ops) -> Callable[[Any], Any] | None:
    """How a caller's value takes this parameter's place, if the parameter is the stand-in
    (as the backend adapted it: SQLite, for one, receives dates as text)."""
    if type(param) is type(stand_in) and param == stand_in:
        return _same
    if isinstance(stand_in, datetime.date) and not isinstance(stand_in, datetime.datetime) \
            and param == ops.adapt_datefield_value(stand_in):
        return _as_date_parameter(ops.adapt_datefield_value(stand_in))
    return None


def _same(value: Any) -> Any:
    return value


def _as_date_parameter(example: Any) -> Callable[[Any], Any]:
    """A date as this backend takes it: text where the stand-in became text (SQLite)."""
    return str if isinstance(example, str) else _same


def _flatten(values: dict[str, Any], lengths: dict[str, int]) -> dict[str, Any]:
    """The values as the plan's slots name them: a sequence of ids gives one per position."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if name in lengths:
            flat.update({f"{name}[{i}]": v for i, v in enumerate(value)})
        else:
            flat[name] = value
    return flat


class Ids:
    """The stand-in for a sequence of ids (an `__in` lookup): the SQL is compiled once per
    length, with the stand-ins `start`, `start - 1`, ..."""

    def __init__(self, start: int) -> None:
        self.start = start

    def stand_in(self, length: int) -> tuple[int, ...]:
        return tuple(range(self.start, self.start - length, -1))


class CompiledQuery:
    """`build(**values)` returns the queryset; `stand_ins` gives, for each value that varies,
    a value of its type that appears nowhere else in the query (it marks the parameter), or
    `Ids(...)` for a sequence of ids; `shape` names the values that change the SQL itself.
    Compiled per database alias, vendor, current time zone, shape and length of each
    sequence."""

    def __init__(self, build: Callable[..., QuerySet], *, stand_ins: dict[str, Any],
                 shape: tuple[str, ...] = ()) -> None:
        self.build, self.stand_ins, self.shape = build, stand_ins, shape
        self._plans: dict[tuple, _Plan] = {}
        self._lock = threading.Lock()
        self._model = None
        self._for_write = False

    def _plan(self, values: dict[str, Any]) -> tuple[_Plan, dict[str, Any]]:
        """The plan for these values, and the values as its slots name them (one per id)."""
        shape = {name: values[name] for name in self.shape}
        lengths = {name: len(values[name]) for name, s in self.stand_ins.items() if isinstance(s, Ids)}
        flat = _flatten({name: values[name] for name in self.stand_ins}, lengths)
        if 0 in lengths.values():
            raise ValueError("A CompiledQuery takes non-empty sequences of ids.")
        if self._model is None:
            queryset = self.build(**self._stand_ins(lengths), **shape)
            self._model, self._for_write = queryset.model, queryset._for_write
        # The alias as the queryset would choose it (the replica router included; a locking
        # read goes where writes go).
        alias = (router.db_for_write if self._for_write else router.db_for_read)(self._model)
        key = (alias, connections[alias].vendor, timezone.get_current_timezone_name(), *shape.values(),
               *lengths.values())
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key)
                if plan is None:
                    stand_ins = self._stand_ins(lengths)
                    plan = self._plans[key] = _Plan(self.build(**stand_ins, **shape), alias,
                                                    _flatten(stand_ins, lengths))
        return plan, flat

    def _stand_ins(self, lengths: dict[str, int]) -> dict[str, Any]:
        return {name: s.stand_in(lengths[name]) if isinstance(s, Ids) else s for name, s in self.stand_ins.items()}

    def all(self, **values: Any) -> list:
        plan, flat = self._plan(values)
        return plan.run(flat)

    def first(self, **values: Any):
        """The first instance, or None. Every row is fetched: the queryset limits itself
        (`[:1]`) where more than one could match."""
        rows = self.all(**values)
        return rows[0] if rows else None
