"""Auto-invest arithmetic (pure, no Django): which investor goes first and how big each note is.

* **Fair order** (Lending Club's): the investor with the highest share of idle cash goes first,
  share = available / (available + frozen + principal outstanding), compared exactly (as integer keys,
  :func:`idle_share_key`).
  Ties are broken by ``sha256("<loan id>:<investor id>")``: deterministic (a re-run gives the same
  order) yet different for every loan, so no investor is always first among equals.
* **Last part**: auto-invest leaves the last ``last_part_bp`` of a loan (default 10 %) to manual
  investors; it never takes a note that would leave less than that unfunded.
* **Note size**: the smallest of the limits below, rounded down to the note unit; below one unit the
  investor is skipped, with the limit that bound as the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from typing import Any

BP = 10_000  # basis points in one


@dataclass(frozen=True)
class Candidate:
    """One investor's rule and figures, read once at the start of a round (integer minor units)."""

    investor_id: int
    rule_id: int
    available_minor: int
    frozen_minor: int = 0
    principal_outstanding_minor: int = 0
    amount_per_note_minor: int = 0
    max_per_loan_minor: int = 0
    max_borrower_share_bp: int = 200
    cash_reserve_minor: int = 0
    monthly_cap_minor: int | None = None
    notes_per_loan: int = 1
    held_in_loan_minor: int = 0  # notes already held in this loan (manual or auto, not refunded)
    notes_in_loan: int = 0
    held_with_borrower_minor: int = 0  # exposure to this loan's borrower, every loan
    auto_this_month_minor: int = 0  # auto-invested this calendar month (not refunded)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def portfolio_minor(self) -> int:
        """The investor's account value: cash (available and frozen) plus principal outstanding."""
        return self.available_minor + self.frozen_minor + self.principal_outstanding_minor


def idle_share(c: Candidate) -> Fraction:
    """Share of the investor's account value that is idle cash (0 for an empty account)."""
    total = c.portfolio_minor
    return Fraction(c.available_minor, total) if total > 0 else Fraction(0)


def tie_key(loan_id: int, investor_id: int) -> str:
    """The documented tie-break: hex sha256 of ``"<loan id>:<investor id>"`` (lower goes first)."""
    return hashlib.sha256(f"{loan_id}:{investor_id}".encode()).hexdigest()


#: Shares are compared as ``floor(share * 2**SHARE_KEY_BITS)``: integers, cheap to sort, and exact for
#: account values below ``2**(SHARE_KEY_BITS // 2)`` minor units (two different fractions a/t and b/u
#: differ by at least 1/(t*u), so their scaled floors differ too).
SHARE_KEY_BITS = 128


def idle_share_key(available_minor: int, portfolio_minor: int) -> int:
    """The idle share as an integer sort key (equal for equal shares, ordered as the shares are)."""
    if portfolio_minor <= 0:
        return 0
    assert 0 <= available_minor <= portfolio_minor < 1 << (SHARE_KEY_BITS // 2), "share out of range"
    return (available_minor << SHARE_KEY_BITS) // portfolio_minor


def fair_order_ids(loan_id: int, shares: Iterable[tuple[int, int, int]]) -> Iterator[int]:
    """Investor ids in fair order from ``(investor id, available, account value)``, lazily.

    Ties are sorted by :func:`tie_key` only when the walk reaches them: a round that stops after a
    few hundred investors never hashes the thousands it did not reach.
    """
    keyed = sorted((-idle_share_key(available, total), investor_id) for investor_id, available, total in shares)
    for _key, group in groupby(keyed, key=itemgetter(0)):
        ids = [investor_id for _k, investor_id in group]
        if len(ids) > 1:
            ids.sort(key=lambda investor_id: tie_key(loan_id, investor_id))
        yield from ids


def fair_order(loan_id: int, candidates: Sequence[Candidate]) -> list[Candidate]:
    """Highest idle-cash share first; ties by :func:`tie_key`."""
    by_id = {c.investor_id: c for c in candidates}
    assert len(by_id) == len(candidates), "one candidate per investor"
    return [by_id[i] for i in fair_order_ids(
        loan_id, ((c.investor_id, c.available_minor, c.portfolio_minor) for c in candidates))]


def last_part_minor(amount_minor: int, last_part_bp: int) -> int:
    """What auto-invest leaves to manual investors: ``last_part_bp`` of the loan, rounded up to the cent."""
    return -(-amount_minor * last_part_bp // BP)


def auto_room(amount_minor: int, funded_minor: int, last_part_bp: int) -> int:
    """How much auto-invest may still take without leaving less than the last part unfunded."""
    return max(0, amount_minor - funded_minor - last_part_minor(amount_minor, last_part_bp))


@dataclass(frozen=True)
class Sizing:
    """A note's size, or 0 with the ``reason`` code of the limit that left less than one unit."""

    amount_minor: int
    reason: str
    params: dict[str, int]


def size_note(c: Candidate, *, room_minor: int, unit_minor: int, placed_minor: int = 0,
              placed_notes: int = 0) -> Sizing:
    """The next note for ``c`` given what this round already placed for it (``placed_*``).

    Each limit is (reason, what it leaves); the note is their minimum, rounded down to the unit.
    """
    if unit_minor <= 0:
        raise ValueError("the note unit must be positive")
    if c.notes_in_loan + placed_notes >= c.notes_per_loan:
        return Sizing(0, "notes_per_loan", {"notes": c.notes_in_loan + placed_notes, "limit": c.notes_per_loan})
    held = c.held_in_loan_minor + placed_minor
    exposure = c.held_with_borrower_minor + placed_minor
    borrower_cap = c.portfolio_minor * c.max_borrower_share_bp // BP
    cash = c.available_minor - placed_minor
    limits: list[tuple[str, int, dict[str, int]]] = [
        ("rule_amount", c.amount_per_note_minor, {"amount": c.amount_per_note_minor}),
        ("max_per_loan", c.max_per_loan_minor - held, {"held": held, "limit": c.max_per_loan_minor}),
        ("insufficient_cash", cash, {"available": cash}),
        ("cash_reserve", cash - c.cash_reserve_minor, {"available": cash, "reserve": c.cash_reserve_minor}),
        ("borrower_concentration", borrower_cap - exposure,
         {"held": exposure, "limit": borrower_cap, "share_bp": c.max_borrower_share_bp}),
        ("loan_room", room_minor, {"room": max(room_minor, 0)}),
    ]
    if c.monthly_cap_minor is not None:
        used = c.auto_this_month_minor + placed_minor
        limits.append(("monthly_cap", c.monthly_cap_minor - used, {"used": used, "limit": c.monthly_cap_minor}))
    # The binding limit is the smallest; among equals the first listed.
    reason, left, params = min(limits, key=lambda item: item[1])
    amount = max(left, 0) // unit_minor * unit_minor
    if amount < unit_minor:
        if reason == "cash_reserve" and cash < unit_minor:
            reason, params = "insufficient_cash", {"available": cash}
        return Sizing(0, reason, params)
    return Sizing(amount, "placed", params)
