"""Plan bids: pro rata in note units, in each subscriber's name, capped per loan, no term splitting."""

from __future__ import annotations

import pytest

from peerlend.investing.models_plans import PlanNote
from peerlend.investing.plans import bidding, daily
from peerlend.ledger.models import JournalEntry
from peerlend.lending.models import Loan, Note
from tests.investing.plans.helpers import cash
from tests.lending.conftest import START, assert_audit_clean

pytestmark = pytest.mark.django_db


# ---- the split itself (pure)

def test_split_is_pro_rata_and_sums_exactly():
    shares = bidding.split_units(10, [(1, 4), (2, 4), (3, 4)])
    assert sum(shares.values()) == 10
    assert shares == {1: 4, 2: 3, 3: 3}  # the unit left over goes to the earliest of equal remainders


def test_split_gives_the_leftover_units_to_the_largest_remainders():
    # 7 units over weights 5, 3, 2 (of 10): exact 3.5, 2.1, 1.4 -> 3, 2, 1 and one more to the .5
    assert bidding.split_units(7, [(1, 5), (2, 3), (3, 2)]) == {1: 4, 2: 2, 3: 1}


@pytest.mark.parametrize("total", [0, 1, 2, 5, 13, 99, 100, 1000])
def test_split_never_exceeds_a_weight_and_always_sums(total):
    weights = [(1, 40), (2, 1), (3, 17), (4, 2), (5, 40)]
    shares = bidding.split_units(total, weights)
    assert sum(shares.values()) == min(total, 100)
    assert all(shares[k] <= w for k, w in weights)


def test_split_is_deterministic():
    weights = [(i, (i * 7) % 11 + 1) for i in range(1, 30)]
    assert bidding.split_units(57, weights) == bidding.split_units(57, list(weights))


# ---- bids on a loan

