"""Split an integer amount over holders in proportion to integer weights (largest-remainder method)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["allocate"]


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights``.

    Largest-remainder (Hamilton) method: every part starts at the floor of its exact share
    ``total * w / sum(weights)``; the units left over go one each to the parts with the largest
    remainders, ties going to the earlier position (callers order holders by id for a stable
    tie-break). Hence the parts sum exactly to ``total`` and each is within one unit of its exact
    share (floor or ceiling of it); a zero weight always gets zero.

    A negative ``total`` (refund reversal) is the mirror image of the positive one:
    ``allocate(-t, w) == [-x for x in allocate(t, w)]``.

    Raises ``ValueError`` for empty weights, negative weights, all-zero weights or non-integers.
    """
    if isinstance(total, bool) or not isinstance(total, int):
        raise ValueError("total must be an integer number of minor units")
    if len(weights) == 0:
        raise ValueError("weights must not be empty")
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, int):
            raise ValueError("weights must be integers")
        if w < 0:
            raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")

    if total < 0:
        return [-part for part in allocate(-total, weights)]

    parts: list[int] = []
    remainders: list[int] = []
    for w in weights:
        q, r = divmod(total * w, weight_sum)
        parts.append(q)
        remainders.append(r)
    leftover = total - sum(parts)  # < len(weights), and only parts with a non-zero remainder receive one
    if leftover:
        order = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            parts[i] += 1
    return parts
