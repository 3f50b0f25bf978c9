"""Use cases of the compliance context that change state; each is atomic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from peerlend.compliance.models import GENESIS_HASH, AuditEvent, jsonable

_APPEND_ATTEMPTS = 5


def _target_parts(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, Model):
        return target._meta.label_lower, str(target.pk)
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), str(target[1])
    return type(target).__name__, str(target)


def _locked_head() -> AuditEvent | None:
    """The chain head, locked against other appenders until this transaction ends.

    Lock, then re-read: if another appender committed a new head while we waited, lock that
    one instead (on PostgreSQL a locked re-read does not re-run the ORDER BY). SQLite has no
    row locks; its IMMEDIATE transactions already serialise writers.
    """
    head = AuditEvent.objects.order_by("-id").first()
    if connection.vendor != "postgresql":
        return head
    while head is not None:
        AuditEvent.objects.select_for_update().filter(pk=head.pk).first()
        latest = AuditEvent.objects.order_by("-id").first()
        if latest is None or latest.pk == head.pk:
            return head
        head = latest
    return None


def record_audit(*, actor: Any, action: str, target: Any = None, old: dict[str, Any] | None = None,
                 new: dict[str, Any] | None = None, reason: str = "") -> AuditEvent:
    """Append one event to the hash-chained audit log and return it.

    ``target`` is a model instance, a ``(type, id)`` pair or None. ``old`` / ``new`` are the
    values before / after the change (JSON-able: Decimal and dates become strings). Call it
    inside the use case's transaction so that the event commits or rolls back with the change.
    """
    target_type, target_id = _target_parts(target)
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) is not None else None
    for attempt in range(_APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                head = _locked_head()
                event = AuditEvent(
                    created_at=dt.datetime.now(tz=dt.UTC),
                    actor=actor_obj,
                    actor_username=getattr(actor_obj, "username", "") or "",
                    action=action,
                    target_type=target_type,
                    target_id=target_id,
                    old=jsonable(old),
                    new=jsonable(new),
                    reason=reason,
                    prev_hash=head.hash if head is not None else GENESIS_HASH,
                )
                event.hash = event.compute_hash()
                event.save(force_insert=True)
                return event
        except IntegrityError:
            # Lost a race for the same head (unique prev_hash): re-read the head and retry.
            if attempt == _APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
