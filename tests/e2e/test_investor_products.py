"""An investor's products through the pages: an auto-invest rule buys a note, the portfolio, a statement (issue 14).

The investor creates a rule for the grade of a loan under review; the risk officer approves the loan; the rule's
note is on "My notes" marked "Auto" and the activity page says why. A second rule that keeps more cash than the
investor holds passes over the next loan, and the activity page says so in words. The first loan is funded and
repaid once; the portfolio shows NAR and its charts; the month's statement downloads as XLSX and PDF, and its
interest total is the one on the statements page, on the portfolio page and in the books.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from peerlend.accounts.models import Role, User
from peerlend.clock import set_business_date
from peerlend.domain.money import format_grouped, format_minor
from peerlend.investing.models_autoinvest import AutoInvestDecision
from peerlend.ledger.models import AccountKind, Posting
from peerlend.lending import services as lending
from peerlend.lending.models import Loan, Note
from peerlend.servicing import services as servicing
from peerlend.servicing.models import Installment
from tests.e2e.helpers import PASSWORD, alert, check_page, log_in, log_out, nav_link
from tests.factories import make_staff, make_user
from tests.lending.conftest import deposit
from tests.servicing.conftest import young_borrower

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_staff
CASH_MINOR = 2_000_00
NOTE_MINOR = 500_00
FIRST_TITLE = "Tea house refit"
SECOND_TITLE = "Delivery tricycle"
RESERVE_MINOR = 100_000_00
MONTH_AFTER = date(2026, 4, 1)  # the business date once March is closed
STATEMENT_MONTH = "2026-03"


def _application(borrower: User, *, title: str, amount_minor: int, term_months: int) -> Loan:
    loan = lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=amount_minor, term_months=term_months, repayment_method="equal_installment",
        purpose="business", title=title, annual_income_minor=180_000_00, employment_years=6, housing="rent",
        revol_util_pct=None,
    ))
    assert loan.status == "under_review", (loan.status, loan.decision_reason)
    return loan


def _amount_pattern(amount_minor: int) -> str:
    """``1500.00`` or ``1,500.00``."""
    return format_grouped(amount_minor).replace(".", r"\.").replace(",", ",?")


def _investing_link(page: Page, name: str) -> Locator:
    """An entry of the navigation's "Investing" group, with the group opened."""
    group = page.locator("#nav details.nav-more").filter(has=page.locator("summary", has_text="Investing"))
    if not group.evaluate("d => d.open"):
        group.locator("summary").click()
    return group.get_by_role("link", name=name, exact=True)


def _new_rule(page: Page, *, name: str, term: int, reserve: str, grade: str | None = None) -> None:
    """Fill the rule form: one note of 500.00 per loan, up to half the account with one borrower."""
    _investing_link(page, "Auto-invest").click()
    expect(page.get_by_role("heading", name="Auto-invest", exact=True)).to_be_visible()
    page.get_by_role("link", name="New rule").click()
    form = page.locator("#auto-invest-rule-form")
    form.get_by_label("Name").fill(name)
    if grade is not None:
        form.get_by_label(grade, exact=True).check()
    form.get_by_label(str(term), exact=True).check()
    form.get_by_label("Amount per note (CNY)").fill(format_minor(NOTE_MINOR))
    form.get_by_label("Maximum per loan (CNY)").fill(format_minor(NOTE_MINOR))
    form.get_by_label("Maximum share of your account per borrower (%)").fill("50")
    form.get_by_label("Cash to keep uninvested (CNY)").fill(reserve)
    form.get_by_role("button", name="Save").click()
    expect(alert(page, "Auto-invest rule saved.")).to_be_visible()
    expect(page.locator("#auto-invest-rules").get_by_role("row").filter(has_text=name)).to_contain_text("On")


def _activity_row(page: Page, loan: Loan) -> Locator:
    _investing_link(page, "Auto-invest").click()
    page.get_by_role("link", name="Auto-invest activity").click()
    page.get_by_label("Loan number").fill(str(loan.pk))
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#auto-invest-activity tbody tr")
    expect(rows).to_have_count(1)
    return rows.first


