"""Reading campaigns and their results (reads only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from peerlend.lending.models import Note, NoteStatus
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant
from peerlend.marketing.models_coupons import CouponStatus


@dataclass(frozen=True)
class CampaignResults:
    reached: int
    redeemed: int  # coupons of the campaign used
    investors_after: int  # reached members who invested on or after their grant day
    new_investment_minor: int  # what they invested on or after it
    cost: int  # budget units spent: points, or coupon face value (minor units)
    paid_minor: int  # what the platform has paid so far on the campaign's coupons (marketing expense)
    outcomes: int  # reached members who redeemed or invested after the grant
    cost_per_outcome: int | None


def all_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("coupon_template").order_by("-pk")


def campaign(campaign_id: int) -> Campaign | None:
    return all_campaigns().filter(pk=campaign_id).first()


def results(campaign: Campaign) -> CampaignResults:
    grants = CampaignGrant.objects.filter(campaign=campaign)
    redeemed_users = set(grants.filter(coupon__status=CouponStatus.REDEEMED).values_list("user_id", flat=True))
    # A note counts when placed on or after the member's grant day (refunded notes never happened).
    notes = (Note.objects.exclude(status=NoteStatus.REFUNDED)
             .filter(investor_id__in=grants.values("user_id"),
                     placed_on__gte=Subquery(grants.filter(user_id=OuterRef("investor_id")).values("granted_on")[:1])))
    investors = set(notes.values_list("investor_id", flat=True))
    outcomes = len(redeemed_users | investors)
    cost = campaign.spent
    return CampaignResults(
        reached=grants.count(), redeemed=len(redeemed_users), investors_after=len(investors),
        new_investment_minor=int(notes.aggregate(s=Sum("amount_minor"))["s"] or 0), cost=cost,
        paid_minor=int(grants.aggregate(s=Sum("coupon__paid_minor"))["s"] or 0), outcomes=outcomes,
        cost_per_outcome=cost // outcomes if outcomes else None)
