"""Prepayment across the four repayment methods with a prepayment penalty, every refusal, a defaulted loan."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from peerlend.domain.schedule import daily_interest_minor
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan, Note
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_day, run_days
from peerlend.servicing.models import PaymentKind, ServicingPayment
from tests.factories import make_user
from tests.servicing.conftest import (
    assert_audit_clean,
    available,
    days,
    deposit,
    ledger_snapshot,
    platform,
    schedule,
    young_borrower,
)

METHODS = ("equal_installment", "equal_principal", "interest_only", "bullet")
PENALTY_RATE = Decimal("0.02")


@pytest.fixture(autouse=True)
def prepayment_penalty() -> Iterator[None]:
    with override_settings(PEERLEND={**settings.PEERLEND, "PREPAYMENT_PENALTY_RATE": str(PENALTY_RATE)}):
        yield


def money_call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a money service; a service that takes an idempotency key gets a fresh one."""
    if "idempotency_key" in inspect.signature(fn).parameters:
        kwargs.setdefault("idempotency_key", uuid.uuid4().hex)
    return fn(**kwargs)


def prepay(**kwargs: Any) -> sv.RepaymentResult:
    return money_call(sv.prepay, **kwargs)


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _notes(loan: Loan) -> list[Note]:
    return list(Note.objects.filter(loan=loan).order_by("pk"))


def _books_agree(loan: Loan) -> None:
    loan.refresh_from_db()
    assert sum(i.principal_minor for i in schedule(loan)) == loan.amount_minor
    live = [n for n in _notes(loan) if n.status == "active"]
    assert loan.principal_outstanding_minor == sum(n.principal_outstanding_minor for n in live)
    assert_audit_clean()


ACCRUED_DAYS = 10


def _into_the_loan(loan: Loan, borrower) -> Any:
    """Move to a day ACCRUED_DAYS into a period with nothing due: for a loan paid monthly the first
    installment is auto-debited on its date first; a bullet loan (one installment) is still in its first period."""
    insts = schedule(loan)
    if len(insts) == 1:
        assert loan.disbursed_on is not None
        today = days(loan.disbursed_on, ACCRUED_DAYS)
        run_day(today)
        return today
    first = insts[0]
    deposit(borrower, first.payment_minor)
    run_day(first.due_date)
    assert schedule(loan)[0].status == "paid"
    today = days(first.due_date, ACCRUED_DAYS)
    run_day(today)
    return today


@pytest.mark.parametrize("method", METHODS)
def test_full_prepayment_with_a_penalty(disbursed_loan, borrower, method):
    loan = disbursed_loan(amount_minor=6_000_00, term_months=6, repayment_method=method)
    today = _into_the_loan(loan, borrower)
    quote = sv.prepayment_quote(loan, schedule(loan), today)
    principal_left = sum(i.principal_minor - i.principal_paid_minor for i in schedule(loan))
    assert quote.due_now_minor == 0 and quote.principal_minor == principal_left > 0
    assert quote.accrued_interest_minor == daily_interest_minor(principal_left, loan.annual_rate, ACCRUED_DAYS)
    assert quote.penalty_minor == _half_up(Decimal(principal_left) * PENALTY_RATE) > 0
    deposit(borrower, quote.total_minor)
    before, fees_before = available(borrower), platform("platform:fee_income")
    result = prepay(actor=borrower, loan_id=loan.pk, today=today)
    assert (result.paid_minor, result.excess_minor, result.loan_status) == (quote.total_minor, 0, "prepaid")
    assert available(borrower) == before - quote.total_minor
    payment = ServicingPayment.objects.get(pk=result.payment_id)
    assert payment.kind == PaymentKind.PREPAYMENT
    # The penalty and the accrued interest go to the holders (less their service fee): all of it reaches someone.
    assert payment.principal_to_notes_minor == principal_left
    assert payment.interest_to_notes_minor == quote.accrued_interest_minor + quote.penalty_minor
    assert platform("platform:fee_income") == fees_before + payment.service_fee_minor
    assert all(n.status == "paid" and n.principal_received_minor == n.amount_minor for n in _notes(loan))
    _books_agree(loan)


@pytest.mark.parametrize("method", METHODS)
def test_partial_prepayment_with_a_penalty_then_paid_to_the_end(disbursed_loan, borrower, method):
    loan = disbursed_loan(amount_minor=6_000_00, term_months=6, repayment_method=method)
    today = _into_the_loan(loan, borrower)
    before_schedule = schedule(loan)
    amount = 2_000_00
    deposit(borrower, amount)
    before = available(borrower)
    result = prepay(actor=borrower, loan_id=loan.pk, amount_minor=amount, today=today)
    assert result.loan_status == "current"
    assert result.paid_minor + result.excess_minor == amount and result.paid_minor > 0
    assert available(borrower) == before - result.paid_minor
    payment = ServicingPayment.objects.get(pk=result.payment_id)
    assert payment.kind == PaymentKind.PARTIAL_PREPAYMENT
    px = payment.principal_to_notes_minor
    # What was paid is principal plus its interest to the day plus the penalty on it, nothing else.
    assert payment.interest_to_notes_minor == (daily_interest_minor(px, loan.annual_rate, ACCRUED_DAYS)
                                               + _half_up(Decimal(px) * PENALTY_RATE))
    assert result.paid_minor == px + payment.interest_to_notes_minor
    after = schedule(loan)
    assert len(after) <= len(before_schedule)
    # "Shorten the term": no later installment asks for more than it did before.
    old_payment = {i.number: i.payment_minor for i in before_schedule}
    assert all(i.payment_minor <= old_payment[i.number] for i in after[2:])
    _books_agree(loan)
    # Pay the rest on schedule: the loan closes and every holder got its principal back exactly.
    deposit(borrower, sum(i.due_minor for i in after))
    for inst in after:
        if inst.due_date > today:
            run_day(inst.due_date)
    loan.refresh_from_db()
    assert loan.status == "fully_paid", [(i.number, i.due_date, i.due_minor) for i in schedule(loan)]
    assert all(n.principal_received_minor == n.amount_minor for n in _notes(loan))
    _books_agree(loan)


