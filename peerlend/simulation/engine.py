"""Marketplace simulator: members, loans and years of repayments, driven only through services.

Everything a member or officer does here goes through the same service functions the pages
and the API call (KYC, sandbox-gateway deposits and withdrawals, applications, reviews,
investments, repayments, prepayments) and ``run_day`` advances the platform each day. Borrower
behaviour (on time, late, early, never) is drawn by grade from the Lending Club table's bad
rates, and applicants' facts are real rows of that table. Same seed, same result: all
randomness comes from one ``random.Random(seed)`` and nothing reads the wall clock.
"""

from __future__ import annotations

import csv
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from peerlend.accounts.models import Channel, Role, User
from peerlend.clock import set_business_date
from peerlend.datasets import lending_club_csv
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.domain.returns import NoteMonth, net_annualized_return
from peerlend.domain.validators import make_bank_card, make_resident_id
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan, Note

logger = logging.getLogger("peerlend.simulation")

UNIT_MINOR = 50_00
GRADES = ("A", "B", "C", "D", "E")
# Share of borrowers who behave each way, besides defaulting (drawn per loan).
PREPAY_SHARE = 0.10
LATE_SHARE = 0.12
REGIONS = ("110101", "310101", "440103", "510104", "330102", "320102", "420102", "610102")
PROVINCES = ("BJ", "SH", "GD", "SC", "ZJ", "JS", "HB", "SN")


@dataclass(frozen=True)
class SimConfig:
    seed: int = 1
    months: int = 6
    borrowers: int = 200
    investors: int = 50
    agents: int = 4
    guarantee: str = "none"
    start: date = date(2025, 1, 6)
    # Demo mode: the first loans to disburse take every path (default, late, prepay) so that a
    # short history still shows loans in every state.
    showcase: bool = False


@dataclass
class Behaviour:
    kind: str  # on_time | late | prepay | default
    stop_after: int = 0  # default: installments paid before stopping
    late_days: int = 0  # late: days after the due date the borrower pays
    prepay_month: int = 0
    prepay_on: date | None = None  # prepay: the day after installment ``prepay_month`` falls due


@dataclass
class _GradeMonth:
    outstanding_minor: int = 0
    interest_minor: int = 0
    fees_minor: int = 0
    charged_off_minor: int = 0


@dataclass
class SimState:
    investors: list[User] = field(default_factory=list)
    agents: list[User] = field(default_factory=list)
    officers: list[User] = field(default_factory=list)
    behaviour: dict[int, Behaviour] = field(default_factory=dict)
    appetite: dict[int, tuple[str, ...]] = field(default_factory=dict)
    months: dict[str, list[_GradeMonth]] = field(default_factory=lambda: defaultdict(list))
    counters: Counter[str] = field(default_factory=Counter)


