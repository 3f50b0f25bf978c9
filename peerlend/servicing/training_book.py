"""The platform's book for retraining the credit model (``peerlend train-model --from-platform``).

Scoring may not import lending or servicing (layer order), so servicing registers this provider from
``AppConfig.ready``: every loan disbursed on or before a date, with its application facts as stored at
application and each installment's due date and the day the borrower fully paid it. Read only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Loan
from peerlend.scoring.facts import FACT_NAMES, ApplicationFacts
from peerlend.scoring.retraining.book import BookLoan
from peerlend.servicing.models import Installment, InstallmentStatus

_PAID_OFF = (LoanStatus.FULLY_PAID, LoanStatus.PREPAID)
_CHUNK = 2000


def training_book(as_of: dt.date) -> Iterator[BookLoan]:
    loans = Loan.objects.filter(disbursed_on__isnull=False, disbursed_on__lte=as_of).order_by("disbursed_on", "pk")
    fields = ("pk", "disbursed_on", "status", "closed_on", *FACT_NAMES)  # FACT_NAMES has amount_minor
    rows = list(loans.values(*fields))
    for start in range(0, len(rows), _CHUNK):
        part = rows[start:start + _CHUNK]
        schedule: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        for loan_id, due, paid_on, status, principal, interest in (
            Installment.objects.filter(loan_id__in=[r["pk"] for r in part])
            .order_by("loan_id", "number")
            .values_list("loan_id", "due_date", "paid_on", "status", "principal_minor", "interest_minor")
        ):
            if principal == 0 and interest == 0:
                continue  # nothing was ever owed on it (re-amortised away)
            schedule[loan_id].append((due, paid_on if status == InstallmentStatus.PAID else None))
        for r in part:
            insts = schedule[r["pk"]]
            if r["status"] in _PAID_OFF and r["closed_on"] is not None:
                # A prepaid loan's later installments were settled by the prepayment on closing.
                insts = [(due, paid if paid is not None else r["closed_on"]) for due, paid in insts]
            yield BookLoan(
                loan_id=r["pk"], disbursed_on=r["disbursed_on"], amount_minor=r["amount_minor"],
                status=r["status"], closed_on=r["closed_on"],
                facts=ApplicationFacts.from_object({k: r[k] for k in FACT_NAMES}),
                installments=tuple(insts),
            )


def register() -> None:
    from peerlend.scoring.retraining.book import register_book_provider

    register_book_provider(training_book)
