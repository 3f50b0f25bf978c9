"""Read queries of membership; they work without the member row (a page read never creates it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from peerlend.clock import business_date
from peerlend.marketing.members.benefits import is_member_day, member_day_of_month, next_member_day
from peerlend.marketing.members.config import Tier, rule, tiers
from peerlend.marketing.members.points import reason_labels
from peerlend.marketing.members.tiers import TierStanding, standing
from peerlend.marketing.models_members import ACTIVITY_REASONS, EARNING_REASONS, Member, PointsEntry

MAX_PER_PAGE = 100
EXPIRING_WITHIN_DAYS = 30


def balance_of(user: Any) -> int:
    return int(Member.objects.filter(pk=user.pk).values_list("balance", flat=True).first() or 0)


def figures_12m(user_id: int, today: date) -> tuple[int, int]:
    """Points earned (net of their reversals) and activity earnings over the last 12 months."""
    since = today - timedelta(days=365)
    earning = Q(reason__in=EARNING_REASONS, reversal_of__isnull=True)
    taken_back = Q(reversal_of__reason__in=EARNING_REASONS)
    activity = Q(reason__in=ACTIVITY_REASONS, reversal_of__isnull=True)
    activity_back = Q(reversal_of__reason__in=ACTIVITY_REASONS, reversal_of__delta__gt=0)
    row = PointsEntry.objects.filter(member_id=user_id, booked_on__gt=since).aggregate(
        points=Sum("delta", filter=earning | taken_back),
        active=Count("id", filter=activity), undone=Count("id", filter=activity_back))
    return int(row["points"] or 0), max(0, int(row["active"] or 0) - int(row["undone"] or 0))


def member_standing(user: Any, today: date | None = None) -> TierStanding:
    points, activity = figures_12m(user.pk, today or business_date())
    return standing(points, activity)


@dataclass(frozen=True)
class MemberSummary:
    balance: int
    standing: TierStanding
    tiers: list[Tier]
    expiring_points: int
    expiring_by: date
    member_day: int
    next_member_day: date
    member_day_today: bool
    member_day_multiplier: int
    birthday_known: bool
    birthday_points: int
    recent: list[PointsEntry]


def member_summary(user: Any) -> MemberSummary:
    today = business_date()
    by = today + timedelta(days=EXPIRING_WITHIN_DAYS)
    member = Member.objects.filter(pk=user.pk).first()
    expiring = PointsEntry.objects.filter(member_id=user.pk, remaining__gt=0, expires_on__lte=by).aggregate(
        total=Sum("remaining"))["total"]
    return MemberSummary(
        balance=member.balance if member else 0, standing=member_standing(user, today), tiers=tiers(),
        expiring_points=int(expiring or 0), expiring_by=by, member_day=member_day_of_month(),
        next_member_day=next_member_day(today), member_day_today=is_member_day(today),
        member_day_multiplier=int(rule("MEMBER_DAY_MULTIPLIER")), birthday_known=bool(member and member.birth_md),
        birthday_points=int(rule("BIRTHDAY_POINTS")), recent=list(history(user)[:10]))


def history(user: Any) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(member_id=user.pk).order_by("-id")


def history_page(user: Any, *, page: int, per_page: int) -> tuple[list[PointsEntry], int]:
    """One page of the member's points history, newest first, and the total count."""
    per_page = max(1, min(MAX_PER_PAGE, per_page))
    page = max(1, page)
    rows = history(user)
    return list(rows[(page - 1) * per_page: page * per_page]), rows.count()


def reason_label(code: str) -> Any:
    return reason_labels().get(code, code)
