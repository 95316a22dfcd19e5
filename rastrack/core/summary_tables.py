"""Summary tables: counts kept beside the rows they count, so that a dashboard reads a few
hundred summary rows instead of aggregating a million cases.

A summary model names its key fields and its additive fields (field names, not columns):

    class CaseSummary(models.Model):
        SUMMARY_KEY = ("region_id", "month", "specialty", "subspecialty", "platform")
        SUMMARY_SUMS = ("validated", "submitted", ...)
        ...  # a UniqueConstraint on exactly SUMMARY_KEY; every key column NOT NULL

Writers keep it exact inside their own transaction: the owning app's summaries module says
what one source row contributes (`{key: {sum: n}}`), and the service that changes the row
applies its contribution after the change minus its contribution before (`apply_deltas`):
one `INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n` statement, the same SQL on
SQLite and PostgreSQL, which also takes the row lock that serialises concurrent writers of
the same cell. Key columns are NOT NULL because NULLs never conflict (use 0 or "" for none).

A nightly rebuild recomputes every row from the source tables and corrects the stored ones
(`rebuild`): it reports how many rows it had to correct, which is zero unless something
changed the source rows without the services (a raw SQL fix, a region move of a trainee).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db import connections, models, router, transaction

Key = tuple
Sums = Mapping[str, int]


def merge(*contributions: Mapping[Key, Sums], sign: int = 1) -> dict[Key, dict[str, int]]:
    """The sum of contributions ({key: {column: n}}), each multiplied by `sign`."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for contribution in contributions:
        for key, sums in contribution.items():
            for column, n in sums.items():
                out[key][column] += sign * n
    return {key: dict(sums) for key, sums in out.items()}


def delta(before: Mapping[Key, Sums], after: Mapping[Key, Sums]) -> dict[Key, dict[str, int]]:
    """What changes when a row's contribution goes from `before` to `after` (zeros dropped)."""
    changed = merge(after, merge(before, sign=-1))
    return {key: {c: n for c, n in sums.items() if n} for key, sums in changed.items()
            if any(sums.values())}


def _quoted(connection, names: Iterable[str]) -> list[str]:
    return [connection.ops.quote_name(name) for name in names]


def _columns(model, names: Iterable[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def apply_deltas(model: type[models.Model], deltas: Mapping[Key, Sums]) -> None:
    """Add `deltas` ({key tuple: {sum column: n}}) to the summary rows, creating missing
    rows; rows left with every sum at zero are deleted. One statement (two when a row may
    have reached zero). Call it inside the transaction that changed the source rows."""
    deltas = {key: sums for key, sums in deltas.items() if any(sums.values())}
    if not deltas:
        return
    key_names, sum_names = model.SUMMARY_KEY, model.SUMMARY_SUMS
    using = router.db_for_write(model)
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    keys, sums = _quoted(connection, _columns(model, key_names)), _quoted(connection, _columns(model, sum_names))
    row = "(" + ", ".join(["%s"] * (len(keys) + len(sums))) + ")"
    params: list = []
    for key in sorted(deltas):  # one order for every writer: no deadlock between two of them
        params.extend(key)
        params.extend(deltas[key].get(name, 0) for name in sum_names)
    # Identifiers come from the model's meta, quoted; values are parameters.
    columns, values = ", ".join(keys + sums), ", ".join([row] * len(deltas))
    add = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in sums)
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {add}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    if any(n < 0 for sums_ in deltas.values() for n in sums_.values()):
        empty = models.Q(**{name: 0 for name in sum_names})
        touched = models.Q()
        for key in deltas:
            touched |= models.Q(**dict(zip(key_names, key, strict=True)))
        model.objects.using(using).filter(touched, empty).delete()


def stored(model: type[models.Model], *, using: str | None = None) -> dict[Key, dict[str, int]]:
    """Every stored row as {key: {sum: n}}."""
    key_names, sum_names = model.SUMMARY_KEY, model.SUMMARY_SUMS
    qs = model.objects.using(using or router.db_for_write(model)).values_list(*key_names, *sum_names)
    width = len(key_names)
    return {tuple(row[:width]): dict(zip(sum_names, row[width:], strict=True)) for row in qs.iterator()}


def rebuild(model: type[models.Model], compute) -> int:
    """Recompute the whole summary with `compute()` ({key: {sum: n}} from the source tables)
    and make the stored rows equal to it; returns how many rows had to be corrected (written
    or deleted). On PostgreSQL the summary table is locked against writers first, so that a
    case written meanwhile is either in `compute()`'s reading or applied after it, never lost
    nor counted twice; on SQLite writers are serialised anyway."""
    using = router.db_for_write(model)
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} "
                               "IN SHARE ROW EXCLUSIVE MODE")
        fresh = {key: {name: sums.get(name, 0) for name in model.SUMMARY_SUMS}
                 for key, sums in compute().items() if any(sums.values())}
        current = stored(model, using=using)
        wrong = {key: sums for key, sums in fresh.items() if current.get(key) != sums}
        gone = [key for key in current if key not in fresh]
        key_names = model.SUMMARY_KEY
        if gone:
            for start in range(0, len(gone), 500):
                doomed = models.Q()
                for key in gone[start:start + 500]:
                    doomed |= models.Q(**dict(zip(key_names, key, strict=True)))
                model.objects.using(using).filter(doomed).delete()
        if wrong:
            model.objects.using(using).bulk_create(
                [model(**dict(zip(key_names, key, strict=True)), **sums) for key, sums in wrong.items()],
                update_conflicts=True, unique_fields=list(key_names), update_fields=list(model.SUMMARY_SUMS),
                batch_size=500)
    return len(wrong) + len(gone)
