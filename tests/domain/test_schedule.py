import math
import sys
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlend.domain.schedule import (
    METHODS,
    Installment,
    add_months,
    build_schedule,
    daily_interest_minor,
    equal_installment_payment_minor,
)

START = date(2024, 1, 15)


def half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- add_months ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2100, 1, 29), 1, date(2100, 2, 28)),  # 2100 is not a leap year
        (date(2000, 1, 30), 1, date(2000, 2, 29)),  # 2000 is
        (date(2024, 11, 15), 2, date(2025, 1, 15)),
        (date(2024, 12, 31), 1, date(2025, 1, 31)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
    ],
)
def test_add_months(start, n, expected):
    assert add_months(start, n) == expected


def test_due_dates_use_original_day():
    schedule = build_schedule(100000, Decimal("0.1"), 4, "equal_installment", date(2024, 1, 31))
    expected = [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)]
    assert [i.due_date for i in schedule] == expected


# --- known values -------------------------------------------------------------------------------


def test_equal_installment_known_value():
    schedule = build_schedule(1_000_000, Decimal("0.12"), 12, "equal_installment", START)
    assert len(schedule) == 12
    assert all(i.payment == 88849 for i in schedule[:-1])  # 888.49 CNY
    assert schedule[0] == Installment(1, date(2024, 2, 15), 78849, 10000, 88849, 921151)
    assert schedule[-1].balance_after == 0
    assert sum(i.principal for i in schedule) == 1_000_000


def test_mortgage_style_known_value():
    # 1,000,000.00 CNY over 30 years at 4.9 %: the widely quoted 5,307.27 monthly payment.
    schedule = build_schedule(100_000_000, Decimal("0.049"), 360, "equal_installment", START)
    assert schedule[0].payment == 530727
    assert equal_installment_payment_minor(100_000_000, Decimal("0.049"), 360) == 530727


def test_equal_principal_known_value():
    # Same loan, equal principal: first month 2,777.78 principal + 4,083.33 interest = 6,861.11.
    schedule = build_schedule(100_000_000, Decimal("0.049"), 360, "equal_principal", START)
    assert (schedule[0].principal, schedule[0].interest, schedule[0].payment) == (277778, 408333, 686111)
    small = build_schedule(1_200_000, Decimal("0.12"), 12, "equal_principal", START)
    assert [i.principal for i in small] == [100000] * 12
    assert [i.interest for i in small] == [12000 - 1000 * k for k in range(12)]


def test_interest_only_known_value():
    schedule = build_schedule(1_000_000, Decimal("0.12"), 3, "interest_only", START)
    assert [(i.principal, i.interest, i.payment, i.balance_after) for i in schedule] == [
        (0, 10000, 10000, 1_000_000),
        (0, 10000, 10000, 1_000_000),
        (1_000_000, 10000, 1_010_000, 0),
    ]


def test_bullet_known_value():
    schedule = build_schedule(1_000_000, Decimal("0.12"), 12, "bullet", START)
    assert schedule == [Installment(1, date(2025, 1, 15), 1_000_000, 120000, 1_120_000, 0)]
    # 30/360: 6 months at 10 % on 333.33 -> 16.6665 -> 16.67 (half-up)
    assert build_schedule(33333, Decimal("0.1"), 6, "bullet", START)[0].interest == 1667


def test_half_up_rounding_of_interest():
    # 50.00 at 1 %/month = 0.50 exactly; 0.005 rounds up: 0.50 * ... use a rate giving x.5 minor units
    schedule = build_schedule(50, Decimal("0.12"), 2, "interest_only", START)  # 0.50 minor -> 1
    assert schedule[0].interest == 1
    schedule = build_schedule(49, Decimal("0.12"), 2, "interest_only", START)  # 0.49 minor -> 0
    assert schedule[0].interest == 0


@pytest.mark.parametrize("method", METHODS)
def test_zero_rate(method):
    schedule = build_schedule(100_000, Decimal(0), 3, method, START)
    assert sum(i.interest for i in schedule) == 0
    assert sum(i.principal for i in schedule) == 100_000
    if method in ("equal_installment", "equal_principal"):
        assert [i.payment for i in schedule] == [33333, 33333, 33334]


