"""``{% sandbox_pay_url order as url %}``: the sandbox payer page of a pending order, or "" when it has none."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from peerlend.ledger.gateway import sandbox_enabled

register = template.Library()


@register.simple_tag
def sandbox_pay_url(order: Any) -> str:
    # Only the sandbox lets a member come back to pay later from the account page; a real
    # gateway's page is reached once, from the deposit form's redirect.
    if not sandbox_enabled():
        return ""
    try:
        return reverse("web:sandbox_pay", args=[order.public_id])
    except NoReverseMatch:
        return ""
