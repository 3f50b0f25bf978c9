"""Coupons (issue 15 part 3): templates an operator defines, and the coupons issued from them.

The O2O rule (China 2016 measures Art. 10(4)/16, DESIGN.md O2O) is held by the database too: a
template or a coupon whose channel is offline-only cannot be an investment coupon (cash voucher or
rate boost), and no coupon is redeemed offline onto a note. Each issued coupon carries its template's
kind and channel so that those checks hold row by row.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Documented ranges (forms, services and database say the same; docs/limits.md lists them).
MAX_COUPON_VALUE_MINOR = 10_000_00  # 10,000.00 CNY
MAX_MIN_AMOUNT_MINOR = 10_000_000_00  # 10,000,000.00 CNY
MAX_BOOST_RATE = Decimal("0.0500")  # 5 percentage points a year on top of the note's rate
MAX_BOOST_MONTHS = 36
MAX_POINTS_COST = 1_000_000
MAX_PAYOUT_MINOR = 1_000_000_00  # one payout (a boost on a large note can exceed a face value)


class CouponKind(models.TextChoices):
    CASH_VOUCHER = "cash_voucher", _("Cash voucher on an investment")
    RATE_BOOST = "rate_boost", _("Interest-rate boost")
    FEE_DISCOUNT = "fee_discount", _("Origination-fee discount")
    SERVICE_VOUCHER = "service_voucher", _("Service voucher")


# Coupons that reward investing: never issued or redeemed through the offline channel.
INVESTMENT_KINDS = (CouponKind.CASH_VOUCHER, CouponKind.RATE_BOOST)
OFFLINE_KINDS = (CouponKind.FEE_DISCOUNT, CouponKind.SERVICE_VOUCHER)


class CouponChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline (service point)")
    BOTH = "both", _("Online and offline")


class CouponStatus(models.TextChoices):
    ISSUED = "issued", _("Ready to use")
    REDEEMED = "redeemed", _("Used")
    VOID = "void", _("Cancelled")


class CouponSource(models.TextChoices):
    OPERATOR = "operator", _("Given by an operator")
    POINTS = "points", _("Bought with points")
    CAMPAIGN = "campaign", _("Campaign")
    AGENT = "agent", _("Given by an agent")


class RedeemChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline (service point)")


def _not_offline_investment(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(channel=CouponChannel.OFFLINE, kind__in=[k.value for k in INVESTMENT_KINDS]),
        name=f"{prefix}_offline_never_investment",
    )


class CouponTemplate(models.Model):
    """What an operator offers: kind, value, conditions, validity and channel."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=CouponKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CouponChannel.choices)
    # Cash voucher, fee discount, service voucher: the face value. A rate boost has none (0).
    value_minor = models.BigIntegerField(_("value"), default=0)
    boost_rate = models.DecimalField(_("extra annual rate"), max_digits=6, decimal_places=4, default=Decimal(0))
    boost_months = models.PositiveSmallIntegerField(_("boost months"), default=0)
    min_amount_minor = models.BigIntegerField(_("minimum amount"), default=0)
    # Empty list: any grade / term / repayment method.
    eligible_grades = models.JSONField(_("eligible grades"), default=list, blank=True)
    eligible_terms = models.JSONField(_("eligible terms (months)"), default=list, blank=True)
    eligible_methods = models.JSONField(_("eligible repayment methods"), default=list, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    # 0: cannot be bought with points.
    points_cost = models.PositiveIntegerField(_("points cost"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            _not_offline_investment("coupon_template"),
            models.CheckConstraint(condition=Q(value_minor__gte=0, value_minor__lte=MAX_COUPON_VALUE_MINOR),
                                   name="coupon_template_value_range"),
            models.CheckConstraint(condition=Q(min_amount_minor__gte=0, min_amount_minor__lte=MAX_MIN_AMOUNT_MINOR),
                                   name="coupon_template_min_amount_range"),
            models.CheckConstraint(condition=Q(points_cost__lte=MAX_POINTS_COST),
                                   name="coupon_template_points_cost_range"),
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")),
                                   name="coupon_template_validity_order"),
            # A rate boost has a rate and months and no face value; every other kind a face value only.
            models.CheckConstraint(
                condition=(Q(kind=CouponKind.RATE_BOOST, value_minor=0, boost_rate__gt=0,
                             boost_rate__lte=MAX_BOOST_RATE, boost_months__gte=1, boost_months__lte=MAX_BOOST_MONTHS)
                           | (~Q(kind=CouponKind.RATE_BOOST) & Q(value_minor__gt=0, boost_rate=0, boost_months=0))),
                name="coupon_template_kind_terms",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coupon(models.Model):
    """One coupon held by one member: a unique code, used at most once."""

    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupons")
    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CouponKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CouponChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=CouponStatus.choices, default=CouponStatus.ISSUED)
    source = models.CharField(_("source"), max_length=10, choices=CouponSource.choices)
    # The issuer's idempotency key: one coupon per (member, key).
    issue_key = models.CharField(max_length=100)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    redeemed_on = models.DateField(_("used on"), null=True, blank=True)
    redeemed_channel = models.CharField(max_length=10, choices=RedeemChannel.choices, blank=True)
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    service_point = models.ForeignKey("accounts.ServicePoint", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    note = models.OneToOneField("lending.Note", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="coupon")
    loan = models.ForeignKey("lending.Loan", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="fee_coupons")
    # What the platform has paid on it so far (marketing expense), and rate-boost payouts made.
    paid_minor = models.BigIntegerField(_("paid by the platform"), default=0)
    boost_payouts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            _not_offline_investment("coupon"),
            models.UniqueConstraint(fields=["user", "issue_key"], name="coupon_one_per_issue_key"),
            # Offline redemption never records an investment (no note, never an investment kind).
            models.CheckConstraint(
                condition=~Q(redeemed_channel=RedeemChannel.OFFLINE)
                | (Q(note__isnull=True) & ~Q(kind__in=[k.value for k in INVESTMENT_KINDS])),
                name="coupon_offline_redemption_never_investment",
            ),
            models.CheckConstraint(condition=Q(note__isnull=True) | Q(kind__in=[k.value for k in INVESTMENT_KINDS]),
                                   name="coupon_note_only_for_investment_kinds"),
            models.CheckConstraint(condition=Q(loan__isnull=True) | Q(kind=CouponKind.FEE_DISCOUNT),
                                   name="coupon_loan_only_for_fee_discount"),
            models.CheckConstraint(
                condition=Q(status=CouponStatus.REDEEMED, redeemed_on__isnull=False) & ~Q(redeemed_channel="")
                | (~Q(status=CouponStatus.REDEEMED) & Q(redeemed_on__isnull=True, redeemed_channel="")),
                name="coupon_redeemed_fields_match_status",
            ),
            models.CheckConstraint(condition=Q(paid_minor__gte=0, boost_payouts__lte=MAX_BOOST_MONTHS),
                                   name="coupon_paid_range"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="coupon_user_status")]

    def __str__(self) -> str:
        return self.code


class CouponPayout(models.Model):
    """One payment the platform made on a coupon: one balanced ledger entry (marketing expense)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="payouts")
    # Why, and once per reason: ``note:<id>`` (voucher), ``payment:<id>`` (boost), ``loan:<id>`` (fee).
    reference = models.CharField(max_length=64)
    amount_minor = models.BigIntegerField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["coupon", "reference"], name="coupon_payout_once_per_reference"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0, amount_minor__lte=MAX_PAYOUT_MINOR),
                                   name="coupon_payout_amount_range"),
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id} {self.reference}"
