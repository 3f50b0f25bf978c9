"""PostgreSQL: one referrer's referrals decided concurrently never exceed the monthly cap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from peerlend.ledger.services import with_retries
from peerlend.marketing.models_referrals import Referral, ReferralStatus, RefusalReason
from peerlend.marketing.referrals.rewards import decide
from tests.marketing.members.conftest import assert_books
from tests.marketing.referrals.conftest import START

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_decisions_racing_reward_only_the_cap(refer: Callable[..., Referral], rules: dict[str, Any],
                                                    qualified: None) -> None:
    ids = [refer().pk for _ in range(8)]
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def run(referral_id: int) -> None:
        try:
            barrier.wait()
            with_retries(lambda: decide(referral_id, START))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert not errors
    rows = Referral.objects.filter(pk__in=ids)
    assert rows.filter(status=ReferralStatus.REWARDED).count() == 2
    assert rows.filter(status=ReferralStatus.REFUSED, refusal_reason=RefusalReason.MONTHLY_CAP).count() == 6
    assert_books(rows.first().referrer)  # type: ignore[union-attr]
