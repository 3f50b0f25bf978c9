"""PostgreSQL: 32 simultaneous attempts to use one coupon; exactly one succeeds."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from peerlend.errors import ApplicationError
from peerlend.lending import services as lending
from peerlend.lending.models import Note
from peerlend.marketing.coupons.redemption import redeem_offline
from peerlend.marketing.models_coupons import Coupon
from tests.factories import make_agent, make_service_point, make_user
from tests.marketing.coupons.conftest import assert_audit_clean

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ATTEMPTS = 32


def _race(attempts: list[Callable[[], object]]) -> list[str]:
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(attempt: Callable[[], object]) -> None:
        try:
            barrier.wait()
            attempt()
            result = "ok"
        except ApplicationError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return outcomes


def test_32_agents_typing_one_code_redeem_it_once(give) -> None:
    coupon = give(make_user(), kind="service_voucher", channel="offline")
    point = make_service_point()
    agents = [make_agent(point) for _ in range(ATTEMPTS)]
    outcomes = _race([lambda a=a: redeem_offline(a, coupon.code) for a in agents])
    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} == {"coupon_used"}
    coupon.refresh_from_db()
    assert coupon.status == "redeemed"


def test_32_checkouts_with_one_coupon_place_one_note_with_it(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=50_000_00)
    investor = investor_factory(40_000_00)
    coupon = give(investor, value_minor=20_00)
    outcomes = _race([
        lambda: lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
        for _ in range(ATTEMPTS)
    ])
    assert outcomes.count("ok") == 1, outcomes
    assert Note.objects.filter(loan=loan).count() == 1  # the refused ones placed no note
    assert Coupon.objects.get(pk=coupon.pk).note_id == Note.objects.get(loan=loan).pk
    assert_audit_clean()
