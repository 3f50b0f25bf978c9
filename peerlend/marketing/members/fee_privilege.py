"""The tier's origination-fee discount, applied at disbursement through lending's provider hook.

The tier is the borrower's standing on the business date of disbursement (points and activity over the
last 12 months). The platform simply charges less fee: the discount is foregone fee income, not a payment,
so it is not booked as marketing expense (that account holds what the platform pays out in cash for
coupons and campaigns, and equals their cost). It is recorded in the contract (full fee, discount, tier)
and shown to the borrower on the loan page and in the disbursement notice amounts.
"""

from __future__ import annotations

from typing import Any

from peerlend.lending.fee_discounts import FeeDiscountGrant
from peerlend.marketing.members.selectors import member_standing

SOURCE = "member_tier"


def tier_fee_discount(loan: Any, full_fee_minor: int) -> FeeDiscountGrant | None:
    """Lending's fee-discount provider: the borrower's tier discount, or None for a tier without one."""
    tier = member_standing(loan.borrower).tier
    if tier.fee_discount_bp <= 0:
        return None
    return FeeDiscountGrant(discount_bp=tier.fee_discount_bp, source=SOURCE, detail=tier.code)


def tier_label(code: str) -> Any:
    """The configured label of a tier code (the code itself when the tier is no longer configured)."""
    from peerlend.marketing.members.config import tiers

    return next((t.label for t in tiers() if t.code == code), code)
