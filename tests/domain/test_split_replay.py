"""The replay of past splits over note holders (domain/split_replay.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peerlend.domain.holder_split import split_over_holders
from peerlend.domain.split_replay import PaidTotals, replay_splits, split_weights


def test_weights_are_outstanding_then_written_off_then_amounts() -> None:
    assert split_weights([5, 0], [9, 9], [10, 10]) == ([5, 0], False)
    assert split_weights([0, 0], [3, 1], [10, 10]) == ([3, 1], True)
    assert split_weights([0, 0], [0, 0], [10, 30]) == ([10, 30], False)


def test_a_payment_splits_by_outstanding_principal() -> None:
    replay = replay_splits([100_00, 300_00], [PaidTotals(principal=40_00, interest=4_00, fee=40)])
    (step,) = replay.steps
    assert step.split == split_over_holders(40_00, 4_00, 40, [100_00, 300_00])
    assert replay.outstanding == (90_00, 270_00)


def test_the_first_recovery_writes_off_what_is_left_and_splits_over_it() -> None:
    replay = replay_splits([100_00, 100_00], [
        PaidTotals(principal=50_00, interest=0, fee=0),
        PaidTotals(principal=30_00, interest=0, fee=0, recovery=True),
        PaidTotals(principal=10_00, interest=0, fee=0, recovery=True),
    ])
    first, recovery, second = replay.steps
    assert first.written_off == () and not first.on_charged
    assert recovery.written_off == (75_00, 75_00) and recovery.on_charged
    assert second.written_off == () and second.on_charged
    assert replay.outstanding == (0, 0)


def test_a_payment_of_nothing_is_no_split() -> None:
    replay = replay_splits([100_00], [PaidTotals(principal=0, interest=0, fee=0)])
    assert replay.steps == ()


@given(
    amounts=st.lists(st.integers(1, 10**7), min_size=1, max_size=8),
    shares=st.lists(st.tuples(st.integers(0, 100), st.integers(0, 10**5)), max_size=12),
)
def test_parts_sum_to_the_payment_and_principal_never_exceeds_the_loan(
        amounts: list[int], shares: list[tuple[int, int]]) -> None:
    left = sum(amounts)
    payments = []
    for percent, interest in shares:
        principal = left * percent // 100
        left -= principal
        payments.append(PaidTotals(principal=principal, interest=interest, fee=interest // 10))
    replay = replay_splits(amounts, payments)
    for step in replay.steps:
        assert step.split is not None
        paid = payments[step.index]
        assert sum(step.split.principal) == paid.principal
        assert sum(step.split.interest) == paid.interest
        assert sum(step.split.fee) == paid.fee
    assert sum(replay.outstanding) == left
    assert all(o >= 0 for o in replay.outstanding)
