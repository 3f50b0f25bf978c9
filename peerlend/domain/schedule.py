"""Repayment schedules: monthly periods, 30/360 interest, half-up rounding per installment.

All arithmetic is exact integer arithmetic on the rate's rational value (``Decimal.as_integer_ratio``):
no float and no Decimal context precision limit can change a result, and it is fast.
The last installment absorbs the rounding residue so that principal repaid equals principal lent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

__all__ = [
    "BULLET",
    "EQUAL_INSTALLMENT",
    "EQUAL_PRINCIPAL",
    "INTEREST_ONLY",
    "MAX_TERM_MONTHS",
    "METHODS",
    "Installment",
    "add_months",
    "build_schedule",
    "daily_interest_minor",
    "equal_installment_payment_minor",
]

EQUAL_INSTALLMENT: Final = "equal_installment"  # 等额本息
EQUAL_PRINCIPAL: Final = "equal_principal"  # 等额本金
INTEREST_ONLY: Final = "interest_only"  # 先息后本 (balloon principal in the last period)
BULLET: Final = "bullet"  # 到期还本付息 (one payment at maturity)
METHODS: Final = (EQUAL_INSTALLMENT, EQUAL_PRINCIPAL, INTEREST_ONLY, BULLET)

#: 50 years; longer terms are certainly a data-entry error.
MAX_TERM_MONTHS: Final = 600

_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class Installment:
    """One scheduled payment. Amounts are integer minor units; ``payment == principal + interest``."""

    number: int  # 1-based
    due_date: date
    principal: int
    interest: int
    payment: int
    balance_after: int  # principal still outstanding once this installment is paid


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, clamped to the month end (Jan 31 + 1 -> Feb 28/29).

    Schedules call it with the original start date for every installment, so a clamped month
    does not shift later due dates (Jan 31 -> Feb 28 -> Mar 31).
    """
    carry, month0 = divmod(d.month - 1 + n, 12)
    year = d.year + carry
    month = month0 + 1
    last = _DAYS_IN_MONTH[month0]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    day = d.day
    return date(year, month, day if day <= last else last)


def _rate_ratio(annual_rate: object, *, upper_bound: bool) -> tuple[int, int]:
    """Validate an annual rate and return it as an exact fraction ``(numerator, denominator)``."""
    if isinstance(annual_rate, bool) or not isinstance(annual_rate, Decimal | int):
        raise ValueError(f"annual_rate must be a Decimal such as Decimal('0.12'), not {type(annual_rate).__name__}")
    rate = Decimal(annual_rate)
    if not rate.is_finite():
        raise ValueError("annual_rate must be a finite number")
    if rate < 0:
        raise ValueError("annual_rate must not be negative")
    if upper_bound and rate >= 1:
        raise ValueError("annual_rate must be below 100% (give 12% as Decimal('0.12'))")
    return rate.as_integer_ratio()


def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value


def equal_installment_payment_minor(principal_minor: int, annual_rate: Decimal, term_months: int) -> int:
    """The level monthly payment of an equal-installment (等额本息) loan, rounded half-up to the minor unit.

    ``P * r * (1+r)^n / ((1+r)^n - 1)`` with ``r = annual_rate / 12``; ``P / n`` when the rate is zero.
    """
    principal = _check_positive_int(principal_minor, "principal_minor")
    term = _check_positive_int(term_months, "term_months")
    num, den = _rate_ratio(annual_rate, upper_bound=True)
    return _level_payment(principal, num, den * 12, term)


def _level_payment(principal: int, a: int, d: int, n: int) -> int:
    # Monthly rate r = a / d exactly. Half-up of x/y for x, y > 0 is (2x + y) // 2y.
    if a == 0:
        return (2 * principal + n) // (2 * n)
    growth: int = (d + a) ** n  # (1+r)^n scaled by d^n
    base: int = d**n
    top = principal * a * growth
    bottom = d * (growth - base)
    return (2 * top + bottom) // (2 * bottom)


