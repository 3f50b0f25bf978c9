"""Re-amortisation after a partial prepayment ("shorten the term"), on every method and zero-rate loans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlend.domain.prepayment import QuotedInstallment, Scheduled, principal_buyable, quote, reamortise
from peerlend.domain.schedule import BULLET, EQUAL_INSTALLMENT, EQUAL_PRINCIPAL, INTEREST_ONLY, METHODS, build_schedule

START = date(2025, 1, 15)
RATES = [Decimal("0.1199"), Decimal("0.06"), Decimal(0)]


def _after(method: str, rate: Decimal, amount: int, term: int, current: int, prepaid: int):
    """The old remaining installments (from position ``current``) and the rebuilt ones."""
    old = build_schedule(amount, rate, term, method, START)
    remaining = old[current:]
    anchor = old[current - 1].due_date if current else START
    fresh = reamortise(method=method, annual_rate=rate,
                       remaining=[Scheduled(i.due_date, i.principal, i.interest) for i in remaining],
                       prepaid_principal=prepaid, anchor=anchor, term_months=term, disbursed_on=START)
    return remaining, fresh


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=60, deadline=None)
@given(amount=st.integers(1_000_00, 500_000_00), term=st.integers(2, 36), data=st.data())
def test_reamortisation_keeps_the_principal_and_never_raises_a_later_payment(method, rate, amount, term, data):
    term_current = 0 if method == BULLET else data.draw(st.integers(0, term - 1), label="current")
    old = build_schedule(amount, rate, term, method, START)
    left = sum(i.principal for i in old[term_current:])
    if left < 2:
        return
    prepaid = data.draw(st.integers(1, left - 1), label="prepaid")
    remaining, fresh = _after(method, rate, amount, term, term_current, prepaid)
    assert sum(i.principal for i in fresh) == left - prepaid  # the principal is kept, exactly
    assert 1 <= len(fresh) <= len(remaining)  # the term never grows
    assert fresh[-1].due_date <= remaining[-1].due_date
    for new, before in zip(fresh, remaining, strict=False):
        assert new.payment <= before.payment, (new, before)


def test_equal_installment_keeps_its_payment_and_drops_months():
    remaining, fresh = _after(EQUAL_INSTALLMENT, Decimal("0.12"), 12_000_00, 12, 2, 5_000_00)
    assert len(remaining) == 10 and len(fresh) == 5
    assert max(i.payment for i in fresh[:-1]) <= remaining[0].payment


def test_equal_principal_keeps_its_principal_part():
    remaining, fresh = _after(EQUAL_PRINCIPAL, Decimal("0.12"), 12_000_00, 12, 2, 4_000_00)
    assert [i.principal for i in remaining[:2]] == [1_000_00, 1_000_00]
    assert len(fresh) == 6 and [i.principal for i in fresh] == [1_000_00] * 6
    assert fresh[0].interest == 60_00  # 1 % a month on the 6,000 left
    assert fresh[0].due_date == remaining[0].due_date


def test_interest_only_keeps_its_months_with_a_smaller_balloon():
    remaining, fresh = _after(INTEREST_ONLY, Decimal("0.12"), 12_000_00, 12, 3, 2_000_00)
    assert len(fresh) == len(remaining) == 9
    assert [i.principal for i in fresh] == [0] * 8 + [10_000_00]
    assert all(i.interest == 100_00 for i in fresh)
    assert [i.due_date for i in fresh] == [i.due_date for i in remaining]


def test_bullet_keeps_its_maturity():
    remaining, fresh = _after(BULLET, Decimal("0.12"), 12_000_00, 12, 0, 2_000_00)
    assert len(fresh) == 1 and fresh[0].due_date == remaining[0].due_date
    assert fresh[0].principal == 10_000_00 and fresh[0].interest == 1_200_00  # a year at 12 % on what is left


def test_zero_rate_loan_shortens_with_the_same_principal_part():
    remaining, fresh = _after(EQUAL_INSTALLMENT, Decimal(0), 12_000_00, 12, 0, 3_000_00)
    assert len(remaining) == 12 and len(fresh) == 9
    assert all(i.interest == 0 and i.principal == 1_000_00 for i in fresh)


def test_reamortisation_refuses_a_prepayment_in_full():
    with pytest.raises(ValueError, match="some, but not all"):
        reamortise(method=EQUAL_PRINCIPAL, annual_rate=Decimal(0), remaining=[Scheduled(START, 50, 0)] * 2,
                   prepaid_principal=100, anchor=START, term_months=2, disbursed_on=START)


def test_quote_and_the_principal_a_partial_amount_buys():
    old = build_schedule(12_000_00, Decimal("0.1095"), 12, EQUAL_PRINCIPAL, START)
    rows = [QuotedInstallment(i.number, i.due_date, i.payment, i.principal, 0) for i in old]
    today = date(2025, 2, 25)  # 10 days into the second period; the first is due and unpaid
    q = quote(rows, Decimal("0.1095"), START, today, Decimal("0.01"))
    assert q.current == 1 and q.anchor == old[0].due_date
    assert q.due_now == old[0].payment and q.principal == 11_000_00
    assert q.accrued_interest == 33_00  # 11,000 x 10.95 % x 10 / 365
    assert q.penalty == 110_00
    assert q.total == q.due_now + 11_000_00 + 33_00 + 110_00
    bought = principal_buyable(5_000_00, q.principal, Decimal("0.1095"), q.anchor, today, Decimal("0.01"))
    price = bought + bought * 3 // 1000 + bought // 100  # interest 0.3 % for ten days, penalty 1 %
    assert price <= 5_000_00 < (bought + 2) * 1013 // 1000
    nothing = quote([QuotedInstallment(1, START, 0, 0, 0)], None, None, today, Decimal(0))
    assert nothing.total == 0 and nothing.current is None


def test_rounding_residue_never_raises_the_last_payment():
    # 100.02 over 12 months at 0 %: parts of 8.34 and a last one of 8.28. Prepaying 0.01 and
    # rebuilding 100.01 over 12 months gave parts of 8.33 and a last one of 8.38: higher than before.
    remaining, fresh = _after(EQUAL_PRINCIPAL, Decimal(0), 100_02, 12, 0, 1)
    assert remaining[-1].payment == 8_28
    assert sum(i.principal for i in fresh) == 100_01
    assert all(new.payment <= before.payment for new, before in zip(fresh, remaining, strict=False))
