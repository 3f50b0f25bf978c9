"""The parts of each repayment entry for one member, for the ledger's statements (``ledger.statements.parts``).

A borrower's parts are on the payment row. An investor's are not stored per note: they are the
split ``distribution.plan_distribution`` made when the payment was posted, and this module makes
it again by replaying the loan's payments in order over its notes (``domain.split_replay``: the
same weights and split, with the same stored totals). The statement builder cross-checks every
replayed split against the amount the ledger actually posted and ignores one that differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from peerlend.domain.split_replay import PaidTotals, replay_splits
from peerlend.ledger.statements.labels import register_kind_labels
from peerlend.ledger.statements.parts import EntryParts, register_parts_provider
from peerlend.lending.models import Note, NoteStatus
from peerlend.servicing.models import PaymentKind, ServicingPayment

_NEVER_HELD = (NoteStatus.PENDING, NoteStatus.REFUNDED)


def entry_parts(member_id: int, entry_ids: Sequence[int]) -> Mapping[int, EntryParts]:
    found: dict[int, EntryParts] = {}
    wanted = set(entry_ids)
    replay_loans: set[int] = set()
    for payment in ServicingPayment.objects.filter(entry_id__in=list(wanted)).order_by("pk"):
        if payment.payer_id == member_id:
            found[payment.entry_id] = EntryParts(
                principal=payment.principal_to_notes_minor, interest=payment.interest_to_notes_minor,
                late_fee=payment.late_fee_minor, to_reserve=payment.to_reserve_minor)
        else:
            replay_loans.add(payment.loan_id)
    if replay_loans:
        held = set(Note.objects.filter(loan_id__in=replay_loans, investor_id=member_id)
                   .values_list("loan_id", flat=True))
        for loan_id in sorted(held):
            for entry_id, parts in _replay(loan_id, member_id).items():
                if entry_id in wanted and entry_id not in found:
                    found[entry_id] = parts
    return found


def _replay(loan_id: int, member_id: int) -> dict[int, EntryParts]:
    """Each payment's parts for ``member_id``'s notes on the loan, split as ``plan_distribution`` did."""
    notes = list(Note.objects.filter(loan_id=loan_id).exclude(status__in=_NEVER_HELD).order_by("pk")
                 .values_list("investor_id", "amount_minor"))
    mine = [investor == member_id for investor, _amount in notes]
    if not any(mine):
        return {}
    payments = list(ServicingPayment.objects.filter(loan_id=loan_id).order_by("pk"))
    replay = replay_splits([amount for _investor, amount in notes], [
        PaidTotals(principal=p.principal_to_notes_minor, interest=p.interest_to_notes_minor,
                   fee=p.service_fee_minor, recovery=p.kind == PaymentKind.RECOVERY) for p in payments])
    out: dict[int, EntryParts] = {}
    for step in replay.steps:
        if step.split is None:
            continue
        split = step.split
        out[payments[step.index].entry_id] = EntryParts(
            principal=sum(p for p, m in zip(split.principal, mine, strict=True) if m),
            interest=sum(i for i, m in zip(split.interest, mine, strict=True) if m),
            service_fee=sum(f for f, m in zip(split.fee, mine, strict=True) if m))
    return out


def register() -> None:
    register_parts_provider(entry_parts)
    register_kind_labels({k.value: k.label for k in PaymentKind}, paid_to_holders=True)
