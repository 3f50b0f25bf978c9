"""Races on PostgreSQL: many investors for the last part of one loan."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from peerlend.errors import ApplicationError
from peerlend.ledger.services import with_retries
from peerlend.lending import services
from peerlend.lending.models import Loan, Note
from tests.lending.conftest import assert_audit_clean, balances

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_32_investors_race_for_the_last_part(listed_loan, investor_factory):
    loan = listed_loan(amount_minor=5_000_00)
    first = investor_factory(10_000_00)
    services.invest(investor=first, loan_id=loan.pk, amount_minor=3_500_00)  # 1,500.00 left
    racers = [investor_factory(1_000_00) for _ in range(32)]
    barrier = threading.Barrier(len(racers))
    outcomes: dict[int, str] = {}

    def run(investor) -> None:
        try:
            barrier.wait()
            with_retries(lambda: services.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00))
            outcomes[investor.pk] = "ok"
        except ApplicationError as exc:
            outcomes[investor.pk] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(r,)) for r in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()

    loan.refresh_from_db()
    winners = [pk for pk, result in outcomes.items() if result == "ok"]
    assert len(winners) == 15, outcomes
    assert set(outcomes.values()) <= {"ok", "not_listed", "over_remaining"}
    assert loan.status == "current" and loan.funded_minor == loan.amount_minor == 5_000_00
    assert Note.objects.filter(loan=loan).count() == 16
    assert sum(Note.objects.filter(loan=loan).values_list("amount_minor", flat=True)) == 5_000_00
    for racer in racers:
        expected = (900_00, 0) if racer.pk in winners else (1_000_00, 0)
        assert balances(racer) == expected
    assert Loan.objects.get(pk=loan.pk).principal_outstanding_minor == 5_000_00
    assert_audit_clean()
