"""Tags that show the service-point network's records on pages of other contexts (read-only)."""

from __future__ import annotations

from typing import Any

from django import template

from peerlend.accounts.network import selectors

register = template.Library()


@register.inclusion_tag("web/network/_field_verifications.html")
def field_verifications(loan: Any) -> dict[str, Any]:
    """The field verifications (实地认证) of an application, for the risk officer's review page."""
    return {"verifications": list(selectors.verifications_of_loan(loan.pk))}


@register.inclusion_tag("web/network/_counter_receipts.html")
def counter_receipts(loan: Any) -> dict[str, Any]:
    """Repayments of this loan received at service points, on the loan page."""
    return {"counter_receipts": list(selectors.receipts_of_loan(loan.pk))}
