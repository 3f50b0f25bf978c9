"""The simulator's marketing (issue 15): agents with targets, campaigns, coupons and points.

One short seeded simulation for the module (rolled back at the end): the report's marketing cost is
the ledger's marketing expense, commissions are the ledger's commission expense, budgets hold,
investment coupons are used online only, agents' figures are recounted from the tables; and the
same seed gives a byte-identical report (JSON and text) from a tiny simulation run twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum

from peerlend.accounts.models import User
from peerlend.ledger.models import JournalEntry, Posting
from peerlend.ledger.services import platform_account
from peerlend.lending.models import Loan
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant
from peerlend.marketing.models_coupons import Coupon, CouponKind, CouponPayout, CouponStatus
from peerlend.marketing.models_members import Member, PointsEntry, PointsReason
from peerlend.marketing.models_staff import Commission, StaffTarget
from peerlend.servicing.models import Installment
from peerlend.simulation.engine import SimConfig, Simulator
from peerlend.simulation.management.commands.simulate import render_text

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CONFIG = SimConfig(seed=5, months=3, borrowers=18, investors=7, agents=2)
TINY = SimConfig(seed=8, months=2, borrowers=8, investors=4, agents=1)


@dataclass
class Run:
    report: dict[str, Any]
    sim: Simulator

    @property
    def m(self) -> dict[str, Any]:
        return self.report["marketing"]


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


def _minor(text: str) -> int:
    return int(Decimal(text) * 100)


def test_books_clean_and_marketing_cost_is_the_ledgers_marketing_expense(run: Run) -> None:
    assert run.report["audit"] == {"clean": True, "violations": []}
    account = platform_account("marketing_expense")
    from_postings = Posting.objects.filter(account=account).aggregate(s=Sum("amount_minor"))["s"] or 0
    payouts = CouponPayout.objects.aggregate(s=Sum("amount_minor"))["s"] or 0
    assert _minor(run.m["cost"]) == payouts == -from_postings == -account.balance_minor > 0
    assert _minor(run.m["ledger_marketing_expense"]) == payouts and run.m["balanced"] is True
    assert sum(_minor(v) for v in run.m["cost_by_kind"].values()) == payouts
    # Every entry on marketing expense is a coupon payment, and each one sums to zero.
    kinds = set(JournalEntry.objects.filter(postings__account=account).values_list("kind", flat=True))
    assert kinds <= {"coupon_cash_voucher", "coupon_fee_discount", "coupon_rate_boost"} and kinds
    for entry in JournalEntry.objects.filter(postings__account=account).distinct():
        assert sum(entry.postings.values_list("amount_minor", flat=True)) == 0
    # Each coupon's paid amount is its payouts; a cash voucher pays its face value once.
    for coupon in Coupon.objects.filter(paid_minor__gt=0).select_related("template"):
        assert coupon.paid_minor == sum(coupon.payouts.values_list("amount_minor", flat=True))
        if coupon.kind == CouponKind.CASH_VOUCHER:
            assert coupon.paid_minor == coupon.template.value_minor


def test_investors_redeem_vouchers_online_only_and_agents_only_fee_discounts(run: Run) -> None:
    redeemed = Coupon.objects.filter(status=CouponStatus.REDEEMED).select_related("note", "template", "loan")
    vouchers = [c for c in redeemed if c.kind == CouponKind.CASH_VOUCHER]
    assert len(vouchers) >= 3
    for c in vouchers:
        assert c.redeemed_channel == "online" and c.note is not None and c.note.investor_id == c.user_id
        assert c.note.amount_minor >= c.template.min_amount_minor
    offline = [c for c in redeemed if c.redeemed_channel == "offline"]
    assert offline, "an agent redeemed a fee discount at a point"
    for c in offline:
        assert c.kind == CouponKind.FEE_DISCOUNT and c.note is None and c.service_point_id is not None
        assert c.loan.agent_id == c.redeemed_by_id and c.loan.borrower_id == c.user_id
    coupons = run.m["coupons"]
    assert coupons["issued"] == Coupon.objects.count() == sum(coupons["issued_by_source"].values())
    assert coupons["redeemed"] == len(redeemed) == sum(coupons["redeemed_by_channel"].values())
    assert coupons["redeemed_by_channel"]["offline"] == len(offline)


def test_campaigns_stay_within_budget_and_the_budget_stops_the_welcome_vouchers(run: Run) -> None:
    rows = {row["name"]: row for row in run.m["campaigns"]}
    assert len(rows) == 2 == Campaign.objects.count()
    for campaign in Campaign.objects.all():
        grants = CampaignGrant.objects.filter(campaign=campaign)
        assert campaign.status == "done" and campaign.spent <= campaign.budget
        assert campaign.spent == (grants.aggregate(s=Sum("cost"))["s"] or 0)
        assert rows[campaign.name]["reached"] == grants.count()
    welcome = Campaign.objects.get(segment="never_invested")
    assert welcome.spent == welcome.budget and welcome.left_out >= 1
    granted = CampaignGrant.objects.filter(campaign=welcome)
    assert granted.count() == welcome.budget // welcome.coupon_template.value_minor
    assert rows[welcome.name]["coupons_redeemed"] == granted.filter(coupon__status=CouponStatus.REDEEMED).count()
    points = Campaign.objects.get(segment="rfm_champions")
    assert PointsEntry.objects.filter(reason=PointsReason.CAMPAIGN_TASK).aggregate(s=Sum("delta"))["s"] == points.spent


def test_points_figures_add_up_and_borrowers_earn_on_time_repayment_points(run: Run) -> None:
    p = run.m["points"]
    entries = PointsEntry.objects.all()
    assert p["balance"] == Member.objects.aggregate(s=Sum("balance"))["s"] == entries.aggregate(s=Sum("delta"))["s"]
    assert p["issued"] == sum(p["issued_by_reason"].values()) > 0
    assert p["issued"] - p["redeemed"] - p["expired"] - p["reversed"] == p["balance"]
    assert p["redeemed"] == run.sim.marketing_counts["points_vouchers_bought"] * 500 > 0
    assert Coupon.objects.filter(source="points").count() == run.sim.marketing_counts["points_vouchers_bought"]
    on_time = entries.filter(reason=PointsReason.ON_TIME_REPAYMENT)
    assert on_time.exists() and p["issued_by_reason"]["on_time_repayment"] == on_time.aggregate(s=Sum("delta"))["s"]
    for entry in on_time:
        inst = Installment.objects.select_related("loan").get(pk=int(entry.reference.split(":")[1]))
        assert inst.paid_on <= inst.due_date and inst.loan.borrower_id == entry.member_id
        assert entry.delta == (inst.principal_minor + inst.interest_minor) // 100_00


def test_agent_performance_recounted_from_the_tables(run: Run) -> None:
    agents = run.m["agents"]
    rows = {row["agent"]: row for row in agents["by_agent"]}
    assert set(rows) == {a.username for a in run.sim.state.agents}
    assert agents["months"] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    for agent in run.sim.state.agents:
        row = rows[agent.username]["metrics"]
        targets = StaffTarget.objects.filter(agent=agent)
        assert targets.count() == 4
        registered = User.objects.filter(registered_by=agent).count()
        filed = Loan.objects.filter(agent=agent, submitted_on__isnull=False)
        assert row["members_registered"]["actual"] == registered > 0
        assert row["identities_verified"]["actual"] == registered
        assert row["applications_originated"]["actual"] == filed.count()
        disbursed = filed.filter(disbursed_on__isnull=False).aggregate(s=Sum("amount_minor"))["s"] or 0
        assert _minor(row["amount_originated"]["actual"]) == disbursed
        for name in ("members_registered", "applications_originated"):
            target = targets.aggregate(s=Sum(name))["s"]
            assert row[name]["target"] == target
            expected = (Decimal(row[name]["actual"]) * 100 / target).quantize(Decimal("0.1"), ROUND_HALF_UP)
            assert row[name]["completion"] == str(expected)
        commissions = Commission.objects.filter(agent=agent).aggregate(s=Sum("amount_minor"))["s"] or 0
        assert _minor(rows[agent.username]["commission"]) == commissions
    booked = Commission.objects.aggregate(s=Sum("amount_minor"))["s"] or 0
    assert booked > 0 and _minor(agents["commission"]["booked"]) == booked
    assert -platform_account("commission_expense").balance_minor == booked and agents["commission"]["balanced"]


def test_text_report_adds_a_marketing_section_and_keeps_the_other_lines(run: Run) -> None:
    text = render_text(run.report)
    without = render_text({k: v for k, v in run.report.items() if k != "marketing"})
    # The section sits before the audit line; every line before and after it is as it was.
    head, tail = without.rsplit("\naudit:", 1)
    assert text.startswith(head + "\n\nmarketing cost: ") and text.endswith("\naudit:" + tail)
    added = text[len(head):-len("\naudit:" + tail)].splitlines()
    assert f"marketing cost: {run.m['cost']} CNY (ledger marketing expense {run.m['cost']}, balanced)" in text
    assert sum(1 for line in added if line.startswith("  sim-agent-")) == len(run.sim.state.agents)
    assert any("Welcome voucher for new investors" in line for line in added)


def test_same_seed_gives_a_byte_identical_report_with_marketing() -> None:
    outputs = []
    for _ in range(2):
        with transaction.atomic():
            report = Simulator(TINY).run()
            outputs.append((json.dumps(report, indent=2, sort_keys=True), render_text(report)))
            transaction.set_rollback(True)
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[0][0])
    assert report["marketing"]["coupons"]["issued"] > 0 and report["marketing"]["balanced"] is True
