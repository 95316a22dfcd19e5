"""Small statistics shared by the dashboards, computed the same way on every database."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.db import connections
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Func


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile with linear interpolation between the closest ranks, exactly
    as PostgreSQL's `percentile_cont` (position (n - 1) * fraction over the sorted values).
    Computed in Python so that SQLite and PostgreSQL give the same result."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


# --- In the database --------------------------------------------------------------------------


def days_between(start: str, end: str):
    """`end - start` in days, as a float, for PostgreSQL aggregates (`PercentileCont`)."""
    interval = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    return Func(interval, template="(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)", output_field=FloatField())


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`: the
    aggregate the portable `percentile_cont` above mirrors. PostgreSQL only."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= float(fraction) <= 1:
            raise ValueError("A percentile's fraction is between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentiles(queryset, *, start: str, end: str, fractions: Sequence[float]) -> tuple[int, list[float | None]]:
    """How many rows of `queryset`, and the `fractions` percentiles of `end - start` in days
    over them: one aggregate query with `percentile_cont` on PostgreSQL; elsewhere the
    durations are read and `percentile_cont` above gives the same figures (SQLite is the
    small, first-run database)."""
    queryset = queryset.order_by()
    if connections[queryset.db].vendor == "postgresql":
        days = days_between(start, end)
        found = queryset.aggregate(n=Count("pk"), **{f"p{i}": PercentileCont(days, fraction)
                                                      for i, fraction in enumerate(fractions)})
        return found["n"], [found[f"p{i}"] for i in range(len(fractions))]
    durations = [(finish - begin).total_seconds() / 86400 for begin, finish in queryset.values_list(start, end)]
    return len(durations), [percentile_cont(durations, fraction) for fraction in fractions]


def weighted_percentile_cont(histogram, fraction: float) -> float | None:
    """`percentile_cont` over a histogram (`(value, count)` pairs, in any order) instead of
    the values themselves: the same linear interpolation between the closest ranks, so a
    histogram of exact values gives exactly `percentile_cont` of the values it counts."""
    bins = sorted((value, count) for value, count in histogram if count > 0)
    total = sum(count for _, count in bins)
    if not total:
        return None
    position = (total - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)

    def at(rank: int) -> float:
        seen = 0
        for value, count in bins:
            seen += count
            if rank < seen:
                return value
        return bins[-1][0]

    low = at(lower)
    return low + (at(upper) - low) * (position - lower)
