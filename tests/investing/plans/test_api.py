"""API of wealth plans: public terms with the risk notice, joining with an Idempotency-Key, my subscriptions."""

from __future__ import annotations

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from peerlend.investing.models_plans import PlanSubscription
from peerlend.investing.plans import bidding
from tests.investing.plans.helpers import cash

pytestmark = pytest.mark.django_db


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


def _post(client: Client, path: str, body: dict, user, key: str | None = "k-1"):
    headers = _auth(user)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body, content_type="application/json", **headers)


def test_list_and_detail_are_public_with_decimal_strings_and_the_notice(client, make_plan):
    plan = make_plan()
    make_plan(open_=False)
    listed = client.get("/api/investing/plans").json()
    assert [p["id"] for p in listed] == [plan.pk]
    one = client.get(f"/api/investing/plans/{plan.pk}").json()
    assert one["target"] == "1000000.00" and one["min_subscription"] == "100.00"
    assert one["expected_rate_low"] == "0.0600" and "no promise of principal or return" in one["risk_notice"]
    assert one["latest_maturity"] == plan.latest_maturity.isoformat()


def test_a_draft_or_missing_plan_is_404(client, make_plan):
    draft = make_plan(open_=False)
    for pk in (draft.pk, 999_999):
        response = client.get(f"/api/investing/plans/{pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "plan_not_found"


def test_subscribe_needs_a_key_and_replays_with_it(client, make_plan, investor_factory):
    plan = make_plan()
    investor = investor_factory(1_000_00)
    path = f"/api/investing/plans/{plan.pk}/subscriptions"
    missing = _post(client, path, {"amount": "300.00", "reinvest": True}, investor, key=None)
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"
    first = _post(client, path, {"amount": "300.00", "reinvest": True}, investor)
    again = _post(client, path, {"amount": "300.00", "reinvest": True}, investor)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["uninvested"] == "300.00" and first.json()["reinvest"] is True
    assert PlanSubscription.objects.count() == 1
    assert cash(investor) == (700_00, 300_00)


@pytest.mark.parametrize(("amount", "code"), [
    ("12.34", "invalid_plan_amount"), (300, "invalid_amount"), ("-50.00", "invalid_amount"),
    ("1e9", "invalid_amount"), ("", "invalid_amount"),
])
def test_bad_amounts_are_a_clear_400(client, make_plan, investor_factory, amount, code):
    plan = make_plan()
    investor = investor_factory(1_000_00)
    response = _post(client, f"/api/investing/plans/{plan.pk}/subscriptions", {"amount": amount, "reinvest": False},
                     investor, key=f"bad-{amount}")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["code"].startswith("invalid")
    assert not PlanSubscription.objects.exists()


def test_my_subscriptions_with_notes_and_leave(client, make_plan, join, listed_loan):
    plan = make_plan(max_share_bp=1000)
    sub = join(plan, 2_000_00)
    bidding.bid(plan.pk, listed_loan(amount_minor=10_000_00).pk)
    mine = client.get("/api/investing/plans/subscriptions", **_auth(sub.investor)).json()
    assert len(mine) == 1
    assert (mine[0]["invested"], mine[0]["uninvested"], mine[0]["notes"]) == ("1000.00", "1000.00", 1)
    left = client.post(f"/api/investing/plans/subscriptions/{sub.pk}/leave", **_auth(sub.investor))
    assert left.status_code == 200 and left.json()["status"] == "left"


def test_nobody_else_sees_or_leaves_my_subscription(client, make_plan, join, investor_factory):
    sub = join(make_plan(), 500_00)
    other = investor_factory(0)
    assert client.get("/api/investing/plans/subscriptions", **_auth(other)).json() == []
    response = client.post(f"/api/investing/plans/subscriptions/{sub.pk}/leave", **_auth(other))
    assert response.status_code == 404
    assert cash(sub.investor) == (0, 500_00)


def test_anonymous_cannot_subscribe(client, make_plan):
    plan = make_plan()
    response = client.post(f"/api/investing/plans/{plan.pk}/subscriptions", {"amount": "100.00", "reinvest": False},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 401
