"""Results per campaign: reached, coupons used, new investment after the grant, cost per outcome."""

from __future__ import annotations

import datetime as dt

from peerlend.accounts.models import User
from peerlend.marketing.campaigns.running import run_campaign
from peerlend.marketing.campaigns.selectors import results
from peerlend.marketing.campaigns.services import define_campaign
from peerlend.marketing.models_campaigns import Campaign
from peerlend.marketing.models_coupons import Coupon
from tests.marketing.campaigns.conftest import TODAY, campaign_input, coupon_template, member, note


def test_results_count_outcomes_after_the_grant(operator: User) -> None:
    a, b, c = member(), member(), member()
    template = coupon_template(operator, value_minor=10_00)
    campaign = define_campaign(actor=operator, data=campaign_input(reward="coupon", points=0,
                                                                   coupon_template_id=template.pk, budget=100_00))
    run_campaign(campaign.pk)
    note(a, 500_00, TODAY)  # invested on the grant day: counts
    note(b, 700_00, TODAY - dt.timedelta(days=1), status="refunded")  # before and refunded: never counts
    Coupon.objects.filter(user=c).update(status="redeemed", redeemed_on=TODAY, redeemed_channel="online")
    out = results(Campaign.objects.get(pk=campaign.pk))
    assert (out.reached, out.redeemed, out.investors_after) == (3, 1, 1)
    assert out.new_investment_minor == 500_00
    assert out.cost == 30_00
    assert out.outcomes == 2
    assert out.cost_per_outcome == 15_00


def test_no_outcome_no_cost_per_outcome(operator: User) -> None:
    member()
    campaign = define_campaign(actor=operator, data=campaign_input())
    run_campaign(campaign.pk)
    out = results(Campaign.objects.get(pk=campaign.pk))
    assert out.reached == 1 and out.cost == 10 and out.cost_per_outcome is None


def test_investment_before_the_grant_is_not_counted(operator: User) -> None:
    early = member()
    note(early, 200_00, TODAY - dt.timedelta(days=400))
    campaign = define_campaign(actor=operator, data=campaign_input(segment="lapsed_investors", lapsed_days=30))
    run_campaign(campaign.pk)
    out = results(Campaign.objects.get(pk=campaign.pk))
    assert out.reached == 1 and out.new_investment_minor == 0
