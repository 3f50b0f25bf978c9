"""Builders for credit-limit and platform-history tests: borrowers with a crafted record on the platform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.clock import set_business_date
from peerlend.lending import services
from peerlend.lending.models import Loan
from peerlend.servicing.models import Installment
from tests.factories import make_user

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def business_day(db: None) -> dt.date:
    set_business_date(TODAY)
    return TODAY


def application(**overrides: Any) -> services.ApplicationInput:
    values: dict[str, Any] = {
        "amount_minor": 10_000_00, "term_months": 12, "repayment_method": "equal_installment",
        "purpose": "debt_consolidation", "annual_income_minor": 180_000_00, "employment_years": 6,
        "housing": "rent", "revol_util_pct": None,
    }
    values.update(overrides)
    return services.ApplicationInput(**values)


def borrower() -> User:
    return make_user(roles=("borrower",))


def past_loan(user: User, *, status: str = "fully_paid", disbursed_on: dt.date = dt.date(2025, 1, 10),
              installments: Sequence[tuple[dt.date, dt.date | None]] = (), amount_minor: int = 12_000_00,
              outstanding_minor: int = 0) -> Loan:
    """A loan of ``user``'s written straight into its tables; ``installments`` are (due date, paid on or None)."""
    loan = Loan.objects.create(
        borrower=user, channel="online", amount_minor=amount_minor, term_months=12,
        repayment_method="equal_installment", purpose="debt_consolidation", title="earlier loan",
        annual_income_minor=180_000_00, status=status, submitted_on=disbursed_on, disbursed_on=disbursed_on,
        principal_outstanding_minor=outstanding_minor)
    for number, (due, paid) in enumerate(installments, start=1):
        Installment.objects.create(loan=loan, number=number, due_date=due, principal_minor=1_000_00,
                                   interest_minor=100_00, status="paid" if paid else "overdue", paid_on=paid)
    return loan


def monthly(start: dt.date, count: int, late_days: int = 0) -> list[tuple[dt.date, dt.date | None]]:
    """``count`` monthly installments from ``start``, each paid ``late_days`` after its due date."""
    out = []
    for i in range(count):
        month = start.month - 1 + i
        due = dt.date(start.year + month // 12, month % 12 + 1, start.day)
        out.append((due, due + dt.timedelta(days=late_days)))
    return out
