"""A borrower's own record on the platform as evidence, and the scorecard that turns it into points (pure).

The credit model scores the application; this second, separate stage adds points for the borrower's
history here (Paipaidai-style: completed loans and on-time repayments earn a better grade, late ones
a worse one). A newcomer has no history and gets 0 points: the model's score stands unchanged.

Scorecard (points added to the application's score; documented in docs/model-card.md):

========================  ====================================================  ===========
feature                   points                                                 cap
========================  ====================================================  ===========
completed loans           +8 each loan fully paid or prepaid                   +24
on-time installments      +1 for every 2 paid on or before their due date        +16
prepayments               +2 each loan prepaid                                   +4
tenure                    +1 for every 6 months since the first disbursement     +6
late installments         -4 each paid or still open after its due date          -40
worst days past due       1-15: -5, 16-30: -15, 31-89: -30, 90+: -60             (one band)
========================  ====================================================  ===========

The total is kept within :data:`MIN_POINTS` .. :data:`MAX_POINTS` (-60 .. +40): history adjusts the
grade, it never replaces the model. With the shipped model's 20 points to double the odds (pdo), +40
points at most divide the odds of default by 4 and -60 at most multiply them by 8.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

__all__ = [
    "MAX_POINTS",
    "MIN_POINTS",
    "HistoryAdjustment",
    "InstallmentRecord",
    "PlatformHistory",
    "history_adjustment",
    "summarise",
]

MAX_POINTS: Final = 40
MIN_POINTS: Final = -60
_DPD_BANDS: Final = ((90, -60), (31, -30), (16, -15), (1, -5))  # (from this many days, points)


@dataclass(frozen=True, slots=True)
class PlatformHistory:
    completed_loans: int = 0
    on_time_installments: int = 0
    late_installments: int = 0
    worst_days_past_due: int = 0
    prepayments: int = 0
    tenure_months: int = 0

    @property
    def is_newcomer(self) -> bool:
        return self == PlatformHistory()


@dataclass(frozen=True, slots=True)
class InstallmentRecord:
    """One due installment of the borrower's: its due date and when it was paid in full (None: not yet)."""

    due_date: date
    paid_on: date | None


@dataclass(frozen=True, slots=True)
class HistoryAdjustment:
    points: int  # within MIN_POINTS..MAX_POINTS
    parts: tuple[tuple[str, int], ...]  # (feature, points) of each feature that moved the score


def summarise(installments: Iterable[InstallmentRecord], *, completed_loans: int, prepayments: int,
              first_disbursed_on: date | None, today: date) -> PlatformHistory:
    """The history features from the installments due by ``today`` (later ones say nothing yet)."""
    on_time = late = worst = 0
    for item in installments:
        if item.due_date >= today and (item.paid_on is None or item.paid_on <= item.due_date):
            continue  # not due yet, or paid early: counted once due
        end = item.paid_on if item.paid_on is not None else today
        days = (end - item.due_date).days
        if days > 0:
            late += 1
            worst = max(worst, days)
        else:
            on_time += 1
    tenure = 0
    if first_disbursed_on is not None and first_disbursed_on <= today:
        tenure = (today.year - first_disbursed_on.year) * 12 + today.month - first_disbursed_on.month
        tenure -= 1 if today.day < first_disbursed_on.day else 0
    return PlatformHistory(completed_loans, on_time, late, worst, prepayments, max(0, tenure))


def history_adjustment(history: PlatformHistory) -> HistoryAdjustment:
    """The scorecard's points for ``history`` (see the module table), capped."""
    parts = [
        ("completed_loans", min(24, 8 * history.completed_loans)),
        ("on_time_installments", min(16, history.on_time_installments // 2)),
        ("prepayments", min(4, 2 * history.prepayments)),
        ("tenure", min(6, history.tenure_months // 6)),
        ("late_installments", max(-40, -4 * history.late_installments)),
        ("worst_days_past_due", next((p for days, p in _DPD_BANDS if history.worst_days_past_due >= days), 0)),
    ]
    moved = tuple((name, points) for name, points in parts if points)
    total = max(MIN_POINTS, min(MAX_POINTS, sum(points for _, points in moved)))
    return HistoryAdjustment(total, moved)
