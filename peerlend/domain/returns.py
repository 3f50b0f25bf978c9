"""Investor return measures: XIRR of dated cash flows and Lending Club style net annualized return (NAR)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Final

__all__ = ["NoteMonth", "net_annualized_return", "xirr"]

# Rates are reported to 1e-10 (a hundred-millionth of a percent): far below anything shown to users.
_QUANTUM: Final = Decimal("1e-10")
_NEWTON_GUESS: Final = 0.1
_MAX_NEWTON_STEPS: Final = 60
# Bracket candidates for the bisection fallback, spanning total loss to absurd gains.
_GRID: Final = (
    -0.999999999,
    -0.99,
    -0.9,
    -0.5,
    -0.2,
    0.0,
    0.05,
    0.1,
    0.2,
    0.5,
    1.0,
    2.0,
    5.0,
    10.0,
    100.0,
    1e3,
    1e4,
    1e6,
    1e9,
    1e15,
    1e30,
    1e60,
    1e120,
    1e240,
    1e300,
)


def _npv_terms(rate: float, times: Sequence[float], amounts: Sequence[int]) -> tuple[float, float]:
    """NPV at ``rate`` and its derivative; discount factors via exp/log1p so extreme rates saturate to inf."""
    log_growth = math.log1p(rate)
    npv = 0.0
    slope = 0.0
    for t, c in zip(times, amounts, strict=True):
        exponent = -t * log_growth
        factor = math.exp(exponent) if exponent < 700.0 else math.inf
        npv += c * factor
        slope -= t * c * factor / (1.0 + rate)
    return npv, slope


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def xirr(cashflows: Sequence[tuple[date, int]]) -> Decimal:
    """Annual internal rate of return of irregularly dated cash flows (actual/365, like spreadsheet XIRR).

    ``cashflows`` are ``(date, amount_minor)`` pairs, investments negative and receipts positive, in any
    order. Returns the rate ``r`` with ``sum(amount / (1 + r) ** (days_since_first / 365)) == 0`` as a
    ``Decimal`` rounded to 10 places. Newton's method is tried first; if it fails to converge or leaves
    the domain ``r > -1``, a bracketing bisection finds the root. Raises ``ValueError`` when there is no
    sign change among the amounts, when all flows share one date, or when no rate solves the equation.
    """
    if len(cashflows) == 0:
        raise ValueError("xirr needs at least one cash flow")
    amounts: list[int] = []
    ordinals: list[int] = []
    for item in cashflows:
        when, amount = item
        if not isinstance(when, date):
            raise ValueError("each cash flow date must be a date")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError("each cash flow amount must be an integer number of minor units")
        ordinals.append(when.toordinal())
        amounts.append(amount)
    if not (any(a > 0 for a in amounts) and any(a < 0 for a in amounts)):
        raise ValueError("xirr needs at least one negative and one positive cash flow (no sign change)")
    first = min(ordinals)
    times = [(o - first) / 365.0 for o in ordinals]
    if all(t == 0 for t in times):
        raise ValueError("xirr needs cash flows on at least two different dates")
    scale = float(sum(abs(a) for a in amounts))
    tolerance = 1e-10 * scale

    rate = _newton(times, amounts, tolerance)
    if rate is None:
        rate = _bisect(times, amounts)
    with localcontext() as ctx:
        ctx.prec = 400  # absurd rates (1e300) still quantize exactly
        return Decimal(rate).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN) + 0


def _newton(times: Sequence[float], amounts: Sequence[int], tolerance: float) -> float | None:
    rate = _NEWTON_GUESS
    for _ in range(_MAX_NEWTON_STEPS):
        npv, slope = _npv_terms(rate, times, amounts)
        if not (math.isfinite(npv) and math.isfinite(slope)) or slope == 0.0:
            return None
        step = npv / slope
        rate -= step
        if not math.isfinite(rate) or rate <= -1.0:
            return None
        if abs(step) < 1e-13 * max(1.0, abs(rate)):
            final, _slope = _npv_terms(rate, times, amounts)
            return rate if abs(final) <= tolerance else None
    return None


def _limit_sign_near_total_loss(times: Sequence[float], amounts: Sequence[int]) -> int:
    """Sign of the NPV as the rate tends to -1: the latest date with a non-zero net amount dominates."""
    net_by_time: dict[float, int] = {}
    for t, c in zip(times, amounts, strict=True):
        net_by_time[t] = net_by_time.get(t, 0) + c
    for t in sorted(net_by_time, reverse=True):
        if net_by_time[t]:
            return _sign(net_by_time[t])
    return 0


def _limit_sign_at_infinity(times: Sequence[float], amounts: Sequence[int]) -> int:
    """Sign of the NPV as the rate grows without bound: only the first date's flows remain."""
    return _sign(sum(c for t, c in zip(times, amounts, strict=True) if t == 0))


