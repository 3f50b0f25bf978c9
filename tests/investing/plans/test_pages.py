"""Wealth-plan pages: the risk notice, joining and leaving, my subscriptions, the operator's plans."""

from __future__ import annotations

import pytest
from django.test import Client

from peerlend.investing.models_plans import PlanStatus, PlanSubscription, WealthPlan
from peerlend.investing.plans import bidding
from tests.factories import make_user
from tests.investing.plans.helpers import cash

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_the_public_list_says_no_promise_and_labels_the_rate_as_expected(make_plan):
    make_plan(name="Steady 12")
    make_plan(name="Hidden draft", open_=False)
    body = _client().get("/investing/plans/").content.decode()
    assert "No promise of principal or return" in body
    assert "Expected annual rate (not promised)" in body
    assert "6.00%" in body and "9.00%" in body
    assert "Steady 12" in body
    assert "Hidden draft" not in body  # drafts are the operators' own
    assert "Open for subscription" in body and ">open<" not in body


def test_detail_shows_the_terms_and_the_join_form_to_investors(make_plan, investor_factory):
    plan = make_plan()
    body = _client(investor_factory(0)).get(f"/investing/plans/{plan.pk}/").content.decode()
    assert "No promise of principal or return" in body
    assert plan.latest_maturity.isoformat() in body
    assert 'name="idempotency_key"' in body and "Join the plan" in body


def test_a_draft_is_not_found_for_investors_but_shown_to_operators(make_plan, investor_factory, operator):
    draft = make_plan(open_=False)
    assert _client(investor_factory(0)).get(f"/investing/plans/{draft.pk}/").status_code == 404
    assert _client(operator).get(f"/investing/plans/{draft.pk}/").status_code == 200


def test_join_through_the_page_once_per_form(make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(1_000_00)
    c = _client(investor)
    data = {"amount": "300.00", "reinvest": "payout", "idempotency_key": "form-1"}
    first = c.post(f"/investing/plans/{plan.pk}/join", data)
    again = c.post(f"/investing/plans/{plan.pk}/join", data)
    assert first.status_code == again.status_code == 302
    sub = PlanSubscription.objects.get()
    assert (sub.amount_minor, sub.reinvest) == (300_00, False)
    assert cash(investor) == (700_00, 300_00)


def test_a_bad_amount_is_a_form_error_and_nothing_moves(make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(1_000_00)
    response = _client(investor).post(f"/investing/plans/{plan.pk}/join",
                                      {"amount": "12.34", "reinvest": "reinvest", "idempotency_key": "form-2"},
                                      follow=True)
    assert response.status_code == 200
    assert "multiple of 50.00" in response.content.decode()
    assert not PlanSubscription.objects.exists()
    response = _client(investor).post(f"/investing/plans/{plan.pk}/join",
                                      {"amount": "abc", "reinvest": "reinvest", "idempotency_key": "form-3"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()


def test_my_subscriptions_show_amounts_notes_and_leave(make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=1000)
    sub = join(plan, 2_000_00)
    loan = listed_loan(amount_minor=10_000_00)
    bidding.bid(plan.pk, loan.pk)
    c = _client(sub.investor)
    body = c.get("/investing/plans/mine").content.decode()
    assert f'data-subscription="{sub.pk}"' in body
    assert "1,000.00" in body  # invested and uninvested
    assert "Leave" in body
    c.post(f"/investing/plans/subscriptions/{sub.pk}/leave")
    sub.refresh_from_db()
    assert sub.status == "left"
    assert cash(sub.investor) == (1_000_00, 1_000_00)  # the pending note stays frozen, the rest is free


def test_the_page_says_notes_are_held_to_maturity_after_exit(make_plan, join, listed_loan):
    from peerlend.investing.plans import daily

    plan = make_plan(max_share_bp=1000, lock_months=1, exit_months=24)
    sub = join(plan, 2_000_00)
    bidding.bid(plan.pk, listed_loan(amount_minor=10_000_00).pk)
    daily.advance_plans(plan.lock_ends_on)
    body = _client(sub.investor).get("/investing/plans/mine").content.decode()
    assert "held to maturity" in body


def test_operators_define_open_and_close_plans(operator):
    c = _client(operator)
    assert c.get("/operator/plans/").status_code == 200
    response = c.post("/operator/plans/", {
        "name": "Page plan", "target": "100000.00", "subscribe_from": "2026-03-02", "subscribe_until": "2026-03-09",
        "lock_months": "6", "exit_months": "6", "rate_low": "5", "rate_high": "8", "grades": ["A", "B"],
        "max_share_bp": "500", "min_subscription": "100.00", "max_subscription": "10000.00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = WealthPlan.objects.get(name="Page plan")
    assert str(plan.expected_rate_low) == "0.0500" and plan.grades == ["A", "B"]
    c.post(f"/operator/plans/{plan.pk}/status", {"action": "open"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN
    c.post(f"/operator/plans/{plan.pk}/status", {"action": "close", "reason": "test"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


def test_an_invalid_plan_is_shown_again_with_the_reason(operator):
    response = _client(operator).post("/operator/plans/", {
        "name": "Bad", "target": "100000.00", "subscribe_from": "2026-03-02", "subscribe_until": "2026-03-09",
        "lock_months": "6", "exit_months": "6", "rate_low": "9", "rate_high": "8", "grades": ["A"],
        "max_share_bp": "500", "min_subscription": "100.00", "max_subscription": "10000.00"})
    assert response.status_code == 200
    assert "rate band" in response.content.decode()
    assert not WealthPlan.objects.exists()


def test_members_cannot_reach_the_operator_pages(db):
    member = make_user(roles=("investor",))
    assert _client(member).get("/operator/plans/").status_code == 403
