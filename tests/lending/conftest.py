"""Builders for marketplace tests: funded investors, scored applications, listed loans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from peerlend.accounts.models import Role, User
from peerlend.clock import set_business_date
from peerlend.ledger import services as ledger
from peerlend.ledger.gateway import sandbox
from peerlend.lending import services
from peerlend.lending.models import Loan
from tests.factories import make_staff, make_user

START = date(2026, 3, 2)


def deposit(user: User, amount_minor: int) -> None:
    """Cash in through the sandbox gateway, as a member would."""
    order = ledger.create_deposit_order(user, amount_minor)
    status, body = sandbox.pay(order)
    assert status == 200, body


def application(**overrides: Any) -> services.ApplicationInput:
    values: dict[str, Any] = {
        "amount_minor": 10_000_00,
        "term_months": 12,
        "repayment_method": "equal_installment",
        "purpose": "debt_consolidation",
        "annual_income_minor": 180_000_00,
        "employment_years": 6,
        "housing": "rent",
        "revol_util_pct": None,
    }
    values.update(overrides)
    return services.ApplicationInput(**values)


@pytest.fixture(autouse=True)
def business_day(db: None) -> date:
    set_business_date(START)
    return START


@pytest.fixture
def officer(db: None) -> User:
    return make_staff(Role.RISK_OFFICER)


@pytest.fixture
def second_officer(db: None) -> User:
    return make_staff(Role.RISK_OFFICER)


@pytest.fixture
def borrower(db: None) -> User:
    return make_user(roles=("borrower", "investor"))


@pytest.fixture
def investor_factory(db: None) -> Callable[..., User]:
    def build(cash_minor: int = 100_000_00) -> User:
        user = make_user(roles=("investor",))
        if cash_minor:
            deposit(user, cash_minor)
        return user

    return build


@pytest.fixture
def listed_loan(borrower: User, officer: User) -> Callable[..., Loan]:
    def build(**overrides: Any) -> Loan:
        who = overrides.pop("borrower", None) or borrower
        loan = services.submit_application(borrower=who, data=application(**overrides))
        assert loan.status == "under_review", (loan.status, loan.decision_reason)
        loan = services.approve(officer=officer, loan_id=loan.pk, reason="within policy")
        assert loan.status == "listed"
        return loan

    return build


def balances(user: User) -> tuple[int, int]:
    from peerlend.ledger.selectors import balances as read

    b = read(user)
    return b.available_minor, b.frozen_minor


def assert_audit_clean() -> None:
    from peerlend.ledger.audit import run_audit

    violations = run_audit()
    assert violations == [], violations
