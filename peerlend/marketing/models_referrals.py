"""Referrals (issue 15 part 4): each member's code, and who signed up with whose code.

A ``Referral`` is decided once: rewarded (points, and a coupon when configured) after the referee's
first investment or first repaid installment, or refused with its reason (same identity, device or
bank card as the referrer; the referrer's monthly cap). The referrer sees both on their page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 8
MAX_REWARD_POINTS = 1_000_000  # one referral reward, each side (same range as one points entry)


class ReferralCode(models.Model):
    """A member's own code: short, random (unguessable), never changes once given."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.PROTECT,
                                related_name="referral_code")
    code = models.CharField(_("referral code"), max_length=CODE_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Signed up, waiting for a first investment or repayment")
    REWARDED = "rewarded", _("Rewarded")
    REFUSED = "refused", _("Not rewarded")


class RefusalReason(models.TextChoices):
    SAME_IDENTITY = "same_identity", _("Same identity as the referrer")
    SAME_DEVICE = "same_device", _("Signed up from the referrer's device")
    SAME_CARD = "same_card", _("Same bank card as the referrer")
    MONTHLY_CAP = "monthly_cap", _("Monthly limit of rewarded referrals reached")


class ReferralChannel(models.TextChoices):
    ONLINE = "online", _("Online (link or code)")
    AGENT = "agent", _("At a service point")


class ReferralTrigger(models.TextChoices):
    FIRST_INVESTMENT = "first_investment", _("First investment")
    FIRST_REPAYMENT = "first_repayment", _("First repaid installment")


class Referral(models.Model):
    """One sign-up with a referrer's code (a member is referred at most once)."""

    referee = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referred_by",
                                   verbose_name=_("referee"))
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals",
                                 verbose_name=_("referrer"))
    code = models.CharField(_("referral code"), max_length=CODE_LENGTH)
    channel = models.CharField(_("channel"), max_length=10, choices=ReferralChannel.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("agent"))
    # Keyed hash of the sign-up device (see referrals.devices); empty when an agent's device was used.
    device_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    registered_on = models.DateField(_("signed up on"))
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.PENDING)
    refusal_reason = models.CharField(_("reason"), max_length=16, choices=RefusalReason.choices, blank=True,
                                      default="")
    trigger = models.CharField(_("reward trigger"), max_length=20, choices=ReferralTrigger.choices, blank=True,
                               default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    referrer_points = models.PositiveIntegerField(_("referrer's points"), default=0)
    referee_points = models.PositiveIntegerField(_("referee's points"), default=0)
    referrer_coupon = models.ForeignKey("marketing.Coupon", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    referee_coupon = models.ForeignKey("marketing.Coupon", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    class Meta:
        ordering = ["-registered_on", "-pk"]
        indexes = [models.Index(fields=["referrer", "status", "decided_on"], name="referral_referrer_status")]
        constraints = [
            models.CheckConstraint(condition=~Q(referrer=models.F("referee")), name="referral_not_self"),
            models.CheckConstraint(
                condition=Q(status="pending", refusal_reason="", decided_on__isnull=True)
                | Q(status="rewarded", refusal_reason="", decided_on__isnull=False)
                | (Q(status="refused", decided_on__isnull=False) & ~Q(refusal_reason="")),
                name="referral_status_consistent"),
            models.CheckConstraint(condition=Q(referrer_points__lte=MAX_REWARD_POINTS,
                                               referee_points__lte=MAX_REWARD_POINTS),
                                   name="referral_points_range"),
        ]

    def __str__(self) -> str:
        return f"referral {self.referrer_id}->{self.referee_id}"


class MemberDevice(models.Model):
    """A device a member used to sign up or to create their code (keyed hash only, never the raw values)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device_hash = models.CharField(max_length=64)
    first_seen_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "device_hash"], name="member_device_once")]

    def __str__(self) -> str:
        return f"device of {self.user_id}"
