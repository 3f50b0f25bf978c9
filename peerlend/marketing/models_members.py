"""Models of membership: the member row (points balance) and the points ledger.

Every user is a member. The ``Member`` row is created lazily by the first write (a page read works
without it: balance 0, lowest tier). The balance is a stored field updated in the same transaction
as the ``PointsEntry`` that changes it, under ``select_for_update``; the database refuses a negative
balance, and the entries of a member always sum to the balance (tests/marketing/members).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["MAX_POINTS_PER_ENTRY", "Member", "PointsEntry", "PointsReason"]

# Documented range of one points movement (forms, API and the DB check say the same).
MAX_POINTS_PER_ENTRY = 10_000_000


class PointsReason(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    IDENTITY = "identity_verified", _("Identity verified")
    REFERRAL = "referral", _("Referral reward")
    INVESTMENT = "investment", _("Investment")
    ON_TIME_REPAYMENT = "on_time_repayment", _("On-time repayment")
    CAMPAIGN_TASK = "campaign_task", _("Campaign task")
    OFFLINE_VISIT = "offline_visit", _("Visit at a service point")
    BIRTHDAY = "birthday", _("Birthday gift")
    REDEMPTION = "redemption", _("Redeemed")
    COUPON = "coupon", _("Exchanged for a coupon")
    EXPIRY = "expiry", _("Expired")
    REVERSAL = "reversal", _("Reversed")
    REFUND_REVERSAL = "refund_reversal", _("Reversed: investment refunded")


# Reasons that earn (a positive delta); the others spend, expire or reverse.
EARNING_REASONS: frozenset[str] = frozenset({
    PointsReason.REGISTRATION, PointsReason.IDENTITY, PointsReason.REFERRAL, PointsReason.INVESTMENT,
    PointsReason.ON_TIME_REPAYMENT, PointsReason.CAMPAIGN_TASK, PointsReason.OFFLINE_VISIT, PointsReason.BIRTHDAY,
})
# Earnings that show activity (investing, repaying, taking part): they count toward a tier's activity.
ACTIVITY_REASONS: frozenset[str] = frozenset({
    PointsReason.INVESTMENT, PointsReason.ON_TIME_REPAYMENT, PointsReason.CAMPAIGN_TASK, PointsReason.OFFLINE_VISIT,
})


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, primary_key=True,
                                related_name="member")
    balance = models.BigIntegerField(_("points balance"), default=0)
    # Month and day of birth (MMDD) taken from the verified identity, for the birthday gift only.
    birth_md = models.CharField(max_length=4, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="member_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"member {self.user_id} ({self.balance} points)"


class PointsEntry(models.Model):
    """One change of a member's points, with its reason; append-only (a correction is a reversal)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="points_entries")
    delta = models.BigIntegerField()
    reason = models.CharField(max_length=24, choices=PointsReason.choices, db_index=True)
    reference = models.CharField(max_length=120, blank=True, default="")
    # Unique per member (DESIGN.md: keys are unique per user and key).
    idempotency_key = models.CharField(max_length=160)
    # An earning lot: what of it is left to spend or expire (FIFO by expiry), and when it expires.
    remaining = models.BigIntegerField(default=0)
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    reversal_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversals")
    booked_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["member", "booked_on"], name="mkt_points_member_day")]
        constraints = [
            models.UniqueConstraint(fields=["member", "idempotency_key"], name="points_key_once_per_member"),
            models.CheckConstraint(
                condition=~models.Q(delta=0) & models.Q(delta__gte=-MAX_POINTS_PER_ENTRY)
                & models.Q(delta__lte=MAX_POINTS_PER_ENTRY),
                name="points_delta_range"),
            models.CheckConstraint(
                condition=models.Q(remaining__gte=0)
                & (models.Q(remaining=0) | models.Q(remaining__lte=models.F("delta"))),
                name="points_remaining_range"),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} points ({self.reason}) for member {self.member_id}"
