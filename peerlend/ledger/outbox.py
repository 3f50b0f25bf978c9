"""The outbox: requests to the outside world leave only after the transaction that decided them commits.

DESIGN.md, Ledger: anything that leaves the process is written to an outbox in the same
transaction and sent after commit by a sender that retries; a rolled-back transaction sends
nothing. This is the one outbox for every kind: gateway payout requests, the accounts context's
links and codes, and member notices (e-mail, SMS). So:

* :func:`enqueue` / :func:`enqueue_many` write ``OutboxMessage`` rows inside the caller's
  transaction and ask Django to send them right after the outermost commit
  (``transaction.on_commit``). A rollback removes the rows and the callback together.
* A message may carry a send key (``notice:<id>``): the same key enqueued again is the same
  message, so a repeated event never queues a second send.
* :func:`send_pending` (``peerlend send-outbox``, also run by ``peerlend run-day``) sends what
  is due and still pending: a message whose send failed (bank or mail server down) is retried
  with a growing delay, at most ``PEERLEND_OUTBOX_MAX_ATTEMPTS`` times, then marked failed for an
  operator (``peerlend send-outbox --retry-failed`` queues failed ones again).
* Nothing is sent while a transaction is open, and a sender first claims its messages (one
  UPDATE takes a short lease under its own claim token) so two senders do not both send one.
  Delivery is still at least once (a crash after the far side accepted but before the row says
  so resends), so handlers are idempotent: gateway adapters key payouts on the withdrawal id
  (docs/gateway.md); the notice handler checks its notification row and gives e-mail a stable
  Message-ID and SMS a send key.

Handlers are registered by kind. A higher context (servicing's notices) registers its own with
:func:`register_handler` instead of this module importing it.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from peerlend.bulk_sql import chunks
from peerlend.ledger.models import OutboxMessage, PaymentStatus, Withdrawal

logger = logging.getLogger("peerlend.ledger.outbox")

PAYOUT = "gateway.payout"
LEASE = timedelta(minutes=5)  # longer than any single send (adapters time out sooner)
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
CLAIM_BATCH = 200  # messages one sender claims at a time
Status = OutboxMessage.Status

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def max_attempts() -> int:
    return max(1, int(getattr(settings, "PEERLEND_OUTBOX_MAX_ATTEMPTS", 8)))


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return min(FIRST_RETRY * (2 ** max(0, attempts - 1)), MAX_RETRY)


def _require_handler(kind: str) -> None:
    if kind not in _handlers:
        raise ValueError(f"no outbox handler for {kind!r}")


def enqueue(kind: str, payload: dict[str, Any], *, key: str | None = None) -> OutboxMessage:
    """Write a message with the current transaction; it is sent after that transaction commits.

    With a ``key``, a message already queued under it is returned instead of a second one.
    """
    _require_handler(kind)
    if key is not None:
        enqueue_many(kind, [(key, payload)])
        return OutboxMessage.objects.get(key=key)
    message = OutboxMessage.objects.create(kind=kind, payload=payload, next_attempt_at=timezone.now())
    # robust: a failure here must not turn the member's committed request into an error page.
    transaction.on_commit(functools.partial(send_message, message.pk), robust=True)
    return message


def enqueue_many(kind: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Set-based :func:`enqueue` of (key, payload) pairs; keys already queued are left as they are."""
    _require_handler(kind)
    if not items:
        return
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(kind=kind, key=key, payload=payload, next_attempt_at=now) for key, payload in items],
        ignore_conflicts=True, batch_size=1000)
    transaction.on_commit(functools.partial(send_keys, [key for key, _payload in items]), robust=True)


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0  # failed this time, stays pending
    failed: int = 0  # gave up after the last attempt
    skipped: int = 0  # another sender holds it, or it is no longer pending

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "skipped": self.skipped}

    def add(self, other: SendSummary) -> None:
        for name, value in other.as_dict().items():
            setattr(self, name, getattr(self, name) + value)


def send_message(pk: int, *, now: datetime | None = None) -> str:
    """Send one pending message. Returns "sent", "retrying", "failed" or "skipped"."""
    for outcome, count in send_messages([pk], now=now).as_dict().items():
        if count:
            return outcome
    return "skipped"


def send_keys(keys: Iterable[str], *, now: datetime | None = None) -> SendSummary:
    """Send the pending messages queued under ``keys`` (the after-commit step of :func:`enqueue_many`)."""
    wanted = list(dict.fromkeys(keys))
    pks: list[int] = []
    for part in chunks(wanted, 500):  # SQLite's limit on query parameters
        pks += OutboxMessage.objects.filter(key__in=part, status=Status.PENDING).values_list("pk", flat=True)
    return send_messages(sorted(pks), now=now)


def send_messages(pks: Sequence[int], *, now: datetime | None = None) -> SendSummary:
    """Claim and send the given messages that are still pending and not held by another sender."""
    summary = SendSummary()
    if connection.in_atomic_block:
        # Never call out while rows may be locked or the decision could still roll back.
        logger.warning("outbox: not sending %d message(s) inside an open transaction", len(pks))
        summary.skipped = len(pks)
        return summary
    now = now or timezone.now()
    for part in chunks(pks, CLAIM_BATCH):
        summary.add(_send_batch(part, now))
    return summary


