"""All four repayment methods through the services: every holder's net from every payment is exact to one unit."""

from __future__ import annotations

import inspect
import uuid
from fractions import Fraction
from typing import Any

import pytest

from peerlend.domain.schedule import METHODS
from peerlend.ledger.models import Posting
from peerlend.lending.models import Note
from peerlend.servicing import services as sv
from peerlend.servicing.models import ServicingPayment
from tests.servicing.conftest import assert_audit_clean, deposit, schedule

SHARES = (1_250_00, 2_050_00, 3_700_00, 450_00, 4_550_00, 1_000_00, 3_000_00)  # 16,000 CNY over seven holders


def _call(fn: Any, **kwargs: Any) -> sv.RepaymentResult:
    if "idempotency_key" in inspect.signature(fn).parameters:
        kwargs.setdefault("idempotency_key", uuid.uuid4().hex)
    return fn(**kwargs)


def _check_payment(payment_id: int, weights: dict[int, int]) -> None:
    """The holders' credits of the payment's entry against their exact shares of the net paid out."""
    payment = ServicingPayment.objects.get(pk=payment_id)
    net_total = payment.principal_to_notes_minor + payment.interest_to_notes_minor - payment.service_fee_minor
    credits = dict(Posting.objects.filter(entry_id=payment.entry_id, account__owner_id__in=list(weights))
                   .values_list("account__owner_id", "amount_minor"))
    total_w = sum(weights.values())
    assert sum(credits.values()) == net_total
    for investor, w in weights.items():
        assert abs(credits.get(investor, 0) - Fraction(net_total * w, total_w)) < 1, (investor, credits)


def _weights(loan: Any) -> dict[int, int]:
    return dict(Note.objects.filter(loan=loan).values_list("investor_id", "principal_outstanding_minor"))


@pytest.mark.parametrize("method", METHODS)
def test_repay_then_prepay_in_part_then_in_full(disbursed_loan, borrower, method):
    loan = disbursed_loan(amount_minor=sum(SHARES), term_months=6, shares=SHARES, repayment_method=method)
    insts = schedule(loan)
    deposit(borrower, sum(i.payment_minor for i in insts))
    first = insts[0]
    weights = _weights(loan)
    result = _call(sv.repay, actor=borrower, loan_id=loan.pk, amount_minor=first.due_minor, today=first.due_date)
    _check_payment(result.payment_id, weights)
    if method != "bullet":  # a bullet has a single installment: its first payment closed the loan
        today = first.due_date.replace(day=first.due_date.day + 10)
        weights = _weights(loan)
        part = _call(sv.prepay, actor=borrower, loan_id=loan.pk, amount_minor=3_000_00, today=today)
        assert part.loan_status == "current"
        _check_payment(part.payment_id, weights)
        weights = _weights(loan)
        full = _call(sv.prepay, actor=borrower, loan_id=loan.pk, today=today)
        _check_payment(full.payment_id, weights)
    loan.refresh_from_db()
    assert loan.status in ("prepaid", "fully_paid")
    notes = Note.objects.filter(loan=loan)
    assert sum(n.principal_received_minor for n in notes) == loan.amount_minor
    assert all(n.principal_outstanding_minor == 0 for n in notes)
    assert_audit_clean()


@pytest.mark.parametrize("method", METHODS)
def test_unpaid_loan_goes_late_defaults_and_is_charged_off(disbursed_loan, method):
    """Every method ages the same way: late the day after a missed due date, defaulted and then
    charged off at the configured days past due, each holder writing off exactly what it still held."""
    from datetime import timedelta

    from django.conf import settings

    from peerlend.servicing.batch import run_day

    loan = disbursed_loan(amount_minor=sum(SHARES), term_months=6, shares=SHARES, repayment_method=method)
    first = schedule(loan)[0].due_date
    rules = settings.PEERLEND
    for offset, status in ((1, "late"), (rules["DEFAULT_DAYS"], "defaulted")):
        run_day(first + timedelta(days=offset))
        loan.refresh_from_db()
        assert loan.status == status, (method, offset)
    held = {n.pk: n.principal_outstanding_minor for n in Note.objects.filter(loan=loan)}
    assert sum(held.values()) == loan.principal_outstanding_minor > 0
    run_day(first + timedelta(days=rules["CHARGE_OFF_DAYS"]))
    loan.refresh_from_db()
    assert loan.status == "charged_off" and loan.principal_outstanding_minor == 0
    for note in Note.objects.filter(loan=loan):
        assert note.status == "charged_off"
        assert note.charged_off_minor == held[note.pk] and note.principal_outstanding_minor == 0
    assert_audit_clean()
