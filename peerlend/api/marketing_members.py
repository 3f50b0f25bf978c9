"""API routes of membership (issue 15 part 8): the member centre and the points history.

Read-only; any signed-in user is a member (the member row need not exist yet). ``page`` and
``page_size`` have documented ranges and a value outside them is a 422 like any bad query.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from peerlend.api.auth import api_auth
from peerlend.marketing.members import selectors
from peerlend.marketing.members.config import Tier

router = Router(tags=["marketing"])
MAX_PAGE = 100_000


class TierOut(Schema):
    code: str
    label: str
    min_points: int = Field(..., description="points earned over 12 months that reach this tier")
    min_activity: int = Field(..., description="or this many activities (investments, on-time repayments, "
                                               "campaign tasks, visits) over 12 months")
    fee_discount_bp: int = Field(..., description="origination-fee discount, basis points (0-5000)")


class MemberOut(Schema):
    points_balance: int
    tier: TierOut
    next_tier: TierOut | None
    progress_pct: int = Field(..., description="progress to the next tier, 0-100")
    points_to_next: int
    activity_to_next: int
    points_12m: int
    activity_12m: int
    expiring_points: int
    expiring_by: date
    member_day: int = Field(..., description="day of the month when investment points are multiplied")
    next_member_day: date
    member_day_multiplier: int
    birthday_points: int
    birthday_known: bool
    tiers: list[TierOut]


class PointsEntryOut(Schema):
    id: int
    booked_on: date
    delta: int
    reason: str
    reason_label: str
    reference: str
    expires_on: date | None


class PointsPageOut(Schema):
    page: int
    page_size: int
    total: int
    balance: int
    entries: list[PointsEntryOut]


def _tier(tier: Tier) -> dict[str, Any]:
    return {"code": tier.code, "label": str(tier.label), "min_points": tier.min_points,
            "min_activity": tier.min_activity, "fee_discount_bp": tier.fee_discount_bp}


@router.get("/marketing/member", response=MemberOut, auth=api_auth, url_name="marketing_member")
def member(request: HttpRequest) -> dict[str, Any]:
    """The signed-in member's tier, progress, points balance, privileges and benefits."""
    s = selectors.member_summary(request.user)
    st = s.standing
    return {
        "points_balance": s.balance, "tier": _tier(st.tier), "next_tier": _tier(st.next_tier) if st.next_tier else None,
        "progress_pct": st.progress_pct, "points_to_next": st.points_to_next, "activity_to_next": st.activity_to_next,
        "points_12m": st.points_12m, "activity_12m": st.activity_12m, "expiring_points": s.expiring_points,
        "expiring_by": s.expiring_by, "member_day": s.member_day, "next_member_day": s.next_member_day,
        "member_day_multiplier": s.member_day_multiplier, "birthday_points": s.birthday_points,
        "birthday_known": s.birthday_known, "tiers": [_tier(t) for t in s.tiers],
    }


@router.get("/marketing/points", response=PointsPageOut, auth=api_auth, url_name="marketing_points")
def points(request: HttpRequest,
           page: int = Query(1, ge=1, le=MAX_PAGE, description="page number, 1-100000"),
           page_size: int = Query(20, ge=1, le=selectors.MAX_PER_PAGE, description="entries a page, 1-100")
           ) -> dict[str, Any]:
    """The signed-in member's points history, newest first."""
    rows, total = selectors.history_page(request.user, page=page, per_page=page_size)
    return {"page": page, "page_size": page_size, "total": total, "balance": selectors.balance_of(request.user),
            "entries": [{"id": e.pk, "booked_on": e.booked_on, "delta": e.delta, "reason": e.reason,
                         "reason_label": str(selectors.reason_label(e.reason)), "reference": e.reference,
                         "expires_on": e.expires_on if e.delta > 0 else None} for e in rows]}
