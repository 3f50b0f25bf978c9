"""PostgreSQL: spends of one member race; the balance never goes below zero and the books sum.

Also the lazy creation of the member row: the first awards of a new member race too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from peerlend.accounts.models import User
from peerlend.errors import ApplicationError
from peerlend.ledger.services import with_retries
from peerlend.marketing.members.points import award_points, spend_points
from peerlend.marketing.models_members import PointsReason
from tests.marketing.members.conftest import assert_books, balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n: int, work: Callable[[int], Any]) -> dict[int, str]:
    barrier = threading.Barrier(n)
    outcomes: dict[int, str] = {}

    def run(i: int) -> None:
        try:
            barrier.wait()
            with_retries(lambda: work(i))
            outcomes[i] = "ok"
        except ApplicationError as exc:
            outcomes[i] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return outcomes


def test_two_spends_racing_for_the_last_points(member_factory: Callable[..., User],
                                               quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    award_points(user, 100, reason=PointsReason.CAMPAIGN_TASK, reference="t", idempotency_key="t")
    outcomes = _race(2, lambda i: spend_points(user, 70, reason=PointsReason.REDEMPTION, reference=f"c{i}",
                                               idempotency_key=f"s{i}"))
    assert sorted(outcomes.values()) == ["insufficient_points", "ok"]
    assert balance(user) == 30
    assert_books(user)


def test_sixteen_spends_never_overdraw(member_factory: Callable[..., User], quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    award_points(user, 500, reason=PointsReason.CAMPAIGN_TASK, reference="t", idempotency_key="t")
    outcomes = _race(16, lambda i: spend_points(user, 60, reason=PointsReason.REDEMPTION, reference=f"c{i}",
                                                idempotency_key=f"s{i}"))
    assert list(outcomes.values()).count("ok") == 8
    assert balance(user) == 20
    assert_books(user)


def test_first_awards_of_a_new_member_race(member_factory: Callable[..., User],
                                           quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    outcomes = _race(8, lambda i: award_points(user, 10, reason=PointsReason.CAMPAIGN_TASK, reference="t",
                                               idempotency_key=f"a{i}"))
    assert set(outcomes.values()) == {"ok"}
    assert balance(user) == 80
    assert_books(user)


def test_the_same_key_racing_awards_once(member_factory: Callable[..., User], quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    award_points(user, 1, reason=PointsReason.CAMPAIGN_TASK, reference="t", idempotency_key="first")
    outcomes = _race(8, lambda i: award_points(user, 10, reason=PointsReason.CAMPAIGN_TASK, reference="t",
                                               idempotency_key="same"))
    assert set(outcomes.values()) == {"ok"}
    assert balance(user) == 11
    assert_books(user)
