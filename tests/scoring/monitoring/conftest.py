"""Crafted applications for model monitoring: loans written straight into their tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from peerlend.accounts.models import ServicePoint, User
from peerlend.clock import set_business_date
from peerlend.lending.models import Loan, ReviewDecision
from peerlend.servicing.models import Installment
from tests.factories import make_service_point, make_staff, make_user

TODAY = dt.date(2026, 6, 15)  # latest complete month: 2026-05
VERSION = "test-monitor-v1"


@pytest.fixture(autouse=True)
def business_day(db: None) -> dt.date:
    set_business_date(TODAY)
    return TODAY


@pytest.fixture
def borrower(db: None) -> User:
    return make_user(roles=("borrower",))


@pytest.fixture
def officer(db: None) -> User:
    return make_staff("risk_officer")


@pytest.fixture
def point(db: None) -> ServicePoint:
    return make_service_point()


def loan(borrower: User, *, submitted_on: dt.date, pd: str | None = "0.05", grade: str = "B1",
         status: str = "under_review", channel: str = "online", service_point: ServicePoint | None = None,
         version: str = VERSION, **extra: Any) -> Loan:
    values: dict[str, Any] = {
        "borrower": borrower, "channel": channel, "service_point": service_point, "amount_minor": 10_000_00,
        "term_months": 12, "repayment_method": "equal_installment", "purpose": "debt_consolidation",
        "title": "crafted", "annual_income_minor": 180_000_00, "employment_years": 5, "inq_last_6mths": 1,
        "status": status, "submitted_on": submitted_on, "pd": None if pd is None else Decimal(pd),
        "grade": grade if pd is not None else "", "model_version": version if pd is not None else "",
    }
    values.update(extra)
    return Loan.objects.create(**values)


def decide(officer: User, target: Loan, decision: str) -> None:
    ReviewDecision.objects.create(loan=target, officer=officer, decision=decision, reason="crafted")


def installment(target: Loan, number: int, due: dt.date, paid_on: dt.date | None) -> None:
    Installment.objects.create(loan=target, number=number, due_date=due, principal_minor=800_00,
                               interest_minor=80_00, status="paid" if paid_on else "overdue", paid_on=paid_on)


def population(borrower: User, month: dt.date, n: int = 50, *, pd_shift: Decimal = Decimal(0),
               **extra: Any) -> None:
    """``n`` scored applications in ``month`` with PDs spread 0.01..0.10 (shifted by ``pd_shift``)."""
    rows = []
    for i in range(n):
        pd = Decimal("0.01") + Decimal(i % 10) / 100 + pd_shift
        rows.append(Loan(borrower=borrower, channel="online", amount_minor=10_000_00, term_months=12,
                         repayment_method="equal_installment", purpose="debt_consolidation", title="crafted",
                         annual_income_minor=180_000_00, employment_years=i % 10, inq_last_6mths=i % 3,
                         status="under_review", submitted_on=month.replace(day=1 + i % 28), pd=pd,
                         grade="ABCDE"[min(int(pd * 50), 4)] + "1", model_version=VERSION, **extra))
    Loan.objects.bulk_create(rows)
