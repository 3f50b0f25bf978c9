"""Commissions: rules from the tables, booked once per (agent, month, rule), paid out through the gateway."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum

from peerlend.ledger import services as ledger
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import JournalEntry, OutboxMessage, Posting, Withdrawal
from peerlend.marketing.models_staff import Commission, CommissionRun
from peerlend.marketing.staff import commissions
from peerlend.marketing.staff.rules import Rule, compute_month, configured_rules
from peerlend.servicing.batch import STEPS
from tests.marketing.staff.conftest import MONTH, TODAY, agent_at, filed_loan, point, registered

pytestmark = pytest.mark.django_db
RULES = [Rule("originated_on_time", "bp_of_originated_on_time", rate_bp=50, installments=3),
         Rule("verified_member", "fixed_per_verified_member", amount_minor=10_00)]
ON_TIME = [(dt.date(2026, 1, 10), dt.date(2026, 1, 10)), (dt.date(2026, 2, 10), dt.date(2026, 2, 9)),
           (dt.date(2026, 3, 10), dt.date(2026, 3, 10))]


def assert_books_clean() -> None:
    """The ledger's and the audit trail's checks (the loans here are bare rows, so servicing's are not run)."""
    from peerlend.ledger.audit import run_audit

    assert [v for v in run_audit() if v.check.startswith(("ledger.", "compliance."))] == []


def balance(code: str) -> int:
    return ledger.platform_account(code).balance_minor


@pytest.fixture
def world() -> dict[str, Any]:
    p = point()
    a1, a2 = agent_at(p), agent_at(p)
    filed_loan(a1, p, amount_minor=30_000_00, installments=ON_TIME)  # qualifies in March: 150.00
    filed_loan(a1, p, amount_minor=11_111_00, installments=ON_TIME)  # 55.555 -> 55.55 together: 205.55
    late = [*ON_TIME[:2], (dt.date(2026, 3, 10), dt.date(2026, 3, 12))]
    filed_loan(a2, p, amount_minor=50_000_00, installments=late)  # third paid late: nothing
    filed_loan(a2, p, amount_minor=40_000_00, installments=ON_TIME[:2])  # third not paid yet: nothing
    registered(a2, p, on=dt.date(2026, 3, 3), verify=True)
    registered(a2, p, on=dt.date(2026, 3, 4), verify=True)
    registered(a2, p, on=dt.date(2026, 2, 4), verify=True)  # February
    return {"a1": a1, "a2": a2}


def test_default_rules_are_valid() -> None:
    assert [r.code for r in configured_rules()] == ["originated_on_time", "verified_member"]


def test_rules_compute_from_the_tables(world: dict[str, Any]) -> None:
    lines = {(line.agent_id, line.rule.code): line for line in compute_month(MONTH, RULES)}
    first = lines[(world["a1"].pk, "originated_on_time")]
    assert (first.basis_count, first.basis_minor, first.amount_minor) == (2, 41_111_00, 205_55)
    assert (world["a2"].pk, "originated_on_time") not in lines
    verified = lines[(world["a2"].pk, "verified_member")]
    assert (verified.basis_count, verified.amount_minor) == (2, 20_00)


def test_booking_debits_expense_and_credits_payable_once(world: dict[str, Any]) -> None:
    first = commissions.book_month(MONTH, rules=RULES, payout=False)
    assert (first.booked, first.total_minor) == (2, 225_55)
    assert balance("commission_expense") == -225_55 and balance("commission_payable") == 225_55
    again = commissions.book_month(MONTH, rules=RULES, payout=False)
    assert (again.booked, again.already) == (0, 2)
    assert JournalEntry.objects.filter(kind="commission_accrual").count() == 2
    assert balance("commission_payable") == 225_55
    assert CommissionRun.objects.get(month=MONTH).total_minor == 225_55


def test_commissions_recompute_from_the_ledger_and_the_loan_tables(world: dict[str, Any]) -> None:
    commissions.book_month(MONTH, rules=RULES, payout=False)
    from_ledger: dict[tuple[int, str], int] = defaultdict(int)
    for ref, amount in (Posting.objects.filter(account__code="platform:commission_payable",
                                               entry__kind="commission_accrual")
                        .values_list("entry__reference", "amount_minor")):
        _kind, month, agent, rule = ref.split(":")
        assert month == "2026-03"
        from_ledger[(int(agent), rule)] += amount
    recomputed = {(line.agent_id, line.rule.code): line.amount_minor
                  for line in compute_month(MONTH, [Rule(**c.params) for c in Commission.objects.all()])
                  if line.amount_minor}
    assert dict(from_ledger) == recomputed
    assert sum(recomputed.values()) == -Posting.objects.filter(
        account__code="platform:commission_expense").aggregate(s=Sum("amount_minor"))["s"]


def test_payout_goes_through_the_gateway_and_settles(world: dict[str, Any]) -> None:
    commissions.book_month(MONTH, rules=RULES, payout=False)
    paid = commissions.pay_month(MONTH)
    assert paid == 2 and balance("commission_payable") == 0
    c = Commission.objects.get(agent=world["a1"], rule="originated_on_time")
    withdrawal = Withdrawal.objects.get(pk=c.withdrawal_id)
    assert withdrawal.amount_minor == 205_55 and withdrawal.user_id == world["a1"].pk
    assert OutboxMessage.objects.filter(payload__withdrawal_id=withdrawal.public_id).exists()
    assert ledger.user_accounts(world["a1"]).frozen.balance_minor == 205_55
    custody_before = balance("custody_bank")
    sandbox.settle_payout(withdrawal, succeed=True)
    ledger.user_accounts(world["a1"]).frozen.refresh_from_db()
    assert ledger.user_accounts(world["a1"]).frozen.balance_minor == 0
    assert balance("custody_bank") == custody_before + 205_55
    assert commissions.pay_month(MONTH) == 0  # once per commission
    assert Withdrawal.objects.count() == 2
    assert_books_clean()


def test_a_failed_payout_releases_the_money_to_the_agent(world: dict[str, Any]) -> None:
    commissions.book_month(MONTH, rules=RULES)
    c = Commission.objects.get(agent=world["a2"])
    sandbox.settle_payout(Withdrawal.objects.get(pk=c.withdrawal_id), succeed=False)
    accounts = ledger.user_accounts(world["a2"])
    assert (accounts.available.balance_minor, accounts.frozen.balance_minor) == (20_00, 0)
    assert_books_clean()


def test_the_command_books_and_pays(world: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("commissions", "--month", "2026-03")
    assert "2 booked" in capsys.readouterr().out
    assert Commission.objects.filter(withdrawal__isnull=False).count() == 2
    call_command("commissions", "--month", "2026-03")
    assert Commission.objects.count() == 2 and Withdrawal.objects.count() == 2


def test_run_day_books_last_month_once(world: dict[str, Any]) -> None:
    assert "marketing.commissions" in [name for name, _fn in STEPS]
    assert commissions.run_day_step(TODAY, 100) == 2
    assert commissions.run_day_step(TODAY + dt.timedelta(days=1), 100) == 0
    assert Commission.objects.count() == 2


def test_nothing_to_pay_is_nothing_booked() -> None:
    result = commissions.book_month(MONTH, rules=RULES)
    assert (result.booked, result.total_minor) == (0, 0)
    assert not JournalEntry.objects.filter(kind__startswith="commission").exists()
