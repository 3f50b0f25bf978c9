"""Reads of wealth plans for the pages and the API (no writes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from peerlend.errors import NotFound
from peerlend.investing.models_plans import (
    PlanNote,
    PlanStatus,
    PlanSubscription,
    SubscriptionStatus,
    WealthPlan,
)

PUBLIC = (PlanStatus.OPEN, PlanStatus.LOCKED, PlanStatus.EXITING, PlanStatus.CLOSED)


def is_plan_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and {"operator", "admin"}.intersection(getattr(user, "roles", None) or []))


def _with_subscribed(qs: QuerySet[WealthPlan]) -> QuerySet[WealthPlan]:
    live = ~Q(subscriptions__status=SubscriptionStatus.LEFT)
    return qs.annotate(subscribed_minor=Sum("subscriptions__amount_minor", filter=live, default=0),
                       subscribers=Count("subscriptions", filter=live))


def public_plans() -> list[WealthPlan]:
    """Plans investors may see (drafts are the operators' own), newest first."""
    return list(_with_subscribed(WealthPlan.objects.filter(status__in=PUBLIC)).order_by("-pk"))


def all_plans() -> list[WealthPlan]:
    return list(_with_subscribed(WealthPlan.objects.all()).order_by("-pk"))


def plan_for_viewer(plan_id: int, viewer: Any) -> WealthPlan:
    qs = WealthPlan.objects.all() if is_plan_staff(viewer) else WealthPlan.objects.filter(status__in=PUBLIC)
    plan = _with_subscribed(qs).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("plan %(id)s does not exist") % {"id": plan_id}, code="plan_not_found")
    return plan


@dataclass(frozen=True)
class SubscriptionView:
    subscription: PlanSubscription
    notes: int
    live_notes: int
    principal_outstanding_minor: int
    interest_minor: int
    received_minor: int


def subscriptions_of(investor: Any) -> list[SubscriptionView]:
    """The investor's subscriptions with their plan notes' figures (two queries)."""
    subs = list(PlanSubscription.objects.filter(investor=investor).select_related("plan").order_by("-pk"))
    rows = {r["subscription_id"]: r for r in PlanNote.objects.filter(subscription__in=subs)
            .values("subscription_id").annotate(
                n=Count("pk"), live=Count("pk", filter=Q(note__status__in=["pending", "active"])),
                outstanding=Sum("note__principal_outstanding_minor", default=0),
                interest=Sum("note__interest_received_minor", default=0),
                principal=Sum("note__principal_received_minor", default=0))}
    out = []
    for sub in subs:
        r = rows.get(sub.pk, {})
        out.append(SubscriptionView(sub, int(r.get("n", 0)), int(r.get("live", 0)),
                                    int(r.get("outstanding", 0)), int(r.get("interest", 0)),
                                    int(r.get("principal", 0)) + int(r.get("interest", 0))))
    return out


def subscription_of(investor: Any, plan: WealthPlan) -> PlanSubscription | None:
    if not getattr(investor, "is_authenticated", False):
        return None
    return (PlanSubscription.objects.filter(plan=plan, investor=investor).exclude(status=SubscriptionStatus.LEFT)
            .first())
