"""The custody reconciliation summarised per day and per month (issue 16 part 7): figures only.

Per statement date: bank lines imported, lines matched to a custody posting (and their amount),
differences found (unmatched items on either side, and their amount), differences resolved by an
operator, differences still open. No member data: the public page shows the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, Q, Sum

from peerlend.ledger.models import ReconciliationItem, StatementLine

HEADER = ("period", "statement_lines", "matched", "matched_amount", "differences", "differences_amount",
          "resolved", "open")


@dataclass(frozen=True)
class ReconRow:
    period: str  # YYYY-MM-DD for a day, YYYY-MM for a month
    lines: int = 0
    matched: int = 0
    matched_minor: int = 0
    differences: int = 0
    differences_minor: int = 0
    resolved: int = 0
    open: int = 0

    def __add__(self, other: ReconRow) -> ReconRow:
        return replace(self, lines=self.lines + other.lines, matched=self.matched + other.matched,
                       matched_minor=self.matched_minor + other.matched_minor,
                       differences=self.differences + other.differences,
                       differences_minor=self.differences_minor + other.differences_minor,
                       resolved=self.resolved + other.resolved, open=self.open + other.open)


def daily(first: dt.date, last: dt.date) -> list[ReconRow]:
    """One row per statement date in ``[first, last]`` that has lines or differences, oldest first."""
    rows: dict[dt.date, ReconRow] = {}
    matched = Q(matched_posting__isnull=False)
    for day, lines, n_matched, amount in (
        StatementLine.objects.filter(date__range=(first, last)).values("date")
        .annotate(n=Count("id"), m=Count("id", filter=matched), a=Sum("amount_minor", filter=matched))
        .values_list("date", "n", "m", "a")
    ):
        rows[day] = ReconRow(day.isoformat(), lines=lines, matched=n_matched, matched_minor=amount or 0)
    resolved = Q(status=ReconciliationItem.Status.RESOLVED)
    for day, n, amount, n_resolved in (
        ReconciliationItem.objects.filter(date__range=(first, last)).values("date")
        .annotate(n=Count("id"), a=Sum("amount_minor"), r=Count("id", filter=resolved))
        .values_list("date", "n", "a", "r")
    ):
        found = rows.get(day, ReconRow(day.isoformat()))
        rows[day] = replace(found, differences=n, differences_minor=amount or 0, resolved=n_resolved,
                            open=n - n_resolved)
    return [rows[d] for d in sorted(rows)]


def monthly(days: Iterable[ReconRow]) -> list[ReconRow]:
    """The daily rows folded into calendar months, oldest first."""
    months: dict[str, ReconRow] = {}
    for row in days:
        key = row.period[:7]
        months[key] = months.get(key, ReconRow(key)) + replace(row, period=key)
    return [months[k] for k in sorted(months)]


def total(rows: Iterable[ReconRow], label: str = "") -> ReconRow:
    out = ReconRow(label)
    for row in rows:
        out = out + row
    return out


def month_start(day: dt.date, months_back: int) -> dt.date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)
