"""Joining a plan: the money stays the investor's own (frozen in their account), documented amounts, one key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from peerlend.clock import set_business_date
from peerlend.errors import ApplicationError
from peerlend.investing.models_plans import PlanSubscription, SubscriptionStatus
from peerlend.investing.plans import daily, services
from peerlend.ledger.models import JournalEntry, LedgerAccount
from tests.factories import make_user
from tests.investing.plans.helpers import cash
from tests.lending.conftest import assert_audit_clean, deposit

pytestmark = pytest.mark.django_db


def test_joining_freezes_the_amount_in_the_investors_own_account(make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(2_000_00)
    platform_before = dict(LedgerAccount.objects.filter(owner__isnull=True).values_list("code", "balance_minor"))
    sub = services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=1_500_00, reinvest=True)
    assert (sub.amount_minor, sub.uninvested_minor, sub.reinvest) == (1_500_00, 1_500_00, True)
    assert cash(investor) == (500_00, 1_500_00)
    entry = JournalEntry.objects.get(kind="plan_commit")
    assert entry.reference == f"plan:{plan.pk}:sub:{sub.pk}"
    owners = set(entry.postings.values_list("account__owner_id", flat=True))
    assert owners == {investor.pk}  # no pool: only the investor's own accounts move
    platform_after = dict(LedgerAccount.objects.filter(owner__isnull=True).values_list("code", "balance_minor"))
    assert platform_after == platform_before
    assert_audit_clean()


@pytest.mark.parametrize("amount", [150_50, 50_00, 600_000_00, 0, -100_00])
def test_amounts_outside_the_documented_range_are_refused(make_plan, investor_factory, amount):
    plan = make_plan(min_subscription_minor=100_00, max_subscription_minor=500_000_00)
    investor = investor_factory(1_000_000_00)
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=amount, reinvest=False)
    assert exc.value.code == "invalid_plan_amount"
    assert not PlanSubscription.objects.exists()
    assert cash(investor) == (1_000_000_00, 0)


def test_the_target_size_is_never_overshot(make_plan, join, investor_factory):
    plan = make_plan(target_minor=1_000_00, max_subscription_minor=1_000_00)
    join(plan, 700_00)
    late = investor_factory(1_000_00)
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=late, plan_id=plan.pk, amount_minor=400_00, reinvest=False)
    assert exc.value.code == "plan_full" and exc.value.status == 409
    assert "300.00" in exc.value.message


def test_only_an_open_plan_in_its_window_takes_subscriptions(make_plan, investor_factory):
    draft = make_plan(open_=False)
    investor = investor_factory(1_000_00)
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=investor, plan_id=draft.pk, amount_minor=100_00, reinvest=False)
    assert exc.value.code == "plan_not_open"
    plan = make_plan()
    set_business_date(plan.subscribe_until + timedelta(days=1))
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=100_00, reinvest=False)
    assert exc.value.code == "plan_not_open"


def test_one_live_subscription_per_plan(make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(1_000_00)
    services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=100_00, reinvest=False)
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=100_00, reinvest=False)
    assert exc.value.code == "plan_already_joined"
    assert cash(investor) == (900_00, 100_00)


def test_short_of_cash_is_refused_and_nothing_is_written(make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(100_00)
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=200_00, reinvest=False)
    assert exc.value.code == "insufficient_funds"
    assert not PlanSubscription.objects.exists()
    assert cash(investor) == (100_00, 0)


def test_an_unsuitable_investor_is_refused_for_the_plans_riskiest_grade(make_plan, db):
    plan = make_plan(grades=["A", "E"])
    novice = make_user(roles=("investor",), suitable=False)
    deposit(novice, 1_000_00)
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=novice, plan_id=plan.pk, amount_minor=100_00, reinvest=False)
    assert exc.value.code == "suitability_required"


def test_a_replay_with_the_same_key_returns_the_first_subscription(make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(1_000_00)
    first = services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=300_00, reinvest=False,
                               idempotency_key="join-1")
    again = services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=300_00, reinvest=False,
                               idempotency_key="join-1")
    assert again.pk == first.pk
    assert cash(investor) == (700_00, 300_00)
    assert JournalEntry.objects.filter(kind="plan_commit").count() == 1
    with pytest.raises(ApplicationError) as exc:
        services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=400_00, reinvest=False,
                           idempotency_key="join-1")
    assert exc.value.code == "idempotency_key_reused"


def test_a_refusal_is_replayed_as_such(make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(100_00)
    for _ in range(2):
        with pytest.raises(ApplicationError) as exc:
            services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=200_00, reinvest=False,
                               idempotency_key="join-short")
        assert exc.value.code == "insufficient_funds"
    deposit(investor, 1_000_00)  # the key stays bound to its refusal
    with pytest.raises(ApplicationError):
        services.subscribe(investor=investor, plan_id=plan.pk, amount_minor=200_00, reinvest=False,
                           idempotency_key="join-short")
    assert not PlanSubscription.objects.exists()


def test_leaving_in_the_window_unfreezes_and_allows_joining_again(make_plan, join):
    plan = make_plan()
    sub = join(plan, 400_00)
    left = services.leave(investor=sub.investor, subscription_id=sub.pk)
    assert left.status == SubscriptionStatus.LEFT
    assert cash(sub.investor) == (400_00, 0)
    assert JournalEntry.objects.get(kind="plan_release").reference == sub.reference
    again = services.subscribe(investor=sub.investor, plan_id=plan.pk, amount_minor=200_00, reinvest=False)
    assert again.pk != sub.pk
    assert_audit_clean()


def test_no_exit_during_lock_in(make_plan, join):
    plan = make_plan()
    sub = join(plan, 400_00)
    day = plan.subscribe_until + timedelta(days=1)
    set_business_date(day)
    daily.advance_plans(day)
    with pytest.raises(ApplicationError) as exc:
        services.leave(investor=sub.investor, subscription_id=sub.pk)
    assert exc.value.code == "plan_locked"
    assert plan.lock_ends_on.isoformat() in exc.value.message
    assert cash(sub.investor) == (0, 400_00)


def test_nobody_leaves_someone_elses_subscription(make_plan, join, investor_factory):
    plan = make_plan()
    sub = join(plan, 400_00)
    with pytest.raises(ApplicationError) as exc:
        services.leave(investor=investor_factory(0), subscription_id=sub.pk)
    assert exc.value.status == 404
    assert cash(sub.investor) == (0, 400_00)
