"""The manager's cash day and the daily reconciliation per point: differences listed, books balanced."""

from __future__ import annotations

import pytest

from peerlend.accounts.network.models import PointDayClose
from peerlend.clock import business_date
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from peerlend.ledger import services as ledger
from peerlend.servicing import counter, point_close
from peerlend.servicing.models import Installment
from tests.lending.conftest import assert_audit_clean


@pytest.fixture
def takings(agent, member_loan) -> int:
    """Two receipts today at the point: cash for part of the first installment, card for the rest."""
    due = Installment.objects.filter(loan=member_loan).order_by("number").first().due_minor
    counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=100_00, method="cash",
                           idempotency_key="c1")
    counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due - 100_00, method="card",
                           idempotency_key="c2")
    return due


def test_matched_day_empties_clearing(manager, takings) -> None:
    day = business_date()
    close = point_close.close_day(manager=manager, day=day, counted_cash_minor=100_00, idempotency_key="d1")
    assert close.difference_minor == 0 and close.card_minor == takings - 100_00
    assert ledger.platform_account(counter.CLEARING).balance_minor == 0
    [row] = point_close.reconciliation(day)
    assert row.status == "matched"
    assert AuditEvent.objects.get(action="servicing.point_day_closed").new["difference_minor"] == 0
    assert_audit_clean()  # every entry balanced, custody equals its sub-accounts, loans equal their notes


def test_shortage_is_listed_and_stays_in_clearing(manager, takings) -> None:
    day = business_date()
    point_close.close_day(manager=manager, day=day, counted_cash_minor=90_00, idempotency_key="d2")
    [row] = point_close.differences(day)
    assert row.status == "difference" and row.difference_minor == -10_00
    assert ledger.platform_account(counter.CLEARING).balance_minor == -10_00


def test_day_not_closed_is_listed(takings) -> None:
    [row] = point_close.differences(business_date())
    assert row.status == "not_closed" and row.expected_cash_minor == 100_00


def test_agent_who_is_no_manager_cannot_close(agent, takings) -> None:
    with pytest.raises(ApplicationError) as exc:
        point_close.close_day(manager=agent, day=business_date(), counted_cash_minor=100_00, idempotency_key="d3")
    assert exc.value.code == "not_point_manager"
    assert not PointDayClose.objects.exists()


def test_close_is_idempotent_and_once_per_day(manager, takings) -> None:
    day = business_date()
    first = point_close.close_day(manager=manager, day=day, counted_cash_minor=100_00, idempotency_key="d4")
    again = point_close.close_day(manager=manager, day=day, counted_cash_minor=100_00, idempotency_key="d4")
    assert again.pk == first.pk
    with pytest.raises(ApplicationError) as exc:
        point_close.close_day(manager=manager, day=day, counted_cash_minor=100_00, idempotency_key="d5")
    assert exc.value.code == "day_closed"


def test_command_lists_differences(manager, takings) -> None:
    from io import StringIO

    from django.core.management import call_command

    point_close.close_day(manager=manager, day=business_date(), counted_cash_minor=90_00, idempotency_key="d6")
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("reconcile_points", stdout=out)
    assert '"difference": "-10.00"' in out.getvalue() and '"status": "difference"' in out.getvalue()
