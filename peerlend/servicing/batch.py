"""The daily batch behind ``peerlend run-day``.

Steps, in order: expire listings, auto-debit, aging (overdue status, late fee, penalty interest,
late/default status), risk-reserve compensation, charge-off, reminders, promises to pay.

* Set-based: loans are processed in chunks; a chunk loads its loans (locked, by id), their
  unpaid installments, notes and users' accounts in a few queries and writes back with
  ``bulk_update``/``bulk_create``; the ledger gets one entry per loan that moves money, all of a
  chunk's entries posted together (``ledger.post_entries``: each account's balance updated once).
* Crash-safe and idempotent: each chunk is one transaction and every step is naturally
  idempotent (penalty accrued through a date, late fee once, compensation once, statuses by
  days past due, auto-debit takes min(available, owed)), so a batch killed anywhere and run
  again ends with the same books as an uninterrupted run. A finished step is marked in
  ``BatchStep``; a second run of the same date skips it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from peerlend.bulk_sql import chunks
from peerlend.clock import business_date, set_business_date
from peerlend.domain import repayment
from peerlend.domain.lifecycle import LoanStatus
from peerlend.ledger.services import with_retries
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing import notifications
from peerlend.servicing import services as sv
from peerlend.servicing.models import (
    BatchStep,
    Installment,
    InstallmentStatus,
    PaymentKind,
    PromiseToPay,
    ServicingPayment,
)
from peerlend.servicing.reminders import queue_reminders

logger = logging.getLogger("peerlend.servicing")
DEFAULT_CHUNK = 500
# Test hook: called after each committed chunk with (step, chunk number); a test raises to "kill" the run.
chunk_hook: Callable[[str, int], None] | None = None
REMINDER_OFFSETS = (3, 0, -1, -7, -15, -30)  # days before (+) / after (-) the due date


def _run_chunks(step: str, ids: Sequence[int], size: int, fn: Callable[[list[int]], int]) -> int:
    done = 0
    for number, chunk in enumerate(chunks(ids, size), start=1):
        def attempt(chunk: list[int] = chunk) -> int:
            with transaction.atomic():
                return fn(chunk)

        done += with_retries(attempt)
        if chunk_hook is not None:
            chunk_hook(step, number)
    return done


class Chunk:
    """Loans of one chunk, locked in id order, with their unpaid installments and live notes."""

    def __init__(self, loan_ids: list[int], statuses: Sequence[str], *, due_before: date | None = None,
                 with_notes: bool = True) -> None:
        """``due_before``: load only the unpaid installments due before that date (a step that looks at
        nothing else); ``with_notes=False``: a step that does not touch the notes."""
        self.loans = list(Loan.objects.select_for_update().filter(pk__in=loan_ids, status__in=statuses).order_by("pk"))
        ids = [loan.pk for loan in self.loans]
        self.installments: dict[int, list[Installment]] = defaultdict(list)
        unpaid = Installment.objects.filter(loan_id__in=ids).exclude(status=InstallmentStatus.PAID)
        if due_before is not None:
            unpaid = unpaid.filter(due_date__lt=due_before)
        for inst in unpaid.order_by("loan_id", "number"):
            self.installments[inst.loan_id].append(inst)
        self.notes: dict[int, list[Note]] = defaultdict(list)
        if with_notes:
            for note in Note.objects.filter(loan_id__in=ids, status__in=[NoteStatus.ACTIVE, NoteStatus.CHARGED_OFF]
                                            ).order_by("loan_id", "pk"):
                self.notes[note.loan_id].append(note)
        self.payments: list[ServicingPayment] = []
        self._accounts: sv.Accounts | None = None
        # What was read, so that save() writes back only the rows a step changed (most of a chunk's
        # installments and notes are untouched on a given day).
        self._read = {
            **{("i", i.pk): _values(i, sv.INSTALLMENT_FIELDS) for insts in self.installments.values() for i in insts},
            **{("n", n.pk): _values(n, sv.NOTE_FIELDS) for notes in self.notes.values() for n in notes},
        }

    def accounts(self) -> sv.Accounts:
        """The chunk's accounts, locked; its ledger entries are queued and posted together by :meth:`save`."""
        if self._accounts is None:
            users = {loan.borrower_id for loan in self.loans}
            users.update(n.investor_id for notes in self.notes.values() for n in notes)
            self._accounts = sv.Accounts(users, deferred=True)
        return self._accounts

    def save(self) -> None:
        if self._accounts is not None:
            self._accounts.flush()  # before the payments: each links to its entry
        sv.save_changes([i for insts in self.installments.values() for i in insts
                         if self._read.get(("i", i.pk)) != _values(i, sv.INSTALLMENT_FIELDS)],
                        [n for notes in self.notes.values() for n in notes
                         if self._read.get(("n", n.pk)) != _values(n, sv.NOTE_FIELDS)],
                        self.payments)