def build_schedule(
    principal_minor: int,
    annual_rate: Decimal,
    term_months: int,
    method: str,
    start: date,
) -> list[Installment]:
    """Build the repayment schedule of a loan disbursed on ``start``.

    Installment ``k`` is due on ``add_months(start, k)``. Interest is 30/360: each month accrues
    ``annual_rate / 12`` on the opening balance, rounded half-up to the minor unit. Methods:

    * ``equal_installment`` (等额本息): level payment, rounded half-up; the last installment pays the
      remaining balance plus its interest, so it differs from the others by the accumulated rounding residue.
    * ``equal_principal`` (等额本金): principal ``P / n`` rounded half-up each month, interest on the
      declining balance; the last installment takes the remaining principal.
    * ``interest_only`` (先息后本): interest every month, all principal in the last installment.
    * ``bullet`` (到期还本付息): a single installment at maturity with ``P * rate / 12 * n`` interest.

    Raises ``ValueError`` for a non-positive principal or term, a negative rate, a rate of 100 % or more,
    an unknown method or a start that is not a date.
    """
    principal = _check_positive_int(principal_minor, "principal_minor")
    term = _check_positive_int(term_months, "term_months")
    if term > MAX_TERM_MONTHS:
        raise ValueError(f"term_months must be at most {MAX_TERM_MONTHS}")
    num, den = _rate_ratio(annual_rate, upper_bound=True)
    if method not in METHODS:
        raise ValueError(f"unknown schedule method {method!r}; expected one of {', '.join(METHODS)}")
    if isinstance(start, datetime) or not isinstance(start, date):
        raise ValueError("start must be a date (not a datetime)")

    a = num
    d = den * 12  # monthly rate = a / d
    two_d = 2 * d
    out: list[Installment] = []
    append = out.append

    if method == BULLET:
        interest = (2 * principal * a * term + d) // two_d
        return [Installment(1, add_months(start, term), principal, interest, principal + interest, 0)]

    # Equal installment: principal = level payment - interest; otherwise a fixed principal part per month.
    level = method == EQUAL_INSTALLMENT
    if level:
        payment = _level_payment(principal, a, d, term)
        fixed_part = 0
    elif method == EQUAL_PRINCIPAL:
        payment = 0
        fixed_part = (2 * principal + term) // (2 * term)
    else:  # interest only
        payment = 0
        fixed_part = 0

    due = _due_dates(start, term)
    balance = principal
    for k in range(1, term):
        interest = (2 * balance * a + d) // two_d
        # Never negative for equal installments: the opening balance never exceeds P, so
        # interest <= round(P*r) <= payment.
        part = payment - interest if level else fixed_part
        if part > balance:
            # Rounding up can repay a tiny loan before its last month; never overshoot the balance.
            part = balance
        balance -= part
        append(Installment(k, due[k - 1], part, interest, part + interest, balance))
    # The last installment takes whatever principal is left: the rounding residue ends here.
    interest = (2 * balance * a + d) // two_d
    append(Installment(term, due[term - 1], balance, interest, balance + interest, 0))
    return out


def _due_dates(start: date, term: int) -> list[date]:
    """``[add_months(start, k) for k in 1..term]``, walked month by month for speed."""
    day = start.day
    year = start.year
    month = start.month
    out: list[date] = []
    for _ in range(term):
        if month == 12:
            month = 1
            year += 1
        else:
            month += 1
        if day <= 28:
            out.append(date(year, month, day))
        else:
            last = _DAYS_IN_MONTH[month - 1]
            if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
                last = 29
            out.append(date(year, month, day if day <= last else last))
    return out


def daily_interest_minor(principal_minor: int, annual_rate: Decimal, days: int) -> int:
    """Interest for ``days`` days on ``principal_minor`` at ``annual_rate``, actual/365, rounded half-up.

    Used for penalty interest and prepayment accrual. Penalty rates may exceed 100 % a year,
    so only negative rates are refused.
    """
    if isinstance(principal_minor, bool) or not isinstance(principal_minor, int):
        raise ValueError("principal_minor must be an integer")
    if principal_minor < 0:
        raise ValueError("principal_minor must not be negative")
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValueError("days must be an integer")
    if days < 0:
        raise ValueError("days must not be negative")
    num, den = _rate_ratio(annual_rate, upper_bound=False)
    bottom = den * 365
    return (2 * principal_minor * num * days + bottom) // (2 * bottom)
