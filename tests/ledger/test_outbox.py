"""Gateway requests leave through the outbox: written with the transaction, sent after commit, retried.

DESIGN.md: "Anything that leaves the process ... is written to an outbox in the same transaction
and sent after commit by a sender that retries; a rolled-back transaction sends nothing."
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from peerlend.ledger import outbox, selectors, services
from peerlend.ledger.models import OutboxMessage, Withdrawal
from tests.factories import make_user
from tests.ledger.conftest import fund
from tests.ledger.fake_gateway import RecordingGateway

pytestmark = pytest.mark.django_db(transaction=True)
LATER = timedelta(days=2)


class Rollback(Exception):
    pass


@pytest.fixture
def bank():
    RecordingGateway.reset()
    with override_settings(PEERLEND_GATEWAY="tests.ledger.fake_gateway.RecordingGateway"):
        yield RecordingGateway
    RecordingGateway.reset()


@pytest.fixture
def member():
    user = make_user()
    fund(user, 10_000)
    return user


def test_a_rolled_back_withdrawal_sends_nothing(bank, member):
    with pytest.raises(Rollback), transaction.atomic():
        services.request_withdrawal(member, 1_000)
        raise Rollback
    assert bank.payouts == []
    assert OutboxMessage.objects.count() == 0 and Withdrawal.objects.count() == 0
    assert outbox.send_pending(now=timezone.now() + LATER).sent == 0
    assert bank.payouts == []


def test_a_committed_withdrawal_is_sent_once_after_commit(bank, member):
    w = services.request_withdrawal(member, 1_000)
    assert bank.payouts == [w.public_id]
    assert bank.calls_in_transaction == []
    message = OutboxMessage.objects.get()
    assert (message.kind, message.status, message.attempts) == ("gateway.payout", "sent", 1)
    assert message.payload == {"withdrawal_id": w.public_id}
    # Re-running the sender sends nothing more.
    call_command("send_outbox")
    outbox.send_pending(now=timezone.now() + LATER)
    assert bank.payouts == [w.public_id]


def test_the_gateway_waits_for_the_outermost_commit(bank, member):
    with transaction.atomic():
        w = services.request_withdrawal(member, 1_000)
        assert bank.payouts == []
        # A sender run while the transaction is open leaves the row for later.
        assert outbox.send_pending(now=timezone.now() + LATER).sent == 0
        assert bank.payouts == []
    assert bank.payouts == [w.public_id]
    assert bank.calls_in_transaction == []


def test_the_api_withdrawal_and_its_replay_send_once(bank, member, client):
    client.force_login(member)
    for _ in range(2):
        resp = client.post("/api/withdrawals", data={"amount": "10.00"}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="w-1")
        assert resp.status_code == 201, resp.content
    assert len(bank.payouts) == 1 and bank.calls_in_transaction == []


def test_a_failed_send_stays_pending_and_is_retried(bank, member):
    bank.fail_next = 1
    w = services.request_withdrawal(member, 1_000)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "bank unreachable" in message.last_error
    assert message.next_attempt_at > timezone.now()
    # The money stays frozen while the request waits.
    w.refresh_from_db()
    assert w.status == "pending" and selectors.balances(member).frozen_minor == 1_000
    # Not due yet: an immediate re-run backs off.
    call_command("send_outbox")
    assert bank.payouts == []
    summary = outbox.send_pending(now=timezone.now() + LATER)
    assert (summary.sent, summary.failed) == (1, 0)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at is not None) == ("sent", 2, True)
    assert bank.payouts == [w.public_id] and bank.calls_in_transaction == []


def test_attempts_are_bounded(bank, member):
    bank.fail_next = 100
    with override_settings(PEERLEND_OUTBOX_MAX_ATTEMPTS=3):
        services.request_withdrawal(member, 1_000)
        for i in range(5):
            outbox.send_pending(now=timezone.now() + LATER * (i + 1))
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("failed", 3)
    assert bank.fail_next == 100 - 3
    # The operator can put a failed message back in the queue once the bank is fixed.
    bank.fail_next = 0
    call_command("send_outbox", "--retry-failed", "--now")
    message.refresh_from_db()
    assert message.status == "sent" and len(bank.payouts) == 1


def test_run_day_sends_what_is_due(bank, member):
    bank.fail_next = 1
    services.request_withdrawal(member, 1_000)
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("run_day", "--date", date(2024, 3, 1).isoformat())
    assert OutboxMessage.objects.get().status == "sent" and len(bank.payouts) == 1


def test_the_sandbox_payout_stays_pending_until_the_operator_settles(member):
    w = services.request_withdrawal(member, 1_000)
    assert OutboxMessage.objects.get().status == "sent"
    w.refresh_from_db()
    assert w.status == "pending"
    call_command("sandbox_payouts", "--settle", w.public_id)
    w.refresh_from_db()
    assert w.status == "succeeded"
