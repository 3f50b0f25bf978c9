"""Price quotes before the fact (pure, no Django): what a loan costs a borrower, what a note earns an investor.

Borrower
--------
``borrower_quote`` takes the amount, term, repayment method, the annual rate and the origination fee
rate, builds the schedule with the domain core (``schedule.build_schedule``) and returns the fee, the
amount received (the fee is deducted at disbursement), the installments, the total cost (interest +
fee) and the **APR**: the effective annual rate including fees, i.e. the XIRR (``returns.xirr``,
actual/365) of the borrower's own cash flows::

    + (amount - fee) on the disbursement date,  - payment_k on each due date

Without a fee it equals the nominal rate compounded monthly, ``(1 + rate/12) ** 12 - 1``, up to the
difference between 30/360 schedules and actual/365 discounting; a fee raises it.

Investor
--------
``investor_quote`` returns, for an amount invested in a loan, the yield before fees (XIRR of the
note's scheduled receipts), after the investor service fee (a share of every repayment the holder
receives, principal and interest), and net of the grade's expected credit loss per year, the same
figure the price covers (``pricing.expected_annual_loss``). It is an expectation, not a promise:
a default loses more, a loan repaid in full loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from peerlend.domain.pricing import LGD, expected_annual_loss, price, reference_pd, term_pd
from peerlend.domain.returns import xirr
from peerlend.domain.schedule import Installment, build_schedule

__all__ = [
    "BorrowerQuote",
    "InvestorQuote",
    "borrower_quote",
    "fee_minor",
    "investor_quote",
    "quote_for_grade",
]


def fee_minor(base_minor: int, rate: Decimal) -> int:
    """``base_minor * rate`` rounded half-up to the minor unit (origination fee, service fee share)."""
    if rate < 0:
        raise ValueError("a fee rate must not be negative")
    return int((Decimal(base_minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class BorrowerQuote:
    amount_minor: int
    term_months: int
    method: str
    annual_rate: Decimal
    origination_fee_rate: Decimal
    fee_minor: int
    received_minor: int  # paid to the borrower at disbursement: amount - fee
    first_payment_minor: int  # the monthly payment (equal principal: the first, largest one)
    last_payment_minor: int
    total_interest_minor: int
    total_repaid_minor: int  # principal + interest over the term
    total_cost_minor: int  # interest + fee: what borrowing this amount costs
    apr: Decimal  # effective annual rate including fees (XIRR of the borrower's cash flows)
    grade: str = ""
    capped: bool = False  # the risk price was clamped at the legal line (such loans are not listed)


def borrower_quote(
    amount_minor: int,
    term_months: int,
    method: str,
    annual_rate: Decimal,
    origination_fee_rate: Decimal,
    start: date,
    *,
    grade: str = "",
    capped: bool = False,
) -> BorrowerQuote:
    """The full cost of a loan disbursed on ``start`` (see the module doc); ValueError on bad input."""
    schedule = build_schedule(amount_minor, annual_rate, term_months, method, start)
    fee = fee_minor(amount_minor, origination_fee_rate)
    if fee >= amount_minor:
        raise ValueError("the origination fee must be less than the amount")
    received = amount_minor - fee
    flows = [(start, received)] + [(i.due_date, -i.payment) for i in schedule]
    interest = sum(i.interest for i in schedule)
    return BorrowerQuote(
        amount_minor=amount_minor,
        term_months=term_months,
        method=method,
        annual_rate=annual_rate,
        origination_fee_rate=origination_fee_rate,
        fee_minor=fee,
        received_minor=received,
        first_payment_minor=schedule[0].payment,
        last_payment_minor=schedule[-1].payment,
        total_interest_minor=interest,
        total_repaid_minor=amount_minor + interest,
        total_cost_minor=interest + fee,
        apr=_apr(flows, schedule),
        grade=grade,
        capped=capped,
    )


def _apr(flows: list[tuple[date, int]], schedule: list[Installment]) -> Decimal:
    # Zero interest and zero fee: nothing to solve for (XIRR needs a sign change), the cost is nil.
    if sum(i.payment for i in schedule) == flows[0][1]:
        return Decimal(0)
    return xirr(flows)


def quote_for_grade(amount_minor: int, term_months: int, method: str, grade: str, start: date) -> BorrowerQuote:
    """The quote at the grade's representative PD (``pricing.reference_pd``): the typical price of the grade."""
    pricing = price(reference_pd(grade), term_months)
    return borrower_quote(
        amount_minor, term_months, method, pricing.annual_rate, pricing.origination_fee_rate, start,
        grade=grade, capped=pricing.capped,
    )


@dataclass(frozen=True, slots=True)
class InvestorQuote:
    amount_minor: int
    service_fee_rate: Decimal
    gross_return: Decimal  # XIRR of the scheduled receipts, before any fee
    service_fee_minor: int  # service fee on all scheduled receipts
    return_after_fee: Decimal  # XIRR after the service fee
    expected_loss_rate: Decimal  # the grade's expected credit loss per year (fraction of principal)
    expected_loss_minor: int  # expected principal lost over the term
    expected_net_return: Decimal  # return_after_fee - expected_loss_rate


def investor_quote(
    amount_minor: int,
    annual_rate: Decimal,
    term_months: int,
    method: str,
    start: date,
    *,
    service_fee_rate: Decimal,
    pd: Decimal,
) -> InvestorQuote:
    """Expected return of ``amount_minor`` invested in a loan disbursed on ``start`` (see the module doc).

    ``pd`` is the model's 36-month probability of default used for the expected loss (the grade's
    reference PD on the loan page).
    """
    schedule = build_schedule(amount_minor, annual_rate, term_months, method, start)
    fees = [fee_minor(i.payment, service_fee_rate) for i in schedule]
    gross = [(start, -amount_minor)] + [(i.due_date, i.payment) for i in schedule]
    net = [(start, -amount_minor)] + [(i.due_date, i.payment - f) for i, f in zip(schedule, fees, strict=True)]
    loss_rate = expected_annual_loss(pd, term_months).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    after_fee = xirr(net)
    return InvestorQuote(
        amount_minor=amount_minor,
        service_fee_rate=service_fee_rate,
        gross_return=xirr(gross),
        service_fee_minor=sum(fees),
        return_after_fee=after_fee,
        expected_loss_rate=loss_rate,
        expected_loss_minor=fee_minor(amount_minor, term_pd(pd, term_months) * LGD),
        expected_net_return=after_fee - loss_rate,
    )
