import datetime
from decimal import Decimal

from accreditation.logbook.learning_curve import cusum_points, learning_phase_end

D = datetime.date(2026, 1, 1)


def _series(minutes):
    return [(D + datetime.timedelta(days=i), m) for i, m in enumerate(minutes)]


def test_cusum_against_a_hand_computed_series():
    # mean = (200 + 180 + 150 + 130 + 90) / 5 = 150
    # deviations: +50, +30, 0, -20, -60 -> running: 50, 80, 80, 60, 0
    points = cusum_points(_series([200, 180, 150, 130, 90]))
    assert [p.n for p in points] == [1, 2, 3, 4, 5]
    assert [p.cusum for p in points] == [Decimal("50.00"), Decimal("80.00"), Decimal("80.00"),
                                         Decimal("60.00"), Decimal("0.00")]
    assert learning_phase_end(points) == 2  # first of the tied peak


def test_cusum_with_a_non_integer_mean():
    # mean = 100/3 = 33.333...; running: 6.67, 3.33, 0.00
    points = cusum_points(_series([40, 30, 30]))
    assert [p.cusum for p in points] == [Decimal("6.67"), Decimal("3.33"), Decimal("0.00")]


def test_a_flat_or_improving_from_the_start_curve_has_no_learning_phase():
    assert learning_phase_end(cusum_points(_series([100, 100, 100]))) is None
    assert learning_phase_end(cusum_points(_series([50, 100, 150]))) is None
    assert cusum_points([]) == []
    assert learning_phase_end([]) is None
