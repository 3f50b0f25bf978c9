"""Delivering member notices by e-mail and SMS, and the inbox.

Notices are written by ``servicing.notices``; their e-mail and SMS rows travel through the one outbox
(``ledger.outbox``, kind ``notice``): queued with the transaction that wrote them, sent after commit,
retried with back-off when a channel is down. :func:`send_notice` is that kind's handler. Delivery is
at least once, so the handler is idempotent: a row already sent (or skipped) is not sent again, and
each message carries the row's id as its send key (the e-mail's Message-ID, the SMS backend's key).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from peerlend.ledger import outbox
from peerlend.servicing import notices
from peerlend.servicing.models import Channel, Notification

logger = logging.getLogger("peerlend.servicing")
ALL_CHANNELS = notices.ALL_CHANNELS
DONE = (Notification.Status.SENT, Notification.Status.SKIPPED)


class SmsBackend(Protocol):
    def send(self, mobile: str, text: str, key: str = "") -> None:
        """Send ``text`` to ``mobile``; ``key`` names the message so that a resend can be recognised."""


class ConsoleSms:
    """Development SMS backend: logs the masked number and the text instead of sending."""

    # The latest messages only (for the console and tests): a long run must not grow memory.
    sent: deque[tuple[str, str]] = deque(maxlen=1000)

    def send(self, mobile: str, text: str, key: str = "") -> None:
        ConsoleSms.sent.append((mobile, text))
        logger.info("SMS to %s: %s", f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) > 7 else "****", text)


def sms_backend() -> SmsBackend:
    return import_string(str(settings.PEERLEND.get("SMS_BACKEND", "peerlend.servicing.notifications.ConsoleSms")))()


def enqueue_many(rows: list[tuple[int, str, str, str]], channels: Iterable[str] = ALL_CHANNELS,
                 event: str = "") -> None:
    """Store text-only messages, (user_id, event_key, subject, body) rows, on the channels each member
    chose; their e-mail/SMS go through the outbox like every notice. The text is kept as written:
    callers that can, pass the event's values through ``peerlend.notify`` instead so it reads in any
    language."""
    notices.store([notices.StoredNotice(u, k, event, None, (s, b)) for (u, k, s, b) in rows],
                  channels=channels, reachable_only=False)


def dispatch_pending(limit: int = 5000) -> int:
    """Send the notices whose delivery is due (retries included); returns how many were sent."""
    return outbox.send_pending(kinds=[notices.OUTBOX_KIND], limit=limit).sent


def _mobile_of(user: Any) -> str:
    from peerlend.compliance.crypto import decrypt_pii

    identity = getattr(user, "identity", None)
    return decrypt_pii(identity.mobile_enc) if identity is not None and identity.mobile_enc else ""


def send_notice(payload: dict[str, Any]) -> None:
    """Outbox handler: send one e-mail or SMS notice in the member's language of the moment."""
    row = (Notification.objects.select_related("user", "user__identity")
           .filter(pk=payload["notification_id"]).first())
    if row is None or row.status in DONE:
        return  # gone with its member, or sent already (a resend after a crash)
    user: Any = row.user
    subject, body = row.text(user.language or settings.LANGUAGE_CODE)
    key = f"notice-{row.pk}"
    status = Notification.Status.SENT
    try:
        if row.channel == Channel.EMAIL and user.email:
            EmailMessage(subject, body, None, [user.email],
                         headers={"Message-ID": f"<{key}@peerlend>"}).send()
        elif row.channel == Channel.SMS and (mobile := _mobile_of(user)):
            sms_backend().send(mobile, f"{subject}: {body}", key=key)
        else:
            status = Notification.Status.SKIPPED  # no address any more
    except Exception as exc:
        # Recorded on the row for the member's support, then re-raised: the outbox retries it.
        Notification.objects.filter(pk=row.pk).update(error=f"{type(exc).__name__}: {exc}"[:200])
        raise
    Notification.objects.filter(pk=row.pk).exclude(status__in=DONE).update(
        status=status, error="", sent_at=timezone.now())


def register() -> None:
    outbox.register_handler(notices.OUTBOX_KIND, send_notice)


def inbox(user: Any) -> Any:
    return Notification.objects.filter(user=user, channel=Channel.INBOX)


def mark_read(user: Any, notification_id: int) -> None:
    Notification.objects.filter(user=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())
