"""A repayment taken at a service point: through clearing, applied as a normal repayment, once per key."""

from __future__ import annotations

import pytest

from peerlend.accounts.network.models import CounterReceipt
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from peerlend.ledger import services as ledger
from peerlend.ledger.models import JournalEntry, Posting
from peerlend.lending.models import Loan
from peerlend.servicing import counter
from peerlend.servicing.models import Installment, ServicingPayment


def _first_due(loan: Loan) -> int:
    first = Installment.objects.filter(loan=loan).order_by("number").first()
    assert first is not None
    return first.due_minor


def test_cash_repayment_goes_through_clearing_and_pays_the_loan(agent, member_loan) -> None:
    due = _first_due(member_loan)
    result = counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due, method="cash",
                                    idempotency_key="k-1")
    receipt = CounterReceipt.objects.get(pk=result.receipt_id)
    assert receipt.amount_minor == due and receipt.method == "cash"
    assert result.paid_minor == due
    assert ServicingPayment.objects.get(pk=receipt.payment_id).amount_minor == due
    assert ledger.platform_account(counter.CLEARING).balance_minor == -due  # debit-normal: holds the cash
    assert ledger.user_accounts(member_loan.borrower).available.balance_minor == 0  # credited, then repaid
    assert _first_due(member_loan) == 0


def test_every_entry_balances(agent, member_loan) -> None:
    counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=_first_due(member_loan), method="card",
                           idempotency_key="k-2")
    for entry in JournalEntry.objects.filter(kind__in=[counter.CASH_IN, "repayment"]):
        assert sum(Posting.objects.filter(entry=entry).values_list("amount_minor", flat=True)) == 0


def test_same_key_pays_once(agent, member_loan) -> None:
    due = _first_due(member_loan)
    first = counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due, method="cash",
                                   idempotency_key="same")
    again = counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due, method="cash",
                                   idempotency_key="same")
    assert again.receipt_id == first.receipt_id
    assert CounterReceipt.objects.count() == 1
    assert JournalEntry.objects.filter(kind=counter.CASH_IN).count() == 1


def test_agent_of_another_point_is_refused_and_nothing_moves(other_agent, member_loan) -> None:
    with pytest.raises(ApplicationError) as exc:
        counter.take_repayment(agent=other_agent, loan_id=member_loan.pk, amount_minor=100_00, method="cash",
                               idempotency_key="k-3")
    assert exc.value.code == "member_not_at_point" and exc.value.status == 403
    assert not JournalEntry.objects.filter(kind=counter.CASH_IN).exists()


def test_more_than_owed_is_refused_and_rolled_back(agent, member_loan) -> None:
    due = _first_due(member_loan)
    with pytest.raises(ApplicationError) as exc:
        counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due * 3, method="cash",
                               idempotency_key="k-4")
    assert exc.value.code == "more_than_owed"
    assert ledger.platform_account(counter.CLEARING).balance_minor == 0
    assert not CounterReceipt.objects.exists()


@pytest.mark.parametrize("amount", [0, -1, counter.MAX_COUNTER_MINOR + 1])
def test_amount_out_of_range_is_refused(agent, member_loan, amount: int) -> None:
    with pytest.raises(ApplicationError) as exc:
        counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=amount, method="cash",
                               idempotency_key=None)
    assert exc.value.code == "invalid_amount"


def test_unknown_method_is_refused(agent, member_loan) -> None:
    with pytest.raises(ApplicationError) as exc:
        counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=100, method="cheque",
                               idempotency_key=None)
    assert exc.value.code == "invalid_method"


def test_counter_repayment_is_audited(agent, member_loan) -> None:
    due = _first_due(member_loan)
    result = counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due, method="cash",
                                    idempotency_key="k-5")
    event = AuditEvent.objects.filter(action="servicing.counter_repayment").get()
    assert event.actor_id == agent.pk
    assert event.new["receipt"] == result.receipt_id and event.new["amount_minor"] == due
    assert event.old["still_owed_minor"] - event.new["still_owed_minor"] == due
