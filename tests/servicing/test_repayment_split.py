"""Each holder's net share of a repayment (what reaches its cash) is within one minor unit of its exact share."""

from __future__ import annotations

from fractions import Fraction

from peerlend.lending.models import Note
from peerlend.servicing.services import plan_distribution


def _notes(outstanding: list[int]) -> list[Note]:
    return [Note(pk=k + 1, investor_id=100 + k, amount_minor=o, principal_outstanding_minor=o)
            for k, o in enumerate(outstanding)]


def test_each_holders_net_is_within_one_unit_of_its_exact_share():
    # 1.20 CNY principal and 0.08 interest over notes of 400, 800 and 900 CNY; a fee of 0.01.
    # Rounding principal, interest and fee each on its own paid the third holder 0.53 for an
    # exact share of 0.5443: 1.43 units short.
    notes = _notes([400_00, 800_00, 900_00])
    plan = plan_distribution(notes, 120, 8)
    assert plan is not None
    net_total = 120 + 8 - plan.fee_total
    total_w = sum(n.principal_outstanding_minor for n in notes)
    nets = [p + i - f for p, i, f in zip(plan.principal, plan.interest, plan.fee, strict=True)]
    assert sum(nets) == net_total and sum(plan.principal) == 120 and sum(plan.interest) == 8
    for note, net in zip(notes, nets, strict=True):
        assert abs(net - Fraction(net_total * note.principal_outstanding_minor, total_w)) < 1
    assert plan.net_by_investor() == {n.investor_id: net for n, net in zip(notes, nets, strict=True)}
