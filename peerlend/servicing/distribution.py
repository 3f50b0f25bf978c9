"""The split of one payment over the notes that hold the loan (the arithmetic is ``domain.holder_split``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from peerlend.domain.holder_split import service_fee_minor, split_over_holders
from peerlend.domain.split_replay import split_weights
from peerlend.lending.models import Note
from peerlend.servicing.rules import servicing_rules

NOTE_FIELDS = [
    "principal_outstanding_minor", "principal_received_minor", "interest_received_minor", "fees_paid_minor",
    "charged_off_minor", "status",
]


@dataclass
class NotePlan:
    """Per-note parts of one distribution (computed first, applied after the entry posts)."""

    notes: list[Note]
    principal: list[int]
    interest: list[int]
    fee: list[int]
    charged_off: bool

    @property
    def fee_total(self) -> int:
        return sum(self.fee)

    def net_by_investor(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for n, p, i, f in zip(self.notes, self.principal, self.interest, self.fee, strict=True):
            out[n.investor_id] += p + i - f
        return out

    def apply(self) -> None:
        for n, p, i, f in zip(self.notes, self.principal, self.interest, self.fee, strict=True):
            if self.charged_off:
                n.charged_off_minor -= p  # a recovery shrinks the loss written off
            else:
                n.principal_outstanding_minor -= p
            n.principal_received_minor += p
            n.interest_received_minor += i
            n.fees_paid_minor += f


def plan_distribution(notes: Sequence[Note], principal: int, interest: int) -> NotePlan | None:
    """Split principal, interest and the investor service fee over the notes by outstanding principal.

    Each note's net (principal + interest - fee) is within one minor unit of its exact share, and so
    is each of its parts (``domain.holder_split``). After a charge-off (recoveries) the weights are the
    principal each note wrote off.
    """
    if principal == 0 and interest == 0:
        return None
    notes = sorted(notes, key=lambda n: n.pk)  # the split's tie-break: note id
    outstanding = [n.principal_outstanding_minor for n in notes]
    weights, charged_off = split_weights(outstanding, [n.charged_off_minor for n in notes],
                                         [n.amount_minor for n in notes])
    if principal and not charged_off and not any(outstanding):
        raise ValueError("principal paid on a loan whose notes have none outstanding")
    fee = service_fee_minor(principal + interest, servicing_rules().investor_service_fee_rate)
    split = split_over_holders(principal, interest, fee, weights)
    return NotePlan(list(notes), list(split.principal), list(split.interest), list(split.fee), charged_off)
