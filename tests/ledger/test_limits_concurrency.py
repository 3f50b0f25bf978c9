"""The daily deposit limit holds under concurrent requests of one member (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from peerlend.clock import set_business_date
from peerlend.errors import ApplicationError
from peerlend.ledger import services
from peerlend.ledger.models import DepositOrder
from tests.factories import make_user

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deposits_never_exceed_the_daily_limit():
    set_business_date(date(2026, 3, 2))
    user = make_user()
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            try:
                services.with_retries(lambda: services.create_deposit_order(user, 1_000_000_00))
                result = "ok"
            except ApplicationError as exc:
                result = exc.code
            with lock:
                outcomes.append(result)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    # 5,000,000.00 a day in orders of 1,000,000.00: exactly five get through, however they interleave.
    assert sorted(outcomes) == ["limit_exceeded"] * 3 + ["ok"] * 5
    assert DepositOrder.objects.filter(user=user).count() == 5
