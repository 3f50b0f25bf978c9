"""The membership rules from settings (``PEERLEND_MEMBERS``), with the defaults documented here.

Tiers are listed lowest first: a member reaches a tier with at least ``min_points`` points earned
or ``min_activity`` activity entries (investments, on-time repayments, campaign tasks, visits) over
the last 12 months. ``fee_discount_bp`` is the tier's origination-fee discount in basis points;
no tier ever gives priority in funding (funding stays first come, first served for everyone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

MAX_FEE_DISCOUNT_BP = 5000  # a tier discounts at most half of the origination fee

DEFAULTS: dict[str, Any] = {
    "TIERS": [
        {"code": "bronze", "label": _("Bronze"), "min_points": 0, "min_activity": 0, "fee_discount_bp": 0},
        {"code": "silver", "label": _("Silver"), "min_points": 1_000, "min_activity": 6, "fee_discount_bp": 500},
        {"code": "gold", "label": _("Gold"), "min_points": 5_000, "min_activity": 12, "fee_discount_bp": 1000},
        {"code": "platinum", "label": _("Platinum"), "min_points": 20_000, "min_activity": 24,
         "fee_discount_bp": 2000},
    ],
    "REGISTRATION_POINTS": 100,
    "IDENTITY_POINTS": 200,
    "OFFLINE_VISIT_POINTS": 50,
    "BIRTHDAY_POINTS": 500,
    # One point per this many minor units invested (100 CNY), and per this much repaid on time.
    "INVEST_MINOR_PER_POINT": 100_00,
    "REPAY_MINOR_PER_POINT": 100_00,
    # Member day: the day of the month when investment points are multiplied.
    "MEMBER_DAY": 18,
    "MEMBER_DAY_MULTIPLIER": 2,
    "EXPIRY_MONTHS": 24,
    # How far back the daily step looks for investments, refunds and repayments it has not seen yet.
    "LOOKBACK_DAYS": 60,
}


@dataclass(frozen=True)
class Tier:
    code: str
    label: Any
    min_points: int
    min_activity: int
    fee_discount_bp: int


def rule(name: str) -> Any:
    return getattr(settings, "PEERLEND_MEMBERS", {}).get(name, DEFAULTS[name])


def tiers() -> list[Tier]:
    """The configured tiers, lowest first; the first one needs nothing (every member has a tier)."""
    rows = [Tier(code=str(t["code"]), label=t.get("label", t["code"]), min_points=int(t.get("min_points", 0)),
                 min_activity=int(t.get("min_activity", 0)),
                 fee_discount_bp=max(0, min(MAX_FEE_DISCOUNT_BP, int(t.get("fee_discount_bp", 0)))))
            for t in rule("TIERS")]
    return rows or [Tier("member", _("Member"), 0, 0, 0)]
