"""A loan's installments as stored, read and updated through the pure repayment core.

The rules (what a payment pays first, when an installment is overdue, days past due, what a
regular payment may cover) live in ``peerlend.domain.repayment``; this module only turns the
stored rows into its plain values and writes the outcome back onto the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from peerlend.domain import repayment
from peerlend.domain.repayment import AllocationStrategy, Applied, InstallmentDue
from peerlend.servicing.models import Installment
from peerlend.servicing.rules import servicing_rules

INSTALLMENT_FIELDS = [
    "principal_paid_minor", "interest_paid_minor", "late_fee_minor", "late_fee_paid_minor", "penalty_minor",
    "penalty_paid_minor", "status", "paid_on", "penalty_through", "compensated_on", "compensated_principal_minor",
    "compensated_interest_minor", "reserve_repaid_minor",
]


def unpaid_principal(i: Installment) -> int:
    return i.principal_minor - i.principal_paid_minor


def unpaid_interest(i: Installment) -> int:
    return i.interest_minor - i.interest_paid_minor


def as_due(i: Installment) -> InstallmentDue:
    """The installment row as a plain value of the repayment core."""
    return InstallmentDue(
        due_date=i.due_date, principal=i.principal_minor, interest=i.interest_minor, late_fee=i.late_fee_minor,
        penalty=i.penalty_minor, principal_paid=i.principal_paid_minor, interest_paid=i.interest_paid_minor,
        late_fee_paid=i.late_fee_paid_minor, penalty_paid=i.penalty_paid_minor,
        compensated=i.compensated_on is not None,
    )


def days_past_due(installments: Sequence[Installment], today: date) -> int:
    """Days since the oldest installment that is due and not fully paid (0 when up to date)."""
    return repayment.days_past_due([(i.due_date, i.due_minor) for i in installments], today)


def payable(installments: Sequence[Installment], today: date, *, ahead: bool) -> list[Installment]:
    """Installments a payment may go to, oldest first: all due by today, plus the next one when ``ahead``."""
    pairs = [(i.due_date, i.due_minor) for i in installments]
    return [installments[k] for k in repayment.payable_indexes(pairs, today, ahead=ahead)]


def owed_minor(installments: Sequence[Installment], today: date, *, ahead: bool) -> int:
    return sum(i.due_minor for i in payable(installments, today, ahead=ahead))


def apply_to_installments(installments: Sequence[Installment], amount: int, today: date,
                          strategy: AllocationStrategy | None = None) -> Applied:
    """Apply ``amount`` oldest installment first, in the allocation strategy's order (by default the rules').

    Mutates the installments (paid fields, status, reserve_repaid). Parts of a compensated
    installment other than the late fee go to the reserve, which holds that claim.
    """
    strategy = strategy or servicing_rules().allocation
    paid, applied = repayment.waterfall([as_due(i) for i in installments], amount, strategy)
    for inst, part in zip(installments, paid, strict=False):  # the payment reached these
        inst.penalty_paid_minor += part.penalty
        inst.late_fee_paid_minor += part.fee
        inst.interest_paid_minor += part.interest
        inst.principal_paid_minor += part.principal
        if inst.compensated_on is not None:
            inst.reserve_repaid_minor += part.penalty + part.interest + part.principal
        refresh_status(inst, today)
    return applied


def refresh_status(inst: Installment, today: date) -> None:
    inst.status = repayment.installment_status(inst.status, as_due(inst), today)
    if inst.due_minor == 0:
        inst.paid_on = inst.paid_on or today
