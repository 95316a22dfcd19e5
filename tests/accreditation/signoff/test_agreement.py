"""Krippendorff's alpha (interval) through the maintained library, against a hand computation."""

import pytest

from accreditation.signoff.agreement import krippendorff_interval


def test_alpha_matches_the_hand_computed_example():
    # Two raters, three units: (1, 2), (2, 2), (3, 4). Pairable values 1, 2, 2, 2, 3, 4 (n = 6).
    # Observed disagreement D_o = (2·1 + 0 + 2·1) / 6 = 2/3; expected D_e = 64 / 30 (every ordered
    # pair of the six values, squared differences); alpha = 1 - D_o / D_e = 1 - 0.3125 = 0.6875.
    assert krippendorff_interval([[1, 2, 3], [2, 2, 4]]) == pytest.approx(0.6875)


def test_perfect_agreement_is_one_and_a_missing_value_is_left_out():
    assert krippendorff_interval([[1, 2, 3], [1, 2, 3]]) == pytest.approx(1.0)
    assert krippendorff_interval([[1, 2, 3, 5], [1, 2, 3, None]]) == pytest.approx(1.0)


def test_no_variance_or_one_rater_leaves_alpha_undefined():
    assert krippendorff_interval([[3, 3, 3], [3, 3, 3]]) is None
    assert krippendorff_interval([[1, 2, 3]]) is None
