"""Notification outbox with pluggable channels.

``enqueue`` writes one row per channel; the unique (event_key, channel) makes a second enqueue
of the same event a no-op. ``dispatch_pending`` claims rows (pending -> sending, locked and
committed, a batch at a time) before sending and marks them sent afterwards: a crash in between
leaves them "sending" and they are never sent again (at most once; an operator can requeue them).
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from peerlend.servicing.models import Channel, Notification

logger = logging.getLogger("peerlend.servicing")
ALL_CHANNELS = (Channel.INBOX, Channel.EMAIL, Channel.SMS)


class SmsBackend(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class ConsoleSms:
    """Development SMS backend: logs the (masked) number and text instead of sending."""

    # The latest messages only (for the console and tests): a long run must not grow memory.
    sent: deque[tuple[str, str]] = deque(maxlen=1000)

    def send(self, mobile: str, text: str) -> None:
        ConsoleSms.sent.append((mobile, text))
        logger.info("SMS to %s: %s", mobile, text)


def sms_backend() -> SmsBackend:
    return import_string(str(settings.PEERLEND.get("SMS_BACKEND", "peerlend.servicing.notifications.ConsoleSms")))()


def enqueue(user_id: int, event_key: str, subject: str, body: str,
            channels: Iterable[str] = ALL_CHANNELS) -> int:
    """Queue a message on each channel; returns how many rows were new."""
    before = Notification.objects.filter(event_key=event_key).count()
    Notification.objects.bulk_create(
        [Notification(user_id=user_id, event_key=event_key, channel=c, subject=subject[:200], body=body)
         for c in channels],
        ignore_conflicts=True,
    )
    return Notification.objects.filter(event_key=event_key).count() - before


def enqueue_many(rows: list[tuple[int, str, str, str]], channels: Iterable[str] = ALL_CHANNELS,
                 event: str = "") -> None:
    """Set-based ``enqueue`` for the batch: (user_id, event_key, subject, body) rows, on the channels
    each member chose (``notices.channels_of``)."""
    from peerlend.servicing.notices import channels_of

    chans = list(channels)
    chosen = channels_of(u for (u, _k, _s, _b) in rows)
    Notification.objects.bulk_create(
        [Notification(user_id=u, event_key=k, event=event, channel=c, subject=s[:200], body=b)
         for (u, k, s, b) in rows for c in chans if c in chosen[u]],
        ignore_conflicts=True, batch_size=1000,
    )


def _deliver(row: Notification) -> str:
    if row.channel == Channel.INBOX:
        return Notification.Status.SENT  # the row itself is the inbox message
    user: Any = row.user
    if row.channel == Channel.EMAIL:
        if not user.email:
            return Notification.Status.SKIPPED
        send_mail(row.subject, row.body, None, [user.email])
        return Notification.Status.SENT
    identity = getattr(user, "identity", None)
    if identity is None:
        return Notification.Status.SKIPPED
    sms_backend().send(identity.mobile_masked, f"{row.subject}: {row.body}")
    return Notification.Status.SENT


def dispatch_pending(limit: int = 5000, batch: int = 500) -> int:
    """Send pending messages, a batch at a time: claim the batch (committed), send each, record outcomes.

    The claim locks the batch's still-pending rows and marks them sending in one transaction, so two
    dispatchers never both claim a row; outcomes are written with one UPDATE per distinct outcome.
    """
    ids = list(Notification.objects.filter(status=Notification.Status.PENDING).order_by("pk")
               .values_list("pk", flat=True)[:limit])
    return dispatch_ids(ids, batch)


def dispatch_ids(ids: list[int], batch: int = 500) -> int:
    """Send the given rows that are still pending (claimed first, as in :func:`dispatch_pending`)."""
    sent = 0
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            claimed = list(Notification.objects.select_for_update()
                           .filter(pk__in=ids[start:start + batch], status=Notification.Status.PENDING)
                           .order_by("pk").values_list("pk", flat=True))
            Notification.objects.filter(pk__in=claimed).update(status=Notification.Status.SENDING)
        outcomes: dict[tuple[str, str], list[int]] = defaultdict(list)
        for row in (Notification.objects.filter(pk__in=claimed).select_related("user", "user__identity")
                    .order_by("pk")):
            try:
                status = _deliver(row)
                error = ""
            except Exception as exc:  # a channel outage must not stop the batch
                logger.warning("notification %s failed: %s", row.pk, exc)
                status, error = Notification.Status.FAILED, str(exc)[:200]
            outcomes[(status, error)].append(row.pk)
            sent += status == Notification.Status.SENT
        now = timezone.now()
        for (status, error), pks in outcomes.items():
            Notification.objects.filter(pk__in=pks).update(status=status, error=error, sent_at=now)
    return sent


def inbox(user: Any) -> Any:
    return Notification.objects.filter(user=user, channel=Channel.INBOX)


def mark_read(user: Any, notification_id: int) -> None:
    Notification.objects.filter(user=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())
