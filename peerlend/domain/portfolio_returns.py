"""Inputs of an investor's return figures: monthly note periods for NAR, and expected loss on late notes.

* :func:`note_months` turns one note's dated flows into the ``NoteMonth`` records that
  ``returns.net_annualized_return`` (Lending Club's NAR) sums. A note's periods are its payment
  periods: period ``k`` runs from ``add_months(start, k - 1)`` (exclusive) to ``add_months(start, k)``
  (inclusive), ``start`` being the day the loan was disbursed. Its principal outstanding is the
  note's principal at the start of the period. A period counts once it has ended on or before
  ``today``, or earlier when money already moved in it (an early payment, a prepayment): an
  unfinished period with nothing received yet would only dilute the figure.
* :data:`LOSS_BUCKETS` is the one table of expected loss rates by days past due (the platform's
  figures, in the spirit of Lending Club's adjusted NAR): the share of a late note's outstanding
  principal expected to be lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from peerlend.domain.returns import NoteMonth, net_annualized_return
from peerlend.domain.schedule import add_months

__all__ = [
    "LOSS_BUCKETS",
    "LossBucket",
    "NoteFlow",
    "adjusted_net_annualized_return",
    "bucket_for",
    "expected_loss_minor",
    "note_months",
]


@dataclass(frozen=True, slots=True)
class LossBucket:
    """Notes ``min_days``..``max_days`` past due (``None``: no upper end) are expected to lose ``loss_rate``."""

    code: str
    min_days: int
    max_days: int | None
    loss_rate: Decimal


#: Expected loss by days past due. Grace period 1-15 days: most borrowers catch up; 16-30 and
#: 31-120 days: a quarter and a half of the principal is expected lost; beyond 120 days (defaulted,
#: charged off at 150 days) little comes back.
LOSS_BUCKETS: Final = (
    LossBucket("current", 0, 0, Decimal("0")),
    LossBucket("grace", 1, 15, Decimal("0.05")),
    LossBucket("late_16_30", 16, 30, Decimal("0.25")),
    LossBucket("late_31_120", 31, 120, Decimal("0.50")),
    LossBucket("default", 121, None, Decimal("0.90")),
)


def bucket_for(days_past_due: int) -> LossBucket:
    """The bucket of a note ``days_past_due`` days behind (0 is current)."""
    if isinstance(days_past_due, bool) or not isinstance(days_past_due, int) or days_past_due < 0:
        raise ValueError("days_past_due must be a non-negative integer")
    for bucket in LOSS_BUCKETS:
        if bucket.min_days <= days_past_due and (bucket.max_days is None or days_past_due <= bucket.max_days):
            return bucket
    raise ValueError("no loss bucket covers this many days")  # pragma: no cover - the table has no gaps


def expected_loss_minor(principal_outstanding_minor: int, days_past_due: int) -> int:
    """Outstanding principal times the bucket's loss rate, rounded half-up to the minor unit."""
    if principal_outstanding_minor < 0:
        raise ValueError("principal_outstanding_minor must not be negative")
    rate = bucket_for(days_past_due).loss_rate
    return int((principal_outstanding_minor * rate).to_integral_value(rounding=ROUND_HALF_UP))


def adjusted_net_annualized_return(months: Iterable[NoteMonth], expected_loss: int) -> Decimal:
    """NAR with the expected loss on late notes counted as if already charged off.

    Raises ``ValueError`` like ``net_annualized_return`` when no principal was ever outstanding.
    """
    if expected_loss < 0:
        raise ValueError("expected_loss must not be negative")
    records = list(months)
    if expected_loss:
        records.append(NoteMonth(principal_outstanding_minor=0, interest_received_minor=0,
                                 charge_offs_minor=expected_loss))
    return net_annualized_return(records)


@dataclass(frozen=True, slots=True)
class NoteFlow:
    """What one payment (or the charge-off) did to one note on ``on``, in minor units.

    ``principal`` repaid principal; ``recovery`` principal recovered after the charge-off;
    ``charge_off`` principal written off.
    """

    on: date
    principal: int = 0
    interest: int = 0
    fee: int = 0
    recovery: int = 0
    charge_off: int = 0


def _period_of(day: date, start: date) -> int:
    """The payment period (1-based) holding ``day``: the first ``k`` with ``day <= add_months(start, k)``."""
    k = max(1, (day.year - start.year) * 12 + day.month - start.month)
    while k > 1 and day <= add_months(start, k - 1):
        k -= 1
    while day > add_months(start, k):
        k += 1
    return k


def note_months(amount: int, start: date, flows: Sequence[NoteFlow], today: date) -> list[NoteMonth]:
    """The note's ``NoteMonth`` per payment period, from its issue on ``start`` through ``today``."""
    if amount <= 0:
        raise ValueError("amount must be positive")
    by_period: dict[int, list[NoteFlow]] = {}
    for flow in flows:
        by_period.setdefault(_period_of(flow.on, start), []).append(flow)
    ended = 0 if today <= start else _period_of(today, start) - (0 if today == add_months(
        start, _period_of(today, start)) else 1)
    last = max([ended, *by_period])
    out: list[NoteMonth] = []
    outstanding = amount
    for k in range(1, last + 1):
        period = by_period.get(k, [])
        out.append(NoteMonth(
            principal_outstanding_minor=max(outstanding, 0),
            interest_received_minor=sum(f.interest for f in period),
            service_fees_minor=sum(f.fee for f in period),
            charge_offs_minor=sum(f.charge_off for f in period),
            recoveries_minor=sum(f.recovery for f in period),
        ))
        outstanding -= sum(f.principal + f.charge_off for f in period)
    return out
