"""Repayment splits on statements through compensation by the risk reserve, charge-off and a recovery.

Each investor's itemised principal, interest and service fees for the year equal what their notes
record; nothing is left "not itemised"; the borrower's statement shows the late fees and what repaid
the reserve.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from django.conf import settings
from django.test import override_settings

from peerlend.clock import set_business_date
from peerlend.ledger.statements.build import build_statement
from peerlend.ledger.statements.periods import parse_period
from peerlend.lending.models import Note
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import PaymentKind, ServicingPayment
from tests.servicing.conftest import (  # noqa: F401  (fixtures of the servicing tests)
    borrower,
    days,
    deposit,
    disbursed_loan,
    fund_reserve,
    investor_factory,
    listed_loan,
    officer,
    schedule,
    young_borrower,
)

RULES = {"GUARANTEE_MODE": "risk_reserve", "GRACE_DAYS": 3, "COMPENSATION_DAYS": 5, "DEFAULT_DAYS": 40,
         "CHARGE_OFF_DAYS": 70}


@pytest.fixture(autouse=True)
def reserve_mode() -> Iterator[None]:
    with override_settings(PEERLEND={**settings.PEERLEND, **RULES}):
        yield


def test_compensation_charge_off_and_recovery_are_itemised(disbursed_loan):  # noqa: F811
    loan = disbursed_loan(amount_minor=3_000_00, term_months=6, borrower=young_borrower(),
                          shares=(1_000_00, 1_200_00, 800_00))
    d1 = schedule(loan)[0].due_date
    fund_reserve(100_000_00)
    run_days(d1, days(d1, 72))
    loan.refresh_from_db()
    assert loan.status == "charged_off"
    assert ServicingPayment.objects.filter(loan=loan, kind=PaymentKind.COMPENSATION).exists()
    owed = sum(i.due_minor for i in schedule(loan))
    deposit(loan.borrower, owed + 500_00)
    sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=owed + 500_00, today=days(d1, 73),
             idempotency_key=uuid.uuid4().hex)
    assert ServicingPayment.objects.filter(loan=loan, kind=PaymentKind.RECOVERY).exists()
    set_business_date(date(d1.year + 1, 1, 10))
    year = parse_period(str(d1.year))

    for investor_id in Note.objects.filter(loan=loan).values_list("investor_id", flat=True):
        notes = Note.objects.filter(loan=loan, investor_id=investor_id)
        data = build_statement(notes[0].investor, year)
        assert data.totals["repayments_received"] == 0
        assert data.totals["interest_received"] == sum(n.interest_received_minor for n in notes) > 0
        assert data.totals["principal_received"] == sum(n.principal_received_minor for n in notes) > 0
        assert data.totals["service_fees"] == sum(n.fees_paid_minor for n in notes)

    paid = build_statement(loan.borrower, year)
    payments = ServicingPayment.objects.filter(loan=loan, payer=loan.borrower)
    assert paid.totals["repayments_paid"] == 0
    assert paid.totals["late_fees_paid"] == sum(p.late_fee_minor for p in payments) > 0
    assert paid.totals["reserve_repaid"] == sum(p.to_reserve_minor for p in payments) > 0
