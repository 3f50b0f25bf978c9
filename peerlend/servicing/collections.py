"""Collections: the queue of overdue and charged-off loans, contact notes, promises to pay, recoveries.

Every function checks the collections role first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.domain.lifecycle import LoanStatus, late_bucket
from peerlend.errors import ApplicationError, NotFound
from peerlend.lending.models import Loan
from peerlend.servicing import services as sv
from peerlend.servicing.models import ContactNote, Installment, InstallmentStatus, PromiseToPay

QUEUE_STATUSES = (LoanStatus.LATE, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)


@dataclass
class QueueRow:
    loan: Loan
    days_past_due: int
    bucket: str
    overdue_minor: int
    last_contact: ContactNote | None
    open_promise: PromiseToPay | None


def queue(agent: User, today: date | None = None) -> list[QueueRow]:
    """Loans behind on payments, most days past due first (three queries for the whole queue)."""
    require_role(agent, Role.COLLECTIONS)
    today = today or business_date()
    loans = {loan.pk: loan for loan in Loan.objects.filter(status__in=QUEUE_STATUSES).select_related("borrower")}
    unpaid: dict[int, list[Installment]] = {}
    for inst in Installment.objects.filter(loan_id__in=list(loans), due_date__lt=today).exclude(
            status=InstallmentStatus.PAID):
        unpaid.setdefault(inst.loan_id, []).append(inst)
    contacts: dict[int, ContactNote] = {}
    for note in ContactNote.objects.filter(loan_id__in=list(loans)).order_by("loan_id", "-id"):
        contacts.setdefault(note.loan_id, note)
    promises: dict[int, PromiseToPay] = {}
    for p in PromiseToPay.objects.filter(loan_id__in=list(loans), status=PromiseToPay.Status.OPEN):
        promises.setdefault(p.loan_id, p)
    rows = []
    for pk, loan in loans.items():
        insts = unpaid.get(pk, [])
        dpd = sv.days_past_due(insts, today)
        rows.append(QueueRow(loan, dpd, late_bucket(dpd), sum(i.due_minor for i in insts), contacts.get(pk),
                             promises.get(pk)))
    return sorted(rows, key=lambda r: (-r.days_past_due, r.loan.pk))


def _loan(loan_id: int) -> Loan:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if loan.status not in QUEUE_STATUSES:
        raise ApplicationError(_("loan %(id)s is %(status)s, not in collections")
                               % {"id": loan_id, "status": loan.get_status_display()}, code="not_in_collections")
    return loan


def add_contact_note(agent: User, loan_id: int, method: str, text: str) -> ContactNote:
    require_role(agent, Role.COLLECTIONS)
    if method not in ContactNote.Method.values:
        raise ApplicationError(_("unknown contact method %(v)r") % {"v": method}, code="invalid_method")
    if not text.strip():
        raise ApplicationError(_("write what was said"), code="text_required")
    return ContactNote.objects.create(loan=_loan(loan_id), agent=agent, method=method, text=text.strip()[:4000])


def record_promise(agent: User, loan_id: int, amount_minor: int, promised_on: date) -> PromiseToPay:
    require_role(agent, Role.COLLECTIONS)
    today = business_date()
    if amount_minor <= 0:
        raise ApplicationError(_("the promised amount must be positive"), code="invalid_amount")
    if promised_on < today:
        raise ApplicationError(_("the promised date cannot be in the past"), code="invalid_date")
    with transaction.atomic():
        loan = _loan(loan_id)
        return PromiseToPay.objects.create(loan=loan, agent=agent, amount_minor=amount_minor,
                                           promised_on=promised_on, recorded_on=today)


def collect(agent: User, loan_id: int, amount_minor: int) -> dict[str, Any]:
    """Debit the borrower's available balance for an overdue or charged-off loan (a recovery after charge-off)."""
    require_role(agent, Role.COLLECTIONS)
    _loan(loan_id)
    return sv.repay(actor=agent, loan_id=loan_id, amount_minor=amount_minor).as_dict()
