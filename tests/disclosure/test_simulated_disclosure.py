"""After a seeded 24-month simulation: every month discloses, vintages agree with the simulator, books reconcile.

The simulator drives the platform only through its services and ``run_day`` (which publishes each month's
operating data on the first working days of the next); ``peerlend disclose --all`` afterwards must succeed and
leave those snapshots as they are.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from peerlend.clock import business_date
from peerlend.disclosure.models import MonthlySnapshot
from peerlend.disclosure.monthly.figures import AS_OF_RUN, compute
from peerlend.disclosure.monthly.periods import month_end, next_month, previous_month
from peerlend.disclosure.vintage.stats import vintage_rows
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.ledger.audit import run_audit
from peerlend.lending.models import Loan, Note
from peerlend.simulation.engine import SimConfig, Simulator

# Two years of days take minutes: run once, in the SQLite suite (PostgreSQL runs the same code in the
# faster disclosure tests).
pytestmark = [pytest.mark.django_db, pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                 reason="run in the SQLite suite only")]

CONFIG = SimConfig(seed=24, months=24, borrowers=16, investors=6, agents=1, showcase=True, marketing=False)


def _months(first: date, last: date) -> list[date]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def test_twenty_four_months_disclose_and_reconcile() -> None:
    report = Simulator(CONFIG).run()
    assert report["audit"]["clean"], report["audit"]["violations"]

    # run-day published every complete month; `disclose --all` then succeeds and changes none of them.
    first = Loan.objects.filter(disbursed_on__isnull=False).order_by("disbursed_on").first()
    assert first is not None
    months = _months(first.disbursed_on.replace(day=1), previous_month(business_date()))
    # Loans first disburse once the first listings fill (a few months in); every month since is disclosed.
    assert len(months) >= 12 and month_end(months[-1]) < business_date()
    before = {s.month: s.sha256 for s in MonthlySnapshot.objects.all()}
    out = StringIO()
    call_command("disclose", "--all", stdout=out)
    assert out.getvalue().count("published on") == len(months)
    after = {s.month: s.sha256 for s in MonthlySnapshot.objects.filter(version=1)}
    assert set(after) >= set(months)  # run-day also published the empty months before the first loan
    assert {m: h for m, h in after.items() if m in before} == before

    # Vintages (every issue month) against the simulator's own by-grade report.
    as_of = month_end(months[-1])
    rows = vintage_rows(business_date())
    loans: dict[str, int] = defaultdict(int)
    charged: dict[str, int] = defaultdict(int)
    charged_minor: dict[str, int] = defaultdict(int)
    for row in rows:
        letter = row.grade[:1]
        loans[letter] += row.loans
        charged[letter] += row.counts["charged_off"]
        charged_minor[letter] += row.charged_off_minor
    for letter, sim in report["by_grade"].items():
        assert loans[letter] == sim["loans"], letter
        if sim["loans"]:
            assert f"{Decimal(charged[letter]) / Decimal(sim['loans']):.4f}" == sim["charge_off_rate"], letter
        assert format_minor(charged_minor[letter]) == sim["charged_off_principal"], letter
    assert sum(charged.values()) == Loan.objects.filter(status=LoanStatus.CHARGED_OFF).count() > 0

    # The last month's figures reconcile with the books: outstanding principal is the notes' principal
    # outstanding then, and the ledger audit is clean after all the publishing.
    last = MonthlySnapshot.objects.get(month=months[-1], version=1)
    now = compute(as_of)
    assert {k: v for k, v in last.figures.items() if k not in AS_OF_RUN} == {
        k: v for k, v in now.items() if k not in AS_OF_RUN}
    assert last.figures["lent_cumulative_minor"] == (
        Loan.objects.filter(disbursed_on__lte=as_of).aggregate(s=Sum("amount_minor"))["s"])
    assert Note.objects.filter(loan__disbursed_on__lte=as_of).exists()
    assert run_audit() == []
