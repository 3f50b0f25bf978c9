"""An investor uses a cash voucher at checkout through the pages and sees it on the note; when the loan is
disbursed the platform pays the voucher into the investor's available cash, booked as marketing expense."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role
from peerlend.ledger import services as ledger
from peerlend.lending import services as lending
from peerlend.lending.models import Loan, Note
from peerlend.marketing.coupons.issuing import issue_coupon
from peerlend.marketing.coupons.templates import TemplateInput, create_template
from peerlend.marketing.models_coupons import Coupon
from tests.e2e.conftest import BUSINESS_DAY
from tests.e2e.helpers import alert, check_page, log_in, nav_link
from tests.factories import make_staff, make_user
from tests.lending.conftest import deposit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_user / make_staff
LOAN_TITLE = "Noodle bar fridge"
LOAN_AMOUNT = 10_000_00


def _listed_loan() -> Loan:
    borrower = make_user(roles=("borrower",))
    loan = lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=LOAN_AMOUNT, term_months=12, repayment_method="equal_installment", purpose="business",
        title=LOAN_TITLE, annual_income_minor=180_000_00, employment_years=6, housing="rent", revol_util_pct=None,
    ))
    assert loan.status == "under_review", (loan.status, loan.decision_reason)
    return lending.approve(officer=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, reason="within policy")


def _voucher(investor: Any) -> Coupon:
    """A 20.00 CNY online cash voucher for investments of 1,000.00 or more, given by an operator."""
    template = create_template(make_staff(Role.OPERATOR), TemplateInput(
        name="Spring voucher", kind="cash_voucher", channel="online", value_minor=20_00,
        min_amount_minor=1_000_00, valid_from=BUSINESS_DAY - timedelta(days=1),
        valid_until=BUSINESS_DAY + timedelta(days=30)))
    return issue_coupon(template, investor, source="operator", idempotency_key="e2e-voucher")


def test_investor_uses_a_cash_voucher_and_sees_it_paid_on_the_note(page: Any, screenshot_dir: Path) -> None:
    loan = _listed_loan()
    investor = make_user(roles=("investor",))
    deposit(investor, 5_000_00)
    coupon = _voucher(investor)

    log_in(page, investor.username, STAFF_PASSWORD)
    nav_link(page, "My coupons").click()
    row = page.locator(f'tr[data-coupon="{coupon.pk}"]')
    expect(row).to_contain_text(coupon.code)
    expect(row).to_contain_text("20.00")
    expect(row).to_contain_text("from 1,000.00 CNY")
    check_page(page)

    # Below the voucher's minimum the checkout refuses it and places nothing.
    page.get_by_role("link", name="Marketplace").click()
    page.get_by_role("link", name=LOAN_TITLE).click()
    invest_form = page.locator("form").filter(has=page.get_by_role("button", name="Invest"))
    invest_form.get_by_label("Amount (CNY)").fill("500.00")
    invest_form.get_by_label("Coupon code (optional)").fill(coupon.code)
    invest_form.get_by_role("button", name="Invest").click()
    expect(alert(page, "this coupon needs an amount of at least 1,000.00 CNY")).to_be_visible()
    assert not Note.objects.filter(investor=investor).exists()

    invest_form = page.locator("form").filter(has=page.get_by_role("button", name="Invest"))
    invest_form.get_by_label("Amount (CNY)").fill("1000.00")
    invest_form.get_by_label("Coupon code (optional)").fill(coupon.code)
    invest_form.get_by_role("button", name="Invest").click()
    expect(alert(page, re.compile(r"Your note \d+ is recorded"))).to_be_visible()
    expect(alert(page, re.compile(r"Your coupon is used on note \d+"))).to_be_visible()
    badge = page.locator("[data-coupon]")
    expect(badge).to_have_text("Cash voucher on an investment · 20.00 CNY")
    check_page(page)

    # Another investor funds the rest; the loan is disbursed and the platform pays the voucher.
    other = make_user(roles=("investor",))
    deposit(other, LOAN_AMOUNT - 1_000_00)
    lending.invest(investor=other, loan_id=loan.pk, amount_minor=LOAN_AMOUNT - 1_000_00)
    assert Loan.objects.get(pk=loan.pk).status == "current"

    page.reload()
    expect(page.locator("[data-coupon]")).to_have_text(
        "Cash voucher on an investment · 20.00 CNY · 20.00 CNY paid by the platform")
    nav_link(page, "My coupons").click()
    row = page.locator(f'tr[data-coupon="{coupon.pk}"]')
    note = Note.objects.get(investor=investor)
    expect(row.get_by_role("link", name=f"note {note.pk}")).to_be_visible()
    expect(row).to_contain_text("20.00 CNY paid by the platform")
    nav_link(page, "My account").click()
    expect(page.locator("#balance-available")).to_have_text("4,020.00 CNY")  # 5,000 - 1,000 + 20
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "coupon-voucher.png"), full_page=True)

    # The books: the voucher is the platform's marketing expense, nothing else is.
    assert -ledger.platform_account("marketing_expense").balance_minor == 20_00
    coupon.refresh_from_db()
    assert (coupon.status, coupon.note_id, coupon.paid_minor) == ("redeemed", note.pk, 20_00)
