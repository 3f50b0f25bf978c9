"""32 threads withdrawing and investing (freezing) against one account at once, on PostgreSQL."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection

from peerlend.errors import ApplicationError
from peerlend.ledger import selectors, services
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import LedgerAccount, Withdrawal
from tests.factories import make_user
from tests.ledger.conftest import audit_clean, fund

THREADS = 32
OPS_PER_THREAD = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_32_threads_never_overdraw_and_books_stay_exact():
    user = make_user()
    start_minor = 50_000  # 500.00: less than the threads will try to take, so refusals happen
    fund(user, start_minor)
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    frozen_ok: list[int] = []
    withdrawn_ok: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    negative_seen: list[int] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            barrier.wait()
            for i in range(OPS_PER_THREAD):
                amount = rng.randint(1, 40) * 100 + rng.randint(0, 99)
                try:
                    if (seed + i) % 2:
                        w = services.with_retries(lambda a=amount: services.request_withdrawal(user, a))
                        with lock:
                            withdrawn_ok.append(w.public_id)
                    else:
                        services.with_retries(
                            lambda a=amount, i=i: services.freeze(
                                user, a, kind="invest_freeze", reference=f"loan:{seed}-{i}"
                            )
                        )
                        with lock:
                            frozen_ok.append(amount)
                except ApplicationError as exc:
                    assert exc.code == "insufficient_funds", exc.message
                    with lock:
                        refused.append(exc.message)
                bal = selectors.balances(user)
                if bal.available_minor < 0 or bal.frozen_minor < 0:
                    negative_seen.append(bal.available_minor)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert negative_seen == []
    assert refused, "the account should have run dry under contention"

    # Settle half of the payouts and bounce the others, also concurrently.
    withdrawals = list(Withdrawal.objects.filter(public_id__in=withdrawn_ok).order_by("pk"))

    def settle(w: Withdrawal, ok: bool) -> None:
        try:
            sandbox.settle_payout(w, succeed=ok)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    settlers = [threading.Thread(target=settle, args=(w, n % 2 == 0)) for n, w in enumerate(withdrawals)]
    for t in settlers:
        t.start()
    for t in settlers:
        t.join()
    assert errors == []

    paid_out = sum(w.amount_minor for w in Withdrawal.objects.filter(public_id__in=withdrawn_ok, status="succeeded"))
    bounced = Withdrawal.objects.filter(public_id__in=withdrawn_ok, status="failed").count()
    assert Withdrawal.objects.filter(status="pending").count() == 0
    assert bounced == len(withdrawals) // 2
    bal = selectors.balances(user)
    assert bal.available_minor >= 0 and bal.frozen_minor == sum(frozen_ok)
    assert bal.available_minor + bal.frozen_minor + paid_out == start_minor
    custody = LedgerAccount.objects.get(code="platform:custody_bank")
    assert custody.display_balance_minor == start_minor - paid_out
    assert audit_clean()
