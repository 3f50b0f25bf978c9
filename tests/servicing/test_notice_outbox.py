"""Notices leave through the one outbox that gateway payouts use: written with the change, sent after commit,
retried with back-off, sent once (``peerlend send-outbox`` and ``run-day`` send every kind)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from peerlend import notify
from peerlend.accounts.models import User
from peerlend.ledger import outbox
from peerlend.ledger import services as ledger
from peerlend.ledger.models import OutboxMessage
from peerlend.servicing.models import Notification
from tests.factories import make_user
from tests.ledger.conftest import fund

pytestmark = pytest.mark.django_db(transaction=True)
LATER = timedelta(days=2)


class FlakyEmail(EmailBackend):
    """The mail server refuses the first ``failures`` messages, then works."""

    failures = 0

    def send_messages(self, messages):
        if FlakyEmail.failures:
            FlakyEmail.failures -= 1
            raise ConnectionError("mail server unreachable")
        return super().send_messages(messages)


@pytest.fixture
def member():
    user = make_user(roles=("investor",))
    User.objects.filter(pk=user.pk).update(email="m@example.com")
    user.refresh_from_db()
    return user


@pytest.fixture
def flaky():
    FlakyEmail.failures = 0
    with override_settings(EMAIL_BACKEND="tests.servicing.test_notice_outbox.FlakyEmail"):
        yield FlakyEmail


def _deposit_notice(member, key="deposit:1"):
    notify.notify(member, "deposit_completed", key, {"amount_minor": 5_00})


def test_a_rolled_back_transaction_sends_nothing(member, flaky):
    with pytest.raises(RuntimeError), transaction.atomic():
        _deposit_notice(member)
        raise RuntimeError("the use case failed")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    outbox.send_pending(now=timezone.now() + LATER)
    assert mail.outbox == []


def test_messages_and_payouts_share_one_outbox_and_leave_after_commit(member, flaky):
    fund(member, 1_000_00)
    with transaction.atomic():
        _deposit_notice(member)
        ledger.request_withdrawal(member, 100_00)
        assert mail.outbox == []
    kinds = sorted(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == ["gateway.payout", "notice", "notice"]  # e-mail and SMS notices, and the payout
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert [m.to for m in mail.outbox] == [["m@example.com"]]
    assert mail.outbox[0].subject == "Deposit of 5.00 CNY received"
    assert not Notification.objects.filter(status="pending").exists()


def test_a_failing_send_is_retried_later_and_sent_once(member, flaky):
    flaky.failures = 1
    _deposit_notice(member)
    row = Notification.objects.get(user=member, channel="email")
    message = OutboxMessage.objects.get(key=f"notice:{row.pk}")
    assert (message.status, message.attempts) == ("pending", 1) and "unreachable" in message.last_error
    assert row.status == "pending" and "unreachable" in row.error and mail.outbox == []
    call_command("send_outbox")  # not due yet: backs off
    assert mail.outbox == []
    summary = outbox.send_pending(now=timezone.now() + LATER)
    assert summary.sent == 1
    row.refresh_from_db()
    assert row.status == "sent" and len(mail.outbox) == 1
    outbox.send_pending(now=timezone.now() + LATER * 2)
    call_command("send_outbox", "--now")
    assert len(mail.outbox) == 1


def test_run_day_retries_messages_that_are_due(member, flaky):
    flaky.failures = 1
    _deposit_notice(member)
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("run_day", "--date", date(2024, 3, 1).isoformat())
    assert len(mail.outbox) == 1
    assert Notification.objects.get(user=member, channel="email").status == "sent"


def test_nothing_is_sent_twice(member, flaky):
    for _ in range(2):
        with transaction.atomic():
            _deposit_notice(member)  # the same event again: one row, one outbox message per channel
    assert OutboxMessage.objects.filter(kind="notice").count() == 2
    # A sender that crashed after the mail left but before the outbox said so sends the message again:
    # the notice already says "sent", so nothing leaves twice, and the e-mail carries a stable id the
    # receiving side can deduplicate on.
    OutboxMessage.objects.update(status="pending", next_attempt_at=timezone.now())
    outbox.send_pending()
    assert len(mail.outbox) == 1
    row = Notification.objects.get(user=member, channel="email")
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notice-{row.pk}@peerlend>"
    # Enqueueing the same key again writes nothing new.
    with transaction.atomic():
        outbox.enqueue("notice", {"notification_id": row.pk}, key=f"notice:{row.pk}")
    assert OutboxMessage.objects.filter(key=f"notice:{row.pk}").count() == 1
    assert len(mail.outbox) == 1


def test_the_text_is_written_in_the_members_language_when_it_is_sent(member, flaky):
    User.objects.filter(pk=member.pk).update(language="zh-hans")
    _deposit_notice(member)
    assert mail.outbox[0].subject == "充值 5.00 元已到账"
