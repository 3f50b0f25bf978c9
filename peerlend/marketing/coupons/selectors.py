"""Read queries of coupons: a member's coupons, the templates, what points can buy, coupon costs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from peerlend.clock import business_date
from peerlend.lending.models import Loan
from peerlend.marketing.coupons.redemption import FEE_OPEN_STATUSES
from peerlend.marketing.models_coupons import Coupon, CouponPayout, CouponTemplate


def coupons_of(user: Any) -> QuerySet[Coupon]:
    """The member's coupons, newest first, with their templates (conditions shown beside each)."""
    return Coupon.objects.filter(user=user).select_related("template", "note", "loan").order_by("-pk")


def all_templates() -> QuerySet[CouponTemplate]:
    return CouponTemplate.objects.order_by("-pk")


def templates_for_points() -> QuerySet[CouponTemplate]:
    """Templates a member can buy with points today."""
    today = business_date()
    return CouponTemplate.objects.filter(active=True, points_cost__gt=0, valid_from__lte=today,
                                         valid_until__gte=today).order_by("points_cost", "pk")


def fee_open_loans_of(user: Any) -> QuerySet[Loan]:
    """The member's loans whose fee is not taken yet (where a fee discount can still go)."""
    return Loan.objects.filter(borrower=user, status__in=FEE_OPEN_STATUSES).order_by("-pk")


def coupon_costs_minor() -> int:
    """What the platform has paid on coupons in all (the coupons' share of marketing expense)."""
    return int(CouponPayout.objects.aggregate(total=Sum("amount_minor"))["total"] or 0)
