"""An operator defines a campaign on a segment through the pages, runs it now and reads its results: who was
reached within the budget, who was left out, what it cost, and the outcomes after a reached member invests."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.marketing.coupons.templates import TemplateInput, create_template
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant
from tests.e2e.conftest import BUSINESS_DAY
from tests.e2e.helpers import alert, check_page, log_in
from tests.factories import make_staff, make_user
from tests.lending.conftest import deposit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_staff
CAMPAIGN = "Welcome back voucher"
SEGMENT = "Registered investors who never invested"


def _listed_loan() -> Loan:
    loan = lending.submit_application(borrower=make_user(roles=("borrower",)), data=lending.ApplicationInput(
        amount_minor=10_000_00, term_months=12, repayment_method="equal_installment", purpose="business",
        title="Tailor shop sewing machines", annual_income_minor=180_000_00, employment_years=6, housing="rent",
        revol_util_pct=None))
    return lending.approve(officer=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, reason="within policy")


def test_operator_runs_a_campaign_on_a_segment_and_reads_its_results(page: Any, screenshot_dir: Path) -> None:
    operator = make_staff(Role.OPERATOR)
    create_template(operator, TemplateInput(
        name="Voucher 20", kind="cash_voucher", channel="online", value_minor=20_00,
        valid_from=BUSINESS_DAY - timedelta(days=1), valid_until=BUSINESS_DAY + timedelta(days=60)))
    loan = _listed_loan()
    active = make_user(roles=("investor",))  # has invested already: not in the segment
    deposit(active, 500_00)
    lending.invest(investor=active, loan_id=loan.pk, amount_minor=500_00)
    never = [make_user(roles=("investor",)) for _ in range(3)]  # in the segment, ascending ids

    log_in(page, operator.username, STAFF_PASSWORD)
    page.locator("#nav summary", has_text="Operations").click()
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_label("Name", exact=True).fill(CAMPAIGN)
    page.get_by_label("Segment", exact=True).select_option(label=SEGMENT)
    page.get_by_label("Reward", exact=True).select_option(label="Coupon")
    page.get_by_label("Coupon template").select_option(label="Voucher 20")
    page.get_by_label("Message (in-app, e-mail and SMS)").fill("A 20 CNY voucher for your first investment.")
    page.get_by_label("Run on").fill((BUSINESS_DAY + timedelta(days=7)).isoformat())
    # A coupon campaign needs its budget in CNY: the form says so and keeps what was typed.
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Give the budget in CNY.")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value(CAMPAIGN)
    page.get_by_label("Budget in CNY of coupon value (coupon reward)").fill("40.00")  # two vouchers of three
    page.get_by_role("button", name="Schedule").click()
    expect(alert(page, f"Campaign {CAMPAIGN} scheduled.")).to_be_visible()
    expect(page.get_by_role("heading", name=CAMPAIGN)).to_be_visible()
    expect(page.locator("#campaign-results [data-result=reached]")).to_have_text("0")
    check_page(page)

    page.get_by_role("button", name="Run now").click()
    expect(alert(page, "The campaign ran: 2 members reached.")).to_be_visible()
    results = page.locator("#campaign-results")
    expect(results.locator("[data-result=reached]")).to_have_text("2")
    expect(results.get_by_role("row", name=re.compile("Left out by the budget"))).to_contain_text("1")
    expect(results.locator("[data-result=cost]")).to_have_text("40.00")
    expect(results.locator("[data-result=redeemed]")).to_have_text("0")
    expect(page.get_by_role("button", name="Run now")).to_have_count(0)  # it ran once; it cannot run again
    check_page(page)

    # A reached member invests with the campaign's voucher: the results count the outcome.
    first = CampaignGrant.objects.select_related("coupon").get(user=never[0])
    assert not CampaignGrant.objects.filter(user__in=[never[2], active]).exists()  # budget order, and the segment
    deposit(never[0], 1_000_00)
    lending.invest(investor=never[0], loan_id=loan.pk, amount_minor=1_000_00, coupon_code=first.coupon.code)
    page.reload()
    expect(results.locator("[data-result=redeemed]")).to_have_text("1")
    expect(results.get_by_role("row", name=re.compile("Members who invested after the grant"))).to_contain_text("1")
    expect(results.locator("[data-result=new_investment]")).to_have_text("1,000.00")
    expect(results.get_by_role("row", name=re.compile("Cost per outcome"))).to_contain_text("40.00")

    # The list shows it run, with what it spent against its budget.
    page.get_by_role("link", name="All campaigns").click()
    row = page.locator(f'tr[data-campaign="{Campaign.objects.get().pk}"]')
    expect(row).to_contain_text("Run")
    expect(row).to_contain_text("40.00 / 40.00")
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "campaign-run.png"), full_page=True)
    assert Campaign.objects.get().spent == 40_00
