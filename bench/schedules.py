"""Schedules per second: peerlend's exact build_schedule vs numpy-financial's vectorised pmt/ipmt/ppmt.

Both sides build N equal-installment schedules (default 100,000 loans, 36 months) with per-installment
half-up rounding to the minor unit and the last installment absorbing the principal residue. The numpy
side is float arithmetic on whole arrays; build_schedule is exact integer arithmetic, one loan at a time.
A third side, peerlend's build_schedules (domain/schedule_fast.py), runs build_schedule's integer
recurrence on whole arrays. After timing, the script reports how often they agree: numpy-financial
with build_schedule on payment, interest and principal, and build_schedules with build_schedule on
every field of every installment (number, due date, principal, interest, payment, balance after).

    .venv/bin/python bench/schedules.py            # 100k loans
    .venv/bin/python bench/schedules.py --n 10000  # quicker
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from decimal import Decimal

import numpy as np
import numpy_financial as npf

from peerlend.domain.schedule import Installment, build_schedule
from peerlend.domain.schedule_fast import ScheduleArrays, build_schedules

START = date(2024, 1, 31)


def make_loans(n: int, seed: int) -> tuple[list[int], list[Decimal]]:
    rng = random.Random(seed)
    principals = [rng.randrange(100_000, 20_000_001) for _ in range(n)]  # 1,000.00 .. 200,000.00 CNY
    rates = [Decimal(rng.randrange(500, 2400)) / Decimal(10_000) for _ in range(n)]  # 5.00 % .. 23.99 %
    return principals, rates


def bench_domain(principals: list[int], rates: list[Decimal], term: int) -> tuple[float, list[list[Installment]]]:
    started = time.perf_counter()
    schedules = [build_schedule(p, r, term, "equal_installment", START) for p, r in zip(principals, rates, strict=True)]
    return time.perf_counter() - started, schedules


def bench_numpy(principals: list[int], rates: list[Decimal], term: int) -> tuple[float, dict[str, np.ndarray]]:
    # Conversion to arrays is part of the work a caller would do, so it is timed too.
    started = time.perf_counter()
    pv = np.asarray(principals, dtype=np.float64)[:, None]
    monthly = (np.asarray([float(r) for r in rates], dtype=np.float64) / 12.0)[:, None]
    per = np.arange(1, term + 1, dtype=np.float64)[None, :]
    payment = -npf.pmt(monthly, term, pv)
    interest = -npf.ipmt(monthly, per, term, pv)
    principal = -npf.ppmt(monthly, per, term, pv)
    # Half-up to the minor unit per installment (all values are positive here).
    payment_minor = np.floor(payment[:, 0] + 0.5).astype(np.int64)
    interest_minor = np.floor(interest + 0.5).astype(np.int64)
    principal_minor = np.floor(principal + 0.5).astype(np.int64)
    # The last installment absorbs the residue so principal sums exactly to the loan.
    principal_minor[:, -1] = pv[:, 0].astype(np.int64) - principal_minor[:, :-1].sum(axis=1)
    balance_after = pv.astype(np.int64) - np.cumsum(principal_minor, axis=1)
    elapsed = time.perf_counter() - started
    return elapsed, {
        "payment": payment_minor,
        "interest": interest_minor,
        "principal": principal_minor,
        "balance_after": balance_after,
    }


def bench_fast(principals: list[int], rates: list[Decimal], term: int) -> tuple[float, ScheduleArrays]:
    # Same inputs as the other two sides (Python ints and Decimals); conversion is timed.
    started = time.perf_counter()
    arrays = build_schedules(principals, rates, term, "equal_installment", START)
    return time.perf_counter() - started, arrays


def cells_equal(schedules: list[list[Installment]], fast: ScheduleArrays, term: int) -> int:
    """Installments on which build_schedules equals build_schedule in every field."""
    n = len(schedules)
    if len(fast.principal) != n * term:
        return 0
    equal = np.ones(n * term, dtype=bool)
    flat = [i for s in schedules for i in s]
    if len(flat) != n * term:
        return 0
    for field, ours in (
        ("number", fast.number),
        ("principal", fast.principal),
        ("interest", fast.interest),
        ("payment", fast.payment),
        ("balance_after", fast.balance_after),
    ):
        equal &= np.fromiter((getattr(i, field) for i in flat), dtype=np.int64, count=n * term) == ours
    equal &= np.array([i.due_date for i in flat], dtype="datetime64[D]") == fast.due_date
    return int(equal.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="number of loans (default 100000)")
    parser.add_argument("--term", type=int, default=36, help="months per loan (default 36)")
    parser.add_argument("--seed", type=int, default=20240131)
    args = parser.parse_args()

    principals, rates = make_loans(args.n, args.seed)
    dom_seconds, schedules = bench_domain(principals, rates, args.term)
    np_seconds, arrays = bench_numpy(principals, rates, args.term)
    fast_seconds, fast = bench_fast(principals, rates, args.term)

    n, term = args.n, args.term
    print(f"{n:,} equal-installment schedules x {term} months ({n * term:,} installments)")
    print(f"{'implementation':<46}{'seconds':>10}{'schedules/s':>14}{'installments/s':>17}")
    for name, seconds in (
        ("peerlend build_schedule (exact integer)", dom_seconds),
        ("numpy-financial pmt+ipmt+ppmt (float, vector)", np_seconds),
        ("peerlend build_schedules (exact int, vector)", fast_seconds),
    ):
        print(f"{name:<46}{seconds:>10.3f}{n / seconds:>14,.0f}{n * term / seconds:>17,.0f}")

    # Agreement: the level payment should match to the minor unit; per-installment interest differs where
    # numpy computes it on the unrounded balance while a real schedule accrues on the rounded one.
    ours_payment = np.asarray([s[0].payment for s in schedules], dtype=np.int64)
    ours_interest = np.asarray([[i.interest for i in s] for s in schedules], dtype=np.int64)
    ours_principal = np.asarray([[i.principal for i in s] for s in schedules], dtype=np.int64)
    payment_equal = int((ours_payment == arrays["payment"]).sum())
    interest_equal = int((ours_interest == arrays["interest"]).sum())
    principal_equal = int((ours_principal == arrays["principal"]).sum())
    sums_ok = all(sum(i.principal for i in s) == p for s, p in zip(schedules, principals, strict=True))
    print(f"level payment equal to the minor unit: {payment_equal:,}/{n:,}")
    print(f"installment interest equal: {interest_equal:,}/{n * term:,}")
    print(f"installment principal equal: {principal_equal:,}/{n * term:,}")
    print(f"build_schedule principal sums exactly to the loan in every schedule: {sums_ok}")
    print(f"speed ratio numpy/build_schedule: {dom_seconds / np_seconds:.1f}x")
    print(f"equal to build_schedule: {cells_equal(schedules, fast, term):,}/{n * term:,}")
    print(f"speed ratio build_schedules/numpy-financial: {np_seconds / fast_seconds:.2f}x (goal >= 1x)")


if __name__ == "__main__":
    main()
