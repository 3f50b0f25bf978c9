"""A seeded simulation with auto-invest on for most investors: each investor's NAR and XIRR, as the
portfolio and the report show them, recomputed from the ledger postings (``ledger_returns``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum

from peerlend.accounts.models import User
from peerlend.investing.models_autoinvest import AutoInvestDecision, AutoInvestRule
from peerlend.investing.portfolio import holdings_of, portfolio_of
from peerlend.investing.portfolio.summary import cash_flows
from peerlend.ledger.audit import run_audit
from peerlend.ledger.models import LedgerAccount
from peerlend.lending.models import Loan, Note
from peerlend.simulation.engine import SimConfig, Simulator
from tests.simulation.ledger_returns import recompute

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CONFIG = SimConfig(seed=17, months=7, borrowers=36, investors=10, agents=2, showcase=True)
ONE_BP = Decimal("0.0001")


@dataclass
class Run:
    report: dict[str, Any]
    sim: Simulator

    @property
    def investors(self) -> list[User]:
        return sorted([*self.sim.state.investors, *self.sim.favoured], key=lambda u: u.pk)


@pytest.fixture(scope="module")
def run(django_db_setup: None, django_db_blocker: Any) -> Iterator[Run]:
    """One simulation for the module, in a transaction rolled back at the end (each test in a savepoint)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            sim = Simulator(CONFIG)
            yield Run(sim.run(), sim)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_most_investors_have_rules_made_by_the_service(run: Run) -> None:
    with_rules = set(AutoInvestRule.objects.values_list("investor_id", flat=True))
    assert with_rules == {u.pk for u in run.sim.state.auto_investors}
    assert len(with_rules) == 7  # 70 % of 10
    assert AutoInvestRule.objects.count() == run.report["activity"]["auto_invest_rules"] >= 7


def test_most_investors_with_rules_hold_auto_invested_notes(run: Run) -> None:
    with_rules = {u.pk for u in run.sim.state.auto_investors}
    holders = set(Note.objects.filter(auto_invested=True).exclude(status="refunded")
                  .values_list("investor_id", flat=True))
    assert holders <= with_rules
    assert len(holders) * 3 >= len(with_rules) * 2, (holders, with_rules)
    # Every auto-invested note has its placement recorded.
    placed = set(AutoInvestDecision.objects.filter(outcome="placed").values_list("note_id", flat=True))
    assert set(Note.objects.filter(auto_invested=True).values_list("pk", flat=True)) == placed


