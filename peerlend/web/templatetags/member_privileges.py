"""Member privileges shown on pages of other contexts: the tier's fee discount on the borrower's loan page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from peerlend.lending.fee_discounts import recorded_fee_discount
from peerlend.lending.models import Contract
from peerlend.marketing.members.fee_privilege import SOURCE, tier_label

register = template.Library()


@register.inclusion_tag("web/members/_fee_discount.html")
def fee_discount_note(loan: Any) -> dict[str, Any]:
    """The origination-fee discount recorded in the loan's contract at disbursement, if any (read-only)."""
    contract = Contract.objects.filter(loan_id=loan.pk).only("terms").first()
    discount = recorded_fee_discount(contract.terms if contract else None)
    if discount is None:
        return {"discount": None}
    label = tier_label(discount.detail) if discount.source == SOURCE else discount.detail
    return {"discount": discount, "tier_label": label, "pct": Decimal(discount.discount_bp) / 100}
