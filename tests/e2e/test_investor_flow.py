"""A visitor becomes an investor through the pages: register, log in, KYC, sandbox deposit, invest, see the note."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role, User
from peerlend.domain.validators import make_bank_card, make_resident_id, mask_resident_id
from peerlend.ledger.selectors import balances
from peerlend.lending import services as lending
from peerlend.lending.models import Loan, Note
from tests.e2e.helpers import PASSWORD, alert, check_page, expect_logged_in, log_in, log_out, nav_link
from tests.factories import make_staff, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOAN_TITLE = "Bakery oven upgrade"
# The answers of an investor who may buy every grade, as labelled on the questionnaire page.
RISK_ANSWERS = ("18 to 30", "Over 1,000,000 CNY", "Less than 10 %", "Shares, equity funds or online lending",
                "More than 5 years", "More than 15 %", "More than 3 years", "Invest more in higher-rate loans")


def _listed_loan() -> Loan:
    """The UI cannot list a loan without a borrower and an officer: prepare one through the services."""
    borrower = make_user(roles=("borrower",))
    officer = make_staff(Role.RISK_OFFICER)
    loan = lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=10_000_00, term_months=12, repayment_method="equal_installment", purpose="business",
        title=LOAN_TITLE, annual_income_minor=180_000_00, employment_years=6, housing="rent", revol_util_pct=None,
    ))
    assert loan.status == "under_review", (loan.status, loan.decision_reason)
    loan = lending.approve(officer=officer, loan_id=loan.pk, reason="within policy")
    assert loan.status == "listed"
    return loan


def test_visitor_registers_verifies_deposits_and_invests(page: Any, screenshot_dir: Path) -> None:
    loan = _listed_loan()
    username = "lin_wei"

    # Register: the site logs the new member in and sends them to KYC.
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Register").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email (optional)").fill("lin.wei@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("I have read and accept the terms of service and the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/kyc$"))
    expect(alert(page, "Welcome!")).to_be_visible()
    expect_logged_in(page, username)

    # Log out and back in through the login page.
    log_out(page, username)
    log_in(page, username)

    # Deposits are refused before KYC, so verify first.
    nav_link(page, "Verification").click()
    resident_id = make_resident_id("110101", date(1990, 5, 17), 123)
    page.get_by_label("Real name").fill("林伟")
    page.get_by_label("Resident ID number").fill(resident_id)
    page.get_by_label("Mobile number").fill("13912345678")
    page.get_by_label("Bank card number").fill(make_bank_card("622202000012", 16))
    page.get_by_role("button", name="Verify").click()
    expect(alert(page, "Your identity is verified.")).to_be_visible()
    # Shown masked only.
    expect(page.get_by_text(mask_resident_id(resident_id))).to_be_visible()
    expect(page.get_by_text(resident_id, exact=True)).to_have_count(0)

    # Deposit 1,000.00 through the sandbox gateway's pay page.
    nav_link(page, "My account").click()
    expect(page.locator("#balance-available")).to_have_text("0.00 CNY")
    deposit_form = page.locator("form").filter(has=page.get_by_role("heading", name="Deposit"))
    deposit_form.get_by_label(re.compile(r"^Amount")).fill("1000.00")
    deposit_form.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Sandbox payment gateway")).to_be_visible()
    expect(page.get_by_text("1,000.00 CNY")).to_be_visible()
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(alert(page, "Deposit received.")).to_be_visible()
    expect(page.locator("#balance-available")).to_have_text("1,000.00 CNY")

    # Find the loan on the marketplace. Investing needs the risk questionnaire and the risk disclosure
    # first: the loan page links the questionnaire, which leads to the disclosure and back here.
    page.get_by_role("link", name="Marketplace").click()
    page.get_by_role("link", name=LOAN_TITLE).click()
    expect(page.get_by_role("heading", name=LOAN_TITLE)).to_be_visible()
    page.locator("#suitability-notice").get_by_role("link", name="Answer the risk questionnaire").click()
    expect(page.get_by_role("heading", name="Risk questionnaire")).to_be_visible()
    for answer in RISK_ANSWERS:
        page.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="See my risk level").click()
    expect(alert(page, re.compile(r"Your risk level is Aggressive"))).to_be_visible()
    expect(page.get_by_role("heading", name="Risk disclosure")).to_be_visible()
    page.get_by_label("I have read the risk disclosure and understand that I may lose money.").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(alert(page, "your acknowledgement of the risk disclosure is recorded")).to_be_visible()
    expect(page.get_by_role("heading", name=LOAN_TITLE)).to_be_visible()
    expect(page.locator("#suitability-notice")).to_contain_text("Your risk level: Aggressive.")

    # Invest 300.00 in it.
    invest_form = page.locator("form").filter(has=page.get_by_role("button", name="Invest"))
    expect(invest_form.get_by_label("Amount (CNY)")).to_have_class(re.compile(r"\bform-control\b"))
    invest_form.get_by_label("Amount (CNY)").fill("300.00")
    invest_form.get_by_role("button", name="Invest").click()
    expect(alert(page, re.compile(r"Your note \d+ is recorded"))).to_be_visible()
    expect(page.get_by_text("300.00 CNY funded, 9,700.00 CNY left")).to_be_visible()

    # The note is on "My notes" and the amount is frozen on the account page.
    page.get_by_role("link", name="My notes").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=LOAN_TITLE))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("300.00")
    nav_link(page, "My account").click()
    expect(page.locator("#balance-available")).to_have_text("700.00 CNY")
    expect(page.locator("#balance-frozen")).to_have_text("300.00 CNY")
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "investor-flow-account.png"), full_page=True)
    page.get_by_role("link", name="My notes").click()
    page.screenshot(path=str(screenshot_dir / "investor-flow-notes.png"), full_page=True)
    check_page(page)

    # What the pages showed is what the books hold.
    investor = User.objects.get(username=username)
    note = Note.objects.get(investor=investor)
    assert (note.loan_id, note.amount_minor) == (loan.pk, 300_00)
    bal = balances(investor)
    assert (bal.available_minor, bal.frozen_minor) == (700_00, 300_00)
    assert investor.identity.channel == "online"
    assert investor.suitability_assessments.get().level == "aggressive"
    assert investor.disclosure_acknowledgements.filter(version="2026-1").exists()