def test_tiny_loan_never_overshoots():
    # 0.69 CNY over 36 months: the rounded 0.02 payment would repay it early; balance must stop at zero.
    for method in ("equal_installment", "equal_principal"):
        schedule = build_schedule(69, Decimal(0), 36, method, START)
        assert all(i.balance_after >= 0 for i in schedule)
        assert sum(i.principal for i in schedule) == 69


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((0, Decimal("0.1"), 12, "equal_installment", START), "principal_minor must be positive"),
        ((-5, Decimal("0.1"), 12, "equal_installment", START), "principal_minor must be positive"),
        ((100.0, Decimal("0.1"), 12, "equal_installment", START), "principal_minor must be an integer"),
        ((100, Decimal("0.1"), 0, "equal_installment", START), "term_months must be positive"),
        ((100, Decimal("0.1"), -3, "equal_installment", START), "term_months must be positive"),
        ((100, Decimal("0.1"), 601, "equal_installment", START), "at most 600"),
        ((100, Decimal("-0.01"), 12, "equal_installment", START), "must not be negative"),
        ((100, Decimal("1"), 12, "equal_installment", START), "below 100%"),
        ((100, Decimal("1.5"), 12, "equal_installment", START), "below 100%"),
        ((100, Decimal("NaN"), 12, "equal_installment", START), "finite"),
        ((100, 0.12, 12, "equal_installment", START), "Decimal"),
        ((100, Decimal("0.1"), 12, "balloon", START), "unknown schedule method 'balloon'"),
        ((100, Decimal("0.1"), 12, "equal_installment", datetime(2024, 1, 1)), "not a datetime"),
        ((100, Decimal("0.1"), 12, "equal_installment", "2024-01-01"), "must be a date"),
    ],
)
def test_invalid_input(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        build_schedule(*args)


# --- daily interest -------------------------------------------------------------------------------


def test_daily_interest():
    # 10,000.00 at 18.25 % for 1 day = 5.00; for 3 days = 15.00
    assert daily_interest_minor(1_000_000, Decimal("0.1825"), 1) == 500
    assert daily_interest_minor(1_000_000, Decimal("0.1825"), 3) == 1500
    assert daily_interest_minor(1_000_000, Decimal("0.1"), 0) == 0
    assert daily_interest_minor(0, Decimal("0.1"), 30) == 0
    # 100.00 at 10 % for 10 days = 0.27397 -> 27
    assert daily_interest_minor(10_000, Decimal("0.1"), 10) == 27
    # 365 minor at 100 % for 1 day = 1 exactly; 182 -> 0.4986 -> 0, 183 -> 0.5014 -> 1
    assert daily_interest_minor(365, Decimal(1), 1) == 1
    assert daily_interest_minor(182, Decimal(1), 1) == 0
    assert daily_interest_minor(183, Decimal(1), 1) == 1
    # Penalty rates above 100 % a year are allowed
    assert daily_interest_minor(36500, Decimal("1.825"), 1) == 183  # 182.5 -> 183


def test_daily_interest_rejects_bad_input():
    with pytest.raises(ValueError):
        daily_interest_minor(-1, Decimal("0.1"), 1)
    with pytest.raises(ValueError):
        daily_interest_minor(100, Decimal("-0.1"), 1)
    with pytest.raises(ValueError):
        daily_interest_minor(100, Decimal("0.1"), -1)
    with pytest.raises(ValueError):
        daily_interest_minor(100, 0.1, 1)  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------------------

rates = st.integers(min_value=0, max_value=9999).map(lambda bp: Decimal(bp) / Decimal(10000))  # 0 % .. 99.99 %
principals = st.integers(min_value=1, max_value=10**11)
terms = st.integers(min_value=1, max_value=360)
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(principal=principals, rate=rates, term=terms, method=st.sampled_from(METHODS), start=starts)
def test_schedule_invariants(principal, rate, term, method, start):
    schedule = build_schedule(principal, rate, term, method, start)
    monthly = rate / 12
    expected_len = 1 if method == "bullet" else term
    assert len(schedule) == expected_len
    assert [i.number for i in schedule] == list(range(1, expected_len + 1))
    assert sum(i.principal for i in schedule) == principal
    assert schedule[-1].balance_after == 0
    balance = principal
    for inst in schedule:
        assert inst.payment == inst.principal + inst.interest
        assert inst.principal >= 0 and inst.interest >= 0
        assert inst.balance_after == balance - inst.principal
        assert 0 <= inst.balance_after <= balance  # non-increasing, never negative
        if method == "bullet":
            assert inst.due_date == add_months(start, term)
            assert inst.interest == half_up(Decimal(principal) * rate * term / 12)
        else:
            assert inst.due_date == add_months(start, inst.number)
            # Independent oracle: 30/360 interest on the opening balance, half-up.
            assert inst.interest == half_up(Decimal(balance) * rate / 12)
        balance = inst.balance_after

    if method == "interest_only":
        assert all(i.principal == 0 for i in schedule[:-1])
    if method == "equal_principal":
        level = half_up(Decimal(principal) / term)
        opening = principal
        for inst in schedule[:-1]:
            assert inst.principal == min(level, opening)
            opening = inst.balance_after
    if method == "equal_installment":
        level = schedule[0].payment if term > 1 else None
        opening = principal
        for inst in schedule[:-1]:
            if inst.balance_after > 0:
                assert inst.payment == level
            else:  # a tiny loan repaid early by rounding: the last principal payment is capped
                assert inst.principal == opening
            opening = inst.balance_after
        if level is not None:
            # The last installment differs only by the accumulated rounding residue: at most one unit per
            # month compounded at the loan rate, plus one.
            bound = Decimal(term) if monthly == 0 else ((1 + monthly) ** term - 1) / monthly
            assert abs(schedule[-1].payment - level) <= bound + 1


def _pmt_matches(ours: int, principal: int, rate: Decimal, term: int) -> bool:
    theirs = float(npf.pmt(float(rate) / 12, term, -principal))
    rounded = math.floor(theirs + 0.5)
    if ours == rounded:
        return True
    # Only a float landing within rounding error of a .5 boundary may legitimately disagree.
    frac = theirs - math.floor(theirs)
    # numpy-financial's float formula divides by (1 + r) ** n - 1, which cancels when r * n is small
    # (a few months at a tiny rate): its error grows like eps * principal / (r * n).
    monthly = float(rate) / 12
    slack = 1e-9 * max(1.0, abs(theirs))
    if monthly:
        slack = max(slack, 4 * sys.float_info.epsilon * principal / (monthly * term))
    return abs(frac - 0.5) < slack and abs(ours - theirs) <= 0.5 + slack


@settings(max_examples=400, deadline=None)
@given(principal=st.integers(min_value=100, max_value=10**10), rate=rates, term=terms)
def test_equal_installment_payment_matches_numpy_financial(principal, rate, term):
    schedule = build_schedule(principal, rate, term, "equal_installment", START)
    ours = equal_installment_payment_minor(principal, rate, term)
    if term > 1:
        assert schedule[0].payment == ours
    assert _pmt_matches(ours, principal, rate, term)


def test_equal_installment_payment_matches_numpy_financial_grid():
    # Explicit grid covering typical P2P loans: 216 cases, every one must agree to the minor unit.
    cases = 0
    for principal in (100_000, 500_000, 1_234_567, 5_000_000, 10_000_000, 99_999_999):
        for rate in ("0", "0.06", "0.0799", "0.1199", "0.15", "0.2399"):
            for term in (3, 6, 12, 24, 36, 60):
                r = Decimal(rate)
                ours = build_schedule(principal, r, term, "equal_installment", START)[0].payment
                assert _pmt_matches(ours, principal, r, term), (principal, rate, term)
                cases += 1
    assert cases == 216
