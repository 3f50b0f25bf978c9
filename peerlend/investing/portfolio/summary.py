"""An investor's portfolio: cash, principal, income, losses, NAR, adjusted NAR, XIRR and breakdowns.

Definitions (all money in minor units, all figures as of the business date ``today``):

* **Cash** available and frozen: the investor's ledger balances.
* **Principal outstanding**, **principal / interest received**, **fees paid** and **realised loss**
  (principal charged off, net of later recoveries): sums over the notes, which the servicing posts
  with every ledger entry (a test recomputes them from the postings).
* **Accrued interest**: on current notes, interest earned since the last due date, actual/365.
* **Expected loss**: outstanding principal of late notes times the loss rate of their bucket
  (``domain.portfolio_returns.LOSS_BUCKETS``).
* **NAR**: Lending Club's net annualized return (``domain.returns.net_annualized_return``) over one
  ``NoteMonth`` per note and payment period (``domain.portfolio_returns.note_months``); None ("New")
  when no period has ended yet. **Adjusted NAR**: the same with the expected loss counted as charged off.
* **XIRR**: the annual rate of all the investor's note cash flows: each note's amount out on the day it
  was bought, every net receipt (principal + interest + recoveries - fees) on its payment date, and
  the value of the notes still running (outstanding less expected loss plus accrued interest) in on
  ``today``. None when it is undefined (nothing invested yet, or all flows on one day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peerlend.accounts.models import User
from peerlend.domain.portfolio_returns import adjusted_net_annualized_return
from peerlend.domain.returns import net_annualized_return, xirr
from peerlend.investing.portfolio.holdings import STATUS_LABELS, Holding, holdings_of
from peerlend.ledger.selectors import balances


def _nar(holdings: Sequence[Holding]) -> Decimal | None:
    try:
        return net_annualized_return(m for h in holdings for m in h.months)
    except ValueError:  # no principal outstanding in any ended period: "New"
        return None


def _adjusted_nar(holdings: Sequence[Holding]) -> Decimal | None:
    try:
        return adjusted_net_annualized_return((m for h in holdings for m in h.months),
                                              sum(h.expected_loss_minor for h in holdings))
    except ValueError:
        return None


def cash_flows(holdings: Iterable[Holding], today: date) -> list[tuple[date, int]]:
    """The dated flows XIRR is taken of: one net amount per day, investments negative."""
    by_day: dict[date, int] = defaultdict(int)
    for h in holdings:
        if not h.disbursed:
            continue
        by_day[h.placed_on or today] -= h.amount_minor
        for f in h.flows:
            by_day[f.on] += f.principal + f.interest + f.recovery - f.fee
        by_day[today] += h.value_minor
    return sorted((day, amount) for day, amount in by_day.items() if amount)


def _xirr(holdings: Sequence[Holding], today: date) -> Decimal | None:
    try:
        return xirr(cash_flows(holdings, today))
    except ValueError:  # no investment yet, no sign change, or all on one day
        return None


@dataclass(frozen=True)
class Group:
    """One row of a breakdown: the notes sharing a grade, term, vintage or status."""

    key: str
    label: str
    notes: int
    invested_minor: int
    principal_outstanding_minor: int
    principal_received_minor: int
    interest_received_minor: int
    fees_paid_minor: int
    realised_loss_minor: int
    expected_loss_minor: int
    nar: Decimal | None


def _group(key: str, label: str, rows: Sequence[Holding]) -> Group:
    return Group(
        key=key, label=label, notes=len(rows), invested_minor=sum(h.amount_minor for h in rows),
        principal_outstanding_minor=sum(h.principal_outstanding_minor for h in rows),
        principal_received_minor=sum(h.principal_received_minor for h in rows),
        interest_received_minor=sum(h.interest_received_minor for h in rows),
        fees_paid_minor=sum(h.fees_paid_minor for h in rows),
        realised_loss_minor=sum(h.charged_off_minor for h in rows),
        expected_loss_minor=sum(h.expected_loss_minor for h in rows), nar=_nar(rows),
    )


def breakdown(holdings: Iterable[Holding], key: Callable[[Holding], str],
              label: Callable[[str], str] = str, order: Sequence[str] = ()) -> tuple[Group, ...]:
    """Groups of ``holdings`` by ``key``, in ``order`` first, then by key."""
    groups: dict[str, list[Holding]] = defaultdict(list)
    for h in holdings:
        groups[key(h)].append(h)
    rank = {k: n for n, k in enumerate(order)}
    keys = sorted(groups, key=lambda k: (rank.get(k, len(rank)), k))
    return tuple(_group(k, label(k), groups[k]) for k in keys)


@dataclass(frozen=True)
class Portfolio:
    """The figures of one investor's portfolio (see the module docstring for each definition)."""

    today: date
    cash_available_minor: int
    cash_frozen_minor: int
    invested_minor: int  # notes bought and disbursed, at their amounts
    principal_outstanding_minor: int
    accrued_interest_minor: int
    principal_received_minor: int
    interest_received_minor: int
    fees_paid_minor: int
    realised_loss_minor: int
    expected_loss_minor: int
    nar: Decimal | None
    adjusted_nar: Decimal | None
    xirr: Decimal | None
    notes: int
    running_notes: int
    by_grade: tuple[Group, ...]
    by_term: tuple[Group, ...]
    by_vintage: tuple[Group, ...]
    by_status: tuple[Group, ...]

    @property
    def account_value_minor(self) -> int:
        """Cash plus outstanding principal plus accrued interest."""
        return (self.cash_available_minor + self.cash_frozen_minor + self.principal_outstanding_minor
                + self.accrued_interest_minor)

    @property
    def net_income_minor(self) -> int:
        """Interest received less fees and realised losses."""
        return self.interest_received_minor - self.fees_paid_minor - self.realised_loss_minor


