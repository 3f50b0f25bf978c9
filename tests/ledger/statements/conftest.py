"""A small world for statements: deposits, a loan funded by two investors, a repayment, a withdrawal.

March 2026: the investors deposit and invest, the loan is disbursed (START). April: the borrower pays
the first installment on its due date and the first investor withdraws. The business date is then
2026-05-10, so March and April are closed months and May is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from peerlend.accounts.models import User
from peerlend.clock import set_business_date
from peerlend.ledger import services as ledger
from peerlend.ledger.gateway import sandbox
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.servicing import services as servicing
from peerlend.servicing.models import Installment
from tests.factories import make_user
from tests.lending.conftest import START, application, deposit
from tests.servicing.conftest import drain, young_borrower

TODAY = date(2026, 5, 10)


@dataclass
class World:
    investor: User
    other: User
    borrower: User
    loan: Loan
    repaid_on: date


@pytest.fixture
def world(db: None) -> World:
    from tests.factories import make_staff

    set_business_date(START)
    borrower = young_borrower()
    investor = make_user(roles=("investor",))
    other = make_user(roles=("investor",))
    deposit(investor, 20_000_00)
    deposit(other, 10_000_00)
    officer = make_staff("risk_officer")
    loan = lending.submit_application(borrower=borrower, data=application(amount_minor=12_000_00, term_months=12))
    lending.approve(officer=officer, loan_id=loan.pk, reason="statements")
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=8_000_00)
    lending.invest(investor=other, loan_id=loan.pk, amount_minor=4_000_00)
    loan.refresh_from_db()
    assert loan.status == "current"
    drain(borrower)
    first = Installment.objects.filter(loan=loan).order_by("number").first()
    assert first is not None
    set_business_date(first.due_date)
    deposit(borrower, first.principal_minor + first.interest_minor)
    servicing.repay(actor=borrower, loan_id=loan.pk, amount_minor=first.principal_minor + first.interest_minor)
    withdrawal = ledger.request_withdrawal(investor, 1_000_00)
    assert sandbox.settle_payout(withdrawal)[0] == 200
    set_business_date(TODAY)
    return World(investor, other, borrower, loan, first.due_date)
