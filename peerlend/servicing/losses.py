"""Losses: risk-reserve compensation of an overdue installment (代偿), and charging a loan off.

* **Risk reserve** (``GUARANTEE_MODE = "risk_reserve"``): an installment overdue more than
  ``COMPENSATION_DAYS`` is paid to the holders by the reserve; the reserve takes the claim, so the
  borrower's later payments of that installment's principal, interest and penalty repay the
  reserve (``domain.repayment.waterfall`` routes them). The reserve never goes negative: the
  ledger refuses it, the compensation waits in ``CompensationPending`` and is disclosed, and the
  batch retries it daily.
* **Charge-off**: the remaining principal of each note is written off; a later payment is a recovery.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.repayment import Applied
from peerlend.errors import ApplicationError
from peerlend.ledger import services as ledger
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing.distribution import plan_distribution
from peerlend.servicing.installments import days_past_due, unpaid_interest, unpaid_principal
from peerlend.servicing.loan_status import set_status
from peerlend.servicing.models import CompensationPending, Installment, InstallmentStatus, PaymentKind, ServicingPayment
from peerlend.servicing.posting import Accounts, entry_lines, record_payment


def compensate_installment(
    loan: Loan, inst: Installment, notes: Sequence[Note], today: date, accounts: Accounts,
) -> ServicingPayment | None:
    """The reserve pays the holders this installment's unpaid principal and interest (代偿).

    Returns None and records a ``CompensationPending`` when the reserve cannot pay it all.
    """
    principal, interest = unpaid_principal(inst), unpaid_interest(inst)
    amount = principal + interest
    if amount <= 0 or inst.compensated_on is not None:
        return None
    reserve = accounts.platform("risk_reserve")
    plan = plan_distribution(notes, principal, interest)
    if reserve.balance_minor < amount:
        _pending(inst, amount, today)
        return None
    applied = Applied(principal_to_notes=principal, interest_to_notes=interest)
    payment = record_payment(loan, PaymentKind.COMPENSATION, amount, applied, plan, today, None, None)
    try:
        accounts.post(ledger.EntrySpec(
            kind="compensation", lines=entry_lines(accounts, reserve, amount, plan, Applied()),
            reference=f"loan:{loan.pk}", business_date=today, memo=f"risk reserve compensates installment {inst.pk}",
        ), payment)
    except ApplicationError as exc:
        if exc.code != "insufficient_funds":
            raise
        if not accounts.deferred:  # a queued batch keeps its in-memory balances (they include the queue)
            reserve.refresh_from_db()
        _pending(inst, amount, today)
        return None
    if plan:
        plan.apply()
    inst.compensated_on = today
    inst.compensated_principal_minor = principal
    inst.compensated_interest_minor = interest
    CompensationPending.objects.filter(installment=inst).delete()
    return payment


def _pending(inst: Installment, amount: int, today: date) -> None:
    CompensationPending.objects.update_or_create(
        installment=inst, defaults={"amount_minor": amount, "last_tried": today}, create_defaults={
            "amount_minor": amount, "last_tried": today, "since": today},
    )


def charge_off_notes(loan: Loan, notes: Sequence[Note], installments: Sequence[Installment], today: date,
                     *, actor: Any = None) -> None:
    """Write off the remaining principal: each note's charged_off = its outstanding principal.

    Audited as ``loan.charge_off`` (status and outstanding principal before and after, read from
    the loan); the daily batch charges off, so its actor is the system (``None``).
    """
    reason = f"run-day {today.isoformat()}: {days_past_due(installments, today)} days past due"
    for n in notes:
        if n.status == NoteStatus.ACTIVE:
            n.charged_off_minor += n.principal_outstanding_minor
            n.principal_outstanding_minor = 0
            n.status = NoteStatus.CHARGED_OFF
    for i in installments:
        if i.due_minor > 0 and i.compensated_on is None:
            i.status = InstallmentStatus.WRITTEN_OFF
    set_status(loan, LoanStatus.CHARGED_OFF, action="loan.charge_off", actor=actor, reason=reason, closed_on=today,
               principal_outstanding_minor=0)
