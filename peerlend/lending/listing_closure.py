"""Closing a listing before it funds: expiry of the funding window and the borrower's cancellation.

Every pending note is refunded exactly when its listing closes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.clock import business_date
from peerlend.domain.lifecycle import CANCELLABLE, LoanStatus
from peerlend.errors import Conflict, NotFound, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.lending.service_support import locked_loan, once_per_key, users_with_amounts
from peerlend.lending.transitions import allowed, close_listing, transition_loan
from peerlend.notify import Notice, notify, notify_many


def expire_if_due(loan_id: int, today: date | None = None) -> bool:
    """Expire a listing whose funding window has passed (run-day, and on access). True when expired now."""
    today = today or business_date()
    loan = Loan.objects.filter(pk=loan_id).only("status", "list_expires_on").first()
    if loan is None or loan.status != LoanStatus.LISTED or loan.list_expires_on is None:
        return False
    if today < loan.list_expires_on:
        return False
    return _close_listing(loan_id, LoanStatus.EXPIRED, kind="listing_expired", closed_on=today) is not None


def expire_due_listings(today: date) -> int:
    ids = list(
        Loan.objects.filter(status=LoanStatus.LISTED, list_expires_on__lte=today).values_list("pk", flat=True)
    )
    return sum(expire_if_due(pk, today) for pk in ids)


class _ListingMoved(Exception):
    """A note arrived between reading the listing's notes and closing it; read again."""


def _close_listing(loan_id: int, target: LoanStatus, *, kind: str, attempts: int = 20, action: str = "",
                   actor: User | None = None, reason: str = "", **fields: Any) -> Loan | None:
    """Close a listing (expired or cancelled) and refund every pending note exactly.

    Lock order matches ``invest`` (investor accounts, then the loan row): the refund entry
    locks the accounts first, then the loan row, which closes only if it is still listed with
    the funded amount read, so a note that slipped in meanwhile makes us read again instead of
    leaving it unrefunded. Returns None when the loan was not listed any more.
    """
    allowed(LoanStatus.LISTED, target)
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                notes = list(Note.objects.filter(loan_id=loan_id, status=NoteStatus.PENDING))
                funded = sum(n.amount_minor for n in notes)
                _refund(loan_id, notes, kind=kind)
                closed_loan = close_listing(loan_id, target, funded_minor=funded, action=action, actor=actor,
                                            reason=reason, **fields)
                if closed_loan is None:
                    # Either a note slipped in (read again) or the listing closed another way.
                    raise _ListingMoved
                Note.objects.filter(pk__in=[n.pk for n in notes]).update(status=NoteStatus.REFUNDED)
                notify(closed_loan.borrower_id, f"listing_{target.value}", f"loan:{loan_id}", {"loan": loan_id})
                return closed_loan
        except _ListingMoved:
            if not Loan.objects.filter(pk=loan_id, status=LoanStatus.LISTED).exists():
                return None
    raise Conflict(_("the listing is too busy to close right now; try again"), code="busy")


def _refund(loan_id: int, notes: list[Note], *, kind: str) -> None:
    """Every pending note gets its frozen cash back, exactly, in one balanced entry."""
    if not notes:
        return
    per_investor: dict[int, int] = defaultdict(int)
    for note in notes:
        per_investor[note.investor_id] += note.amount_minor
    lines: list[tuple[Any, int]] = []
    by_investor = users_with_amounts(per_investor)
    accounts_of = ledger.user_accounts_many([investor for investor, _amount in by_investor])
    for investor, amount in by_investor:
        accounts = accounts_of[investor.pk]
        lines += [(accounts.frozen, -amount), (accounts.available, amount)]
    ledger.post_entry(kind=kind, lines=lines, reference=f"loan:{loan_id}", business_date=business_date())
    cause = "expired" if kind == "listing_expired" else "cancelled"
    notify_many(Notice(investor.pk, f"investment_refunded_{cause}", f"loan:{loan_id}",
                       {"loan": loan_id, "amount_minor": amount}) for investor, amount in by_investor)


def cancel(*, actor: User, loan_id: int, reason: str = "", idempotency_key: str | None = None) -> Loan:
    """The borrower (or the filing agent) withdraws the request before funding; investors are refunded.

    With an ``idempotency_key`` a second call returns the first call's loan (or its refusal) and
    refunds nothing again, whether it comes from the page or the API.
    """
    return once_per_key(
        user=actor, key=idempotency_key, scope=f"cancel:{loan_id}", payload={"loan_id": loan_id, "reason": reason},
        run=lambda: _cancel(actor, loan_id, reason),
        save=lambda loan: {"loan_id": loan.pk},
        load=lambda stored: Loan.objects.get(pk=stored["loan_id"]),
    )


def _cancel(actor: User, loan_id: int, reason: str) -> Loan:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if actor.pk not in (loan.borrower_id, loan.agent_id):
        raise PermissionDenied(_("only the borrower can cancel this application"), code="not_owner")
    why = reason or "cancelled by the borrower"
    with transaction.atomic():
        if loan.status == LoanStatus.LISTED:
            closed = _close_listing(loan.pk, LoanStatus.CANCELLED, kind="listing_cancelled", action="loan.cancel",
                                    actor=actor, reason=reason, closed_on=business_date(), decision_reason=why)
            if closed is None:
                raise Conflict(_("the loan changed meanwhile; reload the page and try again"), code="stale")
            loan = closed
        else:
            loan = locked_loan(loan_id)
            if loan.status not in CANCELLABLE:
                raise Conflict(
                    _("a loan that is %(status)s can no longer be cancelled") % {"status": loan.get_status_display()},
                    code="not_cancellable",
                )
            transition_loan(loan, LoanStatus.CANCELLED, action="loan.cancel", actor=actor, reason=reason,
                            closed_on=business_date(), decision_reason=why)
    return loan
