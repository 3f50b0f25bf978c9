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
from peerlend.compliance.services import record_audit
from peerlend.domain.lifecycle import LoanStatus, late_bucket
from peerlend.domain.money import format_grouped
from peerlend.errors import ApplicationError, NotFound
from peerlend.lending.models import Loan
from peerlend.servicing import selectors
from peerlend.servicing import services as sv
from peerlend.servicing.models import ContactNote, Installment, InstallmentStatus, PromiseToPay, ServicingPayment

QUEUE_STATUSES = sv.COLLECTIBLE


@dataclass
class QueueRow:
    loan: Loan
    days_past_due: int
    bucket: str
    overdue_minor: int
    last_contact: ContactNote | None
    open_promise: PromiseToPay | None
    contact: selectors.BorrowerContact | None = None


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
    people = selectors.borrower_contacts(loan.borrower_id for loan in loans.values())
    rows = []
    for pk, loan in loans.items():
        insts = unpaid.get(pk, [])
        dpd = sv.days_past_due(insts, today)
        rows.append(QueueRow(loan, dpd, late_bucket(dpd), sum(i.due_minor for i in insts), contacts.get(pk),
                             promises.get(pk), people.get(loan.borrower_id)))
    return sorted(rows, key=lambda r: (-r.days_past_due, r.loan.pk))


@dataclass
class LoanFile:
    """Everything collections staff work a loan with: the borrower's contact, the arrears, the history."""

    row: QueueRow
    schedule: list[selectors.InstallmentView]
    owed_total_minor: int
    contact_notes: list[ContactNote]
    promises: list[PromiseToPay]
    payments: list[ServicingPayment]


def loan_file(agent: User, loan_id: int, today: date | None = None) -> LoanFile:
    """The collections view of one loan behind on payments (read only; no pay or prepay: that is the borrower's)."""
    require_role(agent, Role.COLLECTIONS)
    today = today or business_date()
    loan = _loan(loan_id)
    rows = selectors.schedule_view(loan, today)
    overdue = [r.inst for r in rows if r.inst.due_date < today and r.inst.due_minor > 0]
    dpd = sv.days_past_due(overdue, today)
    notes = list(ContactNote.objects.filter(loan=loan).select_related("agent").order_by("-id")[:50])
    promises = list(PromiseToPay.objects.filter(loan=loan).order_by("-id")[:20])
    open_promise = next((p for p in promises if p.status == PromiseToPay.Status.OPEN), None)
    row = QueueRow(loan, dpd, late_bucket(dpd), sum(i.due_minor for i in overdue), notes[0] if notes else None,
                   open_promise, selectors.borrower_contacts([loan.borrower_id]).get(loan.borrower_id))
    return LoanFile(row, rows, sum(r.inst.due_minor for r in rows), notes, promises,
                    list(selectors.payments_of(loan)[:20]))


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
        _check_promise_amount(loan, amount_minor, promised_on, today)
        promise = PromiseToPay.objects.create(loan=loan, agent=agent, amount_minor=amount_minor,
                                              promised_on=promised_on, recorded_on=today)
        # Staff commit the borrower to a payment: who, and the promise as stored (DESIGN.md, Security).
        record_audit(actor=agent, action="servicing.promise_to_pay", target=promise, old={},
                     new={name: getattr(promise, name) for name in _PROMISE_AUDITED})
        return promise


_PROMISE_AUDITED = ("loan_id", "amount_minor", "promised_on", "recorded_on", "status")


def _check_promise_amount(loan: Loan, amount_minor: int, promised_on: date, today: date) -> None:
    """A promise stays within the promise limit of the borrower's member type and within what they will owe.

    Owed by the promised date: every installment due by then (after a charge-off, the whole remaining debt).
    """
    from django.db.models import Sum

    from peerlend.ledger import limits

    limit = limits.limit_for(loan.borrower, "promise")
    used = 0
    if limit.per_day_minor is not None:  # no daily promise limit by default
        used = int(PromiseToPay.objects.filter(loan__borrower_id=loan.borrower_id, recorded_on=today)
                   .aggregate(total=Sum("amount_minor"))["total"] or 0)
    limits.enforce(loan.borrower, "promise", amount_minor, used_today_minor=used)
    unpaid = Installment.objects.filter(loan=loan).exclude(status=InstallmentStatus.PAID)
    if loan.status != LoanStatus.CHARGED_OFF:
        unpaid = unpaid.filter(due_date__lte=promised_on)
    owed = sum(i.due_minor for i in unpaid)
    if amount_minor > owed:
        raise ApplicationError(
            _("the promise of %(amount)s CNY is more than the %(owed)s CNY the borrower owes by %(date)s")
            % {"amount": format_grouped(amount_minor), "owed": format_grouped(owed), "date": promised_on.isoformat()},
            code="promise_above_owed",
        )


def collect(agent: User, loan_id: int, amount_minor: int, *, idempotency_key: str | None) -> dict[str, Any]:
    """Debit the borrower's available balance for an overdue or charged-off loan (a recovery after charge-off).

    At most what is due up to today (the whole remaining debt after a charge-off); the result
    says what was taken. The key is required here and taken by ``collect_overdue`` itself, so
    every path (page, API, script) shares the scope ``collect:<loan>``: a double submit replays
    the first answer. A refusal is an answer too; it is raised again on replay so that each
    caller shows it its way.
    """
    require_role(agent, Role.COLLECTIONS)
    # A missing key is refused (as an empty one), never run unkeyed: staff forms always send one.
    return sv.collect_overdue(agent=agent, loan_id=loan_id, amount_minor=amount_minor,
                              idempotency_key=idempotency_key or "").as_dict()
