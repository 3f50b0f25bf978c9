"""The regulator's exports for a date range: loans, notes, repayments, overdue installments, compensation.

Each dataset is a header and rows of plain values (member ids, never PII), read in chunks. The
platform records no complaints yet, so there is no complaints dataset to join.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from peerlend.disclosure.regulator.writers import Amount, Cell
from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import Installment, PaymentKind, ServicingPayment

CHUNK = 2000

Rows = Iterator[Sequence[Cell]]


def _rate(value: object) -> str:
    return "" if value is None else str(value)


def _loans(first: dt.date, last: dt.date, as_of: dt.date) -> Rows:
    rows = (Loan.objects.filter(disbursed_on__range=(first, last)).order_by("pk")
            .values_list("pk", "borrower_id", "borrower_type", "channel", "service_point_id", "amount_minor",
                         "term_months", "repayment_method", "purpose", "grade", "annual_rate", "status",
                         "disbursed_on", "closed_on", "principal_outstanding_minor"))
    for (pk, borrower, btype, channel, point, amount, term, method, purpose, grade, rate, status, disbursed,
         closed, outstanding) in rows.iterator(chunk_size=CHUNK):
        yield (pk, borrower, btype, channel, point, Amount(amount), term, method, purpose, grade, _rate(rate),
               status, disbursed, closed, Amount(outstanding))


def _notes(first: dt.date, last: dt.date, as_of: dt.date) -> Rows:
    rows = (Note.objects.filter(placed_on__range=(first, last)).order_by("pk")
            .values_list("pk", "loan_id", "investor_id", "placed_on", "amount_minor", "status",
                         "principal_outstanding_minor", "principal_received_minor", "interest_received_minor",
                         "fees_paid_minor", "charged_off_minor", "auto_invested"))
    for (pk, loan, investor, placed, amount, status, outstanding, principal, interest, fees, charged,
         auto) in rows.iterator(chunk_size=CHUNK):
        yield (pk, loan, investor, placed, Amount(amount), status, Amount(outstanding), Amount(principal),
               Amount(interest), Amount(fees), Amount(charged), "yes" if auto else "no")


def _payments(first: dt.date, last: dt.date, compensation: bool) -> Rows:
    kind = Q(kind=PaymentKind.COMPENSATION)
    rows = (ServicingPayment.objects.filter(kind if compensation else ~kind, business_date__range=(first, last))
            .order_by("pk")
            .values_list("pk", "loan_id", "kind", "business_date", "payer_id", "amount_minor",
                         "principal_to_notes_minor", "interest_to_notes_minor", "service_fee_minor",
                         "late_fee_minor", "to_reserve_minor"))
    for pk, loan, kind_code, day, payer, amount, principal, interest, fee, late, reserve in rows.iterator(
            chunk_size=CHUNK):
        yield (pk, loan, kind_code, day, payer, Amount(amount), Amount(principal), Amount(interest), Amount(fee),
               Amount(late), Amount(reserve))


def _repayments(first: dt.date, last: dt.date, as_of: dt.date) -> Rows:
    return _payments(first, last, compensation=False)


def _compensation(first: dt.date, last: dt.date, as_of: dt.date) -> Rows:
    return _payments(first, last, compensation=True)


def _overdue(first: dt.date, last: dt.date, as_of: dt.date) -> Rows:
    """Installments due in the range that were not paid by their due date (still unpaid, or paid late)."""
    late = Q(paid_on__isnull=True, due_date__lt=as_of) | Q(paid_on__gt=F("due_date"))
    rows = (Installment.objects.filter(late, due_date__range=(first, last)).order_by("loan_id", "number")
            .values_list("loan_id", "number", "due_date", "principal_minor", "interest_minor",
                         "principal_paid_minor", "interest_paid_minor", "late_fee_minor", "penalty_minor",
                         "status", "paid_on", "compensated_on"))
    for (loan, number, due, principal, interest, principal_paid, interest_paid, late_fee, penalty, status, paid,
         compensated) in rows.iterator(chunk_size=CHUNK):
        days = ((paid or as_of) - due).days
        yield (loan, number, due, Amount(principal), Amount(interest), Amount(principal_paid),
               Amount(interest_paid), Amount(late_fee), Amount(penalty), status, paid, max(days, 0), compensated)


@dataclass(frozen=True)
class Dataset:
    code: str
    title: object  # a lazy translation
    header: tuple[str, ...]
    rows: Callable[[dt.date, dt.date, dt.date], Rows]


_PAYMENT_HEADER = ("payment", "loan", "kind", "business_date", "payer", "amount", "principal_to_notes",
                   "interest_to_notes", "service_fee", "late_fee", "to_reserve")

DATASETS: dict[str, Dataset] = {d.code: d for d in (
    Dataset("loans", _("Loans disbursed"), ("loan", "borrower", "borrower_type", "channel", "service_point",
                                             "amount", "term_months", "repayment_method", "purpose", "grade",
                                             "annual_rate", "status", "disbursed_on", "closed_on",
                                             "principal_outstanding"), _loans),
    Dataset("notes", _("Notes bought"), ("note", "loan", "investor", "placed_on", "amount", "status",
                                          "principal_outstanding", "principal_received", "interest_received",
                                          "fees_paid", "charged_off", "auto_invested"), _notes),
    Dataset("repayments", _("Repayments"), _PAYMENT_HEADER, _repayments),
    Dataset("overdue", _("Overdue installments"), ("loan", "installment", "due_date", "principal", "interest",
                                                    "principal_paid", "interest_paid", "late_fee", "penalty",
                                                    "status", "paid_on", "days_late", "compensated_on"), _overdue),
    Dataset("compensation", _("Compensation paid"), _PAYMENT_HEADER, _compensation),
)}


def file_name(code: str, first: dt.date, last: dt.date, fmt: str) -> str:
    return f"peerlend-{code}-{first.isoformat()}-{last.isoformat()}.{fmt}"
