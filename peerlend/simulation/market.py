"""The marketplace side of the simulator: applications, the risk officers' review and investing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from peerlend.accounts.models import User
from peerlend.domain.lifecycle import LoanStatus
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan
from peerlend.simulation.members import MemberActions
from peerlend.simulation.state import LATE_SHARE, PREPAY_SHARE, PROVINCES, UNIT_MINOR, Behaviour


class MarketActions(MemberActions):
    """Borrowers apply, officers review, investors bid (a part of ``Simulator``)."""

    favoured: list[User]
    _favoured_notes: set[tuple[int, int]]
    _rows: list[dict[str, str]]
    _bad_rates: dict[str, float]

    def _application(self) -> tuple[Any, str]:
        from peerlend.lending.services import ApplicationInput
        from peerlend.scoring.lc import facts_from_lc_row

        row = self.rng.choice(self._rows)
        facts, _problems = facts_from_lc_row(row)
        amount = min(facts.amount_minor or 10_000_00, 200_000_00)
        amount = max(UNIT_MINOR * 20, amount // (UNIT_MINOR * 20) * (UNIT_MINOR * 20))
        term = self.rng.choice((6, 12, 12, 24, 36, 36))
        if self.cfg.showcase and self.state.counters["applications"] < 4:
            term = 3  # short loans that are fully paid within a demo's history
        method = self.rng.choice(("equal_installment",) * 6 + ("equal_principal", "interest_only", "bullet"))
        if method == "bullet" and term > 12:
            term = 12
        data = ApplicationInput(
            amount_minor=amount, term_months=term, repayment_method=method,
            purpose=self.rng.choice(("debt_consolidation", "business", "education", "home_improvement",
                                     "medical", "car", "agriculture")),
            annual_income_minor=max(facts.annual_income_minor or 60_000_00, 12_000_00),
            employment_years=facts.employment_years, region=self.rng.choice(PROVINCES),
            delinq_2yrs=facts.delinq_2yrs or 0, inq_last_6mths=facts.inq_last_6mths or 0,
            inq_last_12m=facts.inq_last_12m, inq_fi=facts.inq_fi,
            revol_util_pct=facts.revol_util_pct if facts.revol_util_pct is None
            else min(facts.revol_util_pct, Decimal(200)),
            all_util_pct=facts.all_util_pct if facts.all_util_pct is None else min(facts.all_util_pct, Decimal(200)),
            acc_now_delinq=facts.acc_now_delinq or 0, delinq_amnt_minor=facts.delinq_amnt_minor or 0,
            open_il_6m=facts.open_il_6m, open_il_12m=facts.open_il_12m, open_il_24m=facts.open_il_24m,
            num_il_tl=facts.num_il_tl, total_bal_il_minor=facts.total_bal_il_minor,
            total_il_high_credit_limit_minor=facts.total_il_high_credit_limit_minor,
            income_verified=facts.income_verified,
        )
        return data, ("offline" if self.state.agents and self.rng.random() < 0.3 else "online")

    def new_applications(self, count: int) -> None:
        from peerlend.lending.services import UploadedDocument, submit_application

        for _ in range(count):
            data, channel = self._application()
            agent = self.rng.choice(self.state.agents) if channel == "offline" else None
            borrower = self._member("bor", ["borrower"], agent=agent)
            documents = [UploadedDocument("income", "payslip.pdf", "application/pdf", b"%PDF-1.4 sim")] if agent else []
            try:
                loan = submit_application(borrower=borrower, data=data, agent=agent, documents=documents)
                self.state.counters["applications"] += 1
            except ApplicationError as exc:
                self.state.counters[f"application_refused:{exc.code}"] += 1
                continue
            if agent is not None:
                self.after_offline_application(agent, borrower, loan)

    def after_offline_application(self, agent: User, borrower: User, loan: Loan) -> None:
        """What the agent does next at the point (marketing's fee discount); nothing here."""

    def coupon_for(self, investor: User, loan: Loan, amount_minor: int) -> str | None:
        """The coupon code an investor gives at checkout (marketing's vouchers); none here."""
        return None

    def review(self) -> None:
        from peerlend.lending import services

        for loan in Loan.objects.filter(status=LoanStatus.UNDER_REVIEW).order_by("id"):
            first, second = self.state.officers
            if self.cfg.showcase and not self.state.counters["showcase_documents"]:
                self.state.counters["showcase_documents"] += 1
                services.request_documents(officer=first, loan_id=loan.pk, reason="three months of payslips")
                continue
            if loan.grade in ("E4", "E5") or (loan.pd is not None and loan.pd > Decimal("0.25")):
                services.reject(officer=first, loan_id=loan.pk, reason="risk above the platform's appetite")
                continue
            loan = services.approve(officer=first, loan_id=loan.pk, reason="within policy")
            if loan.status == LoanStatus.UNDER_REVIEW:  # maker-checker
                loan = services.approve(officer=second, loan_id=loan.pk, reason="second review agrees")
            if loan.status == LoanStatus.LISTED:
                self._after_listing(loan.pk)

    @staticmethod
    def _after_listing(loan_id: int) -> None:
        """Wealth plans and auto-invest rules act on the new listing before the manual investors do.

        The platform runs the listing hooks once the listing commits. Inside an enclosing transaction
        (the demo seed, tests) that would be at its very end, after months of simulated days, so the
        simulator runs them now, as a commit would. Outside one they already ran; a second round of
        the same day would be a no-op anyway.
        """
        from django.db import connection

        from peerlend.lending.listing_hooks import run_listing_hooks

        if connection.in_atomic_block:
            run_listing_hooks(loan_id)

    # ------------------------------------------------------------------ investing

    def invest(self) -> None:
        from peerlend.ledger.selectors import balances_many
        from peerlend.lending import services
        from peerlend.lending.models import NoteStatus

        listed = list(Loan.objects.filter(status=LoanStatus.LISTED).order_by("id"))
        for loan in listed:
            # Some listings do not attract enough money and expire: interest varies by day and grade.
            if self.rng.random() < 0.15:
                continue
            if self.cfg.showcase and not self.state.counters["showcase_cancelled"]:
                self.state.counters["showcase_cancelled"] += 1
                services.cancel(actor=loan.borrower, loan_id=loan.pk, reason="found a cheaper loan elsewhere")
                continue
            takers = [i for i in self.state.investors if loan.grade[:1] in self.state.appetite[i.pk]]
            self.rng.shuffle(takers)
            chosen = takers[: self.rng.randint(5, 20)]
            favoured = [i for i in self.favoured
                        if i.pk != loan.borrower_id and (i.pk, loan.pk) not in self._favoured_notes]
            chosen = favoured + [i for i in chosen if i not in favoured]
            # One read of the chosen investors' balances: each invests at most once in this loan, and
            # nothing else moves their available cash meanwhile (the simulator runs alone).
            cash = balances_many(chosen)
            remaining = loan.amount_minor - loan.funded_minor
            disbursed = False
            for investor in chosen:
                if remaining <= 0:
                    break
                available = cash[investor.pk].available_minor
                chunk = 500_00 if investor in favoured else self.rng.choice((1_000, 2_000, 5_000, 10_000, 20_000)) * 100
                amount = min(chunk, remaining, available // UNIT_MINOR * UNIT_MINOR)
                if amount < UNIT_MINOR:
                    continue
                try:
                    note = services.invest(investor=investor, loan_id=loan.pk, amount_minor=amount,
                                           coupon_code=self.coupon_for(investor, loan, amount))
                    if investor in favoured:
                        self._favoured_notes.add((investor.pk, loan.pk))
                    self.state.counters["investments"] += 1
                    remaining -= amount
                    disbursed = note.status == NoteStatus.ACTIVE  # this note filled the loan
                except ApplicationError as exc:
                    self.state.counters[f"investment_refused:{exc.code}"] += 1
                    # Refused (e.g. the listing expired and refunded its investors): read again.
                    loan.refresh_from_db()
                    remaining = loan.amount_minor - loan.funded_minor
                    cash = balances_many(chosen)
            if disbursed:
                loan.refresh_from_db()
            if loan.status == LoanStatus.CURRENT:
                self._on_disbursed(loan)

    SHOWCASE = (Behaviour("default", stop_after=0), Behaviour("late", late_days=20),
                Behaviour("prepay", prepay_month=1), Behaviour("default", stop_after=1))

    def _on_disbursed(self, loan: Loan) -> None:
        rng = self.rng
        bad = self._bad_rates.get(loan.grade[:1], 0.1)
        draw = rng.random()
        shown = self.state.counters["showcased"]
        planned = self.planned_behaviour(loan)
        if planned is not None:
            b = planned
        elif self.cfg.showcase and shown < len(self.SHOWCASE):
            b = self.SHOWCASE[shown]
            self.state.counters["showcased"] += 1
        elif draw < bad:
            b = Behaviour("default", stop_after=rng.randint(0, max(loan.term_months - 1, 0)))
        elif draw < bad + PREPAY_SHARE:
            b = Behaviour("prepay", prepay_month=rng.randint(1, max(loan.term_months - 1, 1)))
        elif draw < bad + PREPAY_SHARE + LATE_SHARE:
            b = Behaviour("late", late_days=rng.choice((3, 10, 20, 40)))
        else:
            b = Behaviour("on_time")
        if b.kind == "prepay":
            from peerlend.servicing.models import Installment

            due = (Installment.objects.filter(loan=loan, number=b.prepay_month)
                   .values_list("due_date", flat=True).first())
            b = replace(b, prepay_on=due + timedelta(days=1) if due else None)
        self.state.behaviour[loan.pk] = b
        self.state.counters[f"behaviour:{b.kind}"] += 1
        # The borrower spends the money: most of it leaves the platform.
        from peerlend.ledger.selectors import balances

        cash = balances(loan.borrower).available_minor
        if cash > 0:
            self.withdraw(loan.borrower, cash)

    def planned_behaviour(self, loan: Loan) -> Behaviour | None:
        """A behaviour fixed in advance for ``loan`` (the demo borrower's loans), or None to draw one."""
        return None
