"""The plan audit checks fire: plan money not covered by frozen cash, a plan note in someone else's name."""

from __future__ import annotations

import pytest

from peerlend.investing.models_plans import PlanNote, PlanSubscription
from peerlend.investing.plans import bidding
from peerlend.ledger.audit import run_audit

pytestmark = pytest.mark.django_db


def _found() -> set[str]:
    return {v.check for v in run_audit()}


def test_clean_books_pass(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=1000)
    join(plan, 1_000_00)
    bidding.bid(plan.pk, listed_loan(amount_minor=10_000_00).pk)
    assert _found() == set()


def test_plan_money_beyond_the_frozen_cash_is_named(make_plan, join):
    sub = join(make_plan(), 1_000_00)
    PlanSubscription.objects.filter(pk=sub.pk).update(uninvested_minor=1_000_01)
    assert _found() == {"investing.plan_money_is_frozen"}


def test_a_plan_note_in_someone_elses_name_is_named(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=1000)
    a = join(plan, 1_000_00)
    b = join(plan, 1_000_00)
    bidding.bid(plan.pk, listed_loan(amount_minor=10_000_00).pk)
    PlanNote.objects.filter(subscription=a).update(subscription=b)
    assert "investing.plan_notes_are_the_subscribers" in _found()


def test_every_investing_check_has_a_test_that_fires_it():
    from peerlend.ledger.audit import registered_checks

    own = {name for name in registered_checks() if name.startswith("investing.")}
    assert own == {"investing.plan_money_is_frozen", "investing.plan_notes_are_the_subscribers"}