def portfolio_from(holdings: Sequence[Holding], today: date, cash: tuple[int, int]) -> Portfolio:
    """The figures of ``holdings``; grade, term and vintage groups are of disbursed notes, status of all
    but refunded ones (a refunded note never held a loan)."""
    held = [h for h in holdings if h.disbursed]
    return Portfolio(
        today=today, cash_available_minor=cash[0], cash_frozen_minor=cash[1],
        invested_minor=sum(h.amount_minor for h in held),
        principal_outstanding_minor=sum(h.principal_outstanding_minor for h in held),
        accrued_interest_minor=sum(h.accrued_interest_minor for h in held),
        principal_received_minor=sum(h.principal_received_minor for h in held),
        interest_received_minor=sum(h.interest_received_minor for h in held),
        fees_paid_minor=sum(h.fees_paid_minor for h in held),
        realised_loss_minor=sum(h.charged_off_minor for h in held),
        expected_loss_minor=sum(h.expected_loss_minor for h in held),
        nar=_nar(held), adjusted_nar=_adjusted_nar(held), xirr=_xirr(held, today),
        notes=len(held), running_notes=sum(1 for h in held if h.principal_outstanding_minor),
        by_grade=breakdown(held, lambda h: h.grade[:1] or "-"),
        by_term=breakdown(held, lambda h: str(h.term_months), order=[
            str(t) for t in sorted({h.term_months for h in held})]),
        by_vintage=breakdown(held, lambda h: h.vintage),
        by_status=breakdown((h for h in holdings if h.status != "refunded"), lambda h: h.status,
                            lambda k: str(STATUS_LABELS[k]), order=list(STATUS_LABELS)),
    )


def portfolio_of(investor: User, today: date) -> Portfolio:
    """The portfolio of ``investor`` as of the business date ``today``. Reads only."""
    b = balances(investor)
    return portfolio_from(holdings_of(investor.pk, today), today, (b.available_minor, b.frozen_minor))
