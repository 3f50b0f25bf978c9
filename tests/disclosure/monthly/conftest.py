"""A small book serviced through the real batch across several month-ends (risk-reserve mode, short periods)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from peerlend.accounts.models import User
from peerlend.disclosure.models import RelatedParty
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.servicing.batch import run_days
from tests.servicing.conftest import (  # noqa: F401  (fixtures re-used from the servicing tests)
    START,
    borrower,
    business_day,
    deposit,
    drain,
    fund_reserve,
    investor_factory,
    listed_loan,
    officer,
    young_borrower,
)

# Charge-off at 115 days: the defaulter is charged off in July; the late loan is 108 days overdue at the end
# of August (more than 90, still open).
RULES = {"GUARANTEE_MODE": "risk_reserve", "GRACE_DAYS": 3, "COMPENSATION_DAYS": 5, "DEFAULT_DAYS": 40,
         "CHARGE_OFF_DAYS": 115}
END = date(2026, 9, 1)  # run-day runs from START (2026-03-02) to here: month-ends March to August
MONTH_ENDS = [date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30), date(2026, 7, 31),
              date(2026, 8, 31)]


@pytest.fixture(autouse=True)
def reserve_mode() -> Iterator[None]:
    with override_settings(PEERLEND={**settings.PEERLEND, **RULES}):
        yield


@dataclass
class Book:
    payer: Loan        # repays on time (auto-debit), borrower a related party
    defaulter: Loan    # never pays: compensated, defaulted, charged off
    late: Loan         # disbursed later, never pays: overdue at the last month-ends
    prepaid: Loan      # prepaid in full in the second month
    unfunded: Loan     # listed, never funded
    investors: list[User]


def _fund(listed_loan: Callable[..., Loan], holders: Sequence[tuple[User, int]], **overrides: Any) -> Loan:  # noqa: F811
    loan = listed_loan(borrower=young_borrower(), amount_minor=sum(a for _i, a in holders), **overrides)
    for investor, amount in holders:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=amount)
    loan.refresh_from_db()
    assert loan.status == "current"
    drain(loan.borrower)
    return loan


def build_book(listed_loan: Callable[..., Loan], investor_factory: Callable[..., User],  # noqa: F811
               *, until: date = END) -> Book:
    from peerlend.clock import set_business_date
    from peerlend.servicing import services as sv

    set_business_date(START)
    inv = [investor_factory(cash_minor=50_000_00) for _ in range(4)]
    fund_reserve(5_000_00)
    payer = _fund(listed_loan, [(inv[0], 3_000_00), (inv[1], 2_000_00), (inv[2], 1_000_00)], term_months=6)
    RelatedParty.objects.create(user=payer.borrower, reason="director's relative", since=START)
    deposit(payer.borrower, 7_000_00)  # enough for every installment: auto-debit pays on time
    defaulter = _fund(listed_loan, [(inv[0], 2_000_00), (inv[3], 2_000_00)], term_months=6)
    prepaid = _fund(listed_loan, [(inv[1], 1_500_00), (inv[2], 1_500_00)], term_months=12)
    unfunded = listed_loan(borrower=young_borrower(), amount_minor=2_000_00)
    run_days(START + timedelta(days=1), date(2026, 4, 15))
    deposit(prepaid.borrower, 4_000_00)
    sv.prepay(actor=prepaid.borrower, loan_id=prepaid.pk, today=date(2026, 4, 15))
    set_business_date(date(2026, 4, 15))
    late = _fund(listed_loan, [(inv[3], 2_500_00), (inv[2], 500_00)], term_months=6)
    run_days(date(2026, 4, 16), until)
    for loan in (payer, defaulter, late, prepaid, unfunded):
        loan.refresh_from_db()
    return Book(payer, defaulter, late, prepaid, unfunded, inv)


@pytest.fixture
def book(business_day: date, listed_loan: Callable[..., Loan], investor_factory: Callable[..., User]) -> Book:  # noqa: F811
    return build_book(listed_loan, investor_factory)