def test_auto_invest_never_takes_more_than_90_percent_of_a_loan(run: Run) -> None:
    shares = (Note.objects.filter(auto_invested=True).exclude(status="refunded").values("loan")
              .annotate(auto=Sum("amount_minor")))
    amounts = dict(Loan.objects.values_list("pk", "amount_minor"))
    assert len(shares) >= 10
    for row in shares:
        amount = amounts[row["loan"]]
        assert row["auto"] <= amount - -(-amount // 10), row
    # The rest was bought by hand: every disbursed loan with auto notes also has manual ones.
    for row in shares:
        if Loan.objects.get(pk=row["loan"]).disbursed_on:
            assert Note.objects.filter(loan_id=row["loan"], auto_invested=False).exists()


def test_audit_is_clean(run: Run) -> None:
    assert run.report["audit"] == {"clean": True, "violations": []}
    assert run_audit() == []


def test_the_world_has_the_cases_that_matter(run: Run) -> None:
    """Repayments, prepayments, late loans and a charge-off reach the investors' books."""
    statuses = run.report["loans_by_status"]
    assert statuses.get("charged_off", 0) >= 1 and statuses.get("prepaid", 0) >= 1
    assert statuses.get("current", 0) >= 5


def test_cash_and_amounts_reconcile_with_the_ledger_to_the_cent(run: Run) -> None:
    today = run.sim.today
    for investor in run.investors:
        r = recompute(investor, today)
        p = portfolio_of(investor, today)
        books = {b.note.pk: b for b in r.books}
        cash = dict(LedgerAccount.objects.filter(owner=investor).values_list("kind", "balance_minor"))
        assert (p.cash_available_minor, p.cash_frozen_minor) == (r.cash_available, r.cash_frozen) == (
            cash["available"], cash.get("frozen", 0))
        assert p.invested_minor == sum(b.note.amount_minor for b in r.books)
        assert p.principal_outstanding_minor == sum(b.outstanding for b in r.books)
        assert p.principal_received_minor == r.total("principal") + r.total("recovery")
        assert p.interest_received_minor == r.total("interest")
        assert p.fees_paid_minor == r.total("fee")
        assert p.realised_loss_minor == sum(b.written_off for b in r.books)
        assert (p.expected_loss_minor, p.accrued_interest_minor) == (r.expected_loss, r.accrued)
        # The note rows agree with the split found from the ledger, note by note.
        for b in books.values():
            n = b.note
            assert (n.principal_outstanding_minor, n.principal_received_minor, n.interest_received_minor,
                    n.fees_paid_minor, n.charged_off_minor) == (
                b.outstanding, b.received_principal, sum(x.interest for x in b.parts),
                sum(x.fee for x in b.parts), b.written_off), n.pk


def test_dated_cash_flows_equal_the_postings_day_by_day(run: Run) -> None:
    today = run.sim.today
    for investor in run.investors:
        r = recompute(investor, today)
        expected = dict(r.flows)
        expected[today] = expected.get(today, 0) + r.final_value
        got = dict(cash_flows(holdings_of(investor.pk, today), today))
        assert got == {d: a for d, a in expected.items() if a}, investor.username


def test_nar_and_xirr_recomputed_from_the_ledger_within_one_basis_point(run: Run) -> None:
    today = run.sim.today
    checked = 0
    for investor in run.investors:
        r = recompute(investor, today)
        p = portfolio_of(investor, today)
        assert (p.nar is None) == (r.nar is None) and (p.xirr is None) == (r.xirr is None), investor.username
        if p.nar is not None:
            assert abs(p.nar - r.nar) <= ONE_BP, (investor.username, p.nar, r.nar)
            assert abs(p.xirr - r.xirr) <= ONE_BP, (investor.username, p.xirr, r.xirr)
            checked += 1
    assert checked >= len(run.investors) - 1


def test_report_shows_each_investors_nar_and_xirr_and_a_summary(run: Run) -> None:
    returns = run.report["investor_returns"]
    assert returns["as_of"] == run.sim.today.isoformat()
    rows = {row["investor"]: row for row in returns["by_investor"]}
    assert set(rows) == {u.username for u in run.investors}
    nars, rates = [], []
    for investor in run.investors:
        r = recompute(investor, run.sim.today)
        row = rows[investor.username]
        assert row["nar"] is not None and abs(Decimal(row["nar"]) - r.nar) <= ONE_BP
        assert row["xirr"] is not None and abs(Decimal(row["xirr"]) - r.xirr) <= ONE_BP
        assert row["auto_notes"] == Note.objects.filter(investor=investor, auto_invested=True).exclude(
            status__in=("pending", "refunded")).count()
        nars.append(r.nar)
        rates.append(r.xirr)
    summary = returns["summary"]
    assert summary["auto_notes"] == sum(row["auto_notes"] for row in rows.values()) > 0
    assert summary["with_rules"] == 7
    for name, values in (("nar", nars), ("xirr", rates)):
        for stat, fn in (("median", median), ("min", min), ("max", max)):
            assert abs(Decimal(summary[name][stat]) - fn(values)) <= ONE_BP, (name, stat)


def test_text_report_prints_the_returns_summary(run: Run) -> None:
    from peerlend.simulation.management.commands.simulate import render_text

    text = render_text(run.report)
    summary = run.report["investor_returns"]["summary"]
    assert f"auto-invested {summary['auto_notes']}" in text
    assert f"NAR  median {summary['nar']['median']}" in text
    assert f"XIRR median {summary['xirr']['median']}" in text