def test_a_bid_places_notes_in_each_subscribers_name(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=1000)  # 10 % of a 10,000 loan: 1,000
    a = join(plan, 3_000_00)
    b = join(plan, 1_000_00)
    c = join(plan, 1_000_00)
    loan = listed_loan(amount_minor=10_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 1_000_00
    notes = {pn.subscription_id: pn.note for pn in PlanNote.objects.select_related("note")}
    # 20 units pro rata to 60 : 20 : 20 -> 12 : 4 : 4 units of 50.00
    assert {k: n.amount_minor for k, n in notes.items()} == {a.pk: 600_00, b.pk: 200_00, c.pk: 200_00}
    assert {k: n.investor_id for k, n in notes.items()} == {a.pk: a.investor_id, b.pk: b.investor_id,
                                                            c.pk: c.investor_id}
    a.refresh_from_db()
    assert (a.uninvested_minor, a.invested_minor) == (2_400_00, 600_00)
    assert cash(a.investor) == (0, 3_000_00)  # plan money became a pending note: still frozen, still theirs
    loan.refresh_from_db()
    assert loan.funded_minor == 1_000_00
    release = JournalEntry.objects.filter(kind="plan_release")
    assert release.count() == 3
    assert_audit_clean()


def test_the_max_share_holds_across_rounds(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=500)
    join(plan, 100_000_00)
    loan = listed_loan(amount_minor=10_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 500_00
    assert bidding.bid(plan.pk, loan.pk) == 0
    assert daily.bid_round(START) == 0
    assert Note.objects.filter(loan=loan).count() == 1


def test_the_share_is_rounded_down_to_note_units(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=333)  # 3.33 % of 10,000 = 333.00 -> 300.00
    join(plan, 10_000_00)
    loan = listed_loan(amount_minor=10_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 300_00


def test_a_bid_never_takes_more_than_the_plan_money(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=10000)
    join(plan, 250_00)
    loan = listed_loan(amount_minor=10_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 250_00
    loan.refresh_from_db()
    assert loan.funded_minor == 250_00


def test_a_plan_can_fund_a_loan_and_it_is_disbursed(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=10000)
    sub = join(plan, 2_000_00)
    loan = listed_loan(amount_minor=1_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 1_000_00
    loan.refresh_from_db()
    assert loan.status == "current"
    assert cash(sub.investor) == (0, 1_000_00)  # the note's cash went to the borrower
    assert_audit_clean()


def test_term_splitting_is_refused(make_plan, join, listed_loan):
    # Lock-in 3 months + exit 3 months: a 12-month loan would outlive the plan's stated term.
    plan = make_plan(lock_months=3, exit_months=3)
    join(plan, 10_000_00)
    long_loan = listed_loan(amount_minor=10_000_00, term_months=12)
    assert bidding.eligible_plans(long_loan, START) == []
    assert bidding.bid(plan.pk, long_loan.pk) == 0
    assert not Note.objects.filter(loan=long_loan).exists()


def test_a_loan_within_lock_in_plus_exit_is_eligible(make_plan, listed_loan):
    plan = make_plan(lock_months=3, exit_months=3)
    loan = listed_loan(amount_minor=10_000_00, term_months=3)
    assert [p.pk for p in bidding.eligible_plans(loan, START)] == [plan.pk]


def test_only_eligible_grades_are_bought(make_plan, join, listed_loan):
    loan = listed_loan(amount_minor=10_000_00)
    letter = loan.grade[0]
    others = [g for g in "ABCDE" if g != letter]
    plan = make_plan(grades=others)
    join(plan, 10_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 0
    Loan.objects.filter(pk=loan.pk).update(grade=f"{others[0]}1")
    assert bidding.bid(plan.pk, loan.pk) == 500_00


def test_draft_and_closed_plans_do_not_bid(make_plan, join, listed_loan, operator):
    from peerlend.investing.plans import services

    draft = make_plan(open_=False)
    loan = listed_loan(amount_minor=10_000_00)
    assert bidding.bid(draft.pk, loan.pk) == 0
    plan = make_plan()
    join(plan, 1_000_00)
    services.close_plan(actor=operator, plan_id=plan.pk)
    assert bidding.bid(plan.pk, loan.pk) == 0


def test_the_borrower_is_never_bid_for_in_their_own_loan(make_plan, join, listed_loan, borrower):
    plan = make_plan(max_share_bp=1000)
    from tests.lending.conftest import deposit

    deposit(borrower, 1_000_00)
    own = join(plan, 1_000_00, investor=borrower)
    other = join(plan, 1_000_00)
    loan = listed_loan(amount_minor=10_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 1_000_00
    assert set(Note.objects.filter(loan=loan).values_list("investor_id", flat=True)) == {other.investor_id}
    own.refresh_from_db()
    assert own.uninvested_minor == 1_000_00


def test_the_listing_hook_bids_as_soon_as_the_loan_is_listed(make_plan, join, listed_loan,
                                                             django_capture_on_commit_callbacks):
    plan = make_plan()
    join(plan, 10_000_00)
    with django_capture_on_commit_callbacks(execute=True):
        loan = listed_loan(amount_minor=10_000_00)
    assert bidding.plan_bought(plan.pk, loan.pk) == 500_00


def test_the_daily_step_bids_with_new_money(make_plan, join, listed_loan):
    loan = listed_loan(amount_minor=10_000_00)  # listed before the plan had money: no head start
    plan = make_plan()
    join(plan, 10_000_00)
    assert daily.step_plans(START, 500) >= 1
    assert bidding.plan_bought(plan.pk, loan.pk) == 500_00
    assert daily.step_plans(START, 500) == 0  # a re-run places nothing more


def test_a_refused_bid_never_fails_the_listing(make_plan, join, listed_loan, monkeypatch,
                                               django_capture_on_commit_callbacks):
    from peerlend.errors import ApplicationError

    join(make_plan(), 10_000_00)

    def refuse(plan_id, loan_id):
        raise ApplicationError("refused", code="plan_bid_refused", status=409)

    monkeypatch.setattr(bidding, "bid", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        loan = listed_loan(amount_minor=10_000_00)
    loan.refresh_from_db()
    assert loan.status == "listed"
