"""The investment limits (per note and per business day, by member type): see ``peerlend.domain.limits``.

The daily sum is the investor's notes bought that business day, except notes refunded because their loan
expired or was cancelled (that money came back).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Sum

from peerlend.ledger import limits
from peerlend.lending.models import Note, NoteStatus


def invested_on(investor_id: int, day: date) -> int:
    total = Note.objects.filter(investor_id=investor_id, placed_on=day).exclude(
        status=NoteStatus.REFUNDED).aggregate(total=Sum("amount_minor"))["total"]
    return int(total or 0)


def check_investment(investor: Any, amount_minor: int) -> None:
    """Raise ``limit_exceeded`` (400, with the figures) unless the note fits the investor's limits today."""
    limit = limits.limit_for(investor, "investment")
    used = invested_on(investor.pk, limits.business_day()) if limit.per_day_minor is not None else 0
    limits.enforce(investor, "investment", amount_minor, used_today_minor=used)


def investment_headroom(investor: Any) -> limits.Headroom:
    """What the investor may still invest today (for pages and API answers)."""
    return limits.headroom(investor, "investment",
                           used_today_minor=invested_on(investor.pk, limits.business_day()))
