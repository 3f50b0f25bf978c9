"""PostgreSQL: eight concurrent runs of one month book and pay each (agent, month, rule) exactly once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from peerlend.ledger import services as ledger
from peerlend.ledger.models import JournalEntry, Withdrawal
from peerlend.marketing.models_staff import Commission
from peerlend.marketing.staff import commissions
from peerlend.marketing.staff.rules import Rule
from tests.marketing.staff.conftest import MONTH, agent_at, filed_loan, point, registered

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RULES = [Rule("originated_on_time", "bp_of_originated_on_time", rate_bp=50, installments=1),
         Rule("verified_member", "fixed_per_verified_member", amount_minor=10_00)]


def test_concurrent_runs_book_once() -> None:
    p = point()
    agents = [agent_at(p) for _ in range(3)]
    for a in agents:
        filed_loan(a, p, amount_minor=20_000_00, installments=[(dt.date(2026, 3, 9), dt.date(2026, 3, 9))])
        registered(a, p, on=dt.date(2026, 3, 5), verify=True)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            commissions.book_month(MONTH, rules=RULES)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert not errors, errors
    assert Commission.objects.count() == 6
    assert JournalEntry.objects.filter(kind="commission_accrual").count() == 6
    assert JournalEntry.objects.filter(kind="commission_payout").count() == 6
    assert Withdrawal.objects.count() == 6
    assert ledger.platform_account("commission_expense").balance_minor == -3 * (100_00 + 10_00)
    assert ledger.platform_account("commission_payable").balance_minor == 0
