"""Defining, cancelling and running campaigns: operators only, checked input, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from peerlend.marketing.campaigns.services import cancel_campaign, define_campaign, run_now
from peerlend.marketing.models_campaigns import Campaign
from tests.marketing.campaigns.conftest import TODAY, campaign_input, coupon_template, member


def test_define_is_audited(operator: User) -> None:
    campaign = define_campaign(actor=operator, data=campaign_input())
    event = AuditEvent.objects.get(action="marketing.campaign_defined")
    assert event.new["budget"] == 1000 and event.new["segment"] == "never_invested"
    assert campaign.status == "scheduled"


@pytest.mark.parametrize("overrides, field", [
    ({"name": " "}, "name"),
    ({"budget": 0}, "budget"),
    ({"points": 0}, "points"),
    ({"message": ""}, "message"),
    ({"segment": "tagged", "tag": ""}, "tag"),
    ({"run_on": TODAY - dt.timedelta(days=1)}, "run_on"),
    ({"lapsed_days": 0}, "lapsed_days"),
    ({"reward": "coupon", "points": 0, "coupon_template_id": 999_999}, "coupon_template"),
])
def test_bad_input_is_refused_and_nothing_written(operator: User, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        define_campaign(actor=operator, data=campaign_input(**overrides))
    assert exc.value.extra["field"] == field
    assert not Campaign.objects.exists()


def test_rate_boost_has_no_face_value_to_budget(operator: User) -> None:
    from decimal import Decimal
    boost = coupon_template(operator, value_minor=0, kind="rate_boost", channel="online",
                            boost_rate=Decimal("0.0100"), boost_months=3)
    with pytest.raises(ApplicationError):
        define_campaign(actor=operator, data=campaign_input(reward="coupon", points=0,
                                                            coupon_template_id=boost.pk))


def test_members_cannot_define(db: None) -> None:
    with pytest.raises(ApplicationError) as exc:
        define_campaign(actor=member(), data=campaign_input())
    assert exc.value.status == 403


def test_cancel_is_audited_and_only_once(operator: User) -> None:
    campaign = define_campaign(actor=operator, data=campaign_input())
    cancel_campaign(actor=operator, campaign_id=campaign.pk)
    assert AuditEvent.objects.filter(action="marketing.campaign_cancelled").count() == 1
    with pytest.raises(ApplicationError) as exc:
        cancel_campaign(actor=operator, campaign_id=campaign.pk)
    assert exc.value.code == "campaign_not_scheduled"


def test_run_now_brings_the_date_forward_and_is_audited(operator: User) -> None:
    member()
    campaign = define_campaign(actor=operator, data=campaign_input(run_on=TODAY + dt.timedelta(days=9)))
    assert run_now(actor=operator, campaign_id=campaign.pk) == 1
    event = AuditEvent.objects.get(action="marketing.campaign_run")
    assert event.new["spent"] == 10 and event.new["status"] == "done"
    with pytest.raises(ApplicationError):
        run_now(actor=operator, campaign_id=campaign.pk)
