"""The loan state machine (DESIGN.md "Loan lifecycle") as data, plus delinquency buckets.

Services call :func:`check_transition` before a compare-and-set status update; nothing else decides
which status may follow which.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "CANCELLABLE",
    "LATE_BUCKETS",
    "TERMINAL",
    "TRANSITIONS",
    "IllegalTransition",
    "LoanStatus",
    "can_transition",
    "check_transition",
    "is_terminal",
    "late_bucket",
]


class LoanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    DOCUMENTS_REQUESTED = "documents_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    LISTED = "listed"
    FUNDED = "funded"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    CURRENT = "current"  # disbursed and up to date
    LATE = "late"
    DEFAULTED = "defaulted"
    CHARGED_OFF = "charged_off"
    FULLY_PAID = "fully_paid"
    PREPAID = "prepaid"


_S = LoanStatus

#: Allowed next statuses for each status. Terminal statuses map to an empty set.
TRANSITIONS: Final[Mapping[LoanStatus, frozenset[LoanStatus]]] = MappingProxyType(
    {
        _S.DRAFT: frozenset({_S.SUBMITTED, _S.CANCELLED}),
        _S.SUBMITTED: frozenset({_S.UNDER_REVIEW, _S.REJECTED, _S.CANCELLED}),
        _S.UNDER_REVIEW: frozenset({_S.APPROVED, _S.REJECTED, _S.DOCUMENTS_REQUESTED, _S.CANCELLED}),
        _S.DOCUMENTS_REQUESTED: frozenset({_S.UNDER_REVIEW, _S.CANCELLED}),
        _S.APPROVED: frozenset({_S.LISTED, _S.CANCELLED}),
        _S.LISTED: frozenset({_S.FUNDED, _S.EXPIRED, _S.CANCELLED}),
        _S.FUNDED: frozenset({_S.CURRENT}),  # disbursement
        _S.CURRENT: frozenset({_S.LATE, _S.FULLY_PAID, _S.PREPAID}),
        _S.LATE: frozenset({_S.CURRENT, _S.DEFAULTED, _S.FULLY_PAID, _S.PREPAID}),
        _S.DEFAULTED: frozenset({_S.CHARGED_OFF, _S.FULLY_PAID, _S.PREPAID}),
        _S.REJECTED: frozenset(),
        _S.EXPIRED: frozenset(),
        _S.CANCELLED: frozenset(),
        _S.CHARGED_OFF: frozenset(),
        _S.FULLY_PAID: frozenset(),
        _S.PREPAID: frozenset(),
    }
)

#: Statuses with no way out.
TERMINAL: Final[frozenset[LoanStatus]] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)

#: Statuses from which the borrower may still cancel (anything before funding).
CANCELLABLE: Final[frozenset[LoanStatus]] = frozenset(
    {_S.DRAFT, _S.SUBMITTED, _S.UNDER_REVIEW, _S.DOCUMENTS_REQUESTED, _S.APPROVED, _S.LISTED}
)


class IllegalTransition(ValueError):
    """A status change the state machine does not allow."""

    def __init__(self, current: LoanStatus, target: LoanStatus) -> None:
        super().__init__(f"cannot move a loan from {current.value} to {target.value}")
        self.current = current
        self.target = target


def _coerce(status: LoanStatus | str) -> LoanStatus:
    try:
        return LoanStatus(status)
    except ValueError:
        raise ValueError(f"unknown loan status {status!r}") from None


def can_transition(current: LoanStatus | str, target: LoanStatus | str) -> bool:
    """Whether ``current -> target`` is allowed (unknown status names raise ``ValueError``)."""
    return _coerce(target) in TRANSITIONS[_coerce(current)]


def check_transition(current: LoanStatus | str, target: LoanStatus | str) -> LoanStatus:
    """Return ``target`` as a ``LoanStatus`` if ``current -> target`` is allowed, else raise ``IllegalTransition``.

    Statuses may be given as members or their string values (as stored in the database).
    """
    cur = _coerce(current)
    tgt = _coerce(target)
    if tgt not in TRANSITIONS[cur]:
        raise IllegalTransition(cur, tgt)
    return tgt


def is_terminal(status: LoanStatus | str) -> bool:
    return _coerce(status) in TERMINAL


#: Delinquency buckets in order of severity, as reported in collections and disclosure.
LATE_BUCKETS: Final = ("current", "1-15", "16-30", "31-90", "90+")


def late_bucket(days_past_due: int) -> str:
    """Delinquency bucket of a loan ``days_past_due`` days behind: "current" (0), "1-15" (grace period),
    "16-30", "31-90" or "90+" (91 days and more)."""
    if isinstance(days_past_due, bool) or not isinstance(days_past_due, int):
        raise ValueError("days_past_due must be an integer")
    if days_past_due < 0:
        raise ValueError("days_past_due must not be negative")
    if days_past_due == 0:
        return "current"
    if days_past_due <= 15:
        return "1-15"
    if days_past_due <= 30:
        return "16-30"
    if days_past_due <= 90:
        return "31-90"
    return "90+"
