"""PostgreSQL: an auto-invest round and 32 manual investors race for one loan."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from peerlend.errors import ApplicationError
from peerlend.investing.autoinvest.engine import run_round
from peerlend.ledger.services import with_retries
from peerlend.lending import services
from peerlend.lending.models import Loan, Note
from tests.lending.conftest import assert_audit_clean, balances

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_auto_round_and_32_manual_investors_race(listed_loan, investor_factory, make_rule):
    loan = listed_loan(amount_minor=5_000_00)  # auto-invest may take 4,500.00
    autos = [investor_factory(100_000_00) for _ in range(40)]
    for inv in autos:
        make_rule(inv, amount_per_note_minor=100_00, max_per_loan_minor=100_00)
    manuals = [investor_factory(1_000_00) for _ in range(32)]
    barrier = threading.Barrier(len(manuals) + 1)
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []

    def manual(investor) -> None:
        try:
            barrier.wait()
            with_retries(lambda: services.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00))
            outcomes[investor.pk] = "ok"
        except ApplicationError as exc:
            outcomes[investor.pk] = exc.code
        finally:
            connection.close()

    def auto() -> None:
        try:
            barrier.wait()
            run_round(loan.pk, "command", batch_size=4)  # many small batches, interleaved with the manual notes
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=manual, args=(m,)) for m in manuals] + [threading.Thread(target=auto)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert not errors, errors

    loan.refresh_from_db()
    notes = list(Note.objects.filter(loan=loan))
    total = sum(n.amount_minor for n in notes)
    assert total == loan.funded_minor <= loan.amount_minor
    assert set(outcomes.values()) <= {"ok", "not_listed", "over_remaining"}
    winners = {pk for pk, result in outcomes.items() if result == "ok"}
    assert {n.investor_id for n in notes if not n.auto_invested} == winners
    auto_notes = [n for n in notes if n.auto_invested]
    assert auto_notes and sum(n.amount_minor for n in auto_notes) <= 4_500_00
    assert len({n.investor_id for n in auto_notes}) == len(auto_notes)  # one note per investor
    held = {n.investor_id: n.amount_minor for n in notes}
    disbursed = loan.status == "current"
    assert disbursed == (total == loan.amount_minor)
    for inv, cash in [(a, 100_000_00) for a in autos] + [(m, 1_000_00) for m in manuals]:
        note = held.get(inv.pk, 0)
        assert balances(inv) == ((cash - note, 0) if disbursed else (cash - note, note)), inv.pk
    assert Loan.objects.get(pk=loan.pk).funded_minor == total
    assert_audit_clean()