def test_every_refusal_moves_nothing(disbursed_loan, listed_loan, borrower):
    loan = disbursed_loan(amount_minor=6_000_00, term_months=6)
    insts = schedule(loan)
    stranger = make_user(roles=("borrower", "investor"))

    def refused(code: str, says: str = "", **kwargs: Any) -> None:
        snapshot = ledger_snapshot()
        kwargs.setdefault("actor", borrower)
        kwargs.setdefault("loan_id", loan.pk)
        with pytest.raises(ApplicationError) as caught:
            prepay(**kwargs)
        assert caught.value.code == code, (caught.value.code, caught.value.message)
        assert says in caught.value.message
        assert ledger_snapshot() == snapshot

    for bad in (0, -1, True, 1.5):
        refused("invalid_amount", amount_minor=bad)
    refused("not_found", loan_id=10**9)
    refused("not_owner", actor=stranger)
    listing = listed_loan(amount_minor=5_000_00, borrower=young_borrower())
    refused("not_disbursed", actor=listing.borrower, loan_id=listing.pk)
    with pytest.raises(ApplicationError) as caught:
        sv.quote_for(stranger, loan.pk)
    assert caught.value.code == "not_owner"
    with pytest.raises(ApplicationError) as caught:
        sv.quote_for(borrower, 10**9)
    assert caught.value.code == "not_found"

    # On the due date, with the installment unpaid: a prepayment must be more than what is due now.
    due_day = insts[0].due_date
    quote = sv.prepayment_quote(loan, schedule(loan), due_day)
    assert quote.due_now_minor == insts[0].payment_minor
    deposit(borrower, quote.due_now_minor)
    refused("prepayment_too_small", amount_minor=quote.due_now_minor, today=due_day)
    refused("prepayment_too_small", amount_minor=quote.due_now_minor - 1, today=due_day)
    # Not enough cash for the whole loan, for part of it, or an amount beyond the balance.
    refused("insufficient_funds", "insufficient available balance", today=due_day)
    refused("insufficient_funds", "insufficient available balance", amount_minor=quote.due_now_minor + 1_000_00,
            today=due_day)
    deposit(borrower, quote.total_minor)
    # Enough for the whole loan, but the amount typed is more than the balance: refused, not "kept".
    refused("insufficient_funds", "You entered", amount_minor=available(borrower) + 1, today=due_day)

    # The current installment partly paid ahead: only a prepayment in full is possible.
    result = money_call(sv.repay, actor=borrower, loan_id=loan.pk, amount_minor=quote.due_now_minor + 100_00,
                        today=due_day)
    assert result.paid_minor == quote.due_now_minor + 100_00
    assert schedule(loan)[1].principal_paid_minor + schedule(loan)[1].interest_paid_minor == 100_00
    refused("installment_partly_paid", amount_minor=1_000_00, today=due_day)
    full = prepay(actor=borrower, loan_id=loan.pk, today=due_day)
    assert full.loan_status == "prepaid"
    refused("loan_closed", today=due_day)
    refused("loan_closed", amount_minor=1_00, today=due_day)
    _books_agree(loan)


def test_defaulted_loan_prepays_in_full_and_a_charged_off_one_cannot(disbursed_loan):
    paying, silent = young_borrower(), young_borrower()
    defaulted = disbursed_loan(amount_minor=3_000_00, term_months=6, borrower=paying)
    written_off = disbursed_loan(amount_minor=3_000_00, term_months=6, borrower=silent)
    first = schedule(defaulted)[0].due_date
    run_days(first, days(first, 121))
    defaulted.refresh_from_db()
    assert defaulted.status == "defaulted"
    today = days(first, 121)
    quote = sv.prepayment_quote(defaulted, schedule(defaulted), today)
    overdue = [i for i in schedule(defaulted) if i.due_date <= today]
    # Due now includes the overdue installments with their late fees and penalty interest.
    assert quote.due_now_minor == sum(i.due_minor for i in overdue)
    assert sum(i.late_fee_minor for i in overdue) > 0 and sum(i.penalty_minor for i in overdue) > 0
    deposit(paying, quote.total_minor)
    fees_before = platform("platform:fee_income")
    result = prepay(actor=paying, loan_id=defaulted.pk, today=today)
    assert (result.paid_minor, result.loan_status) == (quote.total_minor, "prepaid")
    payment = ServicingPayment.objects.get(pk=result.payment_id)
    assert payment.late_fee_minor == sum(i.late_fee_minor for i in overdue)
    assert platform("platform:fee_income") == fees_before + payment.late_fee_minor + payment.service_fee_minor
    assert all(n.principal_received_minor == n.amount_minor for n in _notes(defaulted))
    _books_agree(defaulted)

    run_days(days(first, 122), days(first, 150))
    written_off.refresh_from_db()
    assert written_off.status == "charged_off"
    deposit(silent, 10_000_00)
    snapshot = ledger_snapshot()
    for amount in (None, 1_000_00):
        with pytest.raises(ApplicationError) as caught:
            prepay(actor=silent, loan_id=written_off.pk, amount_minor=amount, today=days(first, 150))
        assert caught.value.code == "not_prepayable"
    assert ledger_snapshot() == snapshot
    assert_audit_clean()
