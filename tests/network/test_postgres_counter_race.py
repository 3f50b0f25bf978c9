"""PostgreSQL: one counter payment sent 8 times at once with the same key is taken once; the books stay whole."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from peerlend.accounts.network.models import CounterReceipt
from peerlend.errors import ApplicationError
from peerlend.ledger import services as ledger
from peerlend.servicing import counter
from peerlend.servicing.models import Installment, ServicingPayment
from tests.lending.conftest import assert_audit_clean

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_same_key_from_8_threads_pays_once(agent, member_loan) -> None:
    due = Installment.objects.filter(loan=member_loan).order_by("number").first().due_minor
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait()
            result = counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due, method="cash",
                                            idempotency_key="race")
            outcomes.append(f"ok:{result.receipt_id}")
        except ApplicationError as exc:
            outcomes.append(exc.code or "error")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert CounterReceipt.objects.count() == 1
    receipt = CounterReceipt.objects.get()
    assert {o for o in outcomes if o.startswith("ok")} == {f"ok:{receipt.pk}"}
    assert set(o for o in outcomes if not o.startswith("ok")) <= {"idempotency_in_progress"}
    assert ServicingPayment.objects.filter(loan=member_loan).count() == 1
    assert ledger.platform_account(counter.CLEARING).balance_minor == -due
    assert_audit_clean()
