"""The one hook every context calls to tell a member something: ``notify(user, event, key, context)``.

It sits in the shared base so that ledger and lending can call it without importing servicing, which
owns the inbox and the e-mail/SMS outbox (DESIGN.md, Layers: a lower context reaches a higher one only
through a registered callback). Servicing registers its writer at start-up (``ServicingConfig.ready``).

The writer runs in the caller's transaction: a rolled-back use case leaves no message, and e-mail and
SMS leave only after commit, through the outbox (retried when a channel is down). ``key`` names the
occurrence (``loan:12``, ``payment:7``); a member gets one message per (event, key), however often the
caller runs. The notice is kept as ``event`` and ``context``, not text: it reads in the language of
whoever reads it, when they read it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("peerlend.notify")


@dataclass(frozen=True)
class Notice:
    user_id: int
    event: str
    key: str
    # Plain values only (ids, integer minor units, dates as ISO text): they are stored as JSON and the
    # text is written from them at read time, in the reader's language.
    context: dict[str, Any] = field(default_factory=dict)


Writer = Callable[[list[Notice]], None]
_writer: Writer | None = None


def register(writer: Writer) -> None:
    global _writer
    _writer = writer


def notify(user: Any, event: str, key: str, context: dict[str, Any] | None = None) -> None:
    """Tell ``user`` (a user or a user id) about ``event``; once per (user, event, key)."""
    user_id = user if isinstance(user, int) else user.pk
    notify_many([Notice(user_id, event, key, context or {})])


def notify_many(notices: Iterable[Notice]) -> None:
    """Set-based :func:`notify` for batches (one insert for all of them)."""
    rows = list(notices)
    if not rows:
        return
    if _writer is None:  # only when servicing is not installed (a bare script); never silently in the app
        logger.warning("notify: no writer registered; %d notices dropped", len(rows))
        return
    _writer(rows)
