"""Read-only views of referrals for the referrer's page and the API (a GET never writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from peerlend.marketing.models_referrals import Referral, ReferralCode, ReferralStatus
from peerlend.marketing.referrals.config import monthly_cap, rule

MAX_ROWS = 500


def mask_username(username: str) -> str:
    """Who signed up, without telling the referrer the whole username."""
    if len(username) <= 2:
        return username[:1] + "*"
    return f"{username[0]}***{username[-1]}"


@dataclass(frozen=True)
class ReferralRow:
    id: int
    referee: str
    registered_on: date
    channel: str
    channel_label: str
    status: str
    status_label: str
    reason: str
    reason_label: str
    trigger_label: str
    decided_on: date | None
    referrer_points: int
    has_coupon: bool


def code_of(user: Any) -> str | None:
    return ReferralCode.objects.filter(user_id=user.pk).values_list("code", flat=True).first()


def my_referrals(user: Any) -> list[ReferralRow]:
    rows = Referral.objects.filter(referrer_id=user.pk).select_related("referee").order_by("-registered_on", "-pk")
    return [ReferralRow(
        id=r.pk, referee=mask_username(r.referee.username), registered_on=r.registered_on, channel=r.channel,
        channel_label=str(r.get_channel_display()), status=r.status, status_label=str(r.get_status_display()),
        reason=r.refusal_reason, reason_label=str(r.get_refusal_reason_display()) if r.refusal_reason else "",
        trigger_label=str(r.get_trigger_display()) if r.trigger else "", decided_on=r.decided_on,
        referrer_points=r.referrer_points, has_coupon=r.referrer_coupon_id is not None,
    ) for r in rows[:MAX_ROWS]]


def programme() -> dict[str, int]:
    """The rewards and cap as configured (shown next to the link)."""
    return {"referrer_points": int(rule("REFERRER_POINTS")), "referee_points": int(rule("REFEREE_POINTS")),
            "monthly_cap": monthly_cap()}


def counts(user: Any) -> dict[str, int]:
    qs = Referral.objects.filter(referrer_id=user.pk)
    return {s: qs.filter(status=s).count() for s in ReferralStatus.values}
