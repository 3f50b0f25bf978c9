"""Appending to a hash chain: the audit log (``AuditEvent``) and the regulator's access log (``RegulatorAccess``).

Both tables are append-only and chained the same way: each row stores its predecessor's hash in a unique
``prev_hash`` and its own ``compute_hash()``. ``append_chained`` links a new row to the head under a lock,
and retries when another appender won the race for that head; ``compliance.selectors`` verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, connection, models, transaction

from peerlend.compliance.models import GENESIS_HASH

APPEND_ATTEMPTS = 5


RowT = TypeVar("RowT", bound=models.Model)


def _locked_head(model: type[models.Model]) -> models.Model | None:
    """The chain head of ``model``, locked against other appenders until this transaction ends.

    Lock, then re-read: if another appender committed a new head while we waited, lock that
    one instead (on PostgreSQL a locked re-read does not re-run the ORDER BY). SQLite has no
    row locks; its IMMEDIATE transactions already serialise writers.
    """
    rows = model._default_manager
    head = rows.order_by("-id").first()
    if connection.vendor != "postgresql":
        return head
    while head is not None:
        rows.select_for_update().filter(pk=head.pk).first()
        latest = rows.order_by("-id").first()
        if latest is None or latest.pk == head.pk:
            return head
        head = latest
    return None


def append_chained(model: type[RowT], build: Callable[[str], RowT]) -> RowT:
    """Insert the row ``build(prev_hash)`` at the head of ``model``'s chain, hashed, and return it.

    ``build`` gets the head's hash (``GENESIS_HASH`` on an empty chain) and returns the unsaved row;
    it may be called again: when another appender took the same head (unique ``prev_hash``), the
    head is re-read and the row rebuilt, up to ``APPEND_ATTEMPTS`` times.
    """
    for attempt in range(APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                head = _locked_head(model)
                row = build(GENESIS_HASH if head is None else head.hash)
                row.hash = row.compute_hash()
                row.save(force_insert=True)
                return row
        except IntegrityError:
            # Lost a race for the same head (unique prev_hash): re-read the head and retry.
            if attempt == APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
