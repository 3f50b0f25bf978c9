"""Lending invariants added to ``peerlend audit``."""

from __future__ import annotations

from django.db.models import Q, Sum

from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Loan, Note, NoteStatus

_OUTSTANDING = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED)


def loan_principal_matches_notes() -> list[str]:
    """Each loan's outstanding principal equals the sum over its notes (DESIGN.md)."""
    rows = (
        Loan.objects.filter(status__in=_OUTSTANDING)
        .annotate(notes_sum=Sum("notes__principal_outstanding_minor", filter=~Q(notes__status=NoteStatus.REFUNDED)))
        .values_list("pk", "principal_outstanding_minor", "notes_sum")
    )
    return [
        f"loan {pk}: outstanding principal {own} != sum over its notes {notes or 0}"
        for pk, own, notes in rows
        if own != (notes or 0)
    ]


def listing_funded_matches_notes() -> list[str]:
    """A listed loan's funded amount is exactly the sum of its pending notes, and never above the loan."""
    rows = (
        Loan.objects.filter(status=LoanStatus.LISTED)
        .annotate(pending=Sum("notes__amount_minor", filter=Q(notes__status=NoteStatus.PENDING)))
        .values_list("pk", "funded_minor", "amount_minor", "pending")
    )
    problems = []
    for pk, funded, amount, pending in rows:
        if funded != (pending or 0):
            problems.append(f"loan {pk}: funded {funded} != pending notes {pending or 0}")
        if funded > amount:
            problems.append(f"loan {pk}: funded {funded} exceeds its amount {amount}")
    return problems


def pending_notes_are_frozen() -> list[str]:
    """Every investor's frozen balance covers the notes still waiting for their loan to fund."""
    from peerlend.ledger.models import LedgerAccount

    pending = Note.objects.filter(status=NoteStatus.PENDING).values("investor").annotate(total=Sum("amount_minor"))
    frozen = dict(
        LedgerAccount.objects.filter(kind="frozen", owner__isnull=False).values_list("owner_id", "balance_minor")
    )
    return [
        f"investor {row['investor']}: frozen {frozen.get(row['investor'], 0)} < pending notes {row['total']}"
        for row in pending
        if frozen.get(row["investor"], 0) < row["total"]
    ]


def funded_loans_have_schedules() -> list[str]:
    rows = Loan.objects.filter(status__in=_OUTSTANDING, installments__isnull=True).values_list("pk", flat=True)
    return [f"loan {pk} is disbursed but has no repayment schedule" for pk in rows]


def register() -> None:
    from peerlend.ledger.audit import register_check

    register_check("lending.loan_principal_matches_notes", loan_principal_matches_notes)
    register_check("lending.listing_funded_matches_notes", listing_funded_matches_notes)
    register_check("lending.pending_notes_are_frozen", pending_notes_are_frozen)
    register_check("lending.funded_loans_have_schedules", funded_loans_have_schedules)
