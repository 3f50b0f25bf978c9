"""Which tier a member is in: the highest tier whose points or activity threshold is met.

Pure rules on two figures over the last 12 months (points earned net of reversals, and the number
of activity earnings): selectors compute the figures, this module decides, tests exercise it alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from peerlend.marketing.members.config import Tier, tiers


@dataclass(frozen=True)
class TierStanding:
    tier: Tier
    next_tier: Tier | None
    points_12m: int
    activity_12m: int
    # Progress toward the next tier, 0-100, by whichever of points or activity is further along.
    progress_pct: int
    points_to_next: int
    activity_to_next: int


def qualifies(tier: Tier, points_12m: int, activity_12m: int) -> bool:
    if tier.min_points <= 0 and tier.min_activity <= 0:
        return True
    by_points = tier.min_points > 0 and points_12m >= tier.min_points
    by_activity = tier.min_activity > 0 and activity_12m >= tier.min_activity
    return by_points or by_activity


def _pct(have: int, need: int) -> int:
    return 100 if need <= 0 else max(0, min(100, have * 100 // need))


def standing(points_12m: int, activity_12m: int) -> TierStanding:
    levels = tiers()
    reached = 0
    for i, tier in enumerate(levels):
        if i == 0 or qualifies(tier, points_12m, activity_12m):
            reached = i
    current = levels[reached]
    nxt = levels[reached + 1] if reached + 1 < len(levels) else None
    if nxt is None:
        return TierStanding(current, None, points_12m, activity_12m, 100, 0, 0)
    pct_points = _pct(points_12m, nxt.min_points) if nxt.min_points > 0 else 0
    pct_activity = _pct(activity_12m, nxt.min_activity) if nxt.min_activity > 0 else 0
    return TierStanding(current, nxt, points_12m, activity_12m, max(pct_points, pct_activity),
                        max(0, nxt.min_points - points_12m), max(0, nxt.min_activity - activity_12m))
