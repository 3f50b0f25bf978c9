"""Population stability index (PSI): how far a month's distribution moved from a reference one.

``PSI = sum_i (a_i - e_i) * ln(a_i / e_i)`` over bins, with ``e_i`` and ``a_i`` the *shares* of the
reference (expected) and the month (actual) in bin ``i``. It is 0 for identical shares and grows with
the shift; the usual reading is < 0.10 stable, 0.10-0.25 some shift, > 0.25 a shift to act on
(:data:`PSI_ALERT`).

An empty bin has share 0 and ``ln(0)`` is undefined, so a share below :data:`EMPTY_BIN_SHARE`
(1e-4, i.e. one in ten thousand) is raised to it before the sum. A bin empty on both sides then adds
exactly 0; a bin empty on one side adds a large but finite amount, which is the point: a new
population showed up (or vanished).

Bins: for a numeric input, the reference's deciles (:func:`decile_edges`; repeated edges merged, so a
yes/no input gets two bins) plus one bin for unknown values; for a category (a grade), one bin per
category seen on either side. Pure Python, no Django; statistics, so floats are fine here.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Final

EMPTY_BIN_SHARE: Final = 1e-4
PSI_ALERT: Final = 0.25  # above it the compliance console shows an alert
PSI_WATCH: Final = 0.10  # above it the report marks "some shift"
DECILES: Final = 10


def psi(expected_counts: Sequence[int], actual_counts: Sequence[int],
        epsilon: float = EMPTY_BIN_SHARE) -> float:
    """The PSI of two count vectors over the same bins (raises ValueError when a side is empty)."""
    if len(expected_counts) != len(actual_counts):
        raise ValueError("expected and actual counts need the same bins")
    if any(c < 0 for c in expected_counts) or any(c < 0 for c in actual_counts):
        raise ValueError("counts cannot be negative")
    n_e, n_a = sum(expected_counts), sum(actual_counts)
    if n_e == 0 or n_a == 0:
        raise ValueError("both distributions need at least one observation")
    total = 0.0
    for ce, ca in zip(expected_counts, actual_counts, strict=True):
        e = max(ce / n_e, epsilon)
        a = max(ca / n_a, epsilon)
        total += (a - e) * math.log(a / e)
    return total


def decile_edges(reference: Iterable[float], n_bins: int = DECILES) -> tuple[float, ...]:
    """Upper edges of the reference's quantile bins (nearest rank), repeats merged.

    A value ``x`` falls in the first bin whose edge is >= ``x``; above the last edge is one more bin.
    """
    values = sorted(reference)
    if not values:
        return ()
    edges: list[float] = []
    for k in range(1, n_bins):
        # Nearest-rank quantile k/n_bins: the smallest value with at least that share at or below it.
        rank = max(math.ceil(k * len(values) / n_bins), 1)
        edge = values[rank - 1]
        if not edges or edge > edges[-1]:
            edges.append(edge)
    return tuple(edges)


def bin_counts(values: Iterable[float | None], edges: Sequence[float]) -> list[int]:
    """Counts per bin of ``edges`` (``len(edges) + 1`` numeric bins), then one bin for unknown (None)."""
    counts = [0] * (len(edges) + 2)
    for x in values:
        counts[-1 if x is None else bisect_left(edges, x)] += 1
    return counts


def category_counts(expected: Iterable[Hashable], actual: Iterable[Hashable]) -> tuple[list[int], list[int]]:
    """Counts of both sides over the union of categories seen (in sorted order of their text)."""
    ce, ca = Counter(expected), Counter(actual)
    keys = sorted(set(ce) | set(ca), key=str)
    return [ce[k] for k in keys], [ca[k] for k in keys]


def numeric_psi(reference: Sequence[float | None], actual: Sequence[float | None],
                n_bins: int = DECILES) -> float:
    """PSI of a numeric variable, binned at the reference's deciles plus an unknown bin."""
    edges = decile_edges([x for x in reference if x is not None], n_bins)
    return psi(bin_counts(reference, edges), bin_counts(actual, edges))
