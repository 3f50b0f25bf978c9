"""Marketing in the simulated marketplace: agents' monthly targets, campaigns, coupons and points.

Everything goes through the marketing services an operator, an agent or a member would use
(``create_template``, ``define_campaign``, ``set_target``, ``issue_coupon``/``redeem_offline`` at a
point, ``buy_with_points``, a coupon code at checkout); run-day then runs the due campaigns, awards
and expires points, pays coupons at disbursement and books commissions, as in production.

The O2O rule holds: investment coupons (cash vouchers) are used online at checkout only; at a
service point an agent only hands out and redeems a borrower's origination-fee discount.

Its draws come from a generator of its own (seeded by the simulation's seed), so that marketing adds
no draw to the main generator (the vouchers' cash can still change what an investor can afford).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from peerlend.accounts.models import User
from peerlend.domain.money import format_minor
from peerlend.lending.models import Loan
from peerlend.marketing.coupons.templates import MAX_VALIDITY_DAYS
from peerlend.simulation.market import MarketActions

# A welcome voucher for investors who have not invested yet (a campaign), and one bought with points.
WELCOME_VOUCHER_MINOR = 50_00
WELCOME_MIN_AMOUNT_MINOR = 1_000_00
POINTS_VOUCHER_MINOR = 20_00
POINTS_VOUCHER_COST = 500
POINTS_MIN_AMOUNT_MINOR = 500_00
# A fee discount an agent gives a borrower at the point when filing the application.
FEE_DISCOUNT_MINOR = 30_00
FEE_DISCOUNT_SHARE = 0.25
# An investor holding a voucher uses it on an eligible investment with this probability.
REDEEM_SHARE = 0.6
# On the first of each month, investors with enough points buy a voucher with this probability.
POINTS_BUY_SHARE = 0.5
CAMPAIGN_POINTS = 200


def month_starts(start: date, end: date) -> list[date]:
    """The first days of the months that [start, end) touches, oldest first."""
    from peerlend.marketing.staff.months import first_day, next_month

    months = [first_day(start)]
    while next_month(months[-1]) < end:
        months.append(next_month(months[-1]))
    return months


class MarketingActions(MarketActions):
    """Operators' campaigns and targets, agents' coupons, members' points (a part of ``Simulator``)."""

    def _marketing_init(self) -> None:
        # A seeded generator on purpose: the simulation must replay exactly (not a secret).
        self.mrng = random.Random(self.cfg.seed * 7_919 + 15)  # noqa: S311
        self.templates: dict[str, Any] = {}
        # user id -> [(code, minimum amount)] of their unused cash vouchers, read once a day.
        self._vouchers: dict[int, list[tuple[str, int]]] = {}
        # Kept apart from ``state.counters``: the report's activity figures stay as they were.
        self.marketing_counts: Counter[str] = Counter()

    @property
    def marketing_on(self) -> bool:
        return self.cfg.marketing and bool(self.templates)

    def setup_marketing(self) -> None:
        """The operator's coupon templates, two campaigns and every agent's monthly targets."""
        if not self.cfg.marketing:
            return
        from peerlend.marketing.coupons.templates import TemplateInput, create_template
        from peerlend.marketing.models_coupons import CouponChannel, CouponKind
        from peerlend.simulation.members import platform_admin

        admin = platform_admin()
        start, end = self.cfg.start, self._end()
        until = min(end, start + timedelta(days=MAX_VALIDITY_DAYS))
        make = create_template
        self.templates = {
            "welcome": make(admin, TemplateInput(
                name="Welcome voucher", kind=CouponKind.CASH_VOUCHER, channel=CouponChannel.ONLINE,
                valid_from=start, valid_until=until, value_minor=WELCOME_VOUCHER_MINOR,
                min_amount_minor=WELCOME_MIN_AMOUNT_MINOR)),
            "points": make(admin, TemplateInput(
                name="Points voucher", kind=CouponKind.CASH_VOUCHER, channel=CouponChannel.ONLINE,
                valid_from=start, valid_until=until, value_minor=POINTS_VOUCHER_MINOR,
                min_amount_minor=POINTS_MIN_AMOUNT_MINOR, points_cost=POINTS_VOUCHER_COST)),
            "fee": make(admin, TemplateInput(
                name="Service point fee discount", kind=CouponKind.FEE_DISCOUNT, channel=CouponChannel.OFFLINE,
                valid_from=start, valid_until=until, value_minor=FEE_DISCOUNT_MINOR)),
        }
        self._define_campaigns(admin, start, end)
        self._set_targets(admin, start, end)

    def _end(self) -> date:
        from peerlend.domain.schedule import add_months

        return add_months(self.cfg.start, self.cfg.months)

    def _define_campaigns(self, admin: User, start: date, end: date) -> None:
        """A voucher for investors who never invested (on the first day), points for the best members mid-way.

        Each budget reaches only part of its segment, so the budget is what stops the grants.
        """
        from peerlend.marketing.campaigns.services import CampaignInput, define_campaign
        from peerlend.marketing.models_campaigns import CampaignReward, CampaignSegment

        define_campaign(actor=admin, data=CampaignInput(
            name="Welcome voucher for new investors", segment=CampaignSegment.NEVER_INVESTED,
            reward=CampaignReward.COUPON, coupon_template_id=self.templates["welcome"].pk,
            message=f"A {format_minor(WELCOME_VOUCHER_MINOR)} CNY voucher for your first investment of "
                    f"{format_minor(WELCOME_MIN_AMOUNT_MINOR)} CNY or more.",
            run_on=start, budget=WELCOME_VOUCHER_MINOR * max(1, self.cfg.investors * 2 // 3)))
        define_campaign(actor=admin, data=CampaignInput(
            name="Points for our best members", segment=CampaignSegment.RFM_CHAMPIONS,
            reward=CampaignReward.POINTS, points=CAMPAIGN_POINTS,
            message=f"Thank you: {CAMPAIGN_POINTS} points for you.",
            run_on=start + (end - start) // 2,
            budget=CAMPAIGN_POINTS * max(1, (self.cfg.investors + self.cfg.borrowers) // 10)))

    def _set_targets(self, admin: User, start: date, end: date) -> None:
        """Each agent's targets for each month, near what an agent files in a month (drawn per agent and month)."""
        from peerlend.marketing.staff.targets import TargetInput, set_target

        agents = self.state.agents
        if not agents:
            return
        # Offline applications (30 %) arrive over the first 70 % of the horizon.
        per_month = self.cfg.borrowers * 0.3 / len(agents) / max(1.0, self.cfg.months * 0.7)
        for month in month_starts(start, end):
            for agent in agents:
                factor = self.mrng.choice((0.8, 1.0, 1.2, 1.5))
                files = max(1, round(per_month * factor))
                set_target(actor=admin, data=TargetInput(month=month, agent_id=agent.pk, service_point_id=None, values={
                    "members_registered": files, "identities_verified": files,
                    "applications_originated": files,
                    "amount_originated_minor": files * self.mrng.choice((5_000, 8_000, 10_000)) * 100,
                    "loans_repaid_on_time": max(1, files // 2), "collections_recovered_minor": 0,
                }))

    # ------------------------------------------------------------------ daily

    def marketing_day(self) -> None:
        """Before investing: members buy vouchers with points (on the 1st), unused vouchers are read."""
        if not self.marketing_on:
            return
        if self.today.day == 1 and self.today <= self.templates["points"].valid_until:
            self._buy_with_points()
        from peerlend.marketing.models_coupons import Coupon, CouponKind, CouponStatus

        vouchers: dict[int, list[tuple[str, int]]] = {}
        rows = (Coupon.objects.filter(status=CouponStatus.ISSUED, kind=CouponKind.CASH_VOUCHER,
                                      expires_on__gte=self.today, template__valid_from__lte=self.today)
                .order_by("expires_on", "pk").values_list("user_id", "code", "template__min_amount_minor"))
        for user_id, code, minimum in rows:
            vouchers.setdefault(user_id, []).append((code, minimum))
        self._vouchers = vouchers

    def _buy_with_points(self) -> None:
        from peerlend.marketing.coupons.issuing import buy_with_points
        from peerlend.marketing.models_members import Member

        rich = set(Member.objects.filter(user__in=self.state.investors, balance__gte=POINTS_VOUCHER_COST)
                   .values_list("user_id", flat=True))
        for investor in self.state.investors:
            if investor.pk in rich and self.mrng.random() < POINTS_BUY_SHARE:
                buy_with_points(investor, template_id=self.templates["points"].pk,
                                idempotency_key=f"sim:{self.today.isoformat()}")
                self.marketing_counts["points_vouchers_bought"] += 1

    def coupon_for(self, investor: User, loan: Loan, amount_minor: int) -> str | None:
        """Checkout: the code of an unused voucher the investor holds and may use on this amount (or None)."""
        held = self._vouchers.get(investor.pk) if self.marketing_on else None
        if not held:
            return None
        for i, (code, minimum) in enumerate(held):
            if amount_minor >= minimum:
                if self.mrng.random() >= REDEEM_SHARE:
                    return None
                del held[i]
                self.marketing_counts["vouchers_offered_at_checkout"] += 1
                return code
        return None

    def after_offline_application(self, agent: User, borrower: User, loan: Loan) -> None:
        """At the point: some borrowers get a fee discount, which the agent redeems on their loan at once."""
        if not self.marketing_on or self.mrng.random() >= FEE_DISCOUNT_SHARE:
            return
        from peerlend.marketing.coupons.issuing import issue_coupon
        from peerlend.marketing.coupons.redemption import FEE_OPEN_STATUSES, redeem_offline
        from peerlend.marketing.models_coupons import CouponSource

        # Templates last two years at most: a longer simulation stops handing them out after that.
        if loan.status not in FEE_OPEN_STATUSES or self.today > self.templates["fee"].valid_until:
            return
        coupon = issue_coupon(self.templates["fee"], borrower, source=CouponSource.AGENT,
                              idempotency_key=f"sim:fee:{loan.pk}", today=self.today)
        redeem_offline(agent, coupon.code, loan_id=loan.pk)
        self.marketing_counts["fee_discounts_at_points"] += 1
