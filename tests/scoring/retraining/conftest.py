"""Crafted books for retraining tests: loans whose outcome follows their application facts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from peerlend.scoring.facts import ApplicationFacts
from peerlend.scoring.retraining.book import BookLoan, add_months

START = dt.date(2023, 1, 10)


def schedule(disbursed: dt.date, months: int, late_from: int | None = None,
             late_days: int = 120) -> tuple[tuple[dt.date, dt.date | None], ...]:
    """Monthly installments paid on their due date; from installment ``late_from`` on, never paid."""
    out: list[tuple[dt.date, dt.date | None]] = []
    for k in range(1, months + 1):
        due = add_months(disbursed, k)
        out.append((due, None if late_from is not None and k >= late_from else due))
    return tuple(out)


def crafted_facts(rng: random.Random) -> tuple[ApplicationFacts, float]:
    """Random facts and a risk in 0..1 rising with inquiries and loan-to-income."""
    income = rng.randrange(60_000_00, 400_000_00, 1000_00)
    amount = rng.randrange(5_000_00, 120_000_00, 1000_00)
    inq = rng.randrange(0, 6)
    util = rng.randrange(0, 100)
    facts = ApplicationFacts(amount_minor=amount, term_months=12, annual_income_minor=income, employment_years=5,
                             inq_last_6mths=inq, revol_util_pct=None if util < 5 else Decimal(util))
    risk = 0.01 + 0.03 * inq + 0.3 * min(amount / income, 1.0)
    return facts, risk


def crafted_book(n: int = 300, seed: int = 7, start: dt.date = START) -> list[BookLoan]:
    """``n`` loans disbursed two a week from ``start``; the risky ones stop paying at installment 3."""
    rng = random.Random(seed)
    loans = []
    for i in range(n):
        disbursed = start + dt.timedelta(days=3 * i)
        facts, risk = crafted_facts(rng)
        bad = rng.random() < risk
        loans.append(BookLoan(loan_id=i + 1, disbursed_on=disbursed, amount_minor=facts.amount_minor or 0,
                              status="charged_off" if bad else "fully_paid", closed_on=None,
                              facts=facts, installments=schedule(disbursed, 12, 3 if bad else None)))
    return loans
