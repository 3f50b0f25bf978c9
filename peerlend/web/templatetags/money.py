"""Template filters for money in minor units and rates."""

from __future__ import annotations

from decimal import Decimal

from django import template

from peerlend.domain.money import format_minor

register = template.Library()


@register.filter
def money(minor: int | None) -> str:
    """12345600 -> "123,456.00" (display only; the value stays an integer)."""
    if minor is None:
        return "—"
    text = format_minor(int(minor))
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}" + (f".{frac}" if frac else "")


@register.filter
def percent(rate: Decimal | None, places: int = 2) -> str:
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).quantize(Decimal(1).scaleb(-int(places)))}%"
