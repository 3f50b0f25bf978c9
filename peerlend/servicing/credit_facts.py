"""The facts about a borrower's loans that scoring needs, handed down through its providers.

Scoring may not import lending or servicing (layer order), so servicing registers these two functions
from ``AppConfig.ready``: the borrower's platform history (installments, completed loans) and the book
a credit limit is computed from (latest scored application, what is outstanding). Read only.
"""

from __future__ import annotations

from django.db.models import Min

from peerlend.clock import business_date
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.platform_history import InstallmentRecord, PlatformHistory, summarise
from peerlend.lending.intake_rules import outstanding_for_cap
from peerlend.lending.models import Loan
from peerlend.scoring.limits import BorrowerBook
from peerlend.servicing.models import Installment, InstallmentStatus

_COMPLETED = (LoanStatus.FULLY_PAID, LoanStatus.PREPAID)


def platform_history(borrower_id: int) -> PlatformHistory:
    """The borrower's record: installments due so far, loans completed and prepaid, tenure."""
    today = business_date()
    loans = Loan.objects.filter(borrower_id=borrower_id, disbursed_on__isnull=False)
    first = loans.aggregate(first=Min("disbursed_on"))["first"]
    if first is None:
        return PlatformHistory()
    rows = Installment.objects.filter(loan__borrower_id=borrower_id, due_date__lte=today).values_list(
        "due_date", "paid_on", "status")
    records = [InstallmentRecord(due, paid if status == InstallmentStatus.PAID else None)
               for due, paid, status in rows]
    return summarise(records, completed_loans=loans.filter(status__in=_COMPLETED).count(),
                     prepayments=loans.filter(status=LoanStatus.PREPAID).count(),
                     first_disbursed_on=first, today=today)


def borrower_book(borrower_id: int) -> BorrowerBook | None:
    """The latest scored application and what the borrower owes or has requested on the platform."""
    latest = (Loan.objects.filter(borrower_id=borrower_id, pd__isnull=False)
              .order_by("-submitted_on", "-pk").first())
    if latest is None:
        return None
    return BorrowerBook(borrower_type=latest.borrower_type,
                        outstanding_minor=outstanding_for_cap(latest.borrower),
                        latest_application=latest)


def register() -> None:
    from peerlend.scoring.history import register_history_provider
    from peerlend.scoring.limits import register_book_provider

    register_history_provider(platform_history)
    register_book_provider(borrower_book)