def _bisect(times: Sequence[float], amounts: Sequence[int]) -> float:
    values = [(r, _npv_terms(r, times, amounts)[0]) for r in _GRID]
    bracket: tuple[float, float, float] | None = None
    for (lo, f_lo), (hi, f_hi) in itertools.pairwise(values):
        if f_lo == 0.0:
            return lo
        if _sign(f_lo) * _sign(f_hi) < 0:
            bracket = (lo, f_lo, hi)
            break
    if bracket is None:
        if _sign(values[0][1]) != _limit_sign_near_total_loss(times, amounts):
            # The root lies within 1e-9 of -1 (almost everything lost): report -100 %.
            return -1.0
        if _sign(values[-1][1]) != _limit_sign_at_infinity(times, amounts):
            raise ValueError("xirr is out of range (above 1e300 a year)")
        raise ValueError("xirr has no solution for these cash flows")
    lo, f_lo, hi = bracket
    for _ in range(2000):
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):  # interval exhausted at float resolution
            break
        f_mid = _npv_terms(mid, times, amounts)[0]
        if f_mid == 0.0:
            return mid
        if _sign(f_mid) == _sign(f_lo):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2.0


@dataclass(frozen=True, slots=True)
class NoteMonth:
    """One note's figures for one monthly payment period, in minor units.

    ``principal_outstanding_minor`` is the note's principal at the start of the period (LC uses the
    outstanding principal of the period; for a note bought mid-month pass the average daily balance).
    ``charge_offs_minor`` is the principal charged off in the period; ``recoveries_minor`` is money
    recovered on charged-off notes net of collection fees; ``late_fees_minor`` counts as income.
    """

    principal_outstanding_minor: int
    interest_received_minor: int
    service_fees_minor: int = 0
    charge_offs_minor: int = 0
    late_fees_minor: int = 0
    recoveries_minor: int = 0

    def __post_init__(self) -> None:
        for name in (
            "principal_outstanding_minor",
            "interest_received_minor",
            "service_fees_minor",
            "charge_offs_minor",
            "late_fees_minor",
            "recoveries_minor",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer")
            if value < 0:
                raise ValueError(f"{name} must not be negative")

    @property
    def net_income_minor(self) -> int:
        return (
            self.interest_received_minor
            + self.late_fees_minor
            - self.service_fees_minor
            - self.charge_offs_minor
            + self.recoveries_minor
        )


def net_annualized_return(months: Iterable[NoteMonth]) -> Decimal:
    """Net annualized return (NAR) as Lending Club defines it, over any set of notes and months.

    For every note and monthly period the numerator is interest received + late fees − service fees
    − principal charged off + recoveries (net of fees); the denominator is the principal outstanding
    in that period. The dollar-weighted average monthly return is the sum of numerators over the sum
    of denominators, and it is annualized by compounding monthly::

        NAR = (1 + Σ(interest + late fees − service fees − charge-offs + recoveries)
                   / Σ principal outstanding) ** 12 − 1

    Returned as a ``Decimal`` fraction (``Decimal("0.0812")`` is 8.12 %) rounded to 10 places; a
    loss wiping out more than all principal is reported as −1 (total loss). Raises ``ValueError``
    when there is no outstanding principal at all (NAR undefined, LC shows "New").
    """
    income = 0
    outstanding = 0
    for month in months:
        if not isinstance(month, NoteMonth):
            raise ValueError("net_annualized_return takes NoteMonth records")
        income += month.net_income_minor
        outstanding += month.principal_outstanding_minor
    if outstanding == 0:
        raise ValueError("no outstanding principal: net annualized return is undefined")
    with localcontext() as ctx:
        ctx.prec = 50
        base = 1 + Decimal(income) / Decimal(outstanding)
        if base <= 0:
            return Decimal(-1)
        result = base**12 - 1
        return result.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN) + 0
