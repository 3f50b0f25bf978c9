"""Use cases of the compliance context that change state; each is atomic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model

from peerlend.compliance.chain import append_chained
from peerlend.compliance.models import AuditEvent, jsonable


def _target_parts(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, Model):
        return target._meta.label_lower, str(target.pk)
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), str(target[1])
    return type(target).__name__, str(target)


def record_audit(*, actor: Any, action: str, target: Any = None, old: dict[str, Any] | None = None,
                 new: dict[str, Any] | None = None, reason: str = "") -> AuditEvent:
    """Append one event to the hash-chained audit log and return it.

    ``target`` is a model instance, a ``(type, id)`` pair or None. ``old`` / ``new`` are the
    values before / after the change (JSON-able: Decimal and dates become strings). Call it
    inside the use case's transaction so that the event commits or rolls back with the change.
    """
    target_type, target_id = _target_parts(target)
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) is not None else None

    def build(prev_hash: str) -> AuditEvent:
        return AuditEvent(
            created_at=dt.datetime.now(tz=dt.UTC),
            actor=actor_obj,
            actor_username=getattr(actor_obj, "username", "") or "",
            action=action,
            target_type=target_type,
            target_id=target_id,
            old=jsonable(old),
            new=jsonable(new),
            reason=reason,
            prev_hash=prev_hash,
        )

    return append_chained(AuditEvent, build)
