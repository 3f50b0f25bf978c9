"""Read-only figures of the member's own dashboard and where each role lands after logging in.

A page-level read model: it only combines the contexts' selectors and models, it writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse

from peerlend.accounts.models import Role
from peerlend.domain.lifecycle import LoanStatus
from peerlend.ledger import selectors as ledger_selectors
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing.models import Installment, InstallmentStatus

# Where staff land: their own work queue (first matching role wins, most specific first).
STAFF_LANDING: tuple[tuple[str, str], ...] = (
    (Role.RISK_OFFICER, "web:review_queue"),
    (Role.COLLECTIONS, "web:collections_queue"),
    (Role.COMPLIANCE, "web:oversight"),
    (Role.OPERATOR, "web:reconciliation"),
    (Role.ADMIN, "web:oversight"),
    (Role.AGENT, "web:agent_console"),
)
# Loans the borrower still has something to do with (shown first on the dashboard).
OPEN_LOAN_STATUSES = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED)


def landing_url(user: Any) -> str:
    """The page a user lands on after logging in: staff their queue, members their dashboard."""
    roles = set(getattr(user, "roles", None) or [])
    for role, name in STAFF_LANDING:
        if role in roles:
            return reverse(name)
    return reverse("web:dashboard")


@dataclass(frozen=True)
class Portfolio:
    available_minor: int
    frozen_minor: int
    active_notes: int
    pending_notes: int
    invested_minor: int
    principal_outstanding_minor: int
    principal_received_minor: int
    interest_received_minor: int
    fees_paid_minor: int

    @property
    def net_income_minor(self) -> int:
        return self.interest_received_minor - self.fees_paid_minor


def portfolio(user: Any) -> Portfolio:
    bal = ledger_selectors.balances(user)
    notes = Note.objects.filter(investor=user)
    totals = notes.exclude(status=NoteStatus.REFUNDED).aggregate(
        invested=Sum("amount_minor"), outstanding=Sum("principal_outstanding_minor"),
        principal=Sum("principal_received_minor"), interest=Sum("interest_received_minor"),
        fees=Sum("fees_paid_minor"),
    )
    counts = notes.aggregate(active=Count("id", filter=Q(status=NoteStatus.ACTIVE)),
                             pending=Count("id", filter=Q(status=NoteStatus.PENDING)))
    return Portfolio(
        available_minor=bal.available_minor, frozen_minor=bal.frozen_minor,
        active_notes=counts["active"] or 0, pending_notes=counts["pending"] or 0,
        invested_minor=totals["invested"] or 0, principal_outstanding_minor=totals["outstanding"] or 0,
        principal_received_minor=totals["principal"] or 0, interest_received_minor=totals["interest"] or 0,
        fees_paid_minor=totals["fees"] or 0,
    )


@dataclass(frozen=True)
class NextPayment:
    loan: Loan
    due_date: dt.date
    amount_minor: int
    overdue: bool


def next_payment(user: Any) -> NextPayment | None:
    """The borrower's earliest installment still owing, across their open loans."""
    inst = (Installment.objects
            .filter(loan__borrower=user, loan__status__in=OPEN_LOAN_STATUSES)
            .exclude(status__in=(InstallmentStatus.PAID, InstallmentStatus.WRITTEN_OFF))
            .select_related("loan").order_by("due_date", "loan_id", "number").first())
    if inst is None:
        return None
    return NextPayment(loan=inst.loan, due_date=inst.due_date, amount_minor=inst.due_minor,
                       overdue=inst.status == InstallmentStatus.OVERDUE)


def borrower_loans(user: Any, limit: int = 10) -> list[Loan]:
    return list(Loan.objects.filter(borrower=user).order_by("-id")[:limit])
