"""PostgreSQL: a round's skips are written in one COPY; the rows read back as the ORM would have written them."""

from __future__ import annotations

import pytest

from peerlend.investing.autoinvest.engine import run_round
from peerlend.investing.models_autoinvest import AutoInvestDecision, AutoInvestRule
from tests.factories import make_user
from tests.lending.conftest import deposit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_skips_are_recorded_with_reason_figures_and_rule(listed_loan, investor_factory):
    placed = [investor_factory(100_000_00) for _ in range(3)]
    broke = investor_factory(0)
    unsuitable = make_user(roles=("investor",), suitable=False)
    deposit(unsuitable, 10_000_00)
    rules = {inv.pk: AutoInvestRule.objects.create(investor=inv, name="r", amount_per_note_minor=300_00,
                                                   max_per_loan_minor=300_00, max_borrower_share_bp=10_000)
             for inv in (*placed, broke, unsuitable)}
    loan = listed_loan(amount_minor=2_000_00)  # auto-invest may take 1,800.00: room for all
    rnd = run_round(loan.pk, "command")
    rows = {d.investor_id: d for d in AutoInvestDecision.objects.filter(round=rnd)}
    assert rnd.placed == 3 and sorted(pk for pk, d in rows.items() if d.outcome == "placed") == sorted(
        inv.pk for inv in placed)
    skip = rows[broke.pk]
    assert (skip.outcome, skip.reason, skip.params, skip.amount_minor, skip.note_id) == (
        "skipped", "insufficient_cash", {"available": 0}, 0, None)
    assert skip.rule_id == rules[broke.pk].pk and skip.created_at is not None and skip.loan_id == loan.pk
    refused = rows[unsuitable.pk]
    assert refused.outcome == "skipped" and refused.reason == "suitability_required"
    assert refused.params["code"] == "suitability_required" and refused.params["message"]
