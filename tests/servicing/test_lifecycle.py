"""A 36-month loan through its life: on time, late, prepaid, defaulted and charged off, compensated."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import override_settings

from peerlend.domain.schedule import daily_interest_minor
from peerlend.lending.models import Note
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_day, run_days
from peerlend.servicing.models import CompensationPending, PaymentKind, ServicingPayment
from tests.servicing.conftest import (
    assert_audit_clean,
    available,
    days,
    deposit,
    fund_reserve,
    platform,
    schedule,
)

RESERVE = {"GUARANTEE_MODE": "risk_reserve"}


def _settings(**extra):
    from django.conf import settings

    return override_settings(PEERLEND={**settings.PEERLEND, **extra})


def _notes(loan):
    return list(Note.objects.filter(loan=loan).order_by("pk"))


def test_36_month_loan_paid_on_time(disbursed_loan, borrower):
    loan = disbursed_loan(amount_minor=36_000_00, term_months=36)
    insts = schedule(loan)
    assert len(insts) == 36 and sum(i.principal_minor for i in insts) == 36_000_00
    total_interest = sum(i.interest_minor for i in insts)
    # The borrower funds everything up front; the batch debits each installment on its due date.
    deposit(borrower, sum(i.payment_minor for i in insts))
    start_cash = available(borrower)
    fee_before = platform("platform:fee_income")
    for inst in insts:
        run_day(inst.due_date)
        assert_audit_clean()
    loan.refresh_from_db()
    assert loan.status == "fully_paid"
    notes = _notes(loan)
    assert all(n.status == "paid" and n.principal_outstanding_minor == 0 for n in notes)
    assert [n.principal_received_minor for n in notes] == [n.amount_minor for n in notes]
    assert sum(n.interest_received_minor for n in notes) == total_interest
    payments = ServicingPayment.objects.filter(loan=loan)
    assert payments.count() == 36 and all(p.kind == PaymentKind.AUTO_DEBIT for p in payments)
    # The service fee is 1 % of each payment (half-up), split exactly over the notes.
    expected_fee = sum(int((Decimal(i.payment_minor) / 100).quantize(Decimal(1), ROUND_HALF_UP)) for i in insts)
    assert sum(n.fees_paid_minor for n in notes) == expected_fee
    assert platform("platform:fee_income") - fee_before == expected_fee
    # Each investor got back principal + interest - fee, to the cent.
    for n in notes:
        assert available(n.investor) == n.principal_received_minor + n.interest_received_minor - n.fees_paid_minor
    assert available(borrower) == start_cash - sum(i.payment_minor for i in insts)
    # Every note's share is within one cent per payment of its exact pro-rata share.
    exact = Decimal(total_interest) * notes[0].amount_minor / loan.amount_minor
    assert abs(notes[0].interest_received_minor - exact) <= 36


def test_paid_late_late_fee_and_penalty_then_back_to_current(disbursed_loan, borrower):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, days(first.due_date, 20))
    loan.refresh_from_db()
    first.refresh_from_db()
    assert loan.status == "late"
    assert first.status == "overdue"
    assert first.late_fee_minor == max(round(first.payment_minor * 5 / 100), 15_00)
    # Penalty only for the 5 days beyond the 15-day grace, on the overdue principal.
    assert first.penalty_minor == sum(daily_interest_minor(first.principal_minor, Decimal("0.1825"), 1)
                                      for _ in range(5))
    due = first.due_minor
    deposit(borrower, due)
    fee_before = platform("platform:fee_income")
    result = sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=due)
    assert result.paid_minor == due and result.excess_minor == 0
    assert result.breakdown["late_fee"] == first.late_fee_minor
    first.refresh_from_db()
    loan.refresh_from_db()
    assert first.status == "paid" and first.due_minor == 0
    assert loan.status == "current"
    payment = ServicingPayment.objects.get(pk=result.payment_id)
    assert payment.interest_to_notes_minor == first.interest_minor + first.penalty_minor
    assert platform("platform:fee_income") - fee_before == first.late_fee_minor + payment.service_fee_minor
    assert_audit_clean()


def test_partial_payment_order_penalty_fee_interest_principal(disbursed_loan, borrower):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, days(first.due_date, 18))
    first.refresh_from_db()
    pay = first.penalty_minor + first.late_fee_minor + 10_00
    deposit(borrower, pay)
    sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=pay)
    first.refresh_from_db()
    assert first.penalty_paid_minor == first.penalty_minor
    assert first.late_fee_paid_minor == first.late_fee_minor
    assert first.interest_paid_minor == 10_00 and first.principal_paid_minor == 0
    assert_audit_clean()


def test_prepaid_in_full_interest_to_the_day(disbursed_loan, borrower):
    loan = disbursed_loan()
    insts = schedule(loan)
    deposit(borrower, 40_000_00)
    for inst in insts[:3]:
        run_day(inst.due_date)
    today = days(insts[2].due_date, 10)
    run_day(today)
    quote = sv.prepayment_quote(loan, schedule(loan), today)
    remaining = sum(i.principal_minor for i in insts[3:])
    assert quote.principal_minor == remaining
    assert quote.accrued_interest_minor == daily_interest_minor(remaining, loan.annual_rate, 10)
    assert quote.penalty_minor == 0 and quote.due_now_minor == 0
    before = available(borrower)
    result = sv.prepay(actor=borrower, loan_id=loan.pk, today=today)
    assert result.paid_minor == quote.total_minor
    assert available(borrower) == before - quote.total_minor
    loan.refresh_from_db()
    assert loan.status == "prepaid"
    assert len(schedule(loan)) == 4 and sum(i.principal_minor for i in schedule(loan)) == loan.amount_minor
    assert all(n.status == "paid" and n.principal_received_minor == n.amount_minor for n in _notes(loan))
    assert_audit_clean()
    with pytest.raises(Exception, match="closed"):
        sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=100)


def test_partial_prepayment_shortens_the_term(disbursed_loan, borrower):
    loan = disbursed_loan()
    insts = schedule(loan)
    deposit(borrower, 20_000_00)
    run_day(insts[0].due_date)
    today = days(insts[0].due_date, 5)
    result = sv.prepay(actor=borrower, loan_id=loan.pk, amount_minor=10_000_00, today=today)
    assert result.excess_minor >= 0 and result.paid_minor + result.excess_minor == 10_000_00
    after = schedule(loan)
    assert len(after) < 36
    assert sum(i.principal_minor for i in after) == loan.amount_minor
    # The monthly payment does not grow.
    assert max(i.payment_minor for i in after[2:-1]) <= insts[2].payment_minor
    loan.refresh_from_db()
    assert loan.status == "current"
    assert loan.principal_outstanding_minor == sum(n.principal_outstanding_minor for n in _notes(loan))
    assert_audit_clean()
    # Pay the rest on schedule: the loan closes with every note's principal back exactly.
    deposit(borrower, sum(i.due_minor for i in after))
    for inst in after[1:]:
        run_day(inst.due_date)
    loan.refresh_from_db()
    assert loan.status == "fully_paid"
    assert all(n.principal_received_minor == n.amount_minor for n in _notes(loan))
    assert_audit_clean()


def test_defaulted_charged_off_and_recovery(disbursed_loan, borrower):
    loan = disbursed_loan()
    insts = schedule(loan)
    first = insts[0].due_date
    run_days(first, days(first, 120))
    loan.refresh_from_db()
    assert loan.status == "late"
    run_day(days(first, 121))
    loan.refresh_from_db()
    assert loan.status == "defaulted"
    run_days(days(first, 122), days(first, 149))
    loan.refresh_from_db()
    assert loan.status == "defaulted"
    outstanding = {n.pk: n.principal_outstanding_minor for n in _notes(loan)}
    run_day(days(first, 150))
    loan.refresh_from_db()
    assert loan.status == "charged_off" and loan.principal_outstanding_minor == 0
    for n in _notes(loan):
        assert n.status == "charged_off"
        assert n.charged_off_minor == outstanding[n.pk] == n.amount_minor
        assert n.principal_outstanding_minor == 0
    assert_audit_clean()
    # A recovery after charge-off flows to the holders by what they wrote off.
    deposit(borrower, 5_000_00)
    result = sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=5_000_00)
    assert result.paid_minor == 5_000_00
    payment = ServicingPayment.objects.get(pk=result.payment_id)
    assert payment.kind == PaymentKind.RECOVERY
    notes = _notes(loan)
    assert sum(n.principal_received_minor for n in notes) == payment.principal_to_notes_minor > 0
    assert all(n.charged_off_minor == n.amount_minor - n.principal_received_minor for n in notes)
    assert_audit_clean()
    # Same day twice: nothing changes.
    from tests.servicing.conftest import ledger_snapshot

    snap = ledger_snapshot()
    run_day(days(first, 150))
    assert ledger_snapshot() == snap


def test_compensated_under_risk_reserve(disbursed_loan, borrower):
    with _settings(**RESERVE):
        loan = disbursed_loan()
        fee = loan.amount_minor * loan.origination_fee_rate
        share = sv.reserve_share_minor(int(Decimal(fee).quantize(Decimal(1), ROUND_HALF_UP)))
        assert share > 0 and platform("platform:risk_reserve") == share
        insts = schedule(loan)
        first = insts[0]
        owed = first.payment_minor
        # Drain nothing, but the reserve (one fee share) is smaller than an installment: compensation waits.
        assert share < owed
        run_days(first.due_date, days(first.due_date, 31))
        pending = CompensationPending.objects.get(installment=first)
        assert pending.amount_minor == owed
        assert not ServicingPayment.objects.filter(kind=PaymentKind.COMPENSATION).exists()
        assert_audit_clean()
        # Capital tops the reserve up; the next day the holders are paid principal + interest.
        fund_reserve(10_000_00)
        reserve_before = platform("platform:risk_reserve")
        run_day(days(first.due_date, 32))
        first.refresh_from_db()
        assert first.compensated_on is not None
        assert first.compensated_principal_minor + first.compensated_interest_minor == owed
        assert not CompensationPending.objects.exists()
        assert platform("platform:risk_reserve") == reserve_before - owed
        notes = _notes(loan)
        assert sum(n.principal_received_minor for n in notes) == first.principal_minor
        assert sum(n.interest_received_minor for n in notes) == first.interest_minor
        loan.refresh_from_db()
        assert loan.principal_outstanding_minor == loan.amount_minor - first.principal_minor
        assert_audit_clean()
        # The borrower pays later: the reserve is repaid first (principal, interest, penalty); the fee to the platform.
        first.refresh_from_db()
        due = first.due_minor
        deposit(borrower, due)
        result = sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=due)
        assert result.breakdown["to_reserve"] == due - first.late_fee_minor
        assert platform("platform:risk_reserve") == reserve_before - owed + due - first.late_fee_minor
        assert_audit_clean()
