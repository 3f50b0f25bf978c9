"""Members of the simulated marketplace: staff, investors and borrowers, and the cash they move.

Everything goes through the platform's own services (KYC, the sandbox gateway's deposits and
payouts, the investor suitability check), as a member's page or API call would.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time

from peerlend.accounts.models import Channel, Role, User
from peerlend.clock import set_business_date
from peerlend.domain.validators import make_bank_card, make_resident_id
from peerlend.simulation.state import AUTO_INVEST_SHARE, GRADES, REGIONS, SimConfig, SimState


class MemberActions:
    """What members do with their identity and cash (a part of ``Simulator``)."""

    cfg: SimConfig
    rng: random.Random
    state: SimState
    today: date
    _serial: int

    def _username(self, prefix: str) -> str:
        self._serial += 1
        return f"sim-{prefix}-{self.cfg.seed}-{self._serial:05d}"

    def _member(self, prefix: str, roles: list[str], agent: User | None = None) -> User:
        from peerlend.accounts.models import Identity
        from peerlend.accounts.selectors import active_points_of
        from peerlend.accounts.services import verify_identity

        point = active_points_of(agent).first() if agent else None
        # Simulated members never log in: an unusable password keeps set-up fast (no argon2 per member).
        # Joined and verified on the business date, not the wall clock's: staff reports and commissions
        # count members by the month they joined and identities by the month they were verified.
        stamp = business_datetime(self.today)
        user = User.objects.create_user(
            username=self._username(prefix), password=None, roles=roles,
            channel=Channel.OFFLINE if agent else Channel.ONLINE, registered_by=agent, registered_point=point,
            date_joined=stamp, registered_on=self.today,
        )
        rng = self.rng
        resident_id = self._resident_id()
        verify_identity(
            user, real_name=rng.choice("王李张刘陈杨黄赵吴周") + rng.choice("伟芳娜敏静强磊洋"),
            resident_id=resident_id, mobile=f"13{rng.randint(0, 999_999_999):09d}",
            bank_card=self._card(),
            agent=agent, today=self.today,
        )
        Identity.objects.filter(user=user).update(verified_at=stamp)
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
        self.give_auto_invest_rules()

    def give_auto_invest_rules(self) -> None:
        """Most investors (``AUTO_INVEST_SHARE``) let rules buy for them: one or two rules on the grades they like.

        Drawn from a generator of its own (seeded by the simulation's seed), so that adding rules does
        not shift the other draws. Created through the auto-invest service, as the investor's page does.
        """
        from peerlend.investing.autoinvest.rules import RuleInput
        from peerlend.investing.autoinvest.services import create_rule

        # A seeded generator on purpose: the simulation must replay exactly (not a secret).
        rng = random.Random(self.cfg.seed * 7_919 + 14)  # noqa: S311
        investors = self.state.investors
        chosen = rng.sample(investors, round(len(investors) * AUTO_INVEST_SHARE))
        for investor in sorted(chosen, key=lambda u: u.pk):
            liked = sorted(self.state.appetite[investor.pk])
            # Two rules split the liked grades: the safer ones with larger notes, the riskier ones with smaller.
            groups = [liked[: len(liked) // 2], liked[len(liked) // 2:]] if rng.random() < 0.4 else [liked]
            for n, grades in enumerate(groups):
                per_note = rng.choice((200, 500, 1_000, 2_000)) // (n + 1) // 50 * 50 * 100
                cap = rng.choice((None, 30_000, 60_000, 120_000))
                create_rule(investor, RuleInput(
                    name=f"Grades {'/'.join(grades)}", grades=list(grades), amount_per_note_minor=per_note,
                    max_per_loan_minor=per_note * rng.choice((1, 2)),
                    cash_reserve_minor=rng.choice((0, 2_000, 5_000, 10_000)) * 100,
                    monthly_cap_minor=cap * 100 if cap else None,
                ))
                self.state.counters["auto_invest_rules"] += 1
            self.state.auto_investors.append(investor)

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


def business_datetime(day: date) -> datetime:
    """Mid-morning of ``day`` in the platform's time zone: when the simulated members act."""
    from django.utils import timezone

    return datetime.combine(day, time(10, 0), tzinfo=timezone.get_current_timezone())


def platform_admin() -> User:
    """The platform's administrator, bootstrapped on first use (an empty database has none)."""
    from peerlend.accounts.services import bootstrap_admin

    for user in User.objects.filter(is_active=True).order_by("pk"):
        if user.has_role(Role.ADMIN):
            return user
    admin = User.objects.create_user(username="admin", password=None, is_staff=True)
    return bootstrap_admin(admin, reason="first administrator of this installation")
