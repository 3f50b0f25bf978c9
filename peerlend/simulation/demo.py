"""The demo marketplace that `make run` seeds on first start.

A few months of simulated history (loans in every state) plus one login per role. Seeding is
all or nothing (one transaction) and runs once: the demo operator's account marks it done,
so a restart never duplicates data or prints passwords again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from peerlend.accounts.models import Role, User
from peerlend.clock import business_date
from peerlend.domain.schedule import add_months

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


@transaction.atomic
def seed_demo(password: str | None = None, *, months: int = DEMO_MONTHS, borrowers: int = 45,
              investors: int = 12) -> list[DemoLogin]:
    """Simulate a few months of history ending today, then add one login per role."""
    if demo_already_seeded():
        return []
    from peerlend.accounts.selectors import active_points_of
    from peerlend.accounts.services import assign_agent
    from peerlend.lending import services as lending
    from peerlend.simulation.engine import SimConfig, Simulator, platform_admin

    password = password or DEMO_PASSWORD
    today = timezone.localdate()
    sim = Simulator(SimConfig(seed=2026, months=months, borrowers=borrowers, investors=investors, agents=2,
                              showcase=True, start=add_months(today, -months)))
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

    investor = _member("demo-investor", ["investor"], password, sim)
    sim.deposit(investor, 200_000_00)
    borrower = _member("demo-borrower", ["borrower", "investor"], password, sim)
    data, _channel = sim._application()
    data.amount_minor, data.term_months = 30_000_00, 12
    data.annual_income_minor = max(data.annual_income_minor, 240_000_00)
    loan = lending.submit_application(borrower=borrower, data=data)
    if loan.status == "under_review":
        loan = lending.approve(officer=officer, loan_id=loan.pk, reason="demo: within policy")
    if loan.status == "listed":
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=5_000_00)
    # Something for the demo investor to hold and the risk officer to review.
    from peerlend.errors import ApplicationError
    from peerlend.lending.models import Loan

    for other in Loan.objects.filter(status="listed").exclude(pk=loan.pk).order_by("id")[:2]:
        try:
            lending.invest(investor=investor, loan_id=other.pk, amount_minor=min(2_000_00, other.remaining_minor))
        except ApplicationError:
            continue
    sim.new_applications(2)
    _staff(admin, DEMO_MARKER_USERNAME, Role.OPERATOR, password)

    for username, role in (("demo-investor", "investor"), ("demo-borrower", "borrower"), ("demo-agent", "agent"),
                           ("demo-risk", "risk_officer"), ("demo-collections", "collections"),
                           ("demo-compliance", "compliance"), (DEMO_MARKER_USERNAME, "operator")):
        logins.append(DemoLogin(username, password, role))
    return logins
