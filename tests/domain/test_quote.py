"""Borrower and investor quotes (defect 7 of issue 12): APR through the domain core's XIRR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from peerlend.domain.pricing import GRADES, expected_annual_loss, price, reference_pd
from peerlend.domain.quote import borrower_quote, fee_minor, investor_quote, quote_for_grade
from peerlend.domain.returns import xirr
from peerlend.domain.schedule import METHODS, build_schedule

START = date(2026, 1, 15)


# XIRR discounts on actual days (actual/365) while the schedule's months are 30/360: calendar months
# are not exactly 1/12 of a year (Jan-Jun has 181 days, Jul-Dec 184), so the APR of a fee-free loan
# equals the nominal effective rate (1 + r/12)^12 - 1 up to that calendar effect, which averages out
# over longer terms. Relative tolerance per term, checked from a short and a long half-year.
@pytest.mark.parametrize("rate", [Decimal("0.06"), Decimal("0.12"), Decimal("0.24")])
@pytest.mark.parametrize(("term", "relative"), [(6, Decimal("0.015")), (12, Decimal("0.005")),
                                                (36, Decimal("0.003"))])
@pytest.mark.parametrize("start", [date(2026, 1, 15), date(2026, 7, 15)])
def test_zero_fee_apr_equals_the_nominal_effective_rate(rate: Decimal, term: int, relative: Decimal,
                                                        start: date) -> None:
    q = borrower_quote(30_000_00, term, "equal_installment", rate, Decimal(0), start)
    effective = (1 + rate / 12) ** 12 - 1
    assert q.fee_minor == 0 and q.received_minor == 30_000_00
    assert abs(q.apr - effective) <= effective * relative, (q.apr, effective)


def test_a_fee_raises_the_apr() -> None:
    # The reported case: 318 CNY fee (1.06 %) on 30,000 CNY, here over 36 months.
    without = borrower_quote(30_000_00, 36, "equal_installment", Decimal("0.12"), Decimal(0), START)
    with_fee = borrower_quote(30_000_00, 36, "equal_installment", Decimal("0.12"), Decimal("0.0106"), START)
    assert with_fee.fee_minor == 318_00 and with_fee.received_minor == 29_682_00
    assert with_fee.apr > without.apr + Decimal("0.005")
    assert with_fee.first_payment_minor == without.first_payment_minor  # the fee is not in the payments
    assert with_fee.total_cost_minor == with_fee.total_interest_minor + 318_00


def test_apr_is_the_xirr_of_the_borrowers_cash_flows() -> None:
    q = borrower_quote(12_000_00, 12, "equal_principal", Decimal("0.10"), Decimal("0.02"), START)
    schedule = build_schedule(12_000_00, Decimal("0.10"), 12, "equal_principal", START)
    flows = [(START, 12_000_00 - 240_00)] + [(i.due_date, -i.payment) for i in schedule]
    assert q.apr == xirr(flows)
    assert q.first_payment_minor == schedule[0].payment and q.last_payment_minor == schedule[-1].payment
    assert q.total_repaid_minor == sum(i.payment for i in schedule)


def test_bullet_loan_without_fee_costs_its_simple_rate_over_a_year() -> None:
    q = borrower_quote(10_000_00, 12, "bullet", Decimal("0.10"), Decimal(0), date(2026, 1, 31))
    assert q.apr == Decimal("0.1")


@pytest.mark.parametrize("method", METHODS)
def test_every_method_quotes(method: str) -> None:
    q = borrower_quote(5_000_00, 6, method, Decimal("0.15"), Decimal("0.03"), START)
    assert q.apr > Decimal("0.15")
    assert q.received_minor + q.fee_minor == q.amount_minor


def test_zero_rate_zero_fee_costs_nothing() -> None:
    assert borrower_quote(1_000_00, 3, "equal_installment", Decimal(0), Decimal(0), START).apr == 0


def test_fee_rounds_half_up_like_the_disbursement() -> None:
    assert fee_minor(1_05, Decimal("0.5")) == 53
    with pytest.raises(ValueError):
        fee_minor(100, Decimal("-0.01"))


def test_grade_quotes_follow_the_pricing_module() -> None:
    for grade in GRADES:
        q = quote_for_grade(20_000_00, 24, "equal_installment", grade, START)
        p = price(reference_pd(grade), 24)
        assert (q.annual_rate, q.origination_fee_rate, q.grade) == (p.annual_rate, p.origination_fee_rate, grade)
    best = quote_for_grade(20_000_00, 24, "equal_installment", "A1", START)
    worst = quote_for_grade(20_000_00, 24, "equal_installment", "E5", START)
    assert best.apr < worst.apr and best.fee_minor < worst.fee_minor


def test_investor_quote_nets_the_service_fee_and_the_expected_loss() -> None:
    pd = reference_pd("C3")
    q = investor_quote(1_000_00, Decimal("0.12"), 36, "equal_installment", START,
                       service_fee_rate=Decimal("0.01"), pd=pd)
    no_fee = investor_quote(1_000_00, Decimal("0.12"), 36, "equal_installment", START,
                            service_fee_rate=Decimal(0), pd=pd)
    assert no_fee.service_fee_minor == 0 and no_fee.return_after_fee == no_fee.gross_return
    assert q.service_fee_minor > 0 and q.return_after_fee < q.gross_return
    assert q.expected_loss_rate == expected_annual_loss(pd, 36).quantize(Decimal("0.0001"))
    assert q.expected_net_return == q.return_after_fee - q.expected_loss_rate
    # About 1 % of each receipt: a little over 1 % of the principal a year... well under 2 %.
    assert Decimal("0.005") < q.gross_return - q.return_after_fee < Decimal("0.02")


def test_pricing_unchanged_by_the_extracted_expected_loss() -> None:
    # price() now calls expected_annual_loss; a known figure from the model card's table stays put.
    assert price(reference_pd("A1"), 36).annual_rate == Decimal("0.0925")
