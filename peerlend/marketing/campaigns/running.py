"""Running a campaign: grant its reward to its segment, within its budget, once per member.

One transaction per campaign, under the campaign row's lock (``select_for_update``): concurrent runs
wait and then find it done, so the budget is never exceeded (the database checks it too). Each grant
uses the key ``campaign:<id>`` with the points ledger or the coupon issuer, and ``CampaignGrant`` is
unique per (campaign, member): a re-run grants nobody twice. Members are granted in ascending id
order; when the next grant would pass the budget, granting stops and the rest are counted as left
out (every grant costs the same, so that is the first ``(budget - spent) // cost`` members).

Two paths with one result: on PostgreSQL the set-based grant (``campaigns/bulk.py``: a few
multi-row statements, 100k members in seconds); on SQLite, row by row through ``award_points`` /
``issue_coupon`` and ``notify_many`` (e-mail and SMS leave after commit) -- SQLite is the small
embedded default, where a campaign reaches a few thousand members at most.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from peerlend.accounts.models import User
from peerlend.clock import business_date
from peerlend.marketing.campaigns import bulk
from peerlend.marketing.campaigns.bulk import NOTICE_EVENT
from peerlend.marketing.coupons.issuing import issue_coupon
from peerlend.marketing.members.points import award_points
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant, CampaignReward, CampaignStatus
from peerlend.marketing.models_coupons import CouponSource
from peerlend.marketing.models_members import PointsReason
from peerlend.marketing.segments.members import members_of
from peerlend.notify import Notice, notify_many

__all__ = ["NOTICE_EVENT", "run_campaign", "run_due_campaigns", "unit_cost"]


def unit_cost(campaign: Campaign) -> int:
    """What one grant costs against the budget: the points, or the coupon's face value."""
    if campaign.reward == CampaignReward.POINTS:
        return campaign.points
    assert campaign.coupon_template is not None
    return campaign.coupon_template.value_minor


def _grant(campaign: Campaign, user: User, key: str, today: date) -> CampaignGrant:
    coupon = None
    if campaign.reward == CampaignReward.POINTS:
        award_points(user, campaign.points, reason=PointsReason.CAMPAIGN_TASK, reference=f"campaign:{campaign.pk}",
                     idempotency_key=key)
    else:
        assert campaign.coupon_template is not None
        coupon = issue_coupon(campaign.coupon_template, user, source=CouponSource.CAMPAIGN, idempotency_key=key,
                              today=today)
    return CampaignGrant.objects.create(campaign=campaign, user=user, cost=unit_cost(campaign), coupon=coupon,
                                        granted_on=today)


def _grant_rows(campaign: Campaign, cost: int, today: date) -> tuple[int, int]:
    """The row-by-row path (SQLite): returns (granted now, left out)."""
    done = set(CampaignGrant.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    todo = [uid for uid in members_of(campaign, today) if uid not in done]
    users = User.objects.in_bulk(todo)
    key = f"campaign:{campaign.pk}"
    notices: list[Notice] = []
    left_out = 0
    spent = campaign.spent
    for uid in todo:
        if cost <= 0 or spent + cost > campaign.budget:
            left_out += 1
            continue
        _grant(campaign, users[uid], key, today)
        spent += cost
        notices.append(Notice(uid, NOTICE_EVENT, key, {"campaign": campaign.name, "message": campaign.message}))
    notify_many(notices)
    return len(notices), left_out


@transaction.atomic
def run_campaign(campaign_id: int, *, today: date | None = None) -> int:
    """Run one scheduled, due campaign; returns the number of members granted now (0 when not due or done)."""
    today = today or business_date()
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("coupon_template").get(pk=campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED or campaign.run_on > today:
        return 0
    cost = unit_cost(campaign)
    if connection.vendor == "postgresql":
        granted, left_out = bulk.grant(campaign, cost, today)
    else:
        granted, left_out = _grant_rows(campaign, cost, today)
    campaign.spent += granted * cost
    campaign.left_out = left_out
    campaign.status = CampaignStatus.DONE
    campaign.ran_at = timezone.now()
    campaign.save(update_fields=["spent", "left_out", "status", "ran_at"])
    return granted


def run_due_campaigns(today: date, chunk_size: int = 0) -> int:
    """The run-day step: every scheduled campaign due by ``today``; safe to re-run for a date."""
    due = Campaign.objects.filter(status=CampaignStatus.SCHEDULED, run_on__lte=today).order_by("pk")
    return sum(run_campaign(pk, today=today) for pk in due.values_list("pk", flat=True))
