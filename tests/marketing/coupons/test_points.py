"""Buying a coupon with points: the points and the coupon together, once per key."""

from __future__ import annotations

import pytest

from peerlend.errors import ApplicationError
from peerlend.marketing.coupons.issuing import buy_with_points
from peerlend.marketing.members.points import award_points
from peerlend.marketing.models_coupons import Coupon
from peerlend.marketing.models_members import Member
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _balance(user) -> int:
    return Member.objects.get(user=user).balance


def test_points_buy_a_coupon_once_per_key(make_template) -> None:
    template = make_template(points_cost=300)
    user = make_user()
    award_points(user, 1000, reason="campaign_task", reference="test", idempotency_key="gift")
    before = _balance(user)
    first = buy_with_points(user, template_id=template.pk, idempotency_key="buy-1")
    again = buy_with_points(user, template_id=template.pk, idempotency_key="buy-1")
    assert first.pk == again.pk and first.source == "points"
    assert _balance(user) == before - 300


def test_not_enough_points_gives_no_coupon(make_template) -> None:
    user = make_user()  # registration and identity points: the coupon costs one point more than that
    template = make_template(points_cost=_balance(user) + 1)
    with pytest.raises(ApplicationError) as exc:
        buy_with_points(user, template_id=template.pk, idempotency_key="buy-1")
    assert exc.value.code == "insufficient_points"
    assert not Coupon.objects.exists()


def test_a_template_not_for_points_is_refused(make_template) -> None:
    with pytest.raises(ApplicationError) as exc:
        buy_with_points(make_user(), template_id=make_template().pk, idempotency_key="buy-1")
    assert exc.value.code == "coupon_not_for_points"