def _values(obj: Any, fields: Sequence[str]) -> tuple[Any, ...]:
    return tuple(getattr(obj, f) for f in fields)


def _loans_with_unpaid(today: date, *, before: bool, statuses: Sequence[str] = sv.SERVICED) -> list[int]:
    qs = Installment.objects.filter(loan__status__in=statuses).exclude(status=InstallmentStatus.PAID)
    qs = qs.filter(due_date__lt=today) if before else qs.filter(due_date__lte=today)
    return sorted(set(qs.values_list("loan_id", flat=True)))


# ---------------------------------------------------------------- steps


def step_expire_listings(today: date, size: int) -> int:
    """Expire listings whose window closed, and disburse any fully funded loan a crash left behind."""
    from peerlend.lending.services import disburse_if_funded, expire_due_listings

    funded = Loan.objects.filter(status=LoanStatus.FUNDED).values_list("pk", flat=True)
    return expire_due_listings(today) + sum(disburse_if_funded(pk) for pk in funded)


def step_auto_debit(today: date, size: int) -> int:
    def work(ids: list[int]) -> int:
        chunk = Chunk(ids, sv.SERVICED)
        accounts = chunk.accounts()
        moved = 0
        for loan in chunk.loans:
            insts = chunk.installments[loan.pk]
            payable = sv.payable(insts, today, ahead=False)
            owed = sum(i.due_minor for i in payable)
            take = min(owed, accounts.available(loan.borrower_id).balance_minor)
            if take <= 0:
                continue
            payment = sv.collect_from_borrower(loan, payable, chunk.notes[loan.pk], take, today, accounts,
                                               kind=PaymentKind.AUTO_DEBIT)
            if payment is not None:
                chunk.payments.append(payment)
                moved += 1
            sv.settle_status(loan, insts, chunk.notes[loan.pk], today)
        chunk.save()
        return moved

    return _run_chunks("auto_debit", _borrower_has_cash(_loans_with_unpaid(today, before=False)), size, work)


def _borrower_has_cash(loan_ids: list[int]) -> list[int]:
    """The loans whose borrower has some available cash: auto-debit takes nothing from the others.

    A pre-filter only (the chunk reads the balances again under lock); a deposit that lands while
    the batch runs is collected by the next run, as it would be if it landed a moment later.
    """
    from peerlend.ledger.models import AccountKind, LedgerAccount

    if not loan_ids:
        return []
    borrower_of: dict[int, int] = {}
    with_cash: set[int] = set()
    for part in chunks(loan_ids, 5000):
        borrower_of.update(Loan.objects.filter(pk__in=part).values_list("pk", "borrower_id"))
    borrowers = sorted(set(borrower_of.values()))
    for part in chunks(borrowers, 5000):
        with_cash.update(LedgerAccount.objects.filter(owner_id__in=part, kind=AccountKind.AVAILABLE,
                                                      balance_minor__gt=0).values_list("owner_id", flat=True))
    return [pk for pk in loan_ids if borrower_of.get(pk) in with_cash]


def step_aging(today: date, size: int) -> int:
    rules = sv.servicing_rules()  # read once for the whole step
    default_days = rules.default_days

    def work(ids: list[int]) -> int:
        # Aging looks only at installments already due, and never at the notes.
        chunk = Chunk(ids, sv.SERVICED, due_before=today, with_notes=False)
        for loan in chunk.loans:
            insts = chunk.installments[loan.pk]
            for inst in insts:
                if inst.due_date >= today or inst.due_minor == 0:
                    continue
                inst.status = InstallmentStatus.OVERDUE
                charges = repayment.age_installment(
                    due_date=inst.due_date, unpaid_principal=sv.unpaid_principal(inst),
                    unpaid_interest=sv.unpaid_interest(inst), late_fee=inst.late_fee_minor,
                    penalty_through=inst.penalty_through, today=today, rules=rules)
                inst.late_fee_minor = charges.late_fee
                inst.penalty_minor += charges.penalty_added
                inst.penalty_through = charges.penalty_through
            dpd = sv.days_past_due(insts, today)
            if dpd >= 1 and loan.status == LoanStatus.CURRENT:
                sv.set_status(loan, LoanStatus.LATE)
            if dpd >= default_days and loan.status == LoanStatus.LATE:
                sv.set_status(loan, LoanStatus.DEFAULTED)
        chunk.save()
        return len(chunk.loans)

    return _run_chunks("aging", _loans_with_unpaid(today, before=True), size, work)


