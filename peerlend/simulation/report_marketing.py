"""The report's marketing section: cost (equal to the ledger's marketing expense), coupons, points,
campaigns and each agent's targets, actuals and commission over the simulated months.

Read only, set-based, and made of the simulation's own records only (no codes, no wall-clock times),
so the same seed gives the same section.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum

from peerlend.domain.money import format_minor

if TYPE_CHECKING:
    from peerlend.simulation.engine import Simulator


def _sum(qs: Any, field: str) -> int:
    return int(qs.aggregate(s=Sum(field))["s"] or 0)


def _counted(qs: Any, field: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in sorted(qs.order_by().values_list(field).annotate(n=Count("pk")))}


def coupon_figures() -> dict[str, Any]:
    from peerlend.ledger.services import platform_account
    from peerlend.marketing.models_coupons import Coupon, CouponPayout, CouponStatus

    cost = _sum(CouponPayout.objects.all(), "amount_minor")
    by_kind = {kind: format_minor(int(total)) for kind, total in sorted(
        CouponPayout.objects.order_by().values_list("coupon__kind").annotate(s=Sum("amount_minor")))}
    # Expense is a debit balance (negative in this ledger's signs): the cost is its opposite.
    ledger_expense = -platform_account("marketing_expense").balance_minor
    redeemed = Coupon.objects.filter(status=CouponStatus.REDEEMED)
    return {
        "cost": format_minor(cost), "cost_by_kind": by_kind,
        "ledger_marketing_expense": format_minor(ledger_expense), "balanced": cost == ledger_expense,
        "coupons": {
            "issued": Coupon.objects.count(), "issued_by_source": _counted(Coupon.objects.all(), "source"),
            "redeemed": redeemed.count(), "redeemed_by_channel": _counted(redeemed, "redeemed_channel"),
            "redeemed_by_kind": _counted(redeemed, "kind"),
            "unused": Coupon.objects.filter(status=CouponStatus.ISSUED).count(),
        },
    }


def points_figures() -> dict[str, Any]:
    from peerlend.marketing.models_members import EARNING_REASONS, Member, PointsEntry, PointsReason

    entries = PointsEntry.objects.all()
    earned = entries.filter(reason__in=EARNING_REASONS, delta__gt=0)
    by_reason = {str(k): int(v) for k, v in sorted(
        earned.order_by().values_list("reason").annotate(s=Sum("delta")))}
    spent = (PointsReason.COUPON, PointsReason.REDEMPTION)
    balance = _sum(Member.objects.all(), "balance")
    return {
        "issued": _sum(earned, "delta"), "issued_by_reason": by_reason,
        "redeemed": -_sum(entries.filter(reason__in=spent), "delta"),
        "expired": -_sum(entries.filter(reason=PointsReason.EXPIRY), "delta"),
        "reversed": -_sum(entries.filter(reason__in=(PointsReason.REVERSAL, PointsReason.REFUND_REVERSAL)), "delta"),
        "balance": balance, "balanced": _sum(entries, "delta") == balance,
    }


def campaign_figures() -> list[dict[str, Any]]:
    from peerlend.marketing.models_campaigns import Campaign, CampaignReward
    from peerlend.marketing.models_coupons import CouponStatus

    rows = []
    campaigns = Campaign.objects.annotate(
        reached=Count("grants"), redeemed=Count("grants", filter=Q(grants__coupon__status=CouponStatus.REDEEMED)),
    ).order_by("pk")
    for c in campaigns:
        money = c.reward == CampaignReward.COUPON  # budgets in coupon face value (minor units) or points
        rows.append({
            "name": c.name, "segment": c.segment, "reward": c.reward, "status": c.status,
            "run_on": c.run_on.isoformat(), "budget": format_minor(c.budget) if money else c.budget,
            "spent": format_minor(c.spent) if money else c.spent, "reached": c.reached, "left_out": c.left_out,
            "coupons_redeemed": c.redeemed,
        })
    return rows


def _completion(actual: int, target: int) -> str | None:
    from peerlend.marketing.staff.report import Cell

    percent = Cell(actual, target).percent
    return None if percent is None else f"{percent}"


def agent_figures(sim: Simulator, months: list[date]) -> dict[str, Any]:
    """Per agent over the simulated months: each metric's target, actual and completion %, and commission."""
    from peerlend.accounts.models import AgentMembership
    from peerlend.ledger.services import platform_account
    from peerlend.marketing.models_staff import Commission, StaffTarget
    from peerlend.marketing.staff.metrics import METRICS, actuals
    from peerlend.marketing.staff.months import next_month

    done = actuals("agent", months[0], next_month(months[-1]), as_of=sim.today)
    targets: dict[int, Counter[str]] = {}
    for t in StaffTarget.objects.filter(agent__isnull=False, month__in=months).order_by("pk"):
        targets.setdefault(t.agent_id, Counter()).update({m: int(getattr(t, m)) for m in METRICS})
    commissions = {row["agent_id"]: row for row in Commission.objects.order_by().values("agent_id").annotate(
        booked=Sum("amount_minor"), paid=Sum("amount_minor", filter=Q(withdrawal__isnull=False)))}
    points = dict(AgentMembership.objects.filter(agent__in=sim.state.agents, active=True).order_by("pk")
                  .values_list("agent_id", "service_point__code"))
    rows = []
    for agent in sorted(sim.state.agents, key=lambda u: u.pk):
        actual, target = done.get(agent.pk, {}), targets.get(agent.pk, Counter())
        metrics = {}
        for m in METRICS:
            a, t = int(actual.get(m, 0)), int(target.get(m, 0))
            show = format_minor if m.endswith("_minor") else int
            metrics[m.removesuffix("_minor")] = {"target": show(t), "actual": show(a), "completion": _completion(a, t)}
        paid = commissions.get(agent.pk, {})
        rows.append({"agent": agent.username, "point": points.get(agent.pk), "metrics": metrics,
                     "commission": format_minor(int(paid.get("booked") or 0)),
                     "commission_paid": format_minor(int(paid.get("paid") or 0))})
    booked = _sum(Commission.objects.all(), "amount_minor")
    ledger_expense = -platform_account("commission_expense").balance_minor
    return {"months": [m.strftime("%Y-%m") for m in months], "by_agent": rows,
            "commission": {"booked": format_minor(booked), "ledger_commission_expense": format_minor(ledger_expense),
                           "balanced": booked == ledger_expense}}


def marketing_report(sim: Simulator) -> dict[str, Any]:
    from peerlend.simulation.marketing import month_starts

    months = month_starts(sim.cfg.start, sim.today)
    return {"enabled": sim.cfg.marketing, "activity": dict(sorted(sim.marketing_counts.items())),
            **coupon_figures(), "points": points_figures(), "campaigns": campaign_figures(),
            "agents": agent_figures(sim, months)}
