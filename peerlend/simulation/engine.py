"""Marketplace simulator: members, loans and years of repayments, driven only through services.

Everything a member or officer does here goes through the same service functions the pages
and the API call (KYC, sandbox-gateway deposits and withdrawals, applications, reviews,
investments, repayments, prepayments) and ``run_day`` advances the platform each day. Borrower
behaviour (on time, late, early, never) is drawn by grade from the Lending Club table's bad
rates, and applicants' facts are real rows of that table. Same seed, same result: all
randomness comes from one ``random.Random(seed)`` and nothing reads the wall clock.

The simulator is assembled from its parts: ``state`` (configuration, behaviours, counters),
``members`` (identity and cash), ``market`` (applications, review, investing), ``marketing``
(targets, campaigns, coupons, points) and ``report``;
this module holds the daily loop and the borrowers' repayments.
"""

from __future__ import annotations

import csv
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db.models import F

from peerlend.accounts.models import User
from peerlend.clock import set_business_date
from peerlend.datasets import lending_club_csv
from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Loan
from peerlend.simulation.marketing import MarketingActions
from peerlend.simulation.members import platform_admin
from peerlend.simulation.report import build_report, month_end_snapshot
from peerlend.simulation.state import GRADES, Behaviour, SimConfig, SimState

__all__ = ["Behaviour", "SimConfig", "SimState", "Simulator", "build_report", "platform_admin"]

logger = logging.getLogger("peerlend.simulation")


class Simulator(MarketingActions):
    """The marketplace over ``config.months`` months; ``run()`` returns the report."""

    def __init__(self, config: SimConfig, progress: Callable[[int, int], None] | None = None) -> None:
        self.cfg = config
        # A seeded generator on purpose: the simulation must replay exactly (not a secret).
        self.rng = random.Random(config.seed)  # noqa: S311
        self.state = SimState()
        self.progress = progress
        self._rows = self._load_rows()
        self._bad_rates = self._grade_bad_rates()
        self._serial = 0
        self.today = config.start
        # Investors who take a small part in every loan they may buy (the demo investor), so that
        # their portfolio shows every state a loan can reach.
        self.favoured: list[User] = []
        self._favoured_notes: set[tuple[int, int]] = set()  # (investor, loan): one note each
        self._marketing_init()

    # ------------------------------------------------------------------ data

    @staticmethod
    def _load_rows() -> list[dict[str, str]]:
        with lending_club_csv().open(newline="") as fh:
            return list(csv.DictReader(fh))

    def _grade_bad_rates(self) -> dict[str, float]:
        """Lifetime default odds by grade letter, from the table's bad rate (it undercounts: loans still
        running count as good, so it is scaled up to a plausible lifetime figure)."""
        bad: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for row in self._rows:
            letter = (row.get("sub_grade") or "C")[0]
            letter = letter if letter in GRADES else "E"
            total[letter] += 1
            bad[letter] += row.get("Class") == "bad"
        return {g: min(0.6, 2.5 * bad[g] / total[g]) if total[g] else 0.1 for g in GRADES}

    # ------------------------------------------------------------------ repayments

    def borrowers_act(self) -> None:
        """Borrowers put money in before (or after) their due dates; run-day's auto-debit collects it.

        Only installments due near today are read (one query a day), and prepayments happen on
        the date fixed at disbursement, so a day costs little however many loans are running.
        """
        from peerlend.servicing.models import Installment, InstallmentStatus
        from peerlend.servicing.services import prepay, quote_for

        today = self.today
        for loan_id in sorted(pk for pk, b in self.state.behaviour.items()
                              if b.kind == "prepay" and b.prepay_on is not None and b.prepay_on <= today):
            del self.state.behaviour[loan_id]
            loan = Loan.objects.select_related("borrower").get(pk=loan_id)
            if loan.status not in (LoanStatus.CURRENT, LoanStatus.LATE):
                continue
            quote = quote_for(loan.borrower, loan.pk, today)
            self._top_up(loan.borrower, quote.total_minor)
            prepay(actor=loan.borrower, loan_id=loan.pk, today=today)
            self.state.counters["prepayments"] += 1
        open_statuses = (InstallmentStatus.SCHEDULED, InstallmentStatus.PARTIAL, InstallmentStatus.OVERDUE)
        near = (
            Installment.objects.filter(
                loan__status__in=(LoanStatus.CURRENT, LoanStatus.LATE), status__in=open_statuses,
                due_date__gte=today - timedelta(days=45), due_date__lte=today + timedelta(days=1),
            )
            .annotate(borrower_id=F("loan__borrower_id"))
            .order_by("loan_id", "number")
        )
        by_loan: dict[int, list[Any]] = defaultdict(list)
        for inst in near:
            if inst.due_minor > 0:
                by_loan[inst.loan_id].append(inst)
        payers: list[tuple[int, int, int | None]] = []
        for loan_id, unpaid in by_loan.items():
            b = self.state.behaviour.get(loan_id)
            if b is None:
                continue
            nxt = unpaid[0]
            if b.kind == "default" and nxt.number - 1 >= b.stop_after:
                continue
            pay_on = nxt.due_date + timedelta(days=b.late_days) - timedelta(days=1 if b.kind != "late" else 0)
            if today == pay_on or (today > pay_on and b.kind != "late"):
                owed = sum(i.due_minor for i in unpaid if i.due_date <= max(today, nxt.due_date))
                # Punctual borrowers put in about a quarter's worth at a time; auto-debit takes each due.
                payers.append((nxt.borrower_id, owed, owed * 3 if b.kind == "on_time" else owed))
        # Only the borrowers who act today are loaded (one query), not one per installment read.
        users = User.objects.in_bulk({borrower_id for borrower_id, _owed, _up_to in payers})
        for borrower_id, owed, up_to in payers:
            self._top_up(users[borrower_id], owed, up_to=up_to)

    # ------------------------------------------------------------------ time

    def _snapshot(self) -> None:
        month_end_snapshot(self.state)

    def run(self) -> dict[str, Any]:
        from peerlend.servicing.batch import run_day

        self.setup()
        self.setup_marketing()
        end = _add_months(self.cfg.start, self.cfg.months)
        total_days = (end - self.cfg.start).days
        # Applications arrive over the first part of the horizon, so that late loans still age.
        arrival_days = max(1, int(total_days * 0.7))
        per_day = self.cfg.borrowers / arrival_days
        created = 0
        day = 0
        while self.today < end:
            if day < arrival_days:
                target = min(self.cfg.borrowers, round(per_day * (day + 1)))
                self.new_applications(target - created)
                created = target
            self.review()
            self.marketing_day()
            self.invest()
            self.borrowers_act()
            if day % 7 == 0:
                self.investors_move_cash()
            if day and day % 360 == 0:  # a risk assessment is valid for a year: investors answer again
                for investor in self.state.investors:
                    self.make_suitable(investor)
            run_day(self.today)
            if (self.today + timedelta(days=1)).day == 1:
                self._snapshot()
            day += 1
            self.today += timedelta(days=1)
            set_business_date(self.today)
            if self.progress:
                self.progress(day, total_days)
        self._snapshot()
        return build_report(self)


def _add_months(d: date, months: int) -> date:
    from peerlend.domain.schedule import add_months

    return add_months(d, months)