class Simulator:
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

    # ------------------------------------------------------------------ members

    def _username(self, prefix: str) -> str:
        self._serial += 1
        return f"sim-{prefix}-{self.cfg.seed}-{self._serial:05d}"

    def _member(self, prefix: str, roles: list[str], agent: User | None = None) -> User:
        from peerlend.accounts.selectors import active_points_of
        from peerlend.accounts.services import verify_identity

        point = active_points_of(agent).first() if agent else None
        # Simulated members never log in: an unusable password keeps set-up fast (no argon2 per member).
        user = User.objects.create_user(
            username=self._username(prefix), password=None, roles=roles,
            channel=Channel.OFFLINE if agent else Channel.ONLINE, registered_by=agent, registered_point=point,
        )
        rng = self.rng
        resident_id = self._resident_id()
        verify_identity(
            user, real_name=rng.choice("王李张刘陈杨黄赵吴周") + rng.choice("伟芳娜敏静强磊洋"),
            resident_id=resident_id, mobile=f"13{rng.randint(0, 999_999_999):09d}",
            bank_card=self._card(),
            agent=agent, today=self.today,
        )
        return user

    def _resident_id(self) -> str:
        """A resident ID nobody on the platform holds yet, of an adult of 22 to 50 on the business date.

        Members are adults at KYC, and a borrower of 50 is still under the age limit at maturity
        (60) for the longest term.
        """
        from peerlend.accounts.kyc import resident_id_index
        from peerlend.accounts.models import Identity

        rng = self.rng
        while True:
            age = 22 + (rng.randint(1965, 2000) - 1965) * 28 // 35
            birth = date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            resident_id = make_resident_id(rng.choice(REGIONS), birth, rng.randint(0, 999))
            if not Identity.objects.filter(resident_id_index=resident_id_index(resident_id)).exists():
                return resident_id

    def _card(self) -> str:
        """A card number no member holds yet (KYC refuses a card verified for another member)."""
        from peerlend.accounts.kyc import bank_card_index
        from peerlend.accounts.models import Identity

        while True:
            digits = "".join(str(self.rng.randint(0, 9)) for _ in range(9))
            card = make_bank_card("622202" + digits, 16)
            if not Identity.objects.filter(bank_card_index=bank_card_index(card)).exists():
                return card

    def deposit(self, user: User, amount_minor: int) -> None:
        from peerlend.ledger.gateway import sandbox
        from peerlend.ledger.services import create_deposit_order

        status, body = sandbox.pay(create_deposit_order(user, amount_minor))
        if status != 200:
            raise RuntimeError(f"sandbox deposit failed: {body}")
        self.state.counters["deposits"] += 1

    def withdraw(self, user: User, amount_minor: int) -> None:
        from peerlend.ledger.gateway import sandbox
        from peerlend.ledger.services import request_withdrawal

        withdrawal = request_withdrawal(user, amount_minor)
        status, body = sandbox.settle_payout(withdrawal)
        if status != 200:
            raise RuntimeError(f"sandbox payout failed: {body}")
        self.state.counters["withdrawals"] += 1

    def make_suitable(self, investor: User) -> None:
        """Risk questionnaire and disclosure done (lending refuses a note without them)."""
        from peerlend.investing.services import make_suitable

        make_suitable(investor, today=self.today)

    def setup(self) -> None:
        from peerlend.accounts.services import assign_agent, create_service_point, grant_role

        set_business_date(self.today)
        admin = platform_admin()
        for _ in range(2):
            officer = User.objects.create_user(username=self._username("risk"), password=None)
            grant_role(admin, officer, Role.RISK_OFFICER, reason="simulation staff")
            officer.refresh_from_db()
            self.state.officers.append(officer)
        points = [
            create_service_point(admin, code=f"SIM{self.cfg.seed}-{i + 1:02d}", name=f"Service point {i + 1}",
                                 city=("Chengdu", "Wuhan", "Xi'an", "Hangzhou")[i % 4])
            for i in range(max(1, (self.cfg.agents + 1) // 2))
        ]
        for i in range(self.cfg.agents):
            agent = User.objects.create_user(username=self._username("agent"), password=None)
            grant_role(admin, agent, Role.AGENT, reason="simulation staff")
            assign_agent(admin, agent, points[i % len(points)], reason="simulation staff")
            agent.refresh_from_db()
            self.state.agents.append(agent)
        for _ in range(self.cfg.investors):
            investor = self._member("inv", ["investor"])
            self.deposit(investor, self.rng.choice((50_000, 100_000, 200_000, 500_000)) * 100)
            self.make_suitable(investor)
            # Each investor prefers some grades.
            self.state.appetite[investor.pk] = tuple(self.rng.sample(GRADES, self.rng.randint(2, 5)))
            self.state.investors.append(investor)

    # ------------------------------------------------------------------ applications and review

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
                submit_application(borrower=borrower, data=data, agent=agent, documents=documents)
                self.state.counters["applications"] += 1
            except ApplicationError as exc:
                self.state.counters[f"application_refused:{exc.code}"] += 1

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
                services.approve(officer=second, loan_id=loan.pk, reason="second review agrees")

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
                    note = services.invest(investor=investor, loan_id=loan.pk, amount_minor=amount)
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

    def _top_up(self, user: User, needed_minor: int, up_to: int | None = None) -> None:
        """When the borrower's cash is short of ``needed_minor``, deposit enough to reach ``up_to``."""
        from peerlend.ledger.selectors import balances

        available = balances(user).available_minor
        if available < needed_minor:
            self.deposit(user, max(up_to or needed_minor, needed_minor) - available)

    def investors_move_cash(self) -> None:
        """Weekly: some investors add savings, a few take cash out."""
        from peerlend.ledger.selectors import balances

        for investor in self.state.investors:
            draw = self.rng.random()
            if draw < 0.15:
                self.deposit(investor, self.rng.choice((10_000, 20_000, 50_000)) * 100)
            elif draw < 0.20:
                cash = balances(investor).available_minor // 4
                if cash >= 100_00:
                    self.withdraw(investor, cash)

    # ------------------------------------------------------------------ time

    def _snapshot(self) -> None:
        """Month-end totals by grade (cumulative), for the net annualized return."""
        rows = (
            Note.objects.exclude(status__in=("pending", "refunded"))
            .values("loan__grade")
            .annotate(out=Sum("principal_outstanding_minor"), interest=Sum("interest_received_minor"),
                      fees=Sum("fees_paid_minor"), co=Sum("charged_off_minor"))
        )
        seen = {}
        for row in rows:
            letter = (row["loan__grade"] or "?")[:1]
            acc = seen.setdefault(letter, _GradeMonth())
            acc.outstanding_minor += row["out"] or 0
            acc.interest_minor += row["interest"] or 0
            acc.fees_minor += row["fees"] or 0
            acc.charged_off_minor += row["co"] or 0
        for letter in GRADES:
            self.state.months[letter].append(seen.get(letter, _GradeMonth()))

    def run(self) -> dict[str, Any]:
        from peerlend.servicing.batch import run_day

        self.setup()
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


def platform_admin() -> User:
    """The platform's administrator, bootstrapped on first use (an empty database has none)."""
    from peerlend.accounts.services import bootstrap_admin

    for user in User.objects.filter(is_active=True).order_by("pk"):
        if user.has_role(Role.ADMIN):
            return user
    admin = User.objects.create_user(username="admin", password=None, is_staff=True)
    return bootstrap_admin(admin, reason="first administrator of this installation")


def _add_months(d: date, months: int) -> date:
    from peerlend.domain.schedule import add_months

    return add_months(d, months)


def _rate(numerator: int, denominator: int) -> str:
    return f"{Decimal(numerator) / Decimal(denominator):.4f}" if denominator else "0.0000"


def build_report(sim: Simulator) -> dict[str, Any]:
    from peerlend.ledger.audit import run_audit
    from peerlend.ledger.services import platform_account
    from peerlend.servicing.models import ServicingPayment

    loans = Loan.objects.filter(disbursed_on__isnull=False)
    by_grade: dict[str, dict[str, Any]] = {}
    for letter in GRADES:
        graded = loans.filter(grade__startswith=letter)
        count = graded.count()
        volume = graded.aggregate(s=Sum("amount_minor"))["s"] or 0
        defaulted = graded.filter(status__in=(LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)).count()
        charged = graded.filter(status=LoanStatus.CHARGED_OFF)
        charged_off_minor = Note.objects.filter(loan__in=charged).aggregate(s=Sum("charged_off_minor"))["s"] or 0
        months = sim.state.months[letter]
        deltas = [
            NoteMonth(
                principal_outstanding_minor=m.outstanding_minor,
                interest_received_minor=m.interest_minor - (months[i - 1].interest_minor if i else 0),
                service_fees_minor=m.fees_minor - (months[i - 1].fees_minor if i else 0),
                charge_offs_minor=m.charged_off_minor - (months[i - 1].charged_off_minor if i else 0),
            )
            for i, m in enumerate(months)
        ]
        try:
            nar = f"{net_annualized_return([d for d in deltas if d.principal_outstanding_minor > 0]):.4f}"
        except ValueError:
            nar = None
        by_grade[letter] = {
            "loans": count,
            "volume": format_minor(volume),
            "default_rate": _rate(defaulted, count),
            "charge_off_rate": _rate(charged.count(), count),
            "charged_off_principal": format_minor(charged_off_minor),
            "net_annualized_return": nar,
        }
    by_channel = {
        channel: {
            "loans": loans.filter(channel=channel).count(),
            "volume": format_minor(loans.filter(channel=channel).aggregate(s=Sum("amount_minor"))["s"] or 0),
        }
        for channel in ("online", "offline")
    }
    all_loans = Loan.objects.all()
    statuses = dict(Counter(all_loans.values_list("status", flat=True)))
    volume = loans.aggregate(s=Sum("amount_minor"))["s"] or 0
    notes_total = Note.objects.filter(loan__in=loans).aggregate(s=Sum("amount_minor"))["s"] or 0
    payments = ServicingPayment.objects.aggregate(
        paid=Sum("amount_minor"), to_notes_p=Sum("principal_to_notes_minor"), to_notes_i=Sum("interest_to_notes_minor"),
        late=Sum("late_fee_minor"), reserve=Sum("to_reserve_minor"),
    )
    compensation = (
        ServicingPayment.objects.filter(kind="compensation").aggregate(s=Sum("amount_minor"))["s"] or 0
    )
    cash_in = payments["paid"] or 0
    cash_out = (payments["to_notes_p"] or 0) + (payments["to_notes_i"] or 0) + (payments["late"] or 0) + (
        payments["reserve"] or 0
    )
    violations = run_audit()
    return {
        "config": {
            "seed": sim.cfg.seed, "months": sim.cfg.months, "borrowers": sim.cfg.borrowers,
            "investors": sim.cfg.investors, "agents": sim.cfg.agents, "guarantee": sim.cfg.guarantee,
            "start": sim.cfg.start.isoformat(),
        },
        "loans_by_status": dict(sorted(statuses.items())),
        "originated": {"loans": loans.count(), "volume": format_minor(volume),
                       "notes_sum": format_minor(notes_total), "by_channel": by_channel},
        "by_grade": by_grade,
        "repayments": {"cash_in": format_minor(cash_in), "cash_out": format_minor(cash_out),
                       "balanced": cash_in == cash_out},
        "fee_income": format_minor(platform_account("fee_income").balance_minor),
        "risk_reserve": {"balance": format_minor(platform_account("risk_reserve").balance_minor),
                         "compensation_paid": format_minor(compensation)},
        "activity": dict(sorted(sim.state.counters.items())),
        "audit": {"clean": not violations, "violations": [f"{v.check}: {v.message}" for v in violations[:20]]},
    }
