"""The vectorised schedule builder equals build_schedule on every cell, for every method and input range."""

import random
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlend.domain.money import MAX_AMOUNT_MINOR
from peerlend.domain.schedule import BULLET, EQUAL_INSTALLMENT, MAX_TERM_MONTHS, METHODS, Installment, build_schedule
from peerlend.domain.schedule_fast import build_schedules


def _assert_equal_to_build_schedule(principals, rates, terms, methods, starts):
    fast = build_schedules(principals, rates, terms, methods, starts)
    assert len(fast) == len(principals)
    for i, (p, r, t, m, s) in enumerate(zip(principals, rates, terms, methods, starts, strict=True)):
        assert fast.installments(i) == build_schedule(p, r, t, m, s), (p, r, t, m, s)
    assert len(fast.principal) == int(fast.offsets[-1])


principal_st = st.one_of(
    st.integers(1, 1_000),  # tiny loans that are repaid before their last month
    st.integers(100_000, 50_000_000),
    st.integers(1, MAX_AMOUNT_MINOR),
)
rate_st = st.one_of(
    st.just(Decimal(0)),
    st.integers(0, 9_999).map(lambda x: Decimal(x) / 10_000),  # 0.00 % .. 99.99 %, as the platform prices
    st.decimals(min_value=0, max_value=Decimal("0.999999999999999999"), places=18, allow_nan=False),
)
start_st = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2300, 12, 31)),
    st.sampled_from([date(2024, 1, 31), date(2023, 1, 29), date(2024, 2, 29), date(2024, 3, 30), date(2100, 1, 31)]),
)
term_st = st.one_of(st.integers(1, 48), st.integers(1, MAX_TERM_MONTHS))
loan_st = st.tuples(principal_st, rate_st, term_st, st.sampled_from(METHODS), start_st)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(loan_st, min_size=1, max_size=6))
def test_equal_to_build_schedule_on_every_cell(loans):
    principals, rates, terms, methods, starts = (list(col) for col in zip(*loans, strict=True))
    _assert_equal_to_build_schedule(principals, rates, terms, methods, starts)


def test_a_large_mixed_book_is_equal_cell_by_cell():
    rng = random.Random(7)
    n = 1_500
    principals = [rng.choice([rng.randrange(1, 500), rng.randrange(100_000, 20_000_001)]) for _ in range(n)]
    rates = [Decimal(rng.randrange(0, 2_400)) / 10_000 for _ in range(n)]
    terms = [rng.choice([1, 3, 6, 12, 24, 36, rng.randrange(1, 121)]) for _ in range(n)]
    methods = [rng.choice(METHODS) for _ in range(n)]
    starts = [date(2024, rng.randrange(1, 13), rng.choice([1, 15, 28])) if rng.random() < 0.7 else date(2024, 1, 31)
              for _ in range(n)]
    _assert_equal_to_build_schedule(principals, rates, terms, methods, starts)


@pytest.mark.parametrize("method", METHODS)
def test_groups_larger_than_one_block_of_loans(method):
    """More loans of one method and term than fit one block (schedule_fast._BLOCK): every block is filled."""
    from peerlend.domain import schedule_fast

    rng = random.Random(method)
    n = 2 * schedule_fast._BLOCK + 17
    principals = [rng.randrange(1, 30_000_000) for _ in range(n)]
    rates = [Decimal(rng.randrange(0, 2_400)) / 10_000 for _ in range(n)]
    starts = [date(2024, 1, 31) if i % 2 else date(2023, 11, 30) for i in range(n)]
    _assert_equal_to_build_schedule(principals, rates, [12] * n, [method] * n, starts)


def test_one_term_method_and_start_for_all_loans():
    principals = [100_000, 2_000_000, 7]
    rates = [Decimal("0.1199"), Decimal("0.05"), Decimal("0.2399")]
    start = date(2024, 1, 31)
    fast = build_schedules(principals, rates, 36, EQUAL_INSTALLMENT, start)
    for i, (p, r) in enumerate(zip(principals, rates, strict=True)):
        assert fast.installments(i) == build_schedule(p, r, 36, EQUAL_INSTALLMENT, start)
    # One term for all: the flat rows are a (loans, term) matrix.
    assert fast.principal.reshape(3, 36).sum(axis=1).tolist() == principals
    assert (fast.payment == fast.principal + fast.interest).all()


