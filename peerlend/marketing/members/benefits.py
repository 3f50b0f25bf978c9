"""Member privileges and benefits: the tier's fee discount, the member day, the birthday gift.

``tier_fee_discount_bp`` is what lending asks (through a registered hook) when it prices an
origination fee. Tiers never change the order or share of funding: no function here is consulted
by funding, and a test keeps it that way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from peerlend.domain.schedule import add_months
from peerlend.marketing.members.config import rule


def member_day_of_month() -> int:
    return max(1, min(28, int(rule("MEMBER_DAY"))))


def is_member_day(day: date) -> bool:
    return day.day == member_day_of_month()


def next_member_day(today: date) -> date:
    this_month = today.replace(day=member_day_of_month())
    return this_month if this_month >= today else add_months(this_month, 1)


def tier_fee_discount_bp(user: Any) -> int:
    """The origination-fee discount of the member's tier, in basis points (0 for anonymous users)."""
    if user is None or not getattr(user, "pk", None):
        return 0
    from peerlend.marketing.members.selectors import member_standing

    return member_standing(user).tier.fee_discount_bp
