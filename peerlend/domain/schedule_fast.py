"""Many repayment schedules at once, equal on every cell to :func:`peerlend.domain.schedule.build_schedule`.

``build_schedule`` walks one loan at a time in Python integers. Here the same recurrence runs on whole
columns of loans: numpy ``int64`` arrays, one vector step per month, with the identical integer formulas
(half-up of ``x / y`` is ``(2x + y) // 2y``; the last installment takes the remaining principal; a part
never exceeds the balance). No amount is computed in float: the rates are exact fractions ``a / d`` from
``Decimal.as_integer_ratio`` and every division is an integer floor division, so the result is the
same cell by cell (tests/domain/test_schedule_fast.py checks it against ``build_schedule``).

Where numpy comes in: the domain stays free of Django and I/O; numpy is a runtime dependency of the
project (pyproject ``dependencies``) and ships its own type stubs, so this module is checked by mypy
strict like the rest of the domain. ``schedule.py`` itself does not import numpy: a single loan
(disbursement, the loan page preview, quotes) keeps the plain-Python path.

Ranges: principals ``1 .. MAX_AMOUNT_MINOR`` (10**13 minor units, the ceiling of every amount) so that
every output fits ``int64``; the other inputs as ``build_schedule`` (terms ``1 .. MAX_TERM_MONTHS``,
rates ``0 <= rate < 1``, the four methods, start dates, due dates before the year 10000).
Loans whose intermediate products could pass ``2**61`` (a rate with many digits on a large principal;
a float estimate decides, with a wide margin) are computed on Python integers instead (``dtype=object``).
The level payment of an equal-installment loan is always computed on Python integers, once per loan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from peerlend.domain.money import MAX_AMOUNT_MINOR
from peerlend.domain.schedule import (
    BULLET,
    EQUAL_INSTALLMENT,
    EQUAL_PRINCIPAL,
    MAX_TERM_MONTHS,
    METHODS,
    Installment,
    _rate_ratio,
)

__all__ = ["ScheduleArrays", "build_schedules"]

Int64Array = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]

# Products below this stay exact in int64 with room for the "+ d" and the doubling.
_INT64_SAFE: Final = 2**62
_LAST_DUE_MONTH: Final = np.datetime64("9999-12", "M")
_BLOCK: Final = 4096


@dataclass(frozen=True, slots=True)
class ScheduleArrays:
    """The installments of many loans, flat and loan by loan: loan ``i`` owns rows ``offsets[i]:offsets[i+1]``.

    Each row is one :class:`~peerlend.domain.schedule.Installment` of that loan, in order; amounts are
    ``int64`` minor units and ``due_date`` is ``datetime64[D]``.
    """

    offsets: Int64Array
    number: Int64Array
    due_date: DateArray
    principal: Int64Array
    interest: Int64Array
    payment: Int64Array
    balance_after: Int64Array

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def installments(self, i: int) -> list[Installment]:
        """Loan ``i``'s schedule as ``build_schedule`` returns it."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        return [
            Installment(n, d, p, it, pay, bal)
            for n, d, p, it, pay, bal in zip(
                self.number[lo:hi].tolist(),
                self.due_date[lo:hi].tolist(),
                self.principal[lo:hi].tolist(),
                self.interest[lo:hi].tolist(),
                self.payment[lo:hi].tolist(),
                self.balance_after[lo:hi].tolist(),
                strict=True,
            )
        ]


