"""Member notices: stored once per member, event and channel, read in the member's language.

``write`` is the writer behind ``peerlend.notify`` (registered in ``ServicingConfig.ready``): in the
caller's transaction it inserts, for each notice, the inbox row and the e-mail/SMS rows on the channels
the member chose and can be reached on. A row keeps the event and its values, not text
(``notice_texts`` writes it at read time). The unique (user, event key, channel) makes a repeated event
a no-op. E-mail and SMS rows are queued in the outbox (``ledger.outbox``, kind ``notice``, one send key
per row) with the same transaction, sent after commit, and retried when a channel is down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from peerlend.accounts.models import User
from peerlend.bulk_sql import insert_rows_skip_existing
from peerlend.ledger import outbox
from peerlend.notify import Notice, notify_many
from peerlend.servicing import notice_texts
from peerlend.servicing.models import Channel, Notification, NotificationPreference

OUTBOX_KIND = "notice"
ALL_CHANNELS = (Channel.INBOX, Channel.EMAIL, Channel.SMS)
_ROW_FIELDS = ("user_id", "event_key", "event", "channel", "params", "fallback_subject", "fallback_body", "status",
               "error", "created_at", "sent_at")


@dataclass(frozen=True)
class StoredNotice:
    """A notice as stored: values to render later (``params``), or, for text-only callers, the text."""

    user_id: int
    event_key: str
    event: str
    params: dict[str, Any] | None
    fallback: tuple[str, str] = ("", "")


def channels_of(user_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each member's channels: the inbox always, e-mail and SMS unless they turned them off."""
    ids = set(user_ids)
    prefs = {pk: (email, sms) for pk, email, sms in
             NotificationPreference.objects.filter(user_id__in=ids).values_list("user_id", "email", "sms")}
    out: dict[int, list[str]] = {}
    for pk in ids:
        email, sms = prefs.get(pk, (True, True))
        out[pk] = [Channel.INBOX] + ([Channel.EMAIL] if email else []) + ([Channel.SMS] if sms else [])
    return out


def _reachable(channels: dict[int, list[str]]) -> dict[int, list[str]]:
    """Leave out e-mail where there is no address and SMS where there is no verified mobile number."""
    asked = [pk for pk, chosen in channels.items() if len(chosen) > 1]  # inbox-only members need no read
    members = {pk: (email, identity) for pk, email, identity in
               User.objects.filter(pk__in=asked).values_list("pk", "email", "identity__pk")} if asked else {}
    out: dict[int, list[str]] = {}
    for pk, chosen in channels.items():
        email, identity = members.get(pk, ("", None))
        out[pk] = [c for c in chosen if c == Channel.INBOX or (email if c == Channel.EMAIL else identity)]
    return out


def store(notices: Sequence[StoredNotice], *, channels: Iterable[str] = ALL_CHANNELS,
          reachable_only: bool = True) -> None:
    """Insert the rows of ``notices`` on each member's chosen ``channels`` and queue their delivery.

    ``reachable_only=False`` also writes e-mail/SMS rows for members without an address (the
    delivery then records them as skipped), as the daily reminders always did.
    """
    if not notices:
        return
    wanted = set(channels)
    chosen = channels_of(n.user_id for n in notices)
    if reachable_only:
        chosen = _reachable(chosen)
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    outgoing: set[tuple[int, str]] = set()
    for n in notices:
        key = n.event_key[:120]
        for channel in chosen[n.user_id]:
            if channel not in wanted:
                continue
            # The inbox row is the message itself: delivered when written.
            inbox = channel == Channel.INBOX
            rows.append((n.user_id, key, n.event, str(channel), n.params, n.fallback[0][:200], n.fallback[1],
                         str(Notification.Status.SENT if inbox else Notification.Status.PENDING), "", now,
                         now if inbox else None))
            if not inbox:
                outgoing.add((n.user_id, key))
    insert_rows_skip_existing(Notification, _ROW_FIELDS, rows, conflict=("user", "event_key", "channel"))
    _queue_deliveries(outgoing)


def _queue_deliveries(outgoing: set[tuple[int, str]]) -> None:
    """One outbox message per pending e-mail/SMS row (its send key is the row's id)."""
    if not outgoing:
        return
    keys: dict[int, set[str]] = defaultdict(set)
    for user_id, key in outgoing:
        keys[user_id].add(key)
    ids = [pk for pk, user_id, key in Notification.objects.filter(
        user_id__in=list(keys), event_key__in=sorted({k for ks in keys.values() for k in ks}),
        channel__in=[Channel.EMAIL, Channel.SMS], status=Notification.Status.PENDING,
    ).values_list("pk", "user_id", "event_key") if (user_id, key) in outgoing]
    outbox.enqueue_many(OUTBOX_KIND, [(f"notice:{pk}", {"notification_id": pk}) for pk in sorted(ids)])


def write(notices: Sequence[Notice]) -> None:
    for n in notices:
        if not notice_texts.known(n.event):
            raise ValueError(f"unknown notice event {n.event!r}")
    store([StoredNotice(n.user_id, f"{n.event}:{n.key}", n.event, dict(n.context)) for n in notices])


def repayments_received(payments: Iterable[Any]) -> None:
    """One notice per investor and payment, from the distribution plans the payments carry."""
    notices: list[Notice] = []
    for payment in payments:
        plan = getattr(payment, "plan", None)
        if payment is None or plan is None or payment.pk is None:
            continue
        parts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for note, p, i, f in zip(plan.notes, plan.principal, plan.interest, plan.fee, strict=True):
            total = parts[note.investor_id]
            total[0] += p
            total[1] += i
            total[2] += f
        for investor_id, (p, i, f) in sorted(parts.items()):
            if p or i:
                notices.append(Notice(investor_id, "repayment_received", f"payment:{payment.pk}", {
                    "loan": payment.loan_id, "principal_minor": p, "interest_minor": i, "fee_minor": f,
                    "net_minor": p + i - f}))
    notify_many(notices)


def preferences_of(user: Any) -> NotificationPreference:
    """The member's choice, unsaved defaults (both on) when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def set_preferences(user: Any, *, email: bool, sms: bool) -> NotificationPreference:
    """E-mail and SMS on or off; the inbox stays on (it is where every notice is kept)."""
    pref, _created = NotificationPreference.objects.update_or_create(user=user, defaults={"email": email, "sms": sms})
    return pref
