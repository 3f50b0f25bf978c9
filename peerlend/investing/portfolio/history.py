"""Each note's dated flows, found again by replaying its loan's servicing payments.

The ledger credits a holder one net amount per payment (principal + interest - service fee,
``servicing.posting.entry_lines``) and the note rows keep only running totals. The dated parts per
note come from replaying every payment of the loan in id order through the split the payment used
(``domain.split_replay``: the weights ``servicing.distribution.plan_distribution`` uses, the
payment's stored totals and service fee). The replay is exact: its totals equal the note rows' and
its nets equal the investor's ledger postings (tests/investing/portfolio/test_reconcile.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.portfolio_returns import NoteFlow
from peerlend.domain.split_replay import PaidTotals, replay_splits
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing.models import PaymentKind, ServicingPayment

# Notes whose cash reached the borrower: the only ones a payment is split over.
DISBURSED = (NoteStatus.ACTIVE, NoteStatus.PAID, NoteStatus.CHARGED_OFF, NoteStatus.SOLD)


def _charge_off(flows: dict[int, list[NoteFlow]], ids: Sequence[int], written_off: Sequence[int], on: date) -> None:
    for k, note_id in enumerate(ids):
        if written_off[k]:
            flows[note_id].append(NoteFlow(on=on, charge_off=written_off[k]))


def replay_loan(loan: Loan, notes: Sequence[Note], payments: Iterable[ServicingPayment]) -> dict[int, list[NoteFlow]]:
    """Every disbursed note of ``loan`` -> its flows in payment order (``notes``: all the loan's notes)."""
    held = sorted((n for n in notes if n.status in DISBURSED), key=lambda n: n.pk)  # the split's tie-break
    ids = [n.pk for n in held]
    paid = list(payments)
    replay = replay_splits([n.amount_minor for n in held], [
        PaidTotals(principal=p.principal_to_notes_minor, interest=p.interest_to_notes_minor,
                   fee=p.service_fee_minor, recovery=p.kind == PaymentKind.RECOVERY) for p in paid])
    flows: dict[int, list[NoteFlow]] = {pk: [] for pk in ids}
    charge_off_day = loan.closed_on
    written_off = False
    for step in replay.steps:
        payment = paid[step.index]
        if step.written_off:
            # The loan was charged off before this payment: the remaining principal was written off.
            _charge_off(flows, ids, step.written_off, charge_off_day or payment.business_date)
            written_off = True
        if step.split is None:
            continue
        split = step.split
        for k, note_id in enumerate(ids):
            p, i, f = split.principal[k], split.interest[k], split.fee[k]
            if p or i or f:
                flows[note_id].append(NoteFlow(on=payment.business_date, principal=0 if step.on_charged else p,
                                               recovery=p if step.on_charged else 0, interest=i, fee=f))
    if loan.status == LoanStatus.CHARGED_OFF and not written_off and any(replay.outstanding):
        _charge_off(flows, ids, replay.outstanding, charge_off_day or date.min)
    return flows


def note_flows(loans: Sequence[Loan]) -> dict[int, list[NoteFlow]]:
    """Note id -> dated flows, for every disbursed note of ``loans`` (two queries)."""
    loan_ids = [loan.pk for loan in loans]
    notes: dict[int, list[Note]] = defaultdict(list)
    for note in Note.objects.filter(loan_id__in=loan_ids).only("pk", "loan_id", "amount_minor", "status"):
        notes[note.loan_id].append(note)
    payments: dict[int, list[ServicingPayment]] = defaultdict(list)
    for payment in ServicingPayment.objects.filter(loan_id__in=loan_ids).order_by("pk").only(
            "pk", "loan_id", "kind", "principal_to_notes_minor", "interest_to_notes_minor", "service_fee_minor",
            "business_date"):
        payments[payment.loan_id].append(payment)
    out: dict[int, list[NoteFlow]] = {}
    for loan in loans:
        out.update(replay_loan(loan, notes[loan.pk], payments[loan.pk]))
    return out
