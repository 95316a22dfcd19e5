"""Small statistics shared by the dashboards, computed the same way on every database."""

from __future__ import annotations

import math
from collections.abc import Sequence


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
