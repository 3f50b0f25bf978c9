"""Regular repayments: the borrower pays (page, API), a collections agent collects, both from the borrower's cash.

Allocation and the split over the notes are the pure core's (``domain.repayment``,
``domain.holder_split``); posting is ``posting``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peerlend.ledger.idempotency import once_per_key
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing import receipts
from peerlend.servicing.installments import payable as payable_installments
from peerlend.servicing.loan_status import CLOSED, COLLECTIBLE, SERVICED, settle_status
from peerlend.servicing.models import Installment, PaymentKind, ServicingPayment
from peerlend.servicing.posting import Accounts, collect_from_borrower, save_changes


@dataclass
class RepaymentResult:
    loan_id: int
    requested_minor: int
    paid_minor: int
    excess_minor: int
    loan_status: str
    still_owed_minor: int
    payment_id: int | None
    message: str
    breakdown: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "loan_id": self.loan_id,
            "requested": format_minor(self.requested_minor),
            "paid": format_minor(self.paid_minor),
            "excess_kept_available": format_minor(self.excess_minor),
            "still_owed": format_minor(self.still_owed_minor),
            "loan_status": self.loan_status,
            "payment_id": self.payment_id,
            "message": self.message,
            "breakdown": {k: format_minor(v) for k, v in self.breakdown.items()},
        }

    def stored(self) -> dict[str, Any]:
        """What an idempotency key keeps of this result (read back by :meth:`from_stored` on a replay)."""
        return asdict(self)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> RepaymentResult:
        return cls(**stored)


def once_per_payment_key(actor: User, key: str | None, action: str, loan_id: int, amount_minor: int | None,
                         run: Callable[[], RepaymentResult]) -> RepaymentResult:
    """Run a payment on a loan at most once per (actor, key) (``ledger.idempotency.once_per_key``).

    The scope is the action and the loan (``repay:<loan>``, ``prepay:<loan>``, ``collect:<loan>``),
    whatever the channel: the page, the API and a script sending the same key make one payment.
    """
    return once_per_key(user=actor, key=key, scope=f"{action}:{loan_id}",
                        payload={"loan_id": loan_id, "amount": amount_minor}, run=run,
                        save=RepaymentResult.stored, load=RepaymentResult.from_stored)


def locked_servicable(actor: User, loan_id: int, *, collecting: bool = False) -> Loan:
    """Lock the loan for a payment by its borrower, or (``collecting``) by a collections agent.

    Only the borrower pays through the borrower's routes, whatever roles the caller holds; staff
    take money only through collections, and only from loans behind on payments.
    """
    if collecting and not has_role(actor, Role.COLLECTIONS):
        raise PermissionDenied(_("only collections staff can collect a payment"), code="forbidden_role")
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if not collecting and loan.borrower_id != actor.pk:
        # Same answer as a missing loan would leak less, but the borrower needs a clear reason.
        raise PermissionDenied(_("this loan is not yours; only its borrower can repay it"), code="not_owner")
    if collecting and loan.status not in COLLECTIBLE:
        raise ApplicationError(_("loan %(id)s is %(status)s, not in collections")
                               % {"id": loan.pk, "status": loan.get_status_display()}, code="not_in_collections")
    if loan.status in CLOSED:
        raise Conflict(_("loan %(id)s is closed (%(status)s); nothing is owed")
                       % {"id": loan.pk, "status": loan.get_status_display()}, code="loan_closed")
    if loan.status not in (*SERVICED, LoanStatus.CHARGED_OFF):
        raise Conflict(_("loan %(id)s is %(status)s: it has not been disbursed")
                       % {"id": loan.pk, "status": loan.get_status_display()}, code="not_disbursed")
    return loan


def load_book(loan: Loan) -> tuple[list[Installment], list[Note]]:
    installments = list(Installment.objects.filter(loan=loan).order_by("number"))
    notes = list(Note.objects.filter(loan=loan, status__in=[NoteStatus.ACTIVE, NoteStatus.CHARGED_OFF]).order_by("pk"))
    return installments, notes


def require_positive(amount_minor: int) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ApplicationError(_("the amount must be positive"), code="invalid_amount")


def repay(*, actor: User, loan_id: int, amount_minor: int, today: date | None = None,
          idempotency_key: str | None = None) -> RepaymentResult:
    """The borrower (only the borrower) pays from their available balance.

    Covers what is due up to today and the next installment; after a charge-off the whole
    remaining debt (a recovery). An amount beyond the borrower's available balance is refused;
    more than owed (within the balance): only what is owed is taken. The message says what was
    taken, what it paid, what stayed in the balance and what is still owed (``receipts``).
    With an ``idempotency_key`` a second call (a double submit, a retry, the same key from the
    page and the API) returns the first call's result, or its refusal, and takes nothing again.
    """
    return once_per_payment_key(actor, idempotency_key, "repay", loan_id, amount_minor,
                                lambda: _pay(actor, loan_id, amount_minor, today, collecting=False))


def collect_overdue(*, agent: User, loan_id: int, amount_minor: int, today: date | None = None,
                    idempotency_key: str | None = None) -> RepaymentResult:
    """A collections agent debits the borrower's available balance for a loan behind on payments.

    At most what is due up to today (never an installment not yet due); after a charge-off the
    whole remaining debt (a recovery). A larger amount is capped and the result says so. The
    collection is audited (``servicing.collect``); the key works as for :func:`repay`.
    """
    return once_per_payment_key(agent, idempotency_key, "collect", loan_id, amount_minor,
                                lambda: _pay(agent, loan_id, amount_minor, today, collecting=True))


def _pay(actor: User, loan_id: int, amount_minor: int, today: date | None, *, collecting: bool) -> RepaymentResult:
    require_positive(amount_minor)
    today = today or business_date()
    with transaction.atomic():
        loan = locked_servicable(actor, loan_id, collecting=collecting)
        installments, notes = load_book(loan)
        recovery = loan.status == LoanStatus.CHARGED_OFF
        payable = [i for i in installments if i.due_minor > 0] if recovery else payable_installments(
            installments, today, ahead=not collecting)
        owed = sum(i.due_minor for i in payable)
        if owed == 0:
            raise Conflict(_("nothing is due on this loan now; use prepayment to repay early"), code="nothing_due")
        take = min(amount_minor, owed)
        accounts = Accounts([loan.borrower_id, *(n.investor_id for n in notes)])
        available = accounts.available(loan.borrower_id).balance_minor
        before = _collection_state(loan, installments, accounts) if collecting else {}
        if available < take:
            raise receipts.insufficient(available, take)
        if not collecting and amount_minor > available:
            # A payment can take only what the borrower has: an amount beyond the balance is refused,
            # never "kept" in a balance that does not hold it.
            raise receipts.over_balance(amount_minor, available)
        kind = PaymentKind.RECOVERY if recovery else PaymentKind.REPAYMENT
        payment = collect_from_borrower(loan, payable, notes, take, today, accounts, kind=kind, actor=actor)
        assert payment is not None
        settle_status(loan, installments, notes, today)
        save_changes(installments, notes, [payment])
        if collecting:
            _audit_collection(actor, loan, before, installments, accounts, payment)
        excess = amount_minor - take
        message = receipts.receipt(payment, installments, today, requested_minor=amount_minor, payable_minor=owed,
                                   balance_after_minor=None if collecting else available - take)
        return RepaymentResult(
            loan_id=loan.pk, requested_minor=amount_minor, paid_minor=take, excess_minor=excess,
            loan_status=loan.status, still_owed_minor=sum(i.due_minor for i in installments),
            payment_id=payment.pk, message=message,
            breakdown={"principal": payment.principal_to_notes_minor, "interest": payment.interest_to_notes_minor,
                       "late_fee": payment.late_fee_minor, "to_reserve": payment.to_reserve_minor},
        )


def _collection_state(loan: Loan, installments: Sequence[Installment], accounts: Accounts) -> dict[str, Any]:
    """What a collection changes, read from the locked loan, its installments and the borrower's account."""
    account = accounts.available(loan.borrower_id)
    return {"status": str(loan.status), "principal_outstanding_minor": loan.principal_outstanding_minor,
            "owed_minor": sum(i.due_minor for i in installments), "borrower_available_minor": account.balance_minor}


def _audit_collection(agent: User, loan: Loan, before: dict[str, Any], installments: Sequence[Installment],
                      accounts: Accounts, payment: ServicingPayment) -> None:
    """Staff took the borrower's money: who, the loan before and after, and the payment (DESIGN.md, Security)."""
    accounts.available(loan.borrower_id).refresh_from_db(fields=["balance_minor"])
    after = {**_collection_state(loan, installments, accounts), "payment_id": payment.pk,
             "paid_minor": payment.amount_minor}
    record_audit(actor=agent, action="servicing.collect", target=loan, old=before, new=after,
                 reason=f"collections: {payment.kind}")


def has_role(user: Any, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(role))
