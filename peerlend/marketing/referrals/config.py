"""The referral rules from settings (``PEERLEND_REFERRALS``), with the defaults documented here.

Points go to both sides after the referee's first investment (a disbursed note) or first repaid
installment; a coupon template id per side is optional (``None``: points only). ``MONTHLY_CAP`` is
the number of referrals one referrer is rewarded for per calendar month (0-1000); the rest are
recorded as refused with the reason ``monthly_cap``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

MAX_MONTHLY_CAP = 1000

DEFAULTS: dict[str, Any] = {
    "REFERRER_POINTS": 500,
    "REFEREE_POINTS": 300,
    "REFERRER_COUPON_TEMPLATE_ID": None,
    "REFEREE_COUPON_TEMPLATE_ID": None,
    "MONTHLY_CAP": 10,
}


def rule(name: str) -> Any:
    return getattr(settings, "PEERLEND_REFERRALS", {}).get(name, DEFAULTS[name])


def monthly_cap() -> int:
    return max(0, min(MAX_MONTHLY_CAP, int(rule("MONTHLY_CAP"))))