def _approve_on_the_review_page(page: Page, loan: Loan) -> None:
    officer = make_staff(Role.RISK_OFFICER)
    log_in(page, officer.username, STAFF_PASSWORD)
    nav_link(page, "Review queue").click()
    page.get_by_role("row").filter(has_text=format_grouped(loan.amount_minor)).get_by_role("link").first.click()
    page.get_by_label("Decision").select_option(label="Approve")
    page.get_by_label("Reason").fill("Within policy.")
    page.get_by_role("button", name="Record decision").click()
    expect(alert(page, "Decision recorded: the application is now Listed.")).to_be_visible()
    log_out(page, officer.username)


def _fund_and_repay_once(loan: Loan, investor: User) -> Installment:
    """The rest of the loan from a manual investor, the payout, and the first installment paid (services)."""
    loan.refresh_from_db()
    rest = loan.amount_minor - loan.funded_minor
    other = make_user(roles=("investor",))
    deposit(other, rest)
    lending.invest(investor=other, loan_id=loan.pk, amount_minor=rest)
    loan.refresh_from_db()
    assert loan.status == "current", loan.status
    first = Installment.objects.get(loan=loan, number=1)
    result = servicing.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=first.payment_minor)
    assert result.paid_minor == first.payment_minor
    return first


def _charts_load(page: Page, responses: dict[str, Any]) -> None:
    """Every chart is an SVG the server drew for this investor, and the browser displayed it.

    The images load lazily: each is scrolled into view and waited for, so none is still loading (and then
    aborted) when the test leaves the page.
    """
    images = page.locator("#portfolio-charts img")
    expect(images).to_have_count(4)
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        src = img.evaluate("i => i.src")
        page.wait_for_function(
            "s => [...document.images].some(i => i.src === s && i.complete && i.naturalWidth > 0)", arg=src)
        response = responses[src]
        assert response.status == 200, (src, response.status)
        assert response.headers["content-type"].startswith("image/svg+xml"), (src, response.headers)


