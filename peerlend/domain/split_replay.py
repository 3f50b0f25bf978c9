"""Which weights split a payment over a loan's note holders, and replaying past splits.

A note's dated parts (principal, interest, service fee) are not stored per payment: servicing
posts one net amount per holder and keeps running totals on the note. Portfolio returns and
member statements need the parts again, so they replay the loan's payments in order through the
same weights and the same ``split_over_holders`` that servicing used when it posted them. The
weight rule lives here once, for servicing's split and for every replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from peerlend.domain.holder_split import HolderSplit, split_over_holders

__all__ = ["PaidTotals", "Replay", "ReplayStep", "replay_splits", "split_weights"]


def split_weights(outstanding: Sequence[int], charged_off: Sequence[int],
                  amounts: Sequence[int]) -> tuple[list[int], bool]:
    """The weights of a split and whether they are the written-off principal.

    Outstanding principal while any is left; after a charge-off (recoveries) the principal each
    note wrote off; with neither (interest on a fully repaid loan) the notes' original amounts.
    """
    if any(outstanding):
        return list(outstanding), False
    if any(charged_off):
        return list(charged_off), True
    return list(amounts), False


@dataclass(frozen=True, slots=True)
class PaidTotals:
    """What one posted payment sent to the notes, in minor units; ``recovery`` after a charge-off."""

    principal: int
    interest: int
    fee: int
    recovery: bool = False


@dataclass(frozen=True, slots=True)
class ReplayStep:
    """One payment replayed: ``written_off`` is each holder's principal written off just before it
    (the first recovery after a charge-off), ``split`` its parts per holder (None when it paid the
    notes nothing), ``on_charged`` whether the split was over written-off principal."""

    index: int
    written_off: tuple[int, ...]
    split: HolderSplit | None
    on_charged: bool


@dataclass(frozen=True, slots=True)
class Replay:
    steps: tuple[ReplayStep, ...]
    outstanding: tuple[int, ...]  # each holder's principal after the last payment


def replay_splits(amounts: Sequence[int], payments: Iterable[PaidTotals]) -> Replay:
    """Replay ``payments`` (in posting order) over holders who lent ``amounts`` (in note-id order)."""
    outstanding = list(amounts)
    charged = [0] * len(amounts)
    steps: list[ReplayStep] = []
    for index, paid in enumerate(payments):
        written_off: tuple[int, ...] = ()
        if paid.recovery and any(outstanding):
            written_off = tuple(outstanding)
            charged = [c + o for c, o in zip(charged, outstanding, strict=True)]
            outstanding = [0] * len(amounts)
        if (paid.principal == 0 and paid.interest == 0) or not amounts:
            if written_off:
                steps.append(ReplayStep(index, written_off, None, False))
            continue
        weights, on_charged = split_weights(outstanding, charged, amounts)
        split = split_over_holders(paid.principal, paid.interest, paid.fee, weights)
        if on_charged:
            charged = [c - p for c, p in zip(charged, split.principal, strict=True)]
        else:
            outstanding = [o - p for o, p in zip(outstanding, split.principal, strict=True)]
        assert min(outstanding, default=0) >= 0 and min(charged, default=0) >= 0, "a replay repaid more than lent"
        steps.append(ReplayStep(index, written_off, split, on_charged))
    return Replay(tuple(steps), tuple(outstanding))
