"""The pure PSI: by-hand values, bins from reference deciles, the empty-bin epsilon."""

from __future__ import annotations

import math

import pytest

from peerlend.domain.psi import (
    EMPTY_BIN_SHARE,
    bin_counts,
    category_counts,
    decile_edges,
    numeric_psi,
    psi,
)


def test_identical_distributions_give_zero() -> None:
    assert psi([10, 20, 30, 40], [1, 2, 3, 4]) == pytest.approx(0.0, abs=1e-15)


def test_known_shift_by_hand() -> None:
    # 50/50 -> 25/75: (0.25 - 0.5) ln(0.5) + (0.75 - 0.5) ln(1.5)
    expected = -0.25 * math.log(0.5) + 0.25 * math.log(1.5)
    assert psi([50, 50], [25, 75]) == pytest.approx(expected, rel=1e-12)
    assert psi([50, 50], [25, 75]) == pytest.approx(0.274653, abs=1e-6)


def test_psi_is_symmetric_in_its_sides() -> None:
    assert psi([30, 70], [60, 40]) == pytest.approx(psi([60, 40], [30, 70]), rel=1e-12)


def test_empty_bin_on_one_side_uses_the_documented_epsilon() -> None:
    assert EMPTY_BIN_SHARE == 1e-4
    by_hand = (0.5 - 1.0) * math.log(0.5 / 1.0) + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    assert psi([100, 0], [50, 50]) == pytest.approx(by_hand, rel=1e-12)
    assert psi([100, 0], [50, 50]) > 0.25


def test_bin_empty_on_both_sides_adds_nothing() -> None:
    assert psi([50, 0, 50], [25, 0, 75]) == pytest.approx(psi([50, 50], [25, 75]), rel=1e-9)


@pytest.mark.parametrize(("expected", "actual"), [([], []), ([0, 0], [1, 1]), ([1, 1], [0, 0])])
def test_empty_sides_are_refused(expected: list[int], actual: list[int]) -> None:
    with pytest.raises(ValueError, match="at least one observation"):
        psi(expected, actual)


def test_mismatched_bins_and_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="same bins"):
        psi([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="negative"):
        psi([1, -1], [1, 1])


def test_decile_edges_of_1_to_100() -> None:
    assert decile_edges(range(1, 101)) == (10, 20, 30, 40, 50, 60, 70, 80, 90)


def test_decile_edges_merge_repeats_for_a_yes_no_input() -> None:
    assert decile_edges([0.0] * 70 + [1.0] * 30) == (0.0, 1.0)
    assert decile_edges([]) == ()


def test_bin_counts_put_edges_in_the_lower_bin_and_unknowns_last() -> None:
    edges = (10.0, 20.0)
    assert bin_counts([5, 10, 10.5, 20, 25, None, None], edges) == [2, 2, 1, 2]


def test_deciles_of_the_reference_give_ten_equal_bins() -> None:
    counts = bin_counts(range(1, 101), decile_edges(range(1, 101)))
    assert counts == [10] * 10 + [0]


def test_numeric_psi_zero_on_same_sample_and_large_on_shift() -> None:
    ref = [float(x) for x in range(100)]
    assert numeric_psi(ref, ref) == pytest.approx(0.0, abs=1e-12)
    assert numeric_psi(ref, [x + 50 for x in ref]) > 0.25
    # Half the month unknown: the unknown bin (empty in the reference) carries the shift.
    assert numeric_psi(ref, ref[::2] + [None] * 50) > 0.25


def test_category_counts_cover_both_sides() -> None:
    assert category_counts(["A", "B", "B"], ["B", "C"]) == ([1, 2, 0], [0, 1, 1])
