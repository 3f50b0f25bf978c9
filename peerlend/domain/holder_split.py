"""Split one payment's principal, interest and investor service fee over the notes that hold the loan.

Each part is split in proportion to the notes' weights (outstanding principal), and so is each
holder's net amount (principal + interest - fee, what reaches the holder's cash). Rounding every
part on its own (one largest-remainder per part) keeps each part within one minor unit of its
exact share, but the three roundings can add up: a holder's net could end up two or three units
from its exact share. Here the parts are rounded *jointly* (a controlled rounding): every part
of every holder is the floor or the ceiling of its exact share, every holder's net is the floor
or the ceiling of its exact net share, and every part's total is exact.

How: start from the independent largest-remainder rounding of each part, then, while a holder's
net is off, move one rounded-up unit of a part from that holder to another holder whose share of
that part has a fraction and was rounded down (along the shortest chain of such moves, found
breadth first). Each move keeps every part's total; a chain always exists because the exact
shares themselves satisfy all the bounds (the flow argument of controlled rounding), and it is
found in time linear in the number of holders. Deterministic: ties go to the earlier holder, so
callers order holders by note id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from peerlend.domain.allocation import allocate
from peerlend.domain.repayment import half_up

__all__ = ["HolderSplit", "service_fee_minor", "split_over_holders"]


@dataclass(frozen=True, slots=True)
class HolderSplit:
    """Per-holder parts of one payment, in the order of the weights given."""

    principal: tuple[int, ...]
    interest: tuple[int, ...]
    fee: tuple[int, ...]

    @property
    def net(self) -> tuple[int, ...]:
        return tuple(p + i - f for p, i, f in zip(self.principal, self.interest, self.fee, strict=True))

    @property
    def fee_total(self) -> int:
        return sum(self.fee)


def service_fee_minor(gross_minor: int, rate: Decimal) -> int:
    """The investor service fee on what the holders receive (half-up)."""
    return half_up(Decimal(gross_minor) * rate)


def split_over_holders(principal: int, interest: int, fee: int, weights: Sequence[int]) -> HolderSplit:
    """Split ``principal``, ``interest`` and ``fee`` (all >= 0) over holders in proportion to ``weights``.

    Every part of every holder is within one minor unit of its exact share (floor or ceiling),
    every holder's net (principal + interest - fee) likewise, and each part sums exactly to its total.
    """
    for name, value in (("principal", principal), ("interest", interest), ("fee", fee)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    n = len(weights)
    p = allocate(principal, weights) if principal else [0] * n
    i = allocate(interest, weights) if interest else [0] * n
    f = allocate(fee, weights) if fee else [0] * n
    if fee or (principal and interest):
        _balance_nets(p, i, f, principal, interest, fee, weights)
    return HolderSplit(tuple(p), tuple(i), tuple(f))


def _balance_nets(p: list[int], i: list[int], f: list[int], principal: int, interest: int, fee: int,
                  weights: Sequence[int]) -> None:
    """Adjust the rounded parts in place so that each holder's net is the floor or ceiling of its exact net.

    Works in "up" units: for principal and interest a unit rounded up adds to the net; for the
    fee (subtracted) a unit rounded *down* adds to the net. ``up[j][k]`` is 1 when holder k's part
    j adds that unit; ``can[j][k]`` when the exact share has a fraction (else it is fixed).
    """
    total_w = sum(weights)
    n = len(weights)
    # Remainders (numerators over total_w) of the exact shares, and the rounding chosen.
    rem_p = [principal * w % total_w for w in weights]
    rem_i = [interest * w % total_w for w in weights]
    rem_f = [fee * w % total_w for w in weights]
    can = [[r > 0 for r in rem_p], [r > 0 for r in rem_i], [r > 0 for r in rem_f]]
    up = [
        [int(p[k] * total_w > principal * weights[k]) for k in range(n)],
        [int(i[k] * total_w > interest * weights[k]) for k in range(n)],
        [int(can[2][k] and f[k] * total_w < fee * weights[k]) for k in range(n)],  # fee rounded down
    ]
    # Bounds on each holder's count of "up" units: floor and ceiling of the sum of its fractions.
    lo: list[int] = []
    hi: list[int] = []
    for k in range(n):
        s = rem_p[k] + rem_i[k] + ((total_w - rem_f[k]) if rem_f[k] else 0)
        lo.append(s // total_w)
        hi.append(-(-s // total_w))
    count = [up[0][k] + up[1][k] + up[2][k] for k in range(n)]

    for k in range(n):
        while count[k] > hi[k]:
            _move(k, up, can, count, lambda j: count[j] < hi[j], give=True)
        while count[k] < lo[k]:
            _move(k, up, can, count, lambda j: count[j] > lo[j], give=False)

    for k in range(n):
        base_p = principal * weights[k] // total_w
        base_i = interest * weights[k] // total_w
        base_f = fee * weights[k] // total_w
        p[k] = base_p + up[0][k]
        i[k] = base_i + up[1][k]
        f[k] = base_f + (1 - up[2][k] if can[2][k] else 0)


def _move(start: int, up: list[list[int]], can: list[list[bool]], count: list[int],
          accepts: Callable[[int], bool], *, give: bool) -> None:
    """Move one "up" unit away from ``start`` (``give``) or to it, along the shortest chain of holders.

    A unit of part j moves from holder a to holder b when a has it and b could have it and has not.
    Giving: search from ``start`` for a holder with room (``accepts``); taking: search from
    ``start`` backwards for a holder with a spare unit. Each part is expanded once per search,
    so a search is linear in the number of holders.
    """
    n = len(count)
    parent: dict[int, tuple[int, int]] = {start: (-1, -1)}  # holder -> (previous holder, part)
    queue = deque([start])
    expanded: set[int] = set()
    found = -1
    while queue and found < 0:
        a = queue.popleft()
        for j in range(3):
            # Giving: a hands part j on, to holders without it. Taking: a receives it from holders with it.
            if (up[j][a] != 1) if give else (up[j][a] != 0 or not can[j][a]):
                continue
            if j in expanded:
                continue
            expanded.add(j)
            for b in range(n):
                if b in parent or not can[j][b] or up[j][b] != (0 if give else 1):
                    continue
                parent[b] = (a, j)
                if accepts(b):
                    found = b
                    break
                queue.append(b)
            if found >= 0:
                break
    if found < 0:  # pragma: no cover - the exact shares prove a chain exists
        raise AssertionError("no rounding keeps every holder's net within one unit")
    b = found
    while b != start:
        a, j = parent[b]
        if give:  # the unit of part j goes a -> b
            up[j][a], up[j][b] = 0, 1
        else:  # the unit of part j goes b -> a
            up[j][b], up[j][a] = 0, 1
        b = a
    if give:
        count[start] -= 1
        count[found] += 1
    else:
        count[start] += 1
        count[found] -= 1
