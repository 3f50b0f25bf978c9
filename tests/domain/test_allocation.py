from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlend.domain.allocation import allocate


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (101, [1, 1, 1], [34, 34, 33]),
        (2, [1, 1, 1], [1, 1, 0]),
        (10, [0, 1], [0, 10]),
        (10, [3], [10]),
        (0, [5, 7], [0, 0]),
        (5, [1, 0, 1, 0, 1], [2, 0, 2, 0, 1]),
        (1000, [500, 300, 200], [500, 300, 200]),
        (100, [2, 1], [67, 33]),  # 66.67 / 33.33
        (7, [10, 20, 30, 40], [1, 1, 2, 3]),  # 0.7, 1.4, 2.1, 2.8 -> remainders 0.7, 0.4, 0.1, 0.8
    ],
)
def test_known_allocations(total, weights, expected):
    assert allocate(total, weights) == expected


def test_tie_break_goes_to_earlier_position():
    assert allocate(1, [1, 1, 1, 1]) == [1, 0, 0, 0]
    assert allocate(3, [5, 5, 5, 5]) == [1, 1, 1, 0]
    assert allocate(-1, [1, 1]) == [-1, 0]


@pytest.mark.parametrize(
    ("total", "weights", "fragment"),
    [
        (10, [], "must not be empty"),
        (10, [0, 0], "must not all be zero"),
        (10, [1, -1, 2], "must not be negative"),
        (10, [1.5, 1], "must be integers"),
        (10.0, [1, 1], "total must be an integer"),
        (True, [1, 1], "total must be an integer"),
    ],
)
def test_invalid(total, weights, fragment):
    with pytest.raises(ValueError, match=fragment):
        allocate(total, weights)


def _reference(total: int, weights: list[int]) -> list[int]:
    """Independent largest-remainder over exact fractions (positive totals)."""
    w_sum = sum(weights)
    shares = [Fraction(total * w, w_sum) for w in weights]
    floors = [s.numerator // s.denominator for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors


weights_st = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40).filter(lambda w: sum(w) > 0)
totals = st.integers(min_value=-(10**13), max_value=10**13)


@settings(max_examples=500)
@given(total=totals, weights=weights_st)
def test_allocation_properties(total, weights):
    parts = allocate(total, weights)
    w_sum = sum(weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    for part, w in zip(parts, weights):
        exact = Fraction(total * w, w_sum)
        assert abs(part - exact) < 1
        if w == 0:
            assert part == 0
    assert allocate(-total, weights) == [-p for p in parts]
    if total >= 0:
        assert parts == _reference(total, weights)


@given(total=st.integers(min_value=0, max_value=10**6), n=st.integers(min_value=1, max_value=30))
def test_equal_weights_are_non_increasing(total, n):
    parts = allocate(total, [7] * n)
    assert parts == sorted(parts, reverse=True)
    assert max(parts) - min(parts) <= 1
