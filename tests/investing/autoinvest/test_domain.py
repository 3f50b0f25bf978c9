from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlend.domain.auto_invest import (
    Candidate,
    auto_room,
    fair_order,
    idle_share,
    idle_share_key,
    last_part_minor,
    size_note,
    tie_key,
)


def cand(investor_id: int, available: int = 100_000_00, **kw) -> Candidate:
    base = {"rule_id": 1, "amount_per_note_minor": 100_00, "max_per_loan_minor": 1_000_00,
            "max_borrower_share_bp": 10_000}
    base.update(kw)
    return Candidate(investor_id=investor_id, available_minor=available, **base)


def test_highest_idle_share_goes_first():
    busy = cand(1, available=100_00, principal_outstanding_minor=900_00)  # 10 % idle
    idle = cand(2, available=100_00)  # 100 % idle, though far less money
    half = cand(3, available=500_00, frozen_minor=500_00)
    assert [c.investor_id for c in fair_order(7, [busy, idle, half])] == [2, 3, 1]


def test_idle_share_is_exact_and_zero_for_an_empty_account():
    assert idle_share(cand(1, available=1, frozen_minor=2)) * 3 == 1
    assert idle_share(cand(1, available=0)) == 0


def test_ties_by_the_documented_sha256_key_and_rotate_across_loans():
    assert tie_key(5, 9) == hashlib.sha256(b"5:9").hexdigest()
    same = [cand(i) for i in range(1, 30)]
    orders = {tuple(c.investor_id for c in fair_order(loan, same)) for loan in (1, 2, 3)}
    assert len(orders) == 3  # a different order per loan
    for loan in (1, 2):
        got = [c.investor_id for c in fair_order(loan, same)]
        assert got == sorted(range(1, 30), key=lambda i: tie_key(loan, i))
        assert got == [c.investor_id for c in fair_order(loan, list(reversed(same)))]  # input order ignored


def test_last_part_rule():
    assert last_part_minor(1_000_00, 1000) == 100_00
    assert last_part_minor(1_001, 1000) == 101  # rounded up: never less than the share is left
    assert auto_room(1_000_00, 0, 1000) == 900_00
    assert auto_room(1_000_00, 950_00, 1000) == 0
    assert auto_room(1_000_00, 0, 0) == 1_000_00


@pytest.mark.parametrize(("kw", "room", "amount", "reason"), [
    ({}, 10_000_00, 100_00, "placed"),
    ({"amount_per_note_minor": 120_00}, 10_000_00, 100_00, "placed"),  # rounded down to the unit
    ({}, 80_00, 50_00, "placed"),
    ({}, 40_00, 0, "loan_room"),
    ({"available": 40_00}, 10_000_00, 0, "insufficient_cash"),
    ({"available": 1_000_00, "cash_reserve_minor": 950_00}, 10_000_00, 50_00, "placed"),
    ({"available": 1_000_00, "cash_reserve_minor": 980_00}, 10_000_00, 0, "cash_reserve"),
    ({"available": 30_00, "cash_reserve_minor": 10_00}, 10_000_00, 0, "insufficient_cash"),
    ({"held_in_loan_minor": 950_00}, 10_000_00, 50_00, "placed"),
    ({"held_in_loan_minor": 1_000_00}, 10_000_00, 0, "max_per_loan"),
    ({"monthly_cap_minor": 500_00, "auto_this_month_minor": 440_00}, 10_000_00, 50_00, "placed"),
    ({"monthly_cap_minor": 500_00, "auto_this_month_minor": 460_00}, 10_000_00, 0, "monthly_cap"),
    ({"notes_in_loan": 1}, 10_000_00, 0, "notes_per_loan"),
    ({"notes_in_loan": 1, "notes_per_loan": 2}, 10_000_00, 100_00, "placed"),
    # 2 % of 10,000 CNY is 200 CNY per borrower, 150 of it held already.
    ({"available": 10_000_00, "max_borrower_share_bp": 200, "held_with_borrower_minor": 150_00}, 10_000_00, 50_00,
     "placed"),
    ({"available": 10_000_00, "max_borrower_share_bp": 200, "held_with_borrower_minor": 160_00}, 10_000_00, 0,
     "borrower_concentration"),
])
def test_note_size_and_the_limit_that_binds(kw, room, amount, reason):
    available = kw.pop("available", 100_000_00)
    got = size_note(cand(1, available=available, **kw), room_minor=room, unit_minor=50_00)
    assert (got.amount_minor, got.reason) == (amount, reason)


def test_what_this_round_placed_counts_against_the_limits():
    c = cand(1, available=250_00, notes_per_loan=5)
    after_two = size_note(c, room_minor=10_000_00, unit_minor=50_00, placed_minor=200_00, placed_notes=2)
    assert after_two.amount_minor == 50_00
    spent = size_note(c, room_minor=10_000_00, unit_minor=50_00, placed_minor=250_00, placed_notes=2)
    assert spent.reason == "insufficient_cash"


def test_unit_must_be_positive():
    with pytest.raises(ValueError):
        size_note(cand(1), room_minor=1, unit_minor=0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**13), st.integers(0, 10**13)), min_size=1, max_size=30),
       st.integers(1, 10**6))
def test_integer_share_keys_order_as_the_exact_fractions(accounts, loan_id):
    cands = [cand(i + 1, available=avail, frozen_minor=other) for i, (avail, other) in enumerate(accounts)]
    exact = sorted(cands, key=lambda c: (-idle_share(c), tie_key(loan_id, c.investor_id)))
    assert [c.investor_id for c in fair_order(loan_id, cands)] == [c.investor_id for c in exact]


def test_equal_shares_get_equal_keys_and_close_ones_do_not():
    assert idle_share_key(1, 3) == idle_share_key(2, 6) == idle_share_key(10**12, 3 * 10**12)
    big = 10**13
    assert idle_share_key(big - 1, big) < idle_share_key(big - 1, big - 1)
    assert idle_share_key(big - 2, big - 1) < idle_share_key(big - 1, big)
    assert idle_share_key(0, 0) == 0
