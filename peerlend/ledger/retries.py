"""Retrying a ledger use case that lost a race: a deadlock or serialization failure (PostgreSQL)
or SQLite's busy database. Bounded, with a short jittered back-off, and only outside any outer
transaction (inside one, the transaction is already aborted and the outermost caller retries).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError, connection

logger = logging.getLogger("peerlend.ledger")
T = TypeVar("T")

_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or SQLite's busy database."""
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc)


def with_retries(fn: Callable[[], T], attempts: int = 5) -> T:
    """Run ``fn`` and retry it (bounded, with a short jittered back-off) on deadlock/serialization failure.

    Inside an outer transaction a retry is impossible (the transaction is already aborted), so the
    error is re-raised for the outermost caller to retry.
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except OperationalError as exc:
            if attempt == attempts or connection.in_atomic_block or not is_retryable(exc):
                raise
            logger.info("ledger: retrying after %s (attempt %d)", exc, attempt)
            time.sleep(0.005 * attempt * (1 + (time.monotonic_ns() % 7) / 7))
    raise AssertionError("unreachable")  # pragma: no cover


def retry_on_conflict(fn: Callable[..., T]) -> Callable[..., T]:
    """Decorator form of :func:`with_retries`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        return with_retries(lambda: fn(*args, **kwargs))

    return wrapper
