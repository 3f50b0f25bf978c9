"""API routes of referrals (issue 15 part 4): the member's code, link, QR code and referrals.

``GET /marketing/referrals`` only reads; ``POST /marketing/referrals/code`` gives a member who
registered before referrals their code (a replay returns the same code, so no key is needed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from peerlend.api.auth import api_auth
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.marketing.referrals import codes, selectors

router = Router(tags=["marketing"])


class ReferralOut(Schema):
    id: int
    referee: str = Field(..., description="the referee's username, masked")
    registered_on: date
    channel: str
    channel_label: str
    status: str = Field(..., description="pending, rewarded or refused")
    status_label: str
    reason: str = Field(..., description="why it was refused (same_identity, same_device, same_card, monthly_cap)")
    reason_label: str
    trigger_label: str
    decided_on: date | None
    referrer_points: int


class ReferralsOut(Schema):
    code: str | None
    link: str | None
    qr_svg_url: str | None
    referrer_points: int = Field(..., description="points the referrer earns per rewarded referral")
    referee_points: int = Field(..., description="points the referee earns")
    monthly_cap: int = Field(..., description="referrals rewarded per referrer and month, 0-1000")
    referrals: list[ReferralOut]


class CodeOut(Schema):
    code: str
    link: str


def _link(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("web:referral_link", args=[code]))


@router.get("/marketing/referrals", response=ReferralsOut, auth=api_auth, url_name="marketing_referrals")
def my_referrals(request: HttpRequest) -> dict[str, Any]:
    """The signed-in member's code, link and who signed up with it (status, reward or reason)."""
    code = selectors.code_of(request.user)
    return {"code": code, "link": _link(request, code) if code else None,
            "qr_svg_url": request.build_absolute_uri(reverse("web:referral_qr")) if code else None,
            **selectors.programme(), "referrals": [vars(r) for r in selectors.my_referrals(request.user)]}


@router.post("/marketing/referrals/code", response={200: CodeOut, API_ERRORS: ApiError}, auth=api_auth,
             url_name="referral_code_create")
def create_code(request: HttpRequest) -> dict[str, Any]:
    code = codes.ensure_code(request.user).code
    return {"code": code, "link": _link(request, code)}
