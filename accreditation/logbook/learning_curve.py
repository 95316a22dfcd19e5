"""Learning curves: console time by case number, its CUSUM (Page 1954), and a Bernoulli CUSUM
of complications or conversions (Steiner / Rogers).

Time CUSUM: S_n = sum over cases 1..n of (x_i - target), the target being a value the user
picks or, by default, the mean of the series. The curve rises while cases are slower than the
target and falls once they are faster. Its peak alone is a biased "end of learning" (with the
series' own mean as target it moves with every case added), so a learning phase is reported
only when the curve has turned and then stays at or below target: the first case k that is
slower than the target and is followed by `stay` cases (default 10) each at or below it. With a
set target, cases added later never move k.

Bernoulli CUSUM: acceptable rate p0, unacceptable p1; each failure adds ln(p1/p0), each
success ln((1-p1)/(1-p0)); S_n = max(0, S_(n-1) + w); it signals when S_n exceeds h.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_STAY = 10
DEFAULT_P0, DEFAULT_P1, DEFAULT_H = 0.1, 0.2, 2.0
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class CurvePoint:
    n: int
    date: datetime.date
    console_minutes: int
    cusum: Decimal
    case: int | None = None


def _mean(values: Sequence[int]) -> Decimal:
    return Decimal(sum(values)) / Decimal(len(values))


def cusum_points(series: Sequence[tuple], target: Decimal | int | float | None = None) -> list[CurvePoint]:
    """Points for (date, minutes[, case id]) items already in case order (date, then id).

    Decimal arithmetic, rounded to 2 places only for output; with the default target (the
    series' own mean) the last point is 0 (up to rounding) whatever the series."""
    if not series:
        return []
    aim = _mean([item[1] for item in series]) if target is None else Decimal(str(target))
    running = Decimal(0)
    points = []
    for n, item in enumerate(series, start=1):
        running += Decimal(item[1]) - aim
        points.append(CurvePoint(n=n, date=item[0], console_minutes=item[1],
                                 cusum=running.quantize(_CENTS, rounding=ROUND_HALF_UP),
                                 case=item[2] if len(item) > 2 else None))
    return points


def target_of(points: Sequence[CurvePoint], target=None) -> Decimal | None:
    """The target the curve is drawn against: the given one, or the series' mean."""
    if target is not None:
        return Decimal(str(target))
    return _mean([p.console_minutes for p in points]) if points else None


def learning_phase_cases(points: Sequence[CurvePoint], *, target=None, stay: int = DEFAULT_STAY) -> int | None:
    """The number of cases in the learning phase, or None when the curve has not yet turned
    and stayed at or below target for `stay` further cases."""
    aim = target_of(points, target)
    if aim is None:
        return None
    stay = max(1, stay)
    values = [Decimal(p.console_minutes) for p in points]
    for k, value in enumerate(values):
        if value <= aim:
            continue
        following = values[k + 1:k + 1 + stay]
        if len(following) == stay and all(v <= aim for v in following):
            return k + 1
    return None


@dataclass(frozen=True)
class BernoulliPoint:
    n: int
    failure: bool
    score: float
    case: int | None = None


@dataclass
class BernoulliCusum:
    p0: float
    p1: float
    h: float
    points: list[BernoulliPoint] = field(default_factory=list)

    @property
    def signal_case(self) -> int | None:
        """The first case at which the score exceeds h (the failure rate looks unacceptable)."""
        return next((p.n for p in self.points if p.score > self.h), None)


def bernoulli_cusum(outcomes: Sequence[bool], *, p0: float = DEFAULT_P0, p1: float = DEFAULT_P1,
                    h: float = DEFAULT_H, cases: Sequence[int] | None = None) -> BernoulliCusum:
    """Failures (True) and successes (False) in case order."""
    if not (0 < p0 < p1 < 1):
        raise ValueError("Give rates with 0 < p0 < p1 < 1.")
    fail, succeed = math.log(p1 / p0), math.log((1 - p1) / (1 - p0))
    score, result = 0.0, BernoulliCusum(p0=p0, p1=p1, h=h)
    for n, failure in enumerate(outcomes, start=1):
        score = max(0.0, score + (fail if failure else succeed))
        result.points.append(BernoulliPoint(n=n, failure=bool(failure), score=round(score, 4),
                                            case=cases[n - 1] if cases else None))
    return result


def chart_data(procedure_name: str, points: Sequence[CurvePoint], *, target=None, stay: int = DEFAULT_STAY) -> dict:
    """What the learning-curve chart (static/js/logbook-curve.js) draws, as JSON-ready data."""
    return {
        "procedure": procedure_name,
        "learning_phase_end": learning_phase_cases(points, target=target, stay=stay),
        "points": [{"n": p.n, "console_minutes": p.console_minutes, "cusum": float(p.cusum)} for p in points],
    }