def _download(page: Page, name: str, tmp_path: Path) -> bytes:
    """Prepare the statement in one format (POST), then download it (a stored file)."""
    page.get_by_role("button", name=f"Prepare {name}").click()
    expect(alert(page, f"Your {name} statement for {STATEMENT_MONTH} is ready to download.")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Download {name}").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    return saved.read_bytes()


def _xlsx_total(content: bytes, label: str) -> Decimal:
    """The amount next to ``label`` in the workbook's totals (the first row whose first cell is the label)."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == label:
            return Decimal(str(row[1]))
    raise AssertionError(f"no row {label!r} in the workbook")


def _notes_interest(investor: User) -> int:
    return sum(Note.objects.filter(investor=investor).values_list("interest_received_minor", flat=True))


def test_auto_invest_portfolio_and_statement(page: Any, screenshot_dir: Path, tmp_path: Path) -> None:
    investor = make_user("zhou_min", roles=("investor",), password=PASSWORD)
    deposit(investor, CASH_MINOR)
    first_loan = _application(young_borrower(), title=FIRST_TITLE, amount_minor=12_000_00, term_months=12)

    # A rule for the grade (its letter: "C" for C2) and term of the coming loan, keeping no cash back.
    log_in(page, investor.username)
    _new_rule(page, name="Grade of the tea house", term=12, reserve="0.00", grade=first_loan.grade[0])
    check_page(page)
    log_out(page, investor.username)

    # The officer lists the loan; the rule's round runs as the listing commits.
    _approve_on_the_review_page(page, first_loan)
    note = Note.objects.get(investor=investor, loan=first_loan)
    assert (note.amount_minor, note.auto_invested) == (NOTE_MINOR, True)

    # The note is on "My notes" marked "Auto", and the activity page says why it was bought.
    log_in(page, investor.username)
    nav_link(page, "My notes").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=FIRST_TITLE))
    expect(row).to_have_count(1)
    expect(row.locator("[data-auto]")).to_have_text("Auto")
    expect(row).to_contain_text(format_grouped(NOTE_MINOR))
    placed = _activity_row(page, first_loan)
    expect(placed).to_contain_text("Invested")
    expect(placed).to_contain_text("Note bought")
    expect(placed).to_contain_text(f"Bought a note of {format_minor(NOTE_MINOR)} CNY.")
    expect(placed).to_contain_text(f"#{note.pk}")
    check_page(page)

    # A second rule keeps more cash than the investor holds: it passes over the next loan, with the reason.
    _new_rule(page, name="Short loans, large reserve", term=6, reserve=format_minor(RESERVE_MINOR))
    second_loan = _application(young_borrower(), title=SECOND_TITLE, amount_minor=8_000_00, term_months=6)
    lending.approve(officer=make_staff(Role.RISK_OFFICER), loan_id=second_loan.pk, reason="within policy")
    skipped = _activity_row(page, second_loan)
    expect(skipped).to_contain_text("Not invested")
    expect(skipped).to_contain_text("Cash reserve kept")
    # The figures behind the reason: the cash left after the first note, and the rule's reserve (digits may
    # be grouped or not).
    expect(skipped).to_contain_text(re.compile(
        rf"Your available cash is {_amount_pattern(CASH_MINOR - NOTE_MINOR)} CNY and the rule keeps "
        rf"{_amount_pattern(RESERVE_MINOR)} CNY uninvested\."))
    assert not Note.objects.filter(investor=investor, loan=second_loan).exists()
    assert AutoInvestDecision.objects.get(investor=investor, loan=second_loan).reason == "cash_reserve"
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "investor-products-activity.png"), full_page=True)

    # The first loan is funded and paid out, and its first installment paid; March is then over.
    _fund_and_repay_once(first_loan, investor)
    note.refresh_from_db()
    interest_minor = note.interest_received_minor
    assert interest_minor > 0 and interest_minor == _notes_interest(investor)
    set_business_date(MONTH_AFTER)

    # The portfolio: NAR (a rate, or "New" before a first period ends) and the charts, drawn by the server.
    responses: dict[str, Any] = {}
    page.on("response", lambda r: responses.setdefault(r.url, r) if "/charts/" in r.url else None)
    _investing_link(page, "Portfolio").click()
    expect(page.get_by_role("heading", name="My portfolio")).to_be_visible()
    expect(page.locator('[data-figure="nar"]')).to_have_text(re.compile(r"^\s*(New|-?\d+\.\d{2}%)\s*$"))
    expect(page.locator('[data-figure="interest_received"]')).to_have_text(format_grouped(interest_minor))
    expect(page.locator(f'tr[data-note="{note.pk}"]')).to_contain_text("auto")
    _charts_load(page, responses)
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "investor-products-portfolio.png"), full_page=True)

    # The March statement: its interest total on the page, then the files.
    _investing_link(page, "Statements").click()
    expect(page.get_by_label("Period")).to_have_value(STATEMENT_MONTH)
    expect(page.locator("#statement-title")).to_contain_text(STATEMENT_MONTH)
    interest_row = page.locator("#statement-totals tr").filter(has_text="Interest received")
    expect(interest_row.locator("td").last).to_have_text(format_grouped(interest_minor))
    xlsx = _download(page, "Excel (XLSX)", tmp_path)
    pdf = _download(page, "PDF", tmp_path)
    assert xlsx[:2] == b"PK"
    assert _xlsx_total(xlsx, "Interest received") == Decimal(format_minor(interest_minor))
    assert pdf.startswith(b"%PDF")
    expect(page.locator("#statement-files tbody tr")).to_have_count(2)
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "investor-products-statement.png"), full_page=True)

    # The books: what the repayment posted to the investor's available balance is the note's principal and
    # interest less its fee, so the interest on the pages and in the files is the interest the ledger paid.
    note.refresh_from_db()
    posted = sum(Posting.objects.filter(
        account__owner=investor, account__kind=AccountKind.AVAILABLE, entry__kind="repayment",
        entry__reference=f"loan:{first_loan.pk}", entry__business_date__lt=MONTH_AFTER,
    ).values_list("amount_minor", flat=True))
    assert posted == note.principal_received_minor + interest_minor - note.fees_paid_minor, posted
