"""Operators' use cases on campaigns: define, cancel, run now. Each audited, each one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, Conflict, NotFound
from peerlend.marketing.campaigns.running import run_campaign
from peerlend.marketing.models_campaigns import (
    MAX_CAMPAIGN_BUDGET,
    MAX_CAMPAIGN_POINTS,
    MAX_LAPSED_DAYS,
    MAX_MESSAGE,
    MAX_TAG,
    Campaign,
    CampaignReward,
    CampaignSegment,
    CampaignStatus,
)
from peerlend.marketing.models_coupons import CouponTemplate

STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)
MAX_NAME = 120


@dataclass(frozen=True)
class CampaignInput:
    name: str
    segment: str
    reward: str
    message: str
    run_on: date
    budget: int
    points: int = 0
    coupon_template_id: int | None = None
    lapsed_days: int = 90
    tag: str = ""


def _invalid(message: str, field: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_campaign", extra={"field": field})


def _template(data: CampaignInput) -> CouponTemplate | None:
    if data.reward == CampaignReward.POINTS:
        if not 1 <= data.points <= MAX_CAMPAIGN_POINTS:
            raise _invalid(_("points per member must be from 1 to %(max)d") % {"max": MAX_CAMPAIGN_POINTS}, "points")
        return None
    template = CouponTemplate.objects.filter(pk=data.coupon_template_id, active=True).first()
    if template is None:
        raise _invalid(_("choose an active coupon template"), "coupon_template")
    # The budget counts face value: a rate boost has none, so it cannot be budgeted here.
    if template.value_minor <= 0:
        raise _invalid(_("a campaign gives coupons with a face value (not rate boosts)"), "coupon_template")
    if template.valid_until < data.run_on:
        raise _invalid(_("the coupon template expires before the run date"), "coupon_template")
    return template


def _check(data: CampaignInput) -> CouponTemplate | None:
    if not data.name.strip() or len(data.name) > MAX_NAME:
        raise _invalid(_("give a name of 1 to %(n)d characters") % {"n": MAX_NAME}, "name")
    if data.segment not in CampaignSegment.values:
        raise _invalid(_("choose a segment"), "segment")
    if data.reward not in CampaignReward.values:
        raise _invalid(_("choose a reward"), "reward")
    if not data.message.strip() or len(data.message) > MAX_MESSAGE:
        raise _invalid(_("give a message of 1 to %(n)d characters") % {"n": MAX_MESSAGE}, "message")
    if not 1 <= data.budget <= MAX_CAMPAIGN_BUDGET:
        raise _invalid(_("the budget must be from 1 to %(max)d") % {"max": MAX_CAMPAIGN_BUDGET}, "budget")
    if not 1 <= data.lapsed_days <= MAX_LAPSED_DAYS:
        raise _invalid(_("days without investment must be from 1 to %(max)d") % {"max": MAX_LAPSED_DAYS},
                       "lapsed_days")
    if data.segment == CampaignSegment.TAGGED and not (1 <= len(data.tag.strip()) <= MAX_TAG):
        raise _invalid(_("give the tag (1 to %(n)d characters)") % {"n": MAX_TAG}, "tag")
    if data.run_on < business_date():
        raise _invalid(_("the run date cannot be in the past"), "run_on")
    return _template(data)


@transaction.atomic
def define_campaign(*, actor: User, data: CampaignInput) -> Campaign:
    require_role(actor, *STAFF_ROLES)
    template = _check(data)
    campaign = Campaign.objects.create(
        name=data.name.strip(), segment=data.segment, reward=data.reward, message=data.message.strip(),
        run_on=data.run_on, budget=data.budget, points=data.points if template is None else 0,
        coupon_template=template, lapsed_days=data.lapsed_days,
        tag=data.tag.strip() if data.segment == CampaignSegment.TAGGED else "", created_by=actor)
    record_audit(actor=actor, action="marketing.campaign_defined", target=campaign, new={
        "name": campaign.name, "segment": campaign.segment, "reward": campaign.reward, "points": campaign.points,
        "coupon_template": template.pk if template else None, "budget": campaign.budget,
        "run_on": campaign.run_on, "tag": campaign.tag, "lapsed_days": campaign.lapsed_days})
    return campaign


def _locked(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("no such campaign"))
    return campaign


@transaction.atomic
def cancel_campaign(*, actor: User, campaign_id: int) -> Campaign:
    require_role(actor, *STAFF_ROLES)
    campaign = _locked(campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED:
        raise Conflict(_("only a scheduled campaign can be cancelled"), code="campaign_not_scheduled")
    campaign.status = CampaignStatus.CANCELLED
    campaign.save(update_fields=["status"])
    record_audit(actor=actor, action="marketing.campaign_cancelled", target=campaign,
                 old={"status": CampaignStatus.SCHEDULED}, new={"status": campaign.status})
    return campaign


@transaction.atomic
def run_now(*, actor: User, campaign_id: int) -> int:
    """Run a scheduled campaign today instead of on its date (same budget, same once-per-member rule)."""
    require_role(actor, *STAFF_ROLES)
    campaign = _locked(campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED:
        raise Conflict(_("this campaign has already run or was cancelled"), code="campaign_not_scheduled")
    today = business_date()
    old_run_on = campaign.run_on
    if campaign.run_on > today:
        campaign.run_on = today
        campaign.save(update_fields=["run_on"])
    granted = run_campaign(campaign.pk, today=today)
    campaign.refresh_from_db()
    record_audit(actor=actor, action="marketing.campaign_run", target=campaign,
                 old={"status": CampaignStatus.SCHEDULED, "run_on": old_run_on, "spent": 0},
                 new={"status": campaign.status, "run_on": campaign.run_on, "spent": campaign.spent,
                      "granted": granted})
    return granted
