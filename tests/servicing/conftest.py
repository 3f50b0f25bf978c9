"""Builders for servicing tests: disbursed loans with several holders, ledger snapshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
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
    business_day,
    deposit,
    investor_factory,
    listed_loan,
    officer,
)


def young_borrower() -> User:
    """A KYC-verified borrower aged 25-45 (the anti-fraud age rules must not reject test loans)."""
    import random

    from peerlend.accounts.models import Identity
    from peerlend.accounts.services import resident_id_index
    from peerlend.domain.validators import make_resident_id
    from tests.factories import make_identity, make_user

    user = make_user(roles=("borrower", "investor"), kyc=False)
    rng = random.Random()
    while True:
        rid = make_resident_id("110101", date(1981, 1, 1) + timedelta(days=rng.randint(0, 7000)), rng.randint(0, 999))
        if not Identity.objects.filter(resident_id_index=resident_id_index(rid)).exists():
            break
    make_identity(user, resident_id=rid)
    return user


@pytest.fixture
def borrower(db: None) -> User:
    return young_borrower()


@pytest.fixture
def disbursed_loan(listed_loan: Callable[..., Loan], investor_factory: Callable[..., User]) -> Callable[..., Loan]:  # noqa: F811
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
        drain(loan.borrower)  # the borrower spends the loan: repayments need fresh deposits
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


def drain(user: User) -> None:
    """The member withdraws all available cash (a settled payout, straight on the books)."""
    account = ledger.user_accounts(user).available
    if account.balance_minor:
        ledger.post_entry(kind="withdrawal", lines=[
            (account, -account.balance_minor), (ledger.platform_account("custody_bank"), account.balance_minor),
        ], reference="test")
