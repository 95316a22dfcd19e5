"""Learning curves: console time by case number and its CUSUM (Page 1954).

CUSUM_n = sum over cases 1..n of (console_minutes_i - mean of the whole series). With
console time falling as skill grows, the curve rises while cases are slower than average
and falls once they are faster: its peak marks the end of the learning phase.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class CurvePoint:
    n: int
    date: datetime.date
    console_minutes: int
    cusum: Decimal


def cusum_points(series: Sequence[tuple[datetime.date, int]]) -> list[CurvePoint]:
    """Points for (date, console minutes) pairs already in case order (date, then id).

    Decimal arithmetic, rounded to 2 places only for output, so the last point is exactly
    0 (up to rounding) whatever the series: a property the tests rely on.
    """
    if not series:
        return []
    mean = Decimal(sum(minutes for _, minutes in series)) / Decimal(len(series))
    running = Decimal(0)
    points = []
    for n, (date, minutes) in enumerate(series, start=1):
        running += Decimal(minutes) - mean
        points.append(CurvePoint(n=n, date=date, console_minutes=minutes,
                                 cusum=running.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)))
    return points


def learning_phase_end(points: Sequence[CurvePoint]) -> int | None:
    """The case number at the CUSUM peak (first one if tied), or None for an empty curve.

    A curve that never rises above zero has no learning phase to end: None.
    """
    if not points:
        return None
    peak = max(points, key=lambda p: (p.cusum, -p.n))
    return peak.n if peak.cusum > 0 else None


def chart_data(procedure_name: str, points: Sequence[CurvePoint]) -> dict:
    """What the learning-curve chart (static/js/logbook-curve.js) draws, as JSON-ready data."""
    return {
        "procedure": procedure_name,
        "learning_phase_end": learning_phase_end(points),
        "points": [{"n": p.n, "console_minutes": p.console_minutes, "cusum": float(p.cusum)} for p in points],
    }
