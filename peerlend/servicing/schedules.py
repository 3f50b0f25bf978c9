"""Disbursement-side servicing: the loan's repayment schedule, and the reserve's share of the origination fee."""

from __future__ import annotations

from datetime import date

from peerlend.domain.schedule import build_schedule
from peerlend.ledger import services as ledger
from peerlend.ledger.models import LedgerAccount
from peerlend.lending.models import Loan
from peerlend.servicing.models import Installment
from peerlend.servicing.rules import reserve_share_minor


def create_schedule(loan: Loan, *, start: date) -> list[Installment]:
    """Write the loan's repayment schedule from the domain core (called once, at disbursement)."""
    if Installment.objects.filter(loan=loan).exists():
        raise ValueError(f"loan {loan.pk} already has a schedule")
    assert loan.annual_rate is not None, "a loan is priced before it is disbursed"
    rows = [
        Installment(
            loan=loan,
            number=i.number,
            due_date=i.due_date,
            principal_minor=i.principal,
            interest_minor=i.interest,
        )
        for i in build_schedule(loan.amount_minor, loan.annual_rate, loan.term_months, loan.repayment_method, start)
    ]
    assert sum(r.principal_minor for r in rows) == loan.amount_minor
    return Installment.objects.bulk_create(rows)


def disbursement_reserve_lines(fee_minor: int) -> list[tuple[LedgerAccount, int]]:
    """Lines that move the reserve share of an origination fee from fee_income to the risk reserve."""
    share = reserve_share_minor(fee_minor)
    if not share:
        return []
    return [(ledger.platform_account("fee_income"), -share), (ledger.platform_account("risk_reserve"), share)]
