"""The demo marketplace that `make run` seeds on first start.

A few months of simulated history (loans in every state) plus one login per role. Seeding is
all or nothing (one transaction) and runs once: the demo operator's account marks it done,
so a restart never duplicates data or prints passwords again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from peerlend.accounts.models import Role, User
from peerlend.clock import business_date
from peerlend.domain.schedule import add_months
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan

DEMO_MARKER_USERNAME = "demo-operator"
# A demo password, printed on the console and in the README: the demo is for a laptop only
# (production refuses development defaults, see peerlend/settings.py).
DEMO_PASSWORD = "peerlend-demo-2026"
DEMO_MONTHS = 7


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def demo_already_seeded() -> bool:
    return User.objects.filter(username=DEMO_MARKER_USERNAME).exists()


def _staff(admin: User, username: str, role: str, password: str) -> User:
    from peerlend.accounts.services import grant_role

    user = User.objects.create_user(username=username, password=password, is_staff=role == Role.OPERATOR)
    grant_role(admin, user, role, reason="demo staff")
    user.refresh_from_db()
    return user


def _member(username: str, roles: list[str], password: str, sim: object) -> User:
    from peerlend.accounts.services import verify_identity

    user = User.objects.create_user(username=username, password=password, roles=roles)
    rng = sim.rng  # type: ignore[attr-defined]
    from peerlend.domain.validators import make_resident_id

    verify_identity(
        user, real_name="演示用户", resident_id=make_resident_id("110105", date(1988, 6, 15), rng.randint(0, 999)),
        mobile=f"139{rng.randint(0, 99_999_999):08d}", bank_card=sim._card(),  # type: ignore[attr-defined]
        today=business_date(),
    )
    return user


# The demo borrower's loans, in the order applied for: (what happens to it, term in months, applied no
# earlier than this many days before today, or None: at once). The member has one cash account, and
# the daily auto-debit serves their loans in id order: the loan that is never repaid comes after the
# two that are, and the late and current ones are applied for late enough that they owe nothing the
# defaulting loan could take before today. The first three go in at the start (at most three within
# 30 days: the application velocity rule), so the defaulting loan is charged off (150 days past due)
# before today.
DEMO_BORROWER_PLAN: tuple[tuple[str, int, int | None], ...] = (
    ("paid_off", 3, None), ("prepaid", 6, None), ("charged_off", 12, None), ("late", 12, 75), ("current", 24, 25),
)
DEMO_LOAN_MINOR = 8_000_00
OPEN_FOR_INVESTMENT = 10


def _demo_simulator_class() -> type:
    from peerlend.domain.lifecycle import LoanStatus
    from peerlend.simulation.engine import Behaviour, Simulator

    pipeline = (LoanStatus.SUBMITTED, LoanStatus.UNDER_REVIEW, LoanStatus.DOCUMENTS_REQUESTED, LoanStatus.APPROVED,
                LoanStatus.LISTED, LoanStatus.FUNDED)

    class DemoSimulator(Simulator):
        """The simulator plus the two demo members: their history is made by the same services, day by day."""

        def __init__(self, config: object, password: str) -> None:
            super().__init__(config)  # type: ignore[arg-type]
            self.password = password
            self.plans: dict[int, str] = {}
            self.demo_investor: User | None = None
            self.demo_borrower: User | None = None

        def setup(self) -> None:
            super().setup()
            investor = _member("demo-investor", ["investor"], self.password, self)
            self.deposit(investor, 200_000_00)
            self.make_suitable(investor)
            # One small note in every loan (not one of the drawn takers: that would add more notes).
            self.favoured.append(investor)
            self.demo_investor = investor
            self.demo_borrower = _member("demo-borrower", ["borrower", "investor"], self.password, self)

        def review(self) -> None:
            self._demo_application()  # every day, also after the other applicants stopped arriving
            super().review()

        def _demo_application(self) -> None:
            from peerlend.lending.services import submit_application

            done = len(self.plans)
            counters = self.state.counters
            # After the showcase's document request and cancellation, so neither lands on the demo borrower.
            if done >= len(DEMO_BORROWER_PLAN) or not (counters["showcase_documents"]
                                                          and counters["showcase_cancelled"]):
                return
            borrower = self.demo_borrower
            mine = Loan.objects.filter(borrower=borrower)
            if mine.filter(status__in=pipeline).exists():
                return
            kind, term, days_before_end = DEMO_BORROWER_PLAN[done]
            end = add_months(self.cfg.start, self.cfg.months)
            if days_before_end is not None and self.today < end - timedelta(days=days_before_end):
                return
            if mine.filter(submitted_on__gte=self.today - timedelta(days=30)).count() >= 3:
                return
            data, _channel = self._application()
            data = replace(data, amount_minor=DEMO_LOAN_MINOR, term_months=term, repayment_method="equal_installment",
                           annual_income_minor=max(data.annual_income_minor, 240_000_00), delinq_2yrs=0,
                           inq_last_6mths=0, acc_now_delinq=0, delinq_amnt_minor=0)
            try:
                loan = submit_application(borrower=borrower, data=data)
            except ApplicationError as exc:
                counters[f"demo_application_refused:{exc.code}"] += 1
                return
            if loan.status == LoanStatus.REJECTED:
                counters["demo_application_rejected"] += 1
                return
            self.plans[loan.pk] = kind

        def planned_behaviour(self, loan: Loan) -> Behaviour | None:
            kind = self.plans.get(loan.pk)
            if kind is None:
                return None
            if kind in ("charged_off", "late"):  # late: its first installment fell due about 45 days ago
                return Behaviour("default", stop_after=0)
            if kind == "prepaid":
                return Behaviour("prepay", prepay_month=1)
            # Cash in on the due date itself ("late" by no days), not the day before as punctual borrowers
            # do: a day early, the auto-debit would give it to the unpaid loan's overdue installments.
            return Behaviour("late", late_days=0)

        def _top_up(self, user: User, needed_minor: int, up_to: int | None = None) -> None:
            # Exactly what is due: cash left over would go to the demo borrower's unpaid loan.
            super()._top_up(user, needed_minor, None if user == self.demo_borrower else up_to)

    return DemoSimulator


def _open_listings(sim: object, wanted: int) -> int:
    """Fresh applications, reviewed and listed today, until ``wanted`` loans are open for investment."""
    from peerlend.lending.models import Loan

    listed = Loan.objects.filter(status="listed").count()
    for _round in range(4):
        if listed >= wanted:
            break
        sim.new_applications(wanted - listed + 3)  # type: ignore[attr-defined]
        sim.review()  # type: ignore[attr-defined]
        listed = Loan.objects.filter(status="listed").count()
    return listed


def _invest_leaving_room(investor: User, loan: Loan, amount_minor: int) -> None:
    """A note of up to ``amount_minor`` that leaves at least one note unit unfunded (the loan stays listed)."""
    from peerlend.lending import services as lending
    from peerlend.simulation.state import UNIT_MINOR

    amount = min(amount_minor, (loan.remaining_minor - UNIT_MINOR) // UNIT_MINOR * UNIT_MINOR)
    if amount < UNIT_MINOR:
        return
    try:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=amount)
    except ApplicationError:
        return


def _investor_products(operator: User, investor: User, today: date) -> None:
    """An open wealth plan and an auto-invest rule of the demo investor, run once over the open
    listings, so that the plan, rule and activity pages show something real."""
    from decimal import Decimal

    from peerlend.investing.autoinvest.engine import run_daily
    from peerlend.investing.autoinvest.rules import RuleInput
    from peerlend.investing.autoinvest.services import create_rule
    from peerlend.investing.plans.services import PlanInput, define_plan, open_plan

    create_rule(investor, RuleInput(name="A-C 200", amount_per_note_minor=200_00, max_per_loan_minor=400_00,
                                    grades=["A", "B", "C"], cash_reserve_minor=10_000_00))
    run_daily(today)
    plan = define_plan(actor=operator, data=PlanInput(
        name="U-12", target_minor=1_000_000_00, subscribe_from=today, subscribe_until=today + timedelta(days=14),
        lock_months=12, exit_months=3, expected_rate_low=Decimal("0.08"), expected_rate_high=Decimal("0.10"),
        grades=["A", "B", "C"]))
    open_plan(actor=operator, plan_id=plan.pk)


@transaction.atomic
def seed_demo(password: str | None = None, *, months: int = DEMO_MONTHS, borrowers: int = 45,
              investors: int = 12) -> list[DemoLogin]:
    """Simulate a few months of history ending today, then add one login per role.

    The demo investor and borrower live through that history (notes and loans in every state:
    current, late, paid off, charged off, prepaid), and at least ten loans are left open for
    investment across grades and terms.
    """
    if demo_already_seeded():
        return []
    from peerlend.accounts.selectors import active_points_of
    from peerlend.accounts.services import assign_agent
    from peerlend.lending import services as lending
    from peerlend.simulation.engine import SimConfig, platform_admin

    password = password or DEMO_PASSWORD
    today = timezone.localdate()
    sim = _demo_simulator_class()(SimConfig(seed=2026, months=months, borrowers=borrowers, investors=investors,
                                            agents=2, showcase=True, start=add_months(today, -months),
                                            # The simulator's campaigns and coupons carry English names and
                                            # messages (data, not translated): the zh-Hans demo goes without.
                                            marketing=False), password)
    sim.run()
    admin = platform_admin()

    logins: list[DemoLogin] = []
    officer = _staff(admin, "demo-risk", Role.RISK_OFFICER, password)
    agent = _staff(admin, "demo-agent", Role.AGENT, password)
    point = active_points_of(sim.state.agents[0]).first() if sim.state.agents else None
    if point is not None:
        assign_agent(admin, agent, point, reason="demo staff")
    _staff(admin, "demo-collections", Role.COLLECTIONS, password)
    _staff(admin, "demo-compliance", Role.COMPLIANCE, password)

    investor, borrower = sim.demo_investor, sim.demo_borrower
    _open_listings(sim, OPEN_FOR_INVESTMENT)
    # The demo borrower's own listing, part funded by the demo investor.
    data, _channel = sim._application()
    data.amount_minor, data.term_months = 30_000_00, 12
    data.annual_income_minor = max(data.annual_income_minor, 240_000_00)
    try:
        loan = lending.submit_application(borrower=borrower, data=data)
    except ApplicationError:
        loan = None
    if loan is not None and loan.status == "under_review":
        loan = lending.approve(officer=officer, loan_id=loan.pk, reason="demo: within policy")
    if loan is not None and loan.status == "listed":
        # Auto-invest rules bought most of it on listing: take part of what is left, leaving it open.
        loan.refresh_from_db()
        _invest_leaving_room(investor, loan, 5_000_00)
    # Something for the demo investor to hold among the open listings, and for the risk officer to review.
    from peerlend.lending.models import Loan as LoanModel

    fresh = LoanModel.objects.filter(status="listed").exclude(borrower=borrower).exclude(notes__investor=investor)
    for other in fresh.order_by("id")[:2]:
        _invest_leaving_room(investor, other, 2_000_00)
    sim.new_applications(2)
    operator = _staff(admin, DEMO_MARKER_USERNAME, Role.OPERATOR, password)
    _investor_products(operator, investor, business_date())

    for username, role in (("demo-investor", "investor"), ("demo-borrower", "borrower"), ("demo-agent", "agent"),
                           ("demo-risk", "risk_officer"), ("demo-collections", "collections"),
                           ("demo-compliance", "compliance"), (DEMO_MARKER_USERNAME, "operator")):
        logins.append(DemoLogin(username, password, role))
    return logins
