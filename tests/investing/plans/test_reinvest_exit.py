"""Receipts of plan notes: reinvested into plan money during lock-in, or paid out; the exit at lock-in end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from peerlend.investing.models_plans import PlanStatus, SubscriptionStatus
from peerlend.investing.plans import bidding, daily
from peerlend.lending.models import Note
from peerlend.servicing import batch
from peerlend.servicing.batch import STEPS, run_days
from peerlend.servicing.models import Installment
from tests.investing.plans.helpers import cash
from tests.lending.conftest import START, assert_audit_clean

pytestmark = pytest.mark.django_db


@pytest.fixture
def repaid_once(make_plan, join, listed_loan):
    """Two subscribers of one plan own a whole loan (half each); the borrower pays the first installment."""
    plan = make_plan(max_share_bp=10000)
    keeps = join(plan, 500_00, reinvest=True)
    pays = join(plan, 500_00, reinvest=False)
    loan = listed_loan(amount_minor=1_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 1_000_00
    first = Installment.objects.filter(loan=loan).order_by("number").first()
    run_days(START, first.due_date)  # auto-debit from the borrower's balance, then the plans step
    for sub in (keeps, pays):
        sub.refresh_from_db()
    return plan, keeps, pays


def _received(sub) -> int:
    note = Note.objects.get(plan_note__subscription=sub)
    assert note.interest_received_minor > 0
    return note.principal_received_minor + note.interest_received_minor - note.fees_paid_minor


def test_reinvest_moves_receipts_back_into_plan_money(repaid_once):
    plan, keeps, _pays = repaid_once
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LOCKED
    got = _received(keeps)
    assert (keeps.reinvested_minor, keeps.uninvested_minor, keeps.swept_minor) == (got, got, got)
    assert cash(keeps.investor) == (0, got)
    assert_audit_clean()


def test_pay_out_leaves_receipts_available(repaid_once):
    _plan, _keeps, pays = repaid_once
    got = _received(pays)
    assert (pays.reinvested_minor, pays.uninvested_minor) == (0, 0)
    assert cash(pays.investor) == (got, 0)


def test_reinvesting_again_the_same_day_moves_nothing(repaid_once):
    _plan, keeps, _pays = repaid_once
    before = cash(keeps.investor)
    assert daily.reinvest(START) == 0
    assert cash(keeps.investor) == before


def test_cash_withdrawn_meanwhile_is_not_taken_from_elsewhere(make_plan, join, listed_loan):
    from tests.servicing.conftest import drain

    plan = make_plan(max_share_bp=10000)
    keeps = join(plan, 1_000_00, reinvest=True)
    loan = listed_loan(amount_minor=1_000_00)
    bidding.bid(plan.pk, loan.pk)
    first = Installment.objects.filter(loan=loan).order_by("number").first()
    names = [n for n, _fn in STEPS]
    assert names.index("investing.plans") > names.index("auto_debit")
    # The investor withdraws the repayment before the plan step sees it: nothing else is frozen.
    run_days(START, first.due_date - timedelta(days=1))
    batch.step_auto_debit(first.due_date, 500)
    drain(keeps.investor)
    daily.reinvest(first.due_date)
    keeps.refresh_from_db()
    assert keeps.reinvested_minor == 0 and keeps.swept_minor > 0
    assert cash(keeps.investor) == (0, 0)


def test_exit_at_lock_in_end_releases_uninvested_money_and_holds_notes(repaid_once):
    plan, keeps, _pays = repaid_once
    daily.advance_plans(plan.lock_ends_on)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.EXITING  # the notes run to maturity: no secondary market yet
    keeps.refresh_from_db()
    assert keeps.status == SubscriptionStatus.EXITED and keeps.uninvested_minor == 0
    assert cash(keeps.investor)[1] == 0
    assert Note.objects.get(plan_note__subscription=keeps).status == "active"
    assert_audit_clean()
