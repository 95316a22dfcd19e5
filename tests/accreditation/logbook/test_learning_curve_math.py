"""Learning-curve arithmetic against hand-computed series: the time CUSUM, the learning phase
(never the peak alone) and the Bernoulli CUSUM."""

import datetime
import math
from decimal import Decimal

import pytest

from accreditation.logbook.learning_curve import bernoulli_cusum, cusum_points, learning_phase_cases

D = datetime.date(2026, 1, 1)


def _series(minutes):
    return [(D + datetime.timedelta(days=i), m, 100 + i) for i, m in enumerate(minutes)]


def test_cusum_against_a_hand_computed_series():
    # mean = (200 + 180 + 150 + 130 + 90) / 5 = 150
    # deviations: +50, +30, 0, -20, -60 -> running: 50, 80, 80, 60, 0
    points = cusum_points(_series([200, 180, 150, 130, 90]))
    assert [p.n for p in points] == [1, 2, 3, 4, 5]
    assert [p.case for p in points] == [100, 101, 102, 103, 104]
    assert [p.cusum for p in points] == [Decimal("50.00"), Decimal("80.00"), Decimal("80.00"),
                                         Decimal("60.00"), Decimal("0.00")]
    # Turned at case 2, then 3 cases at or below 150: with stay=3 the phase is 2 cases;
    # with the default stay of 10 there are not enough cases yet.
    assert learning_phase_cases(points, stay=3) == 2
    assert learning_phase_cases(points) is None


def test_cusum_against_a_set_target():
    # target 100: deviations +20, +10, -10, -20 -> 20, 30, 20, 0
    points = cusum_points(_series([120, 110, 90, 80]), target=100)
    assert [p.cusum for p in points] == [Decimal("20.00"), Decimal("30.00"), Decimal("20.00"), Decimal("0.00")]
    assert learning_phase_cases(points, target=100, stay=2) == 2


def test_cusum_with_a_non_integer_mean():
    # mean = 100/3 = 33.333...; running: 6.67, 3.33, 0.00
    points = cusum_points(_series([40, 30, 30]))
    assert [p.cusum for p in points] == [Decimal("6.67"), Decimal("3.33"), Decimal("0.00")]


def test_the_peak_is_not_the_end_of_learning():
    # Target 100. Slow start (cases 1-3), then 3 cases at or below target: learning ends at 3.
    # A later bad spell (cases 7-9 at 150) drives the CUSUM to its peak at case 9, far from 3.
    minutes = [140, 130, 120, 90, 95, 100, 150, 150, 150, 80]
    points = cusum_points(_series(minutes), target=100)
    # running: 40, 70, 90, 80, 75, 75, 125, 175, 225, 205
    assert [int(p.cusum) for p in points] == [40, 70, 90, 80, 75, 75, 125, 175, 225, 205]
    peak = max(points, key=lambda p: p.cusum).n
    assert peak == 9
    assert learning_phase_cases(points, target=100, stay=3) == 3
    # With a set target, cases added later never move it.
    more = cusum_points(_series([*minutes, 200, 60, 70]), target=100)
    assert learning_phase_cases(more, target=100, stay=3) == 3


def test_a_curve_that_never_turns_has_no_learning_phase():
    assert learning_phase_cases(cusum_points(_series([100, 100, 100])), stay=1) is None
    assert learning_phase_cases(cusum_points(_series([150, 160, 170])), target=100, stay=1) is None
    assert cusum_points([]) == []
    assert learning_phase_cases([]) is None


def test_bernoulli_cusum_against_a_hand_computed_series():
    # p0 0.1, p1 0.2: failure + ln 2 = 0.6931, success + ln(0.8/0.9) = -0.1178
    fail, ok = math.log(2), math.log(0.8 / 0.9)
    outcomes = [True, False, True, True, False, True]
    expected, score = [], 0.0
    for failure in outcomes:
        score = max(0.0, score + (fail if failure else ok))
        expected.append(round(score, 4))
    assert expected == [0.6931, 0.5754, 1.2685, 1.9617, 1.8439, 2.537]
    result = bernoulli_cusum(outcomes, p0=0.1, p1=0.2, h=2.0)
    assert [p.score for p in result.points] == expected
    assert result.signal_case == 6
    # Successes never take it below zero.
    assert [p.score for p in bernoulli_cusum([False, False, True]).points] == [0.0, 0.0, 0.6931]
    assert bernoulli_cusum([False] * 5).signal_case is None
    with pytest.raises(ValueError, match="0 < p0 < p1 < 1"):
        bernoulli_cusum([True], p0=0.3, p1=0.2)
