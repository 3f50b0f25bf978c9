"""Use cases of loan servicing that change state; each is atomic."""

from __future__ import annotations

from datetime import date

from peerlend.domain.schedule import build_schedule
from peerlend.lending.models import Loan
from peerlend.servicing.models import Installment


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
