"""Races on one loan on PostgreSQL: repayment, prepayment and the daily auto-debit at once; two repayments
with different idempotency keys. Each racer is a thread with its own database connection."""

from __future__ import annotations

import inspect
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from peerlend.errors import ApplicationError
from peerlend.ledger.services import with_retries
from peerlend.lending.models import Loan, Note
from peerlend.servicing import batch
from peerlend.servicing import services as sv
from peerlend.servicing.models import ServicingPayment
from tests.servicing.conftest import assert_audit_clean, available, deposit, schedule, young_borrower

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def money_call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a money service; one that takes an idempotency key gets a fresh one (every racer its own)."""
    if "idempotency_key" in inspect.signature(fn).parameters:
        kwargs.setdefault("idempotency_key", uuid.uuid4().hex)
    return fn(**kwargs)


def race(racers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Start every racer at once (a barrier), each on its own connection; the result or the refusal code."""
    barrier = threading.Barrier(len(racers))
    outcomes: dict[str, Any] = {}

    def run(name: str, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[name] = with_retries(fn)
        except ApplicationError as exc:
            outcomes[name] = exc.code
        except Exception as exc:  # reported by the assertion below, with its type
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in racers.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    crashed = {k: v for k, v in outcomes.items() if isinstance(v, Exception)}
    assert not crashed, crashed
    return outcomes


def assert_paid_once(loan: Loan, borrower_cash_before: int) -> None:
    """What left the borrower is exactly what the loan's payments say; no installment is paid beyond itself."""
    loan.refresh_from_db()
    payments = ServicingPayment.objects.filter(loan=loan).exclude(kind="compensation")
    assert borrower_cash_before - available(loan.borrower) == sum(p.amount_minor for p in payments)
    for inst in schedule(loan):
        assert 0 <= inst.principal_paid_minor <= inst.principal_minor, inst
        assert 0 <= inst.interest_paid_minor <= inst.interest_minor, inst
    notes = list(Note.objects.filter(loan=loan))
    assert sum(n.principal_received_minor for n in notes) == sum(p.principal_to_notes_minor for p in payments)
    assert sum(n.principal_received_minor for n in notes) <= loan.amount_minor
    assert_audit_clean()


@pytest.mark.parametrize("round_", range(3))
def test_repay_prepay_and_auto_debit_race_on_one_loan(disbursed_loan, round_):
    who = young_borrower()
    loan = disbursed_loan(amount_minor=3_000_00, term_months=6, borrower=who, shares=(2_000_00, 1_000_00))
    first = schedule(loan)[0]
    today = first.due_date
    quote = sv.prepayment_quote(loan, schedule(loan), today)
    deposit(who, quote.total_minor + first.payment_minor)  # enough for any one of them, and a bit more
    cash = available(who)

    outcomes = race({
        "repay": lambda: money_call(sv.repay, actor=who, loan_id=loan.pk, amount_minor=first.payment_minor,
                                    today=today),
        "prepay": lambda: money_call(sv.prepay, actor=who, loan_id=loan.pk, today=today),
        "auto_debit": lambda: batch.step_auto_debit(today, 500),
    })
    refusals = {k: v for k, v in outcomes.items() if isinstance(v, str)}
    assert set(refusals.values()) <= {"nothing_due", "loan_closed", "not_prepayable", "insufficient_funds"}, outcomes
    loan.refresh_from_db()
    if not isinstance(outcomes["prepay"], str):
        assert loan.status == "prepaid"
        assert all(n.principal_received_minor == n.amount_minor for n in Note.objects.filter(loan=loan))
    # The first installment is paid exactly once, whoever got there first.
    first.refresh_from_db()
    assert first.status == "paid" and first.principal_paid_minor == first.principal_minor
    kinds = list(ServicingPayment.objects.filter(loan=loan).values_list("kind", flat=True))
    assert len(kinds) == len(set(kinds)) >= 1, kinds
    assert_paid_once(loan, cash)


@pytest.mark.parametrize("cash_for", [1, 2], ids=["cash-for-one", "cash-for-two"])
def test_two_repayments_with_different_keys(disbursed_loan, cash_for):
    who = young_borrower()
    loan = disbursed_loan(amount_minor=3_000_00, term_months=6, borrower=who, shares=(2_000_00, 1_000_00))
    first, second = schedule(loan)[:2]
    today = first.due_date
    deposit(who, first.payment_minor + (second.payment_minor if cash_for == 2 else 0))
    cash = available(who)

    def pay() -> Any:
        return money_call(sv.repay, actor=who, loan_id=loan.pk, amount_minor=first.payment_minor, today=today)

    outcomes = race({"one": pay, "two": pay})
    paid = [o for o in outcomes.values() if not isinstance(o, str)]
    refused = [o for o in outcomes.values() if isinstance(o, str)]
    if cash_for == 1:
        # One is taken; the other finds the balance empty and moves nothing.
        assert len(paid) == 1 and refused == ["insufficient_funds"], outcomes
        assert available(who) == 0
    else:
        # Both are taken, one after the other: the second goes to the next installment (paying ahead).
        assert len(paid) == 2, outcomes
        assert sorted(o.paid_minor for o in paid) == sorted([first.payment_minor, min(first.payment_minor,
                                                                                      second.payment_minor)])
        second.refresh_from_db()
        assert second.principal_paid_minor + second.interest_paid_minor == min(first.payment_minor,
                                                                               second.payment_minor)
    first.refresh_from_db()
    assert first.status == "paid"
    assert_paid_once(loan, cash)
