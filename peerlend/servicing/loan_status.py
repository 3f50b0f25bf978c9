"""A serviced loan's status: which statuses are serviced, and the moves money makes (close, back to current).

Every change goes through ``lending.transitions.transition_loan`` (the state machine, compare-and-set).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.lending.transitions import transition_loan
from peerlend.servicing.installments import days_past_due
from peerlend.servicing.models import Installment

SERVICED = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED)
CLOSED = (LoanStatus.FULLY_PAID, LoanStatus.PREPAID)
# Loans collections staff may collect on: behind on payments, or charged off (a recovery).
COLLECTIBLE = (LoanStatus.LATE, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)


def set_status(loan: Loan, target: LoanStatus, **fields: Any) -> None:
    """Move a loan through the state machine, compare-and-set on (status, version)."""
    transition_loan(loan, target, **fields)


def settle_status(loan: Loan, installments: Sequence[Installment], notes: Sequence[Note], today: date,
                  *, prepaid: bool = False) -> None:
    """After money came in: close a fully repaid loan, bring a late loan back to current."""
    principal = sum(n.principal_outstanding_minor for n in notes if n.status == NoteStatus.ACTIVE)
    if loan.status == LoanStatus.CHARGED_OFF:
        return
    if all(i.due_minor == 0 for i in installments):
        for n in notes:
            if n.status == NoteStatus.ACTIVE:
                n.status = NoteStatus.PAID
        set_status(loan, LoanStatus.PREPAID if prepaid else LoanStatus.FULLY_PAID, closed_on=today,
                   principal_outstanding_minor=0)
        return
    if loan.principal_outstanding_minor != principal:
        Loan.objects.filter(pk=loan.pk).update(principal_outstanding_minor=principal)
        loan.principal_outstanding_minor = principal
    if loan.status == LoanStatus.LATE and days_past_due(installments, today) == 0:
        set_status(loan, LoanStatus.CURRENT)
