"""Tiers from points or activity over the last 12 months, the fee discount, no funding priority."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.clock import set_business_date
from peerlend.marketing.members.benefits import next_member_day, tier_fee_discount_bp
from peerlend.marketing.members.points import award_points, reverse_points
from peerlend.marketing.members.selectors import member_standing
from peerlend.marketing.members.tiers import standing
from peerlend.marketing.models_members import PointsReason
from tests.marketing.members.conftest import START


@pytest.mark.parametrize(("points", "activity", "tier"), [
    (0, 0, "bronze"), (999, 5, "bronze"), (1_000, 0, "silver"), (0, 6, "silver"), (4_999, 11, "silver"),
    (5_000, 0, "gold"), (0, 12, "gold"), (20_000, 0, "platinum"), (10, 24, "platinum"),
])
def test_tier_from_points_or_activity(points: int, activity: int, tier: str) -> None:
    assert standing(points, activity).tier.code == tier


def test_progress_to_the_next_tier() -> None:
    s = standing(500, 3)
    assert s.next_tier is not None and s.next_tier.code == "silver"
    assert (s.progress_pct, s.points_to_next, s.activity_to_next) == (50, 500, 3)
    top = standing(50_000, 0)
    assert top.next_tier is None and top.progress_pct == 100


def test_configured_tiers(settings: Any) -> None:
    settings.PEERLEND_MEMBERS = {"TIERS": [
        {"code": "basic", "label": "Basic"}, {"code": "vip", "label": "VIP", "min_points": 10, "fee_discount_bp": 9999},
    ]}
    assert standing(10, 0).tier.code == "vip"
    assert standing(10, 0).tier.fee_discount_bp == 5000  # capped at half the fee


def _award(user: User, points: int, key: str, reason: str = PointsReason.CAMPAIGN_TASK) -> Any:
    return award_points(user, points, reason=reason, reference="t", idempotency_key=key)


def test_points_count_for_twelve_months_only(member_factory: Callable[..., User],
                                             quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    _award(user, 1_200, "old", reason=PointsReason.BIRTHDAY)
    assert member_standing(user).tier.code == "silver"
    assert tier_fee_discount_bp(user) == 500
    set_business_date(START + timedelta(days=366))
    assert member_standing(user).tier.code == "bronze"
    assert tier_fee_discount_bp(user) == 0


def test_activity_reaches_a_tier_and_reversals_undo_it(member_factory: Callable[..., User],
                                                       quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    entries = [_award(user, 1, f"a{i}") for i in range(6)]
    assert member_standing(user).activity_12m == 6
    assert member_standing(user).tier.code == "silver"
    reverse_points(entries[0], idempotency_key="undo")
    assert member_standing(user).activity_12m == 5
    assert member_standing(user).tier.code == "bronze"


def test_spending_does_not_lower_the_tier(member_factory: Callable[..., User], quiet_rules: dict[str, Any]) -> None:
    from peerlend.marketing.members.points import spend_points

    user = member_factory()
    _award(user, 1_000, "a", reason=PointsReason.BIRTHDAY)
    spend_points(user, 900, reason=PointsReason.REDEMPTION, reference="c", idempotency_key="s")
    assert member_standing(user).tier.code == "silver"


def test_anonymous_and_new_users_have_no_discount(member_factory: Callable[..., User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert tier_fee_discount_bp(AnonymousUser()) == 0
    assert tier_fee_discount_bp(None) == 0


def test_next_member_day(settings: Any) -> None:
    settings.PEERLEND_MEMBERS = {"MEMBER_DAY": 18}
    assert next_member_day(START) == START.replace(day=18)
    assert next_member_day(START.replace(day=20)) == START.replace(month=4, day=18)


def test_funding_never_consults_tiers() -> None:
    """Tiers give fee discounts only: nothing in lending's funding path mentions members or tiers."""
    from peerlend.lending import funding, funding_batch, invest_checks, listing_hooks

    for module in (funding, funding_batch, invest_checks, listing_hooks):
        text = Path(inspect.getfile(module)).read_text(encoding="utf-8")
        assert "tier" not in text.lower() and "marketing.members" not in text, module.__name__
