"""A partial prepayment after the current installment was paid early (issue 12, defect 3), through the pages.

The borrower pays the current installment in full before its due date, then prepays part of the loan. It used to
be refused ("the current installment is partly paid; pay it first"); now it goes through, and what the page says
(the receipt and the rebuilt schedule) is what the books hold.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role
from peerlend.domain.money import format_grouped
from peerlend.ledger.selectors import balances
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.servicing.models import Installment, ServicingPayment
from tests.e2e.helpers import PASSWORD, alert, check_page, log_in, nav_link
from tests.factories import make_staff, make_user
from tests.lending.conftest import deposit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOAN_TITLE = "Print shop laminator"
AMOUNT_MINOR = 12_000_00
PREPAY_MINOR = 3_000_00


def _disbursed_loan(borrower: Any) -> Loan:
    """Approval, funding and payout are not the point here: done through the services."""
    loan = lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=AMOUNT_MINOR, term_months=12, repayment_method="equal_installment", purpose="business",
        title=LOAN_TITLE, annual_income_minor=240_000_00, employment_years=8, housing="rent", revol_util_pct=None,
    ))
    assert loan.status == "under_review", (loan.status, loan.decision_reason)
    lending.approve(officer=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, reason="within policy")
    investor = make_user(roles=("investor",))
    deposit(investor, AMOUNT_MINOR)
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=AMOUNT_MINOR)
    loan.refresh_from_db()
    assert loan.status == "current", loan.status
    return loan


def _schedule(loan: Loan) -> list[Installment]:
    return list(Installment.objects.filter(loan=loan).order_by("number"))


def test_prepay_part_after_paying_the_current_installment_early(page: Any, screenshot_dir: Path) -> None:
    borrower = make_user("zhou_yan", roles=("borrower",), password=PASSWORD)
    loan = _disbursed_loan(borrower)
    first = _schedule(loan)[0]
    log_in(page, borrower.username)
    nav_link(page, "My loans").click()
    page.get_by_role("link", name=LOAN_TITLE).click()
    page.get_by_role("link", name="Pay / prepay").click()

    # The current installment, in full, before its due date.
    page.locator("#pay-amount").fill(format_grouped(first.payment_minor).replace(",", ""))
    page.get_by_role("button", name="Pay from my balance").click()
    expect(alert(page, f"{format_grouped(first.payment_minor)} CNY was taken")).to_be_visible()
    expect(page.locator("#schedule tbody tr").first).to_have_attribute("data-state", "paid")

    # Then part of the loan: accepted, and the page says what really happened.
    page.locator("#prepay-amount").fill(format_grouped(PREPAY_MINOR).replace(",", ""))
    page.get_by_role("button", name="Prepay part").click()
    receipt = page.get_by_role("alert").filter(has_text="CNY was taken")
    expect(receipt).to_have_count(1)
    expect(page.get_by_role("alert").filter(has_text="partly paid")).to_have_count(0)
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "partial-prepayment-1280.png"), full_page=True)

    # The receipt's amounts are the books' amounts.
    prepayment = ServicingPayment.objects.get(loan=loan, kind="partial_prepayment")
    assert 0 < prepayment.amount_minor <= PREPAY_MINOR and prepayment.principal_to_notes_minor > 0
    have = balances(borrower).available_minor
    text = receipt.inner_text()
    assert (f"{format_grouped(prepayment.amount_minor)} CNY was taken from your available balance, which now "
            f"holds {format_grouped(have)} CNY.") in text, text
    assert f"It paid {format_grouped(prepayment.principal_to_notes_minor)} CNY of principal" in text, text
    if prepayment.amount_minor < PREPAY_MINOR:  # only a whole principal amount can be bought: the rest stayed
        assert (f"You entered {format_grouped(PREPAY_MINOR)} CNY, but only {format_grouped(prepayment.amount_minor)}"
                f" CNY could be paid now") in text, text

    # A shorter schedule with the same principal in total, and the page shows it as it stands.
    after = _schedule(loan)
    assert len(after) < 12 and sum(i.principal_minor for i in after) == AMOUNT_MINOR
    unpaid = [i for i in after if i.due_minor > 0]
    assert (f"Still owed: {format_grouped(sum(i.due_minor for i in unpaid))} CNY in {len(unpaid)} installments; "
            f"the next, {format_grouped(unpaid[0].due_minor)} CNY, is due on {unpaid[0].due_date.isoformat()}."
            ) in text, text
    rows = page.locator("#schedule tbody tr")
    expect(rows).to_have_count(len(after))
    for row, inst in zip(rows.all(), after, strict=True):
        expect(row.locator("td").nth(6)).to_have_text(format_grouped(inst.due_minor))
    loan.refresh_from_db()
    assert loan.status == "current"
    assert loan.principal_outstanding_minor == (AMOUNT_MINOR - first.principal_minor
                                                - prepayment.principal_to_notes_minor)
    expect(page.get_by_text(re.compile(r"Partial prepayment"))).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(screenshot_dir / "partial-prepayment-375.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
