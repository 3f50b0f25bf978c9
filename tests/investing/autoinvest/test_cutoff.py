"""The round's cut-off: investors the walk down the fair order never reached get no row, the round says why.

Also the criteria filter: PostgreSQL selects the rules that want a loan in SQL; it must select exactly
the rules ``rules.matches`` accepts.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client

from peerlend.investing.autoinvest.engine import matching_rules
from peerlend.investing.autoinvest.rules import matches
from peerlend.investing.models_autoinvest import AutoInvestDecision, AutoInvestRule
from tests.lending.test_api import _client


def _three_then_a_small_loan(investor_factory, make_rule, loan_of_new_borrower):
    """Three equal investors with notes of 450 and a 1,000 loan: room (900) for two, the third not reached."""
    investors = [investor_factory(10_000_00) for _ in range(3)]
    for inv in investors:
        make_rule(inv, amount_per_note_minor=450_00, max_per_loan_minor=450_00, max_borrower_share_bp=10_000)
    loan = loan_of_new_borrower(amount_minor=1_000_00)
    placed = set(AutoInvestDecision.objects.filter(loan=loan, outcome="placed").values_list("investor_id", flat=True))
    [left] = [inv for inv in investors if inv.pk not in placed]
    return loan, left, investors


def test_the_round_keeps_the_cut_off_and_no_row_for_the_unreached(investor_factory, make_rule, loan_of_new_borrower):
    loan, left, _investors = _three_then_a_small_loan(investor_factory, make_rule, loan_of_new_borrower)
    rnd = loan.auto_invest_rounds.get()
    assert (rnd.candidates, rnd.reached, rnd.placed, rnd.skipped) == (3, 2, 2, 0)
    assert rnd.cutoff_reason == "loan_room"
    # Equal accounts: every one of them had all cash idle when the round began.
    assert rnd.last_reached_share_ppm == 1_000_000
    assert not AutoInvestDecision.objects.filter(investor=left).exists()


def test_a_round_that_reaches_everyone_has_no_cut_off(investor_factory, make_rule, loan_of_new_borrower):
    a, b = investor_factory(), investor_factory()
    for inv in (a, b):
        make_rule(inv, amount_per_note_minor=100_00, max_per_loan_minor=100_00, max_borrower_share_bp=10_000)
    loan = loan_of_new_borrower(amount_minor=1_000_00)
    rnd = loan.auto_invest_rounds.get()
    assert (rnd.candidates, rnd.reached, rnd.placed, rnd.cutoff_reason) == (2, 2, 2, "")
    assert rnd.last_reached_share_ppm is None


def test_the_activity_page_explains_the_cut_off(investor_factory, make_rule, loan_of_new_borrower):
    loan, left, investors = _three_then_a_small_loan(investor_factory, make_rule, loan_of_new_borrower)
    c = Client()
    c.force_login(left)
    page = c.get(f"/investing/auto-invest/activity?loan={loan.pk}").content.decode()
    assert 'id="auto-invest-not-reached"' in page and "100.00%" in page and "served 2 investor(s)" in page
    served = next(inv for inv in investors if inv != left)
    c.force_login(served)
    page = c.get(f"/investing/auto-invest/activity?loan={loan.pk}").content.decode()
    assert 'id="auto-invest-not-reached"' not in page


def test_a_rule_that_does_not_want_the_loan_is_not_told_it_was_not_reached(
        investor_factory, make_rule, loan_of_new_borrower):
    loan, left, _investors = _three_then_a_small_loan(investor_factory, make_rule, loan_of_new_borrower)
    AutoInvestRule.objects.filter(investor=left).update(terms=[60])
    c = Client()
    c.force_login(left)
    page = c.get(f"/investing/auto-invest/activity?loan={loan.pk}").content.decode()
    assert 'id="auto-invest-not-reached"' not in page and "no enabled rule of yours wanted it" in page


def test_the_api_lists_the_cut_off_before_the_decisions(client, investor_factory, make_rule, loan_of_new_borrower):
    loan, left, _investors = _three_then_a_small_loan(investor_factory, make_rule, loan_of_new_borrower)
    rows = _client(client, left).get(f"/api/investing/auto-invest/decisions?loan={loan.pk}").json()
    assert [(r["id"], r["outcome"], r["reason"]) for r in rows] == [(None, "not_reached", "loan_room")]
    assert rows[0]["params"] == {"reached": 2, "last_reached_share_ppm": 1_000_000}
    assert "manual investors" in rows[0]["explanation"]


@pytest.mark.postgres
def test_postgres_criteria_filter_selects_what_matches_accepts(investor_factory):
    inv = investor_factory()
    criteria = {
        "grades": [[], ["A"], ["B3"], ["A", "C"]],
        "terms": [[], [12], [6, 24]],
        "repayment_methods": [[], ["equal_installment"], ["interest_only"]],
        "purposes": [[], ["debt_consolidation"]],
        "channels": [[], ["online"], ["offline"]],
        "min_rate_bp": [0, 1_000],
    }
    names = list(criteria)
    AutoInvestRule.objects.bulk_create([  # more rules than one investor may have: straight to the table
        AutoInvestRule(investor=inv, name=f"r{i}", amount_per_note_minor=100_00, max_per_loan_minor=100_00,
                       **dict(zip(names, combo, strict=True)))
        for i, combo in enumerate(itertools.product(*criteria.values()))])
    rows = list(AutoInvestRule.objects.values())
    for grade, term, method, purpose, channel, rate in itertools.product(
            ["A1", "B3", "C2", ""], [6, 12, 36], ["equal_installment", "interest_only"],
            ["debt_consolidation", "education"], ["online", "offline"], ["0.0900", "0.1200"]):
        loan = SimpleNamespace(pk=1, grade=grade, term_months=term, repayment_method=method, purpose=purpose,
                               channel=channel, annual_rate=Decimal(rate), borrower_id=0)
        expected = sorted(r["id"] for r in rows if matches(r, loan))
        assert sorted(r["id"] for r in matching_rules(loan)) == expected, (grade, term, method, purpose, channel)
