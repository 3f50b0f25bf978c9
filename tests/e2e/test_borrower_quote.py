"""A borrower sees the price before applying (issue 12, defect 7): quote box, fee schedule, then the application."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.domain.pricing import price, reference_pd
from peerlend.lending.models import Loan
from tests.e2e.helpers import PASSWORD, alert, check_page, log_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _cny(minor: int) -> str:
    return f"{minor // 100:,}.{minor % 100:02d}"


def test_borrower_sees_the_quote_then_applies(page: Any, screenshot_dir: Path) -> None:
    borrower = make_user("chen_jie", roles=("borrower",), password=PASSWORD)
    log_in(page, borrower.username)
    page.goto("/apply/")
    box = page.locator("#quote-box")
    expect(box).to_contain_text("Enter an amount and a term")

    # Typing the amount and choosing the term updates the box (htmx GET: amount, term, method only).
    with page.expect_request(re.compile(r"/apply/quote\?")) as sent:
        page.get_by_label("Amount (CNY)").fill("30000")
        page.get_by_label("Term").select_option("36")
    query = sent.value.url.split("?", 1)[1]
    assert set(p.split("=")[0] for p in query.split("&")) <= {"amount", "term_months", "repayment_method"}
    a1 = price(reference_pd("A1"), 36)
    a1_fee = int((30_000_00 * a1.origination_fee_rate).to_integral_value())
    expect(box.locator('tr[data-grade="A1"]')).to_contain_text(_cny(a1_fee))
    expect(box.locator('tr[data-grade="A1"]')).to_contain_text(_cny(30_000_00 - a1_fee))
    expect(box).to_contain_text("Effective annual rate including fees (APR)")
    expect(box).to_contain_text("What this is based on")
    check_page(page)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"borrower-quote-{width}.png"), full_page=True)
        # No sideways scrolling of the page itself: the quote table scrolls inside its own box.
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), width

    # A bad amount says why in the box (a 400 the site swaps in), and a good one brings the quote back.
    page.get_by_label("Amount (CNY)").fill("30000.01")
    page.get_by_label("Amount (CNY)").dispatch_event("change")
    expect(box.locator("[data-quote-error]")).to_contain_text("multiple of 50.00")
    page.get_by_label("Amount (CNY)").fill("30000")
    page.get_by_label("Amount (CNY)").dispatch_event("change")
    expect(box.locator('tr[data-grade="E5"]')).to_be_visible()

    # The full fee schedule, then back to apply.
    box.get_by_role("link", name="Full fee schedule").click()
    expect(page.get_by_role("heading", name="Fee schedule")).to_be_visible()
    expect(page.locator('[data-fee="service"]')).to_contain_text("1.00% of every repayment you receive")
    page.screenshot(path=str(screenshot_dir / "fee-schedule-1280.png"), full_page=True)
    page.go_back()

    page.get_by_label("Amount (CNY)").fill("30000")
    page.get_by_label("Term").select_option("36")
    page.get_by_label("Purpose").select_option("debt_consolidation")
    page.get_by_label("Annual income (CNY)").fill("240000")
    page.get_by_label("Years employed").fill("6")
    page.get_by_role("button", name="Submit application").click()
    expect(page).to_have_url(re.compile(r"/my/loans/$"))
    expect(alert(page, "submitted")).to_be_visible()
    loan = Loan.objects.get(borrower=borrower)
    assert loan.amount_minor == 30_000_00 and loan.term_months == 36 and loan.status == "under_review"
    check_page(page)


def test_investor_sees_the_expected_return_before_investing(page: Any, screenshot_dir: Path) -> None:
    from peerlend.accounts.models import Role
    from peerlend.lending import services as lending
    from tests.factories import make_staff

    borrower = make_user(roles=("borrower",))
    loan = lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=30_000_00, term_months=36, repayment_method="equal_installment", purpose="business",
        title="Tea shop fit-out", annual_income_minor=240_000_00, employment_years=6, housing="rent",
        revol_util_pct=None,
    ))
    loan = lending.approve(officer=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, reason="within policy")
    investor = make_user("zhao_min", roles=("investor",), password=PASSWORD)
    log_in(page, investor.username)
    page.goto(f"/loans/{loan.pk}/")
    box = page.locator("[data-investor-quote]")
    expect(box).to_contain_text("Service fee (1.00% of each repayment you receive)")
    expect(box).to_contain_text(f"Expected credit loss of grade {loan.grade}")
    expect(box.locator("[data-expected-net]")).to_have_text(re.compile(r"^\d+\.\d\d%$"))
    check_page(page)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"loan-expected-return-{width}.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), width
