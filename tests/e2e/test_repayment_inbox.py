"""An investor sees a repayment in the inbox, split into principal, interest and fee (issue 12, defect 6).

The investor funds a whole loan from the loan page; it is paid out; the borrower pays the first installment from
the repayment page; the investor's inbox says what arrived and how it splits, matching the books.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role
from peerlend.domain.money import format_grouped
from peerlend.ledger.selectors import balances
from peerlend.lending import services as lending
from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import Installment
from tests.e2e.helpers import PASSWORD, alert, check_page, log_in, log_out, nav_link
from tests.factories import make_staff, make_user
from tests.lending.conftest import deposit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOAN_TITLE = "Noodle stall awning"
AMOUNT_MINOR = 6_000_00


def _listed_loan(borrower: Any) -> Loan:
    """Listing needs an officer's approval: not the point here, so done through the services."""
    loan = lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=AMOUNT_MINOR, term_months=6, repayment_method="equal_installment", purpose="business",
        title=LOAN_TITLE, annual_income_minor=180_000_00, employment_years=6, housing="rent", revol_util_pct=None,
    ))
    assert loan.status == "under_review", (loan.status, loan.decision_reason)
    loan = lending.approve(officer=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, reason="within policy")
    assert loan.status == "listed"
    return loan


def test_investor_sees_the_repayment_split_in_the_inbox(page: Any, screenshot_dir: Path) -> None:
    borrower = make_user("qian_bo", roles=("borrower",), password=PASSWORD)
    investor = make_user("sun_li", roles=("investor",), password=PASSWORD)
    deposit(investor, AMOUNT_MINOR)
    loan = _listed_loan(borrower)

    # The investor funds the whole loan from its page; it is paid out to the borrower at once.
    log_in(page, investor.username)
    page.goto(f"/loans/{loan.pk}/")
    invest_form = page.locator("form").filter(has=page.get_by_role("button", name="Invest"))
    invest_form.get_by_label("Amount (CNY)").fill(format_grouped(AMOUNT_MINOR).replace(",", ""))
    invest_form.get_by_role("button", name="Invest").click()
    expect(alert(page, "is recorded")).to_be_visible()
    loan.refresh_from_db()
    assert loan.status == "current", loan.status
    note = Note.objects.get(investor=investor)
    nav_link(page, "Inbox").click()
    expect(page.get_by_role("listitem").filter(has_text=f"Note {note.pk} in loan {loan.pk} recorded")
           ).to_have_count(1)
    expect(page.get_by_role("listitem").filter(has_text=f"Loan {loan.pk} paid out: your note {note.pk} is active")
           ).to_have_count(1)
    log_out(page, investor.username)

    # The borrower pays the first installment, early, from the repayment page.
    first = Installment.objects.get(loan=loan, number=1)
    log_in(page, borrower.username)
    nav_link(page, "My loans").click()
    page.get_by_role("link", name=LOAN_TITLE).click()
    page.get_by_role("link", name="Pay / prepay").click()
    page.get_by_label("Amount (CNY)", exact=True).first.fill(format_grouped(first.payment_minor).replace(",", ""))
    page.get_by_role("button", name="Pay from my balance").click()
    expect(alert(page, f"{format_grouped(first.payment_minor)} CNY was taken")).to_be_visible()
    check_page(page)
    log_out(page, borrower.username)

    # The investor's inbox names the loan and the split; the numbers are the ones the books hold.
    note.refresh_from_db()
    principal, interest, fee = note.principal_received_minor, note.interest_received_minor, note.fees_paid_minor
    assert principal == first.principal_minor and interest == first.interest_minor and fee > 0
    net = principal + interest - fee
    log_in(page, investor.username)
    nav_link(page, "Inbox").click()
    repayment = page.get_by_role("listitem").filter(has_text=f"Repayment received from loan {loan.pk}")
    expect(repayment).to_have_count(1)
    expect(repayment).to_contain_text(
        f"{format_grouped(net)} CNY reached your available balance: principal {format_grouped(principal)} CNY "
        f"+ interest {format_grouped(interest)} CNY - service fee {format_grouped(fee)} CNY.")
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "investor-repayment-inbox.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(screenshot_dir / "investor-repayment-inbox-375.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert balances(investor).available_minor == net
