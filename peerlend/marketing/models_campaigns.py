"""Campaigns (issue 15 part 5): a reward and a message sent to a segment on a date, within a budget.

The budget is in the reward's unit (points, or coupon face value in minor units). The database
refuses spending over it (``campaign_spent_within_budget``) and the run locks the campaign row, so
no concurrent run can grant past it. One grant per (campaign, member): a re-run grants nobody twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Documented ranges (forms, services and database say the same).
MAX_CAMPAIGN_POINTS = 100_000  # points per member
MAX_CAMPAIGN_BUDGET = 10_000_000_000  # points, or 100,000,000.00 CNY of coupon value
MAX_LAPSED_DAYS = 3650
MAX_MESSAGE = 500
MAX_TAG = 32


class CampaignSegment(models.TextChoices):
    RFM_CHAMPIONS = "rfm_champions", _("RFM: best members (recency, frequency and monetary scores 4-5)")
    RFM_AT_RISK = "rfm_at_risk", _("RFM: at risk (active often before, not recently)")
    NEVER_INVESTED = "never_invested", _("Registered investors who never invested")
    LAPSED_INVESTORS = "lapsed_investors", _("Lapsed investors (no investment for N days)")
    BORROWERS_PAID_OFF = "borrowers_paid_off", _("Borrowers paid off in good standing")
    TAGGED = "tagged", _("Members with an agent's tag")


class CampaignReward(models.TextChoices):
    POINTS = "points", _("Points")
    COUPON = "coupon", _("Coupon")


class CampaignStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Run")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=120)
    segment = models.CharField(_("segment"), max_length=24, choices=CampaignSegment.choices)
    lapsed_days = models.PositiveIntegerField(_("days without investment"), default=90)
    tag = models.CharField(_("tag"), max_length=MAX_TAG, blank=True)
    reward = models.CharField(_("reward"), max_length=8, choices=CampaignReward.choices)
    points = models.PositiveIntegerField(_("points per member"), default=0)
    coupon_template = models.ForeignKey("marketing.CouponTemplate", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="campaigns")
    message = models.CharField(_("message"), max_length=MAX_MESSAGE)
    run_on = models.DateField(_("run on"))
    budget = models.BigIntegerField(_("budget"))
    spent = models.BigIntegerField(_("spent"), default=0)
    # Members the budget could not reach on the run (the segment was larger than the budget).
    left_out = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ran_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "run_on"], name="campaign_due")]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=1, budget__lte=MAX_CAMPAIGN_BUDGET),
                                   name="campaign_budget_range"),
            models.CheckConstraint(condition=Q(spent__gte=0, spent__lte=F("budget")),
                                   name="campaign_spent_within_budget"),
            models.CheckConstraint(condition=Q(lapsed_days__gte=1, lapsed_days__lte=MAX_LAPSED_DAYS),
                                   name="campaign_lapsed_days_range"),
            models.CheckConstraint(
                condition=(Q(reward=CampaignReward.POINTS, points__gte=1, points__lte=MAX_CAMPAIGN_POINTS,
                             coupon_template__isnull=True)
                           | Q(reward=CampaignReward.COUPON, points=0, coupon_template__isnull=False)),
                name="campaign_reward_terms"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignGrant(models.Model):
    """One member reached by one campaign, with what it cost (points or coupon value)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cost = models.BigIntegerField()
    coupon = models.OneToOneField("marketing.Coupon", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    granted_on = models.DateField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="campaign_grant_once"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="campaign_grant_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} -> {self.user_id}"
