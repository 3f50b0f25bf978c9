"""API routes of coupons (issue 15 part 3): my coupons, buying one with points, using one.

An investment coupon is used at checkout: ``coupon_code`` in ``POST /loans/{id}/investments``. A fee
discount goes on the member's own loan; an agent uses service vouchers and fee discounts at their
point (never an investment coupon: the O2O rule, 403 ``offline_investment_coupon``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from peerlend.api.auth import api_auth
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.domain.money import format_minor
from peerlend.ledger.idempotency import key_from_request
from peerlend.marketing.coupons import issuing, redemption, selectors
from peerlend.marketing.models_coupons import Coupon, CouponKind, CouponStatus, CouponTemplate

router = Router(tags=["marketing"])


def _kind_label(kind: str) -> str:
    return str(CouponKind(kind).label)


class CouponOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    channel: str = Field(..., description="online, offline or both: where it can be used")
    status: str
    status_label: str
    value: str = Field(..., description="face value, CNY (0.00 for a rate boost)")
    boost_rate: str = Field(..., description="extra annual rate of a rate boost (decimal), 0 otherwise")
    boost_months: int
    min_amount: str
    eligible_grades: list[str]
    eligible_terms: list[int]
    eligible_methods: list[str]
    expires_on: date
    note_id: int | None
    loan_id: int | None
    paid: str = Field(..., description="what the platform has paid on it so far, CNY")


def coupon_out(coupon: Coupon) -> dict[str, Any]:
    t = coupon.template
    return {
        "id": coupon.pk, "code": coupon.code, "name": t.name, "kind": coupon.kind,
        "kind_label": _kind_label(coupon.kind), "channel": coupon.channel, "status": coupon.status,
        "status_label": str(CouponStatus(coupon.status).label), "value": format_minor(t.value_minor),
        "boost_rate": str(t.boost_rate), "boost_months": t.boost_months, "min_amount": format_minor(t.min_amount_minor),
        "eligible_grades": list(t.eligible_grades), "eligible_terms": list(t.eligible_terms),
        "eligible_methods": list(t.eligible_methods), "expires_on": coupon.expires_on, "note_id": coupon.note_id,
        "loan_id": coupon.loan_id, "paid": format_minor(coupon.paid_minor),
    }


class OfferOut(Schema):
    template_id: int
    name: str
    kind: str
    kind_label: str
    points_cost: int
    valid_until: date


def offer_out(t: CouponTemplate) -> dict[str, Any]:
    return {"template_id": t.pk, "name": t.name, "kind": t.kind, "kind_label": _kind_label(t.kind),
            "points_cost": t.points_cost, "valid_until": t.valid_until}


class BuyIn(Schema):
    template_id: int = Field(..., ge=1, le=2**31 - 1)


class FeeDiscountIn(Schema):
    loan_id: int = Field(..., ge=1, le=2**63 - 1)


class RedeemIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    loan_id: int | None = Field(None, ge=1, le=2**63 - 1, description="the member's loan, for a fee discount")


@router.get("/marketing/coupons", response=list[CouponOut], auth=api_auth, url_name="marketing_coupons")
def my_coupons(request: HttpRequest) -> list[dict[str, Any]]:
    return [coupon_out(c) for c in selectors.coupons_of(request.user)]


@router.get("/marketing/coupons/offers", response=list[OfferOut], auth=api_auth, url_name="coupon_offers")
def offers(request: HttpRequest) -> list[dict[str, Any]]:
    return [offer_out(t) for t in selectors.templates_for_points()]


@router.post("/marketing/coupons/from-points", response={201: CouponOut, API_ERRORS: ApiError}, auth=api_auth,
             url_name="coupon_from_points")
def buy(request: HttpRequest, payload: BuyIn) -> Status:
    # Required: a retry with the same key returns the same coupon and spends the points once.
    coupon = issuing.buy_with_points(request.user, template_id=payload.template_id,  # type: ignore[arg-type]
                                     idempotency_key=key_from_request(request) or "")
    return Status(201, coupon_out(coupon))


@router.post("/marketing/coupons/{coupon_id}/fee-discount", response={200: CouponOut, API_ERRORS: ApiError},
             auth=api_auth, url_name="coupon_fee_discount")
def fee_discount(request: HttpRequest, coupon_id: int, payload: FeeDiscountIn) -> dict[str, Any]:
    coupon = selectors.coupons_of(request.user).filter(pk=coupon_id).first()
    code = coupon.code if coupon is not None else ""  # unknown or another member's: 404 from the service
    used = redemption.apply_fee_discount(request.user, code, payload.loan_id)  # type: ignore[arg-type]
    return coupon_out(Coupon.objects.select_related("template").get(pk=used.pk))


@router.post("/marketing/coupons/redeem-offline", response={200: CouponOut, API_ERRORS: ApiError}, auth=api_auth,
             url_name="coupon_redeem_offline")
def redeem_offline(request: HttpRequest, payload: RedeemIn) -> dict[str, Any]:
    used = redemption.redeem_offline(request.user, payload.code, loan_id=payload.loan_id)  # type: ignore[arg-type]
    return coupon_out(Coupon.objects.select_related("template").get(pk=used.pk))
