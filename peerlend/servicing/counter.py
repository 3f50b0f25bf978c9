"""Repayments taken in cash or by card at a service point (issue 15 part 6).

One atomic use case: the money enters ``platform:service_point_clearing`` and is credited to the
borrower's available cash (one balanced entry), then the borrower's normal repayment runs on it
(``repayments.repay``, the same waterfall and split as online). Anything refused rolls back both.
The agent's idempotency key makes a double submit one payment. Only an agent of one of the points
where the borrower was registered or verified may take it; the agent never pays more than is owed
now (no cash is left in the borrower's balance by a counter).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.consent import at_agents_point
from peerlend.accounts.models import User
from peerlend.accounts.network.models import MAX_COUNTER_MINOR, CounterMethod, CounterReceipt
from peerlend.accounts.services import require_agent_point
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, NotFound, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.ledger.idempotency import once_per_key
from peerlend.lending.models import Loan
from peerlend.servicing.repayments import repay

CLEARING = "platform:service_point_clearing"
CASH_IN = "service_point_cash_in"


@dataclass
class CounterResult:
    receipt_id: int
    loan_id: int
    paid_minor: int
    still_owed_minor: int
    loan_status: str
    message: str

    def stored(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> CounterResult:
        return cls(**stored)


def point_reference(point_id: int) -> str:
    """The journal reference that ties clearing movements to a point (the daily reconciliation reads it)."""
    return f"service_point:{point_id}"


def take_repayment(*, agent: User, loan_id: int, amount_minor: int, method: str, idempotency_key: str | None,
                   today: date | None = None) -> CounterResult:
    """Take a repayment at the agent's point and apply it to the loan (see the module docstring)."""
    return once_per_key(user=agent, key=idempotency_key, scope=f"counter:{loan_id}",
                        payload={"loan_id": loan_id, "amount": amount_minor, "method": method},
                        run=lambda: _take(agent, loan_id, amount_minor, method, today),
                        save=CounterResult.stored, load=CounterResult.from_stored)


def _check_input(amount_minor: int, method: str) -> None:
    if method not in CounterMethod.values:
        raise ApplicationError(_("choose cash or card"), code="invalid_method", extra={"field": "method"})
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or not 0 < amount_minor <= MAX_COUNTER_MINOR:
        raise ApplicationError(_("a counter payment is between 0.01 and %(max)s CNY")
                               % {"max": format_minor(MAX_COUNTER_MINOR)}, code="invalid_amount",
                               extra={"field": "amount"})


def _take(agent: User, loan_id: int, amount_minor: int, method: str, today: date | None) -> CounterResult:
    _check_input(amount_minor, method)
    today = today or business_date()
    with transaction.atomic():
        point = require_agent_point(agent)
        loan = Loan.objects.select_related("borrower").filter(pk=loan_id).first()
        if loan is None:
            raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id}, code="loan_not_found")
        borrower = loan.borrower
        if borrower.pk == agent.pk or not at_agents_point(agent, borrower):
            raise PermissionDenied(_("this member was not registered or verified at your service point"),
                                   code="member_not_at_point")
        entry = ledger.post_entry(
            kind=CASH_IN, lines=[(ledger.platform_account(CLEARING), -amount_minor),
                                 (ledger.user_accounts(borrower).available, amount_minor)],
            memo=f"{method} at {point.code}, loan {loan.pk}", reference=point_reference(point.pk), business_date=today)
        result = repay(actor=borrower, loan_id=loan.pk, amount_minor=amount_minor, today=today)
        if result.excess_minor:
            # Raising rolls the credit back too: the counter takes no more than is owed now.
            raise ApplicationError(_("only %(owed)s CNY is owed now; take at most that")
                                   % {"owed": format_minor(result.paid_minor)}, code="more_than_owed",
                                   extra={"field": "amount"})
        assert result.payment_id is not None
        receipt = CounterReceipt.objects.create(
            service_point=point, agent=agent, borrower=borrower, loan=loan, method=method, amount_minor=amount_minor,
            entry=entry, payment_id=result.payment_id, business_date=today)
        record_audit(actor=agent, action="servicing.counter_repayment", target=loan,
                     old={"still_owed_minor": result.still_owed_minor + result.paid_minor},
                     new={"still_owed_minor": result.still_owed_minor, "receipt": receipt.pk, "method": method,
                          "amount_minor": amount_minor, "point": point.code, "payment_id": result.payment_id},
                     reason=_("repayment received at a service point"))
        return CounterResult(receipt_id=receipt.pk, loan_id=loan.pk, paid_minor=result.paid_minor,
                             still_owed_minor=result.still_owed_minor, loan_status=str(result.loan_status),
                             message=result.message)