def step_compensation(today: date, size: int) -> int:
    if sv.guarantee_mode() != "risk_reserve":
        return 0
    cutoff = today - timedelta(days=sv.rule_int("COMPENSATION_DAYS"))
    ids = sorted(set(
        Installment.objects.filter(loan__status__in=sv.SERVICED, due_date__lt=cutoff, compensated_on__isnull=True)
        .exclude(status=InstallmentStatus.PAID).values_list("loan_id", flat=True)
    ))

    def work(ids: list[int]) -> int:
        chunk = Chunk(ids, sv.SERVICED)
        accounts = chunk.accounts()
        paid = 0
        for loan in chunk.loans:
            notes = chunk.notes[loan.pk]
            for inst in chunk.installments[loan.pk]:
                if inst.due_date >= cutoff or inst.compensated_on is not None:
                    continue
                payment = sv.compensate_installment(loan, inst, notes, today, accounts)
                if payment is not None:
                    chunk.payments.append(payment)
                    paid += 1
            principal = sum(n.principal_outstanding_minor for n in notes if n.status == NoteStatus.ACTIVE)
            if principal != loan.principal_outstanding_minor:
                Loan.objects.filter(pk=loan.pk).update(principal_outstanding_minor=principal)
        chunk.save()
        return paid

    return _run_chunks("compensation", ids, size, work)


def step_charge_off(today: date, size: int) -> int:
    days = sv.rule_int("CHARGE_OFF_DAYS")
    ids = _loans_with_unpaid(today - timedelta(days=days - 1), before=True, statuses=[LoanStatus.DEFAULTED])

    def work(ids: list[int]) -> int:
        chunk = Chunk(ids, [LoanStatus.DEFAULTED])
        done = 0
        for loan in chunk.loans:
            insts = chunk.installments[loan.pk]
            if sv.days_past_due(insts, today) >= days:
                sv.charge_off_notes(loan, chunk.notes[loan.pk], insts, today)
                done += 1
        chunk.save()
        return done

    return _run_chunks("charge_off", ids, size, work)


def step_reminders(today: date, size: int) -> int:
    dates = {today + timedelta(days=d): d for d in REMINDER_OFFSETS}
    rows = (Installment.objects.filter(due_date__in=list(dates), loan__status__in=sv.SERVICED)
            .exclude(status=InstallmentStatus.PAID)
            .annotate(borrower_id=F("loan__borrower_id")))
    # Stored as event and values: each reader sees the reminder in their own language.
    queued = queue_reminders((inst, dates[inst.due_date]) for inst in rows)
    notifications.dispatch_pending()
    return queued


def step_promises(today: date, size: int) -> int:
    done = 0
    for promise in PromiseToPay.objects.filter(status=PromiseToPay.Status.OPEN, promised_on__lt=today):
        paid = ServicingPayment.objects.filter(
            loan_id=promise.loan_id, business_date__gte=promise.recorded_on, business_date__lte=promise.promised_on,
            kind__in=[PaymentKind.REPAYMENT, PaymentKind.AUTO_DEBIT, PaymentKind.RECOVERY],
        ).aggregate(s=Sum("amount_minor"))["s"] or 0
        status = PromiseToPay.Status.KEPT if paid >= promise.amount_minor else PromiseToPay.Status.BROKEN
        done += PromiseToPay.objects.filter(pk=promise.pk, status=PromiseToPay.Status.OPEN).update(status=status)
    return done


STEPS: list[tuple[str, Callable[[date, int], int]]] = [
    ("expire_listings", step_expire_listings),
    ("auto_debit", step_auto_debit),
    ("aging", step_aging),
    ("compensation", step_compensation),
    ("charge_off", step_charge_off),
    ("reminders", step_reminders),
    ("promises", step_promises),
]


def register_step(name: str, fn: Callable[[date, int], int]) -> None:
    """Add (or replace, by name) a step run after servicing's own, in registration order.

    Contexts above servicing (investing's auto-invest and wealth plans) register from their
    ``AppConfig.ready``; each step must be safe to re-run for a date, like the steps above.
    """
    for i, (existing, _fn) in enumerate(STEPS):
        if existing == name:
            STEPS[i] = (name, fn)
            return
    STEPS.append((name, fn))


def run_day(today: date, *, chunk_size: int = DEFAULT_CHUNK) -> dict[str, Any]:
    """Run every step for ``today``; steps already finished for that date are skipped."""
    if today >= business_date() or not BatchStep.objects.exists():
        set_business_date(today)
    summary: dict[str, Any] = {}
    for name, fn in STEPS:
        if BatchStep.objects.filter(business_date=today, step=name).exists():
            summary[name] = "already done"
            continue
        count = fn(today, chunk_size)
        BatchStep.objects.get_or_create(business_date=today, step=name, defaults={"loans": count})
        summary[name] = count
    return summary


def run_days(start: date, until: date, *, chunk_size: int = DEFAULT_CHUNK) -> dict[date, dict[str, Any]]:
    out = {}
    day = start
    while day <= until:
        out[day] = run_day(day, chunk_size=chunk_size)
        day += timedelta(days=1)
    return out
