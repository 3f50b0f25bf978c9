"""The operator's campaign pages: define, run, see results; members are refused."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from peerlend.accounts.models import User
from peerlend.marketing.campaigns.services import define_campaign
from peerlend.marketing.models_campaigns import Campaign
from tests.marketing.campaigns.conftest import TODAY, campaign_input, member


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_operator_defines_a_campaign(operator: User) -> None:
    response = _client(operator).post("/operator/campaigns/", {
        "name": "Spring", "segment": "never_invested", "lapsed_days": "90", "reward": "points", "points": "10",
        "budget_points": "500", "message": "Hello", "run_on": (TODAY + dt.timedelta(days=2)).isoformat()})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/operator/campaigns/{campaign.pk}/"
    assert (campaign.budget, campaign.points, campaign.segment) == (500, 10, "never_invested")


def test_coupon_reward_needs_a_budget_in_cny(operator: User) -> None:
    response = _client(operator).post("/operator/campaigns/", {
        "name": "Spring", "segment": "never_invested", "lapsed_days": "90", "reward": "coupon",
        "message": "Hello", "run_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "budget_amount" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_operator_runs_and_sees_results(operator: User) -> None:
    member()
    member()
    campaign = define_campaign(actor=operator, data=campaign_input(points=7))
    client = _client(operator)
    response = client.post(f"/operator/campaigns/{campaign.pk}/action", {"action": "run"})
    assert response.status_code == 302
    page = client.get(f"/operator/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    assert page.context["results"].reached == 2
    assert b'data-result="cost">14<' in page.content


def test_cancel_from_the_list(operator: User) -> None:
    campaign = define_campaign(actor=operator, data=campaign_input())
    _client(operator).post(f"/operator/campaigns/{campaign.pk}/action", {"action": "cancel"})
    assert Campaign.objects.get(pk=campaign.pk).status == "cancelled"


def test_members_are_refused(operator: User) -> None:
    campaign = define_campaign(actor=operator, data=campaign_input())
    client = _client(member())
    assert client.get("/operator/campaigns/").status_code == 403
    assert client.get(f"/operator/campaigns/{campaign.pk}/").status_code == 403
    assert client.post(f"/operator/campaigns/{campaign.pk}/action", {"action": "run"}).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).status == "scheduled"


def test_unknown_campaign_is_404(operator: User) -> None:
    assert _client(operator).get("/operator/campaigns/999999/").status_code == 404
    assert _client(operator).post("/operator/campaigns/999999/action", {"action": "run"}).status_code == 404
