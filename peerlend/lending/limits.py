"""The investment limits (per note and per business day, by member type): see ``peerlend.domain.limits``.

The daily sum is the investor's notes bought that business day, except notes refunded because their loan
expired or was cancelled (that money came back).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db.models import Sum

from peerlend.bulk_sql import chunks
from peerlend.domain.limits import check_limit
from peerlend.errors import ApplicationError
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


def invested_on_many(investor_ids: Sequence[int], day: date) -> dict[int, int]:
    """:func:`invested_on` of many investors: one ``GROUP BY`` per 2,000 ids (absent: nothing invested)."""
    out: dict[int, int] = {}
    for part in chunks(list(investor_ids), 2000):
        out.update((pk, int(total or 0)) for pk, total in Note.objects.filter(
            investor_id__in=part, placed_on=day).exclude(status=NoteStatus.REFUNDED)
            .values("investor_id").annotate(total=Sum("amount_minor")).values_list("investor_id", "total"))
    return out


def check_investments(investors: Sequence[Any], amounts: Mapping[int, int],
                      day: date | None = None) -> dict[int, ApplicationError]:
    """:func:`check_investment` of many investors (``amounts`` by id): each refused one's ``limit_exceeded``.

    The investors' ``identity`` (their member type) should be loaded with them (``select_related``).
    """
    by_type: dict[str, Any] = {}  # the settings' limit table is parsed once per member type, not per investor
    wanted = []
    for investor in investors:
        kind = limits.member_type(investor)
        if kind not in by_type:
            by_type[kind] = limits.limit_for(investor, "investment")
        wanted.append((investor, by_type[kind]))
    daily = [investor.pk for investor, limit in wanted if limit.per_day_minor is not None]
    used = invested_on_many(daily, day or limits.business_day()) if daily else {}
    refused: dict[int, ApplicationError] = {}
    for investor, limit in wanted:
        breach = check_limit(limit, amounts[investor.pk],
                             used.get(investor.pk, 0) if limit.per_day_minor is not None else 0)
        if breach is not None:
            refused[investor.pk] = limits.refusal("investment", breach)
    return refused


def investment_headroom(investor: Any) -> limits.Headroom:
    """What the investor may still invest today (for pages and API answers)."""
    return limits.headroom(investor, "investment",
                           used_today_minor=invested_on(investor.pk, limits.business_day()))
