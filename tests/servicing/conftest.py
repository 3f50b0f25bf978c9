"""Builders for servicing tests: disbursed loans with several holders, ledger snapshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.ledger import services as ledger
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.servicing.models import Installment
from tests.lending.conftest import (  # noqa: F401  (fixtures re-used from the marketplace tests)
    START,
    assert_audit_clean,
    borrower,
    business_day,
    deposit,
    investor_factory,
    listed_loan,
    officer,
)


@pytest.fixture
def disbursed_loan(listed_loan: Callable[..., Loan], investor_factory: Callable[..., User]) -> Callable[..., Loan]:
    """A loan funded by investors in the given shares (minor units) and disbursed on START."""

    def build(amount_minor: int = 36_000_00, term_months: int = 36, shares: tuple[int, ...] = (),
              **overrides: Any) -> Loan:
        loan = listed_loan(amount_minor=amount_minor, term_months=term_months, **overrides)
        shares = shares or (amount_minor // 2, amount_minor * 3 // 10, amount_minor - amount_minor // 2
                            - amount_minor * 3 // 10)
        assert sum(shares) == amount_minor
        for share in shares:
            investor = investor_factory(cash_minor=share)
            lending.invest(investor=investor, loan_id=loan.pk, amount_minor=share)
        loan.refresh_from_db()
        assert loan.status == "current"
        return loan

    return build


def schedule(loan: Loan) -> list[Installment]:
    return list(Installment.objects.filter(loan=loan).order_by("number"))


def available(user: User) -> int:
    return ledger.user_accounts(user).available.balance_minor


def platform(code: str) -> int:
    return ledger.platform_account(code).balance_minor


def ledger_snapshot() -> list[tuple[str, str, int, str]]:
    """Every posting as (account, entry kind, amount, business date), sorted: ids left out on purpose."""
    from peerlend.ledger.models import Posting

    rows = Posting.objects.select_related("account", "entry").values_list(
        "account__code", "entry__kind", "amount_minor", "entry__business_date")
    return sorted((code, kind, amount, str(day)) for code, kind, amount, day in rows)


def fund_reserve(amount_minor: int) -> None:
    """Platform capital put into the risk reserve (custody grows by the same amount)."""
    ledger.post_entry(kind="reserve_topup", lines=[
        (ledger.platform_account("custody_bank"), -amount_minor),
        (ledger.platform_account("risk_reserve"), amount_minor),
    ], reference="test")


def days(start: date, n: int) -> date:
    from datetime import timedelta

    return start + timedelta(days=n)