def _send_batch(pks: list[int], now: datetime) -> SendSummary:
    token = secrets.token_hex(16)
    (OutboxMessage.objects.filter(pk__in=pks, status=Status.PENDING)
     .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
     .update(locked_until=now + LEASE, claim=token))
    claimed = list(OutboxMessage.objects.filter(claim=token, status=Status.PENDING).order_by("pk"))
    summary = SendSummary(skipped=len(pks) - len(claimed))
    sent: list[int] = []
    for message in claimed:
        attempts = message.attempts + 1
        try:
            handler = _handlers.get(message.kind)
            if handler is None:
                raise LookupError(f"no outbox handler for {message.kind!r}")
            handler(message.payload)
        except Exception as exc:  # any failure means "not sent": keep the message and retry it
            give_up = attempts >= max_attempts()
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:500], locked_until=None, claim="",
                status=Status.FAILED if give_up else Status.PENDING, next_attempt_at=now + retry_delay(attempts),
            )
            log = logger.error if give_up else logger.warning
            log("outbox: %s message %s attempt %d failed%s: %s", message.kind, message.pk, attempts,
                " (giving up)" if give_up else "", exc)
            if give_up:
                summary.failed += 1
            else:
                summary.retrying += 1
            continue
        sent.append(message.pk)
    # Every success of the batch recorded in one UPDATE.
    OutboxMessage.objects.filter(pk__in=sent).update(
        status=Status.SENT, attempts=F("attempts") + 1, sent_at=now, locked_until=None, claim="", last_error="")
    summary.sent += len(sent)
    return summary


def send_pending(*, now: datetime | None = None, due_only: bool = True, limit: int = 1000,
                 kinds: Iterable[str] | None = None) -> SendSummary:
    """Send pending messages (those due, or all with ``due_only=False``; of ``kinds`` or any), oldest first."""
    if connection.in_atomic_block:
        logger.warning("outbox: send_pending called inside an open transaction; nothing sent")
        return SendSummary()
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(status=Status.PENDING)
    if due_only:
        pending = pending.filter(next_attempt_at__lte=now)
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    return send_messages(list(pending.order_by("pk").values_list("pk", flat=True)[:limit]), now=now)


def requeue_failed(*, now: datetime | None = None) -> int:
    """Give failed messages a fresh set of attempts (after the cause was fixed)."""
    return OutboxMessage.objects.filter(status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now or timezone.now(), locked_until=None, claim=""
    )


def _send_payout(payload: dict[str, Any]) -> None:
    from peerlend.ledger.gateway import get_gateway

    withdrawal = Withdrawal.objects.get(public_id=payload["withdrawal_id"])
    if withdrawal.status != PaymentStatus.PENDING:
        return  # already settled or bounced: there is nothing left to ask for
    get_gateway().request_payout(withdrawal)


# Messages to a member from the accounts context (set-password and reset links, consent codes).
# The body and the number are stored encrypted: the outbox row never shows a secret or a phone.
MEMBER_EMAIL = "member.email"
MEMBER_SMS = "member.sms"


def _send_member_email(payload: dict[str, Any]) -> None:
    from django.core.mail import send_mail

    from peerlend.compliance.crypto import decrypt_pii

    send_mail(payload["subject"], decrypt_pii(payload["body_enc"]), None, [payload["email"]])


def _send_member_sms(payload: dict[str, Any]) -> None:
    from django.utils.module_loading import import_string

    from peerlend.compliance.crypto import decrypt_pii

    backend = import_string(str(settings.PEERLEND.get("SMS_BACKEND", "")))()
    backend.send(decrypt_pii(payload["mobile_enc"]), decrypt_pii(payload["body_enc"]), key=payload["event_key"])


def _queue_member_message(kind: str) -> Callable[[Any], None]:
    def queue(message: Any) -> None:
        from peerlend.compliance.crypto import encrypt_pii

        payload = {"user_id": message.user_id, "event_key": message.event_key, "subject": message.subject,
                   "body_enc": encrypt_pii(message.body)}
        if kind == MEMBER_EMAIL:
            payload["email"] = message.email
        else:
            payload["mobile_enc"] = message.mobile_enc
        enqueue(kind, payload, key=f"{kind}:{message.event_key}")

    return queue


def register_builtin_handlers() -> None:
    from peerlend.accounts import messaging

    register_handler(PAYOUT, _send_payout)
    register_handler(MEMBER_EMAIL, _send_member_email)
    register_handler(MEMBER_SMS, _send_member_sms)
    messaging.register_sender(messaging.EMAIL, _queue_member_message(MEMBER_EMAIL))
    messaging.register_sender(messaging.SMS, _queue_member_message(MEMBER_SMS))


def request_payout(withdrawal: Withdrawal) -> OutboxMessage:
    """Queue the gateway payout request for ``withdrawal`` (sent after commit)."""
    return enqueue(PAYOUT, {"withdrawal_id": withdrawal.public_id})
