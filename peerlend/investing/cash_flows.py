"""An investor's cash flows per calendar month: invested, principal, interest, fees, losses, recoveries.

The dated parts of each note come from the portfolio's replay of the servicing payments
(``investing.portfolio.history.note_flows``: the ledger keeps one net credit per holder and payment,
the replay finds the principal, interest and fee parts again, exactly). So each month's
``principal + interest + recoveries - fees`` equals the investor's postings of that month's servicing
entries, and ``invested`` equals what left the investor's frozen account in disbursement entries
(tests/investing/charts/test_cash_flows.py checks both against the postings, to the cent).

Months are the business dates of the entries. A charge-off writes off the note's outstanding principal
in the month the loan was closed (``losses``); a later recovery pays back part of it (its principal
part is ``recoveries``, its interest part counts as interest). Refunded notes never moved money out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from peerlend.accounts.models import User
from peerlend.investing.portfolio.history import DISBURSED, note_flows
from peerlend.lending.models import Loan, Note


def month_of(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class MonthFlow:
    """One calendar month of an investor's cash flows, in minor units (all non-negative)."""

    month: date  # the first day of the month
    invested_minor: int = 0
    principal_minor: int = 0
    interest_minor: int = 0
    fees_minor: int = 0
    losses_minor: int = 0
    recoveries_minor: int = 0

    @property
    def received_minor(self) -> int:
        """What reached the investor's available cash from servicing this month (the ledger's net)."""
        return self.principal_minor + self.interest_minor + self.recoveries_minor - self.fees_minor

    @property
    def net_income_minor(self) -> int:
        """Interest and recoveries less fees and write-offs: the month's gain or loss on the notes."""
        return self.interest_minor + self.recoveries_minor - self.fees_minor - self.losses_minor


@dataclass(frozen=True)
class CumulativePoint:
    month: date
    invested_minor: int
    net_income_minor: int


@dataclass(frozen=True)
class CashFlows:
    """Every month from the first flow to the last, months without flows included (zeros)."""

    months: tuple[MonthFlow, ...]

    @property
    def empty(self) -> bool:
        return not self.months

    def cumulative(self) -> list[CumulativePoint]:
        invested = income = 0
        out = []
        for m in self.months:
            invested += m.invested_minor
            income += m.net_income_minor
            out.append(CumulativePoint(m.month, invested, income))
        return out

    def total(self, attr: str) -> int:
        return sum(int(getattr(m, attr)) for m in self.months)


def monthly_cash_flows(investor: User | int) -> CashFlows:
    """The investor's cash flows per calendar month (see the module docstring). Reads only."""
    investor_id = investor if isinstance(investor, int) else investor.pk
    mine = list(Note.objects.filter(investor_id=investor_id, status__in=DISBURSED).only("pk", "loan_id",
                                                                                      "amount_minor"))
    if not mine:
        return CashFlows(())
    loans = list(Loan.objects.filter(pk__in={n.loan_id for n in mine}).only("pk", "status", "disbursed_on",
                                                                             "closed_on"))
    disbursed_on = {loan.pk: loan.disbursed_on for loan in loans}
    flows = note_flows(loans)
    totals: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for note in mine:
        day = disbursed_on.get(note.loan_id)
        if day is not None:
            totals[month_of(day)]["invested"] += note.amount_minor
        for flow in flows.get(note.pk, ()):
            # A charge-off without a closing date (not written by servicing) counts from disbursement.
            t = totals[month_of(max(flow.on, day) if day else flow.on)]
            t["principal"] += flow.principal
            t["interest"] += flow.interest
            t["fees"] += flow.fee
            t["losses"] += flow.charge_off
            t["recoveries"] += flow.recovery
    return CashFlows(tuple(_contiguous(totals)))


def _contiguous(totals: dict[date, dict[str, int]]) -> list[MonthFlow]:
    """One row per month from the first to the last month with a flow (quiet months are zeros)."""
    if not totals:
        return []
    first, last = min(totals), max(totals)
    out = []
    month = first
    while month <= last:
        t = totals.get(month, {})
        out.append(MonthFlow(month, t.get("invested", 0), t.get("principal", 0), t.get("interest", 0),
                             t.get("fees", 0), t.get("losses", 0), t.get("recoveries", 0)))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out
