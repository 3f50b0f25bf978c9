"""Prepayment on plain values: the quote, the principal a partial amount buys, re-amortisation.

* The quote: everything due up to today, the principal not yet due, interest to the day on it
  (actual/365 from the start of the current period, less interest already paid on the current
  installment) and the prepayment penalty.
* A partial prepayment buys the largest principal whose price (principal, its interest to the
  day and its penalty) fits in the amount left after what is due.
* Re-amortisation shortens the term: the remaining installments are rebuilt on the lower
  balance so that no later payment rises (same level payment or principal part, fewer months;
  interest-only keeps its months and a bullet its maturity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peerlend.domain.repayment import half_up
from peerlend.domain.schedule import (
    BULLET,
    EQUAL_INSTALLMENT,
    EQUAL_PRINCIPAL,
    INTEREST_ONLY,
    Installment,
    build_schedule,
    daily_interest_minor,
    equal_installment_payment_minor,
)

__all__ = ["Quote", "QuotedInstallment", "Scheduled", "prepaid_interest_minor", "principal_buyable", "quote",
           "reamortise"]


@dataclass(frozen=True, slots=True)
class QuotedInstallment:
    """What a quote needs of one installment."""

    number: int
    due_date: date
    due: int  # still owed, fees and penalty included
    principal_unpaid: int
    interest_paid: int


@dataclass(frozen=True, slots=True)
class Quote:
    due_now: int  # everything due up to today (overdue included)
    principal: int  # principal not yet due
    accrued_interest: int  # interest to the day on it, actual/365
    penalty: int  # prepayment penalty
    anchor: date | None  # start of the current period
    current: int | None  # position (in the list given) of the installment of the current period

    @property
    def total(self) -> int:
        return self.due_now + self.principal + self.accrued_interest + self.penalty


def quote(installments: Sequence[QuotedInstallment], annual_rate: Decimal | None, disbursed_on: date | None,
          today: date, penalty_rate: Decimal) -> Quote:
    """The price of prepaying in full today (``installments`` in schedule order).

    ``annual_rate`` and ``disbursed_on`` are needed only when some installment is not yet due.
    """
    due_now = sum(i.due for i in installments if i.due_date <= today)
    # The current installment is the first future one still owed: one paid in full early has its
    # period's interest paid up to its due date, so the next one is the first a prepayment can shorten.
    current = next((k for k, i in enumerate(installments) if i.due_date > today and i.due > 0), None)
    if current is None:
        return Quote(due_now, 0, 0, 0, None, None)
    cur = installments[current]
    previous = [i for i in installments if i.number < cur.number]
    anchor = previous[-1].due_date if previous else disbursed_on
    if anchor is None or annual_rate is None:
        raise ValueError("a loan with installments still to come has a rate and a disbursement date")
    principal = sum(i.principal_unpaid for i in installments if i.due_date > today)
    days = max((today - anchor).days, 0)
    accrued = max(daily_interest_minor(principal, annual_rate, days) - cur.interest_paid, 0)
    penalty = half_up(Decimal(principal) * penalty_rate)
    return Quote(due_now, principal, accrued, penalty, anchor, current)


def prepaid_interest_minor(principal: int, annual_rate: Decimal, anchor: date, today: date,
                           penalty_rate: Decimal) -> int:
    """Interest to the day (actual/365 since ``anchor``) and the penalty on a prepaid principal."""
    days = max((today - anchor).days, 0)
    return daily_interest_minor(principal, annual_rate, days) + half_up(Decimal(principal) * penalty_rate)


def principal_buyable(amount: int, remaining_principal: int, annual_rate: Decimal, anchor: date, today: date,
                      penalty_rate: Decimal) -> int:
    """Largest principal whose price (principal + its interest to the day + penalty) fits in ``amount``.

    Less than ``remaining_principal``: prepaying all of it is a prepayment in full.
    """
    hi = min(amount, remaining_principal - 1)
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid + prepaid_interest_minor(mid, annual_rate, anchor, today, penalty_rate) <= amount:
            lo = mid
        else:
            hi = mid - 1
    return lo


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One installment still to come, as scheduled before the prepayment."""

    due_date: date
    principal: int
    interest: int

    @property
    def payment(self) -> int:
        return self.principal + self.interest


def reamortise(*, method: str, annual_rate: Decimal, remaining: Sequence[Scheduled], prepaid_principal: int,
               anchor: date, term_months: int, disbursed_on: date) -> list[Installment]:
    """The schedule of what stays owed after prepaying ``prepaid_principal`` (shorten the term).

    ``remaining``: the installments not yet due, the current one first (its period starts on
    ``anchor``); the first installment returned replaces it. No payment returned is higher than
    the one scheduled at its place before:

    * equal installment: the fewest months whose level payment is no higher than before;
    * equal principal (and a zero-rate equal installment): the same principal part, fewer months;
    * interest-only: the same months, less interest, a smaller balloon;
    * bullet: its single installment at the original maturity.

    Should the rounding residue that a rebuilt schedule puts on its last installment make it
    higher than the installment scheduled there, a longer rebuild is tried, and failing that the
    prepaid principal comes off the last installments (interest recomputed on the lower balance).
    """
    balance = sum(r.principal for r in remaining)
    new_balance = balance - prepaid_principal
    if not 0 < new_balance < balance:
        raise ValueError("a partial prepayment leaves some, but not all, of the principal")
    if method == BULLET:
        return build_schedule(new_balance, annual_rate, term_months, BULLET, disbursed_on)
    months = len(remaining)
    if method == EQUAL_INSTALLMENT and annual_rate > 0:
        old = equal_installment_payment_minor(balance, annual_rate, months)
        fewest = next((k for k in range(1, months + 1)
                       if equal_installment_payment_minor(new_balance, annual_rate, k) <= old), months)
    elif method in (EQUAL_PRINCIPAL, EQUAL_INSTALLMENT):  # equal principal, or a zero-rate equal installment
        part = max(remaining[0].principal, 1)
        fewest = min(months, max(1, -(-new_balance // part)))
    else:  # interest only: the same months
        fewest = months
    for k in range(fewest, months + 1):
        fresh = build_schedule(new_balance, annual_rate, k, method, anchor)
        if all(new.payment <= before.payment for new, before in zip(fresh, remaining, strict=False)):
            return fresh
    return _trimmed_from_the_end(remaining, prepaid_principal, annual_rate)


def _trimmed_from_the_end(remaining: Sequence[Scheduled], prepaid: int, annual_rate: Decimal) -> list[Installment]:
    """The scheduled principal parts less ``prepaid`` taken off the last ones; 30/360 interest on the new balance."""
    parts = [r.principal for r in remaining]
    left = prepaid
    for k in reversed(range(len(parts))):
        take = min(left, parts[k])
        parts[k] -= take
        left -= take
    while parts and parts[-1] == 0:
        parts.pop()
    balance = sum(parts)
    out: list[Installment] = []
    for k, part in enumerate(parts):
        # One month's interest on the opening balance, as the schedule computes it.
        interest = build_schedule(balance, annual_rate, 1, INTEREST_ONLY, remaining[k].due_date)[0].interest
        balance -= part
        out.append(Installment(k + 1, remaining[k].due_date, part, interest, part + interest, balance))
    return out