def test_rates_with_many_digits_on_the_largest_principal_stay_exact():
    """Products beyond int64 are computed on Python integers rather than wrapping around."""
    rate = Decimal("0.987654321987654321")
    principals = [MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR - 1]
    for method in METHODS:
        fast = build_schedules(principals, [rate, rate], MAX_TERM_MONTHS, method, date(2024, 1, 31))
        for i, p in enumerate(principals):
            assert fast.installments(i) == build_schedule(p, rate, MAX_TERM_MONTHS, method, date(2024, 1, 31))


def test_bullet_is_one_installment_at_maturity():
    fast = build_schedules([1_000_000], [Decimal("0.12")], [12], [BULLET], [date(2024, 1, 31)])
    assert fast.offsets.tolist() == [0, 1]
    assert fast.installments(0) == [Installment(1, date(2025, 1, 31), 1_000_000, 120_000, 1_120_000, 0)]


def test_installments_are_plain_python_values():
    inst = build_schedules([100_000], [Decimal("0.1")], 2, EQUAL_INSTALLMENT, date(2024, 1, 31)).installments(0)[0]
    assert type(inst.due_date) is date
    assert type(inst.principal) is int
    assert inst.due_date == date(2024, 2, 29)


def test_numpy_arrays_are_accepted_as_principals_and_terms():
    fast = build_schedules(np.array([100_000, 200_000]), [Decimal("0.1")] * 2, np.array([3, 4]),
                           EQUAL_INSTALLMENT, date(2024, 5, 31))
    assert fast.offsets.tolist() == [0, 3, 7]
    assert fast.installments(1) == build_schedule(200_000, Decimal("0.1"), 4, EQUAL_INSTALLMENT, date(2024, 5, 31))


def test_no_loans_no_rows():
    fast = build_schedules([], [], [], [], [])
    assert len(fast) == 0
    assert fast.offsets.tolist() == [0]
    assert len(fast.principal) == len(fast.due_date) == 0


@pytest.mark.parametrize(
    ("principals", "rates", "terms", "methods", "starts", "message"),
    [
        ([0], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "positive"),
        ([-5], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "positive"),
        ([True], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "integer"),
        ([100.0], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "integer"),
        ([MAX_AMOUNT_MINOR + 1], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "at most"),
        ([10**30], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "at most"),
        ([100], [0.1], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "Decimal"),
        ([100, 100], [Decimal(0), 0.0], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "Decimal"),
        ([100, 100], [Decimal(0), False], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "Decimal"),
        ([100], [Decimal("-0.01")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "negative"),
        ([100], [Decimal(1)], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "100%"),
        ([100], [Decimal("NaN")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "finite"),
        ([100], [Decimal("sNaN")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "finite"),
        ([100], [Decimal("0.1")], 0, EQUAL_INSTALLMENT, date(2024, 1, 1), "positive"),
        ([100], [Decimal("0.1")], [MAX_TERM_MONTHS + 1], EQUAL_INSTALLMENT, date(2024, 1, 1), "at most"),
        ([100], [Decimal("0.1")], [2**70], EQUAL_INSTALLMENT, date(2024, 1, 1), "at most"),
        ([100], [Decimal("0.1")], [True], EQUAL_INSTALLMENT, date(2024, 1, 1), "integer"),
        ([100], [Decimal("0.1")], 12, "balloon", date(2024, 1, 1), "unknown schedule method"),
        ([100], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, datetime(2024, 1, 1), "not a datetime"),
        ([100], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, "2024-01-01", "date"),
        ([100], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(9999, 6, 1), "9999"),
        ([100, 200], [Decimal("0.1")], 12, EQUAL_INSTALLMENT, date(2024, 1, 1), "one annual rate"),
        ([100, 200], [Decimal("0.1")] * 2, [12], EQUAL_INSTALLMENT, date(2024, 1, 1), "one term"),
        ([100, 200], [Decimal("0.1")] * 2, 12, [EQUAL_INSTALLMENT], date(2024, 1, 1), "one method"),
        ([100, 200], [Decimal("0.1")] * 2, 12, EQUAL_INSTALLMENT, [date(2024, 1, 1)], "one start"),
    ],
)
def test_refuses_what_build_schedule_refuses(principals, rates, terms, methods, starts, message):
    with pytest.raises(ValueError, match=message):
        build_schedules(principals, rates, terms, methods, starts)


def test_the_single_loan_path_refuses_the_same_dates():
    with pytest.raises(ValueError):
        build_schedule(100, Decimal("0.1"), 12, EQUAL_INSTALLMENT, date(9999, 6, 1))


def test_importing_it_loads_no_django():
    code = (
        "import sys\nimport peerlend.domain.schedule_fast\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\nassert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
