"""award_points / spend_points / reverse_points: balances, idempotency, refusals, the books sum."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from peerlend.accounts.models import User
from peerlend.errors import ApplicationError
from peerlend.marketing.members.points import award_points, reverse_points, spend_points
from peerlend.marketing.models_members import Member, PointsEntry, PointsReason
from tests.marketing.members.conftest import assert_books, balance

pytestmark = pytest.mark.usefixtures("quiet_rules")


def _award(user: User, points: int, key: str) -> PointsEntry:
    return award_points(user, points, reason=PointsReason.CAMPAIGN_TASK, reference="task:1", idempotency_key=key)


def _spend(user: User, points: int, key: str) -> PointsEntry:
    return spend_points(user, points, reason=PointsReason.REDEMPTION, reference="coupon:1", idempotency_key=key)


def test_award_creates_the_member_and_raises_the_balance(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    assert not Member.objects.filter(pk=user.pk).exists()
    entry = _award(user, 120, "k1")
    assert entry.delta == 120 and entry.remaining == 120 and entry.expires_on is not None
    assert balance(user) == 120
    assert_books(user)


def test_award_replay_returns_the_first_entry(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    first = _award(user, 50, "same")
    again = _award(user, 50, "same")
    assert again.pk == first.pk and balance(user) == 50


def test_same_key_for_other_points_is_refused_but_not_for_another_member(member_factory: Callable[..., User]) -> None:
    user, other = member_factory(), member_factory()
    _award(user, 50, "same")
    with pytest.raises(ApplicationError) as exc:
        _award(user, 60, "same")
    assert exc.value.code == "idempotency_key_reused" and exc.value.status == 422
    # Keys are unique per member: another member may use the same one.
    assert _award(other, 50, "same").member_id == other.pk
    assert balance(user) == balance(other) == 50


@pytest.mark.parametrize("points", [0, -5, 10_000_001, True])
def test_points_out_of_range_are_refused(member_factory: Callable[..., User], points: int) -> None:
    user = member_factory()
    with pytest.raises(ApplicationError) as exc:
        _award(user, points, "k")
    assert exc.value.code == "invalid_points"
    assert not PointsEntry.objects.exists()


def test_unknown_reason_is_refused(member_factory: Callable[..., User]) -> None:
    with pytest.raises(ApplicationError) as exc:
        award_points(member_factory(), 5, reason="free_money", reference="", idempotency_key="k")
    assert exc.value.code == "invalid_points"


def test_spend_lowers_the_balance(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    _award(user, 100, "a")
    entry = _spend(user, 30, "s")
    assert entry.delta == -30 and balance(user) == 70
    assert_books(user)


def test_spending_more_than_the_balance_is_refused(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    _award(user, 10, "a")
    with pytest.raises(ApplicationError) as exc:
        _spend(user, 11, "s")
    assert exc.value.code == "insufficient_points"
    assert balance(user) == 10 and PointsEntry.objects.count() == 1


def test_spend_without_a_member_row_is_refused(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    with pytest.raises(ApplicationError) as exc:
        _spend(user, 1, "s")
    assert exc.value.code == "insufficient_points"


def test_reversing_an_earning_takes_the_points_back(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    earned = _award(user, 80, "a")
    reversal = reverse_points(earned, idempotency_key="a:rev")
    assert reversal is not None and reversal.delta == -80 and reversal.reversal_of_id == earned.pk
    assert balance(user) == 0
    assert_books(user)


def test_reversal_takes_no_more_than_the_balance(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    _award(user, 80, "a")
    _spend(user, 50, "s")
    reversal = reverse_points("a", idempotency_key="a:rev")
    assert reversal is not None and reversal.delta == -30 and balance(user) == 0
    assert_books(user)


def test_reversing_a_spend_credits_the_points_back(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    _award(user, 80, "a")
    spent = _spend(user, 50, "s")
    back = reverse_points(spent, idempotency_key="s:rev")
    assert back is not None and back.delta == 50 and balance(user) == 80
    assert_books(user)


def test_a_second_reversal_is_refused_and_a_replay_returns_the_first(member_factory: Callable[..., User]) -> None:
    user = member_factory()
    earned = _award(user, 80, "a")
    first = reverse_points(earned, idempotency_key="a:rev")
    assert reverse_points(earned, idempotency_key="a:rev") == first
    with pytest.raises(ApplicationError) as exc:
        reverse_points(earned, idempotency_key="a:rev2")
    assert exc.value.code == "points_already_reversed"
    assert first is not None
    with pytest.raises(ApplicationError) as exc:
        reverse_points(first, idempotency_key="a:rev3")
    assert exc.value.code == "points_not_reversible"


def test_the_database_refuses_a_negative_balance(member_factory: Callable[..., User]) -> None:
    from django.db import IntegrityError, transaction

    user = member_factory()
    _award(user, 5, "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=user.pk).update(balance=-1)


def test_random_operations_keep_entries_summing_to_the_balance(member_factory: Callable[..., User]) -> None:
    rng = random.Random(15)
    user = member_factory()
    done: list[PointsEntry] = []
    for i in range(120):
        op = rng.choice(["award", "award", "spend", "reverse"])
        try:
            if op == "award":
                done.append(_award(user, rng.randint(1, 500), f"k{i}"))
            elif op == "spend":
                done.append(_spend(user, rng.randint(1, 400), f"k{i}"))
            elif done:
                reverse_points(rng.choice(done), idempotency_key=f"k{i}")
        except ApplicationError as exc:
            assert exc.code in {"insufficient_points", "points_already_reversed", "points_not_reversible"}
        assert balance(user) >= 0
        assert_books(user)