def build_schedules(
    principals: Sequence[int] | Int64Array,
    annual_rates: Sequence[Decimal | int],
    term_months: int | Sequence[int] | Int64Array,
    methods: str | Sequence[str],
    starts: date | Sequence[date],
) -> ScheduleArrays:
    """The schedules ``[build_schedule(p, r, t, m, s) for each loan]``, as flat arrays.

    ``term_months``, ``methods`` and ``starts`` are either one value for every loan or one per loan.
    Raises ``ValueError`` for the inputs ``build_schedule`` refuses, and for a principal above
    ``MAX_AMOUNT_MINOR`` (see the module docstring for the ranges).
    """
    principal = _principals(principals)
    n = len(principal)
    rate_code, rate_num, rate_den = _rates(annual_rates, n)
    terms = _terms(term_months, n)
    method_code = _methods(methods, n)
    start = _starts(starts, n)
    if n and (start.astype("datetime64[M]") + terms).max() > _LAST_DUE_MONTH:
        raise ValueError("a due date would fall after the year 9999")

    bullet = method_code == METHODS.index(BULLET)
    rows = np.where(bullet, 1, terms)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(rows, out=offsets[1:])
    total = int(offsets[-1])

    # Whether 2 * P * a * (term for a bullet, else 1) + d can leave int64: such loans use Python integers.
    a_f = np.array([float(x) if x < _INT64_SAFE else np.inf for x in rate_num])
    d_f = np.array([float(x) if x < _INT64_SAFE else np.inf for x in rate_den])
    reach = 2.0 * principal.astype(np.float64) * a_f[rate_code] * np.where(bullet, terms, 1) + d_f[rate_code]
    wide = reach >= _INT64_SAFE / 2  # 2**61: a factor 4 below int64's limit, far beyond the estimate's float error

    # One vector recurrence per (method, term, width) group of loans.
    key = (method_code.astype(np.int64) * (MAX_TERM_MONTHS + 1) + terms) * 2 + wide
    groups = np.unique(key).tolist()
    names = ("principal", "interest", "balance_after", "due_date")
    flat: dict[str, Any] = {}
    if len(groups) > 1:
        flat = {name: np.empty(total, dtype=np.int64) for name in names[:3]}
        flat["due_date"] = np.empty(total, dtype="datetime64[D]")
        flat["number"] = np.empty(total, dtype=np.int64)
    for g in groups:
        idx = np.arange(n) if len(groups) == 1 else np.flatnonzero(key == g)
        method = METHODS[g // 2 // (MAX_TERM_MONTHS + 1)]
        term = g // 2 % (MAX_TERM_MONTHS + 1)
        dtype: Any = object if g % 2 else np.int64
        p = principal[idx]
        codes = rate_code[idx]
        a = _lookup(rate_num, codes, dtype)
        d = _lookup(rate_den, codes, dtype)
        if method == BULLET:
            cols = (*_bullet(p.astype(dtype), a, d, term), _due_dates(start[idx], term, term))
        else:
            amounts = _amortise(p, a, d, term, method, codes, rate_num, rate_den, dtype)
            cols = (*amounts, _due_dates(start[idx], 1, term))
        width = cols[0].shape[1]
        number = np.tile(np.arange(1, width + 1, dtype=np.int64), len(idx))
        if len(groups) == 1:  # the usual case: the (loans, installments) arrays are already the flat rows
            flat = {name: col.reshape(-1) for name, col in zip(names, cols, strict=True)}
            flat["number"] = number
        else:
            at = (offsets[idx][:, None] + np.arange(width)[None, :]).reshape(-1)
            for name, col in zip(names, cols, strict=True):
                flat[name][at] = col.reshape(-1)
            flat["number"][at] = number
    if not groups:
        flat = {name: np.empty(0, dtype=np.int64) for name in ("number", *names[:3])}
        flat["due_date"] = np.empty(0, dtype="datetime64[D]")
    return ScheduleArrays(offsets=offsets, payment=flat["principal"] + flat["interest"], **flat)


# --- the recurrences (arrays are (loans, installments), filled one installment column at a time) --


def _amortise(
    p: Int64Array, a: Any, d: Any, term: int, method: str, codes: Int64Array,
    rate_num: list[int], rate_den: list[int], dtype: Any,
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Principal, interest and balance after each installment, exactly as build_schedule's loop."""
    loans = len(p)
    level = method == EQUAL_INSTALLMENT
    if level:
        step: Any = _level_payments(p, codes, rate_num, rate_den, term).astype(dtype)
    elif method == EQUAL_PRINCIPAL:
        step = (2 * p.astype(dtype) + term) // (2 * term)
    else:  # interest only
        step = np.zeros(loans, dtype=dtype)
    principal = np.empty((loans, term), dtype=dtype)
    interest = np.empty((loans, term), dtype=dtype)
    after = np.empty((loans, term), dtype=dtype)
    # Blocks of loans small enough that a block's rows stay in the processor cache while its
    # installments are filled in column by column.
    for lo in range(0, loans, _BLOCK):
        hi = min(lo + _BLOCK, loans)
        _amortise_block(p[lo:hi].astype(dtype), 2 * a[lo:hi], d[lo:hi], step[lo:hi], level, term,
                        principal[lo:hi], interest[lo:hi], after[lo:hi])
    if dtype is object:
        return principal.astype(np.int64), interest.astype(np.int64), after.astype(np.int64)
    return principal, interest, after


def _amortise_block(balance: Any, a2: Any, d: Any, step: Any, level: bool, term: int,
                    principal: Any, interest: Any, after: Any) -> None:
    two_d = 2 * d
    for k in range(term - 1):
        accrued = (balance * a2 + d) // two_d  # half-up of balance * a / d
        part = np.minimum(step - accrued if level else step, balance)
        balance = balance - part
        principal[:, k] = part
        interest[:, k] = accrued
        after[:, k] = balance
    # The last installment takes whatever principal is left: the rounding residue ends here.
    interest[:, term - 1] = (balance * a2 + d) // two_d
    principal[:, term - 1] = balance
    after[:, term - 1] = 0


def _bullet(p: Any, a: Any, d: Any, term: int) -> tuple[Any, Any, Any]:
    interest = (2 * p * a * term + d) // (2 * d)
    cols = (p[:, None], interest[:, None], np.zeros((len(p), 1), dtype=np.int64))
    return tuple(c.astype(np.int64) for c in cols)  # type: ignore[return-value]


def _level_payments(p: Int64Array, codes: Int64Array, rate_num: list[int], rate_den: list[int], term: int
                    ) -> Int64Array:
    """``schedule._level_payment`` for each loan: one exact fraction per rate, one division per loan."""
    # payment = half-up(P * top / bottom) = (2 * P * top + bottom) // (2 * bottom), top/bottom per rate.
    fractions: dict[int, tuple[int, int, int]] = {}
    for c in np.unique(codes).tolist():
        a, d = rate_num[c], rate_den[c]
        if a == 0:
            fractions[c] = (0, 0, 0)
            continue
        growth = (d + a) ** term
        top = a * growth
        bottom = d * (growth - d**term)
        fractions[c] = (2 * top, bottom, 2 * bottom)
    zero_rate = (2 * p + term) // (2 * term)
    out = np.empty(len(p), dtype=np.int64)
    out[:] = [
        (p2 * f[0] + f[1]) // f[2] if f[0] else z
        for p2, f, z in zip(p.tolist(), map(fractions.__getitem__, codes.tolist()), zero_rate.tolist(), strict=True)
    ]
    return out


def _due_dates(start: DateArray, first: int, last: int) -> DateArray:
    """``add_months(start, k)`` for k = first..last, shape (loans, k): computed once per distinct start."""
    distinct, inverse = np.unique(start, return_inverse=True)
    month0 = distinct.astype("datetime64[M]")
    day = (distinct - month0.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    months = month0[:, None] + np.arange(first, last + 1)[None, :]
    month_start = months.astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[D]") - month_start).astype(np.int64)
    table: DateArray = month_start + np.minimum(day[:, None], length - 1)  # clamped to the month's end
    return table[inverse.reshape(-1)]


# --- input checks (the messages of build_schedule) ------------------------------------------------


def _principals(principals: Sequence[int] | Int64Array) -> Int64Array:
    if isinstance(principals, np.ndarray):
        if principals.dtype.kind not in "iu":
            raise ValueError("principal_minor must be an integer")
        values = principals.astype(np.int64)
    else:
        _check_int_types(principals, "principal_minor")
        try:
            values = np.asarray(principals, dtype=np.int64).reshape(-1)
        except OverflowError:
            raise ValueError(f"principal_minor must be at most {MAX_AMOUNT_MINOR}") from None
    if values.size and values.min() <= 0:
        raise ValueError("principal_minor must be positive")
    if values.size and values.max() > MAX_AMOUNT_MINOR:
        raise ValueError(f"principal_minor must be at most {MAX_AMOUNT_MINOR}")
    return values


def _rates(rates: Sequence[Decimal | int], n: int) -> tuple[Int64Array, list[int], list[int]]:
    """A code per loan into the distinct rates, and each distinct rate's monthly ``a / d``."""
    if len(rates) != n:
        raise ValueError("one annual rate per principal is needed")
    position: dict[object, int] = {}
    num: list[int] = []
    den: list[int] = []
    # Types first: a set would merge 0.0 or False into an equal Decimal and let them through.
    for t in set(map(type, rates)):
        if issubclass(t, bool) or not issubclass(t, Decimal | int):
            raise ValueError(f"annual_rate must be a Decimal such as Decimal('0.12'), not {t.__name__}")
    try:
        distinct = set(rates)
    except TypeError:  # a signalling NaN cannot be hashed
        raise ValueError("annual_rate must be a finite number") from None
    for r in distinct:
        ratio = _rate_ratio(r, upper_bound=True)
        position[r] = len(num)
        num.append(ratio[0])
        den.append(ratio[1] * 12)
    codes = np.fromiter(map(position.__getitem__, rates), dtype=np.int64, count=n)
    return codes, num, den


def _terms(terms: int | Sequence[int] | Int64Array, n: int) -> Int64Array:
    if isinstance(terms, np.ndarray):
        if terms.dtype.kind not in "iu":
            raise ValueError("term_months must be an integer")
        values = terms.astype(np.int64)
    elif isinstance(terms, int) and not isinstance(terms, bool):
        values = np.full(n, terms, dtype=np.int64)
    elif isinstance(terms, Sequence):
        _check_int_types(terms, "term_months")
        try:
            values = np.asarray(terms, dtype=np.int64)
        except OverflowError:
            raise ValueError(f"term_months must be at most {MAX_TERM_MONTHS}") from None
    else:
        raise ValueError("term_months must be an integer")
    if values.shape != (n,):
        raise ValueError("one term per principal is needed")
    if n and (values.min() <= 0 or values.max() > MAX_TERM_MONTHS):
        raise ValueError(f"term_months must be positive and at most {MAX_TERM_MONTHS}")
    return values


def _methods(methods: str | Sequence[str], n: int) -> npt.NDArray[np.int8]:
    names = [methods] if isinstance(methods, str) else list(methods)
    for m in set(names):
        if m not in METHODS:
            raise ValueError(f"unknown schedule method {m!r}; expected one of {', '.join(METHODS)}")
    if isinstance(methods, str):
        return np.full(n, METHODS.index(methods), dtype=np.int8)
    if len(names) != n:
        raise ValueError("one method per principal is needed")
    code = {m: METHODS.index(m) for m in METHODS}
    return np.fromiter(map(code.__getitem__, names), dtype=np.int8, count=n)


def _starts(starts: date | Sequence[date], n: int) -> DateArray:
    values = [starts] if isinstance(starts, date) else list(starts)
    for t in set(map(type, values)):
        if issubclass(t, datetime) or not issubclass(t, date):
            raise ValueError("start must be a date (not a datetime)")
    if not isinstance(starts, date) and len(values) != n:
        raise ValueError("one start date per principal is needed")
    array = np.array(values, dtype="datetime64[D]")
    return np.broadcast_to(array, (n,)) if isinstance(starts, date) else array


def _check_int_types(values: Sequence[Any], name: str) -> None:
    for t in set(map(type, values)):
        if issubclass(t, bool) or not issubclass(t, int):
            raise ValueError(f"{name} must be an integer")


def _lookup(values: list[int], codes: Int64Array, dtype: Any) -> Any:
    if dtype is object:
        table = np.empty(len(values), dtype=object)
        table[:] = values
        return table[codes]
    return np.array([v if v < _INT64_SAFE else 0 for v in values], dtype=np.int64)[codes]
