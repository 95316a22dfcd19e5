"""The arithmetic every summary table's writers share (`rastrack.core.summary_tables`); each
summary's own tests (cases, calibration, turnaround, lab sessions) apply and rebuild it."""

from rastrack.core.summary_tables import delta, merge


def test_merge_adds_contributions_key_by_key_and_can_subtract():
    a = {(1, "2026-01"): {"validated": 1, "submitted": 0}}
    b = {(1, "2026-01"): {"validated": 2}, (2, "2026-01"): {"submitted": 1}}
    assert merge(a, b) == {(1, "2026-01"): {"validated": 3, "submitted": 0}, (2, "2026-01"): {"submitted": 1}}
    assert merge(a, sign=-1) == {(1, "2026-01"): {"validated": -1, "submitted": 0}}


def test_delta_is_after_minus_before_without_the_cells_that_did_not_change():
    before = {(1, "2026-01", "urology"): {"validated": 0, "submitted": 1}}
    moved = {(1, "2026-02", "urology"): {"validated": 0, "submitted": 1}}
    validated = {(1, "2026-01", "urology"): {"validated": 1, "submitted": 0}}
    assert delta(before, before) == {}
    assert delta(before, moved) == {(1, "2026-01", "urology"): {"submitted": -1},
                                    (1, "2026-02", "urology"): {"submitted": 1}}
    assert delta(before, validated) == {(1, "2026-01", "urology"): {"validated": 1, "submitted": -1}}
    assert delta({}, before) == {(1, "2026-01", "urology"): {"submitted": 1}}
