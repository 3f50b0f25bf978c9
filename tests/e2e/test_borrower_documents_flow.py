"""An online borrower from the quote to a listed loan, through a request for documents (issue 12, defect 5).

The borrower reads the quote and applies; the risk officer asks for a payslip; the borrower finds the request on
their loans page and in their inbox, uploads the payslip from the loan's own page; the application is back in the
review queue with the document; the officer approves and the loan is listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role
from peerlend.lending.models import Loan, LoanDocument
from tests.e2e.helpers import PASSWORD, alert, check_page, log_in, log_out, nav_link
from tests.factories import make_staff, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_staff
ASK = "Your latest payslip, please."
# A tiny but well-formed PDF, as a scanned payslip looks to the server.
PAYSLIP = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")


def test_borrower_uploads_requested_documents_and_the_loan_is_listed(page: Any, screenshot_dir: Path,
                                                                     tmp_path: Path) -> None:
    borrower = make_user("he_ping", roles=("borrower",), password=PASSWORD)
    officer = make_staff(Role.RISK_OFFICER)

    # Quote, then the application.
    log_in(page, borrower.username)
    page.goto("/apply/")
    page.get_by_label("Amount (CNY)").fill("20000")
    page.get_by_label("Term").select_option("24")
    expect(page.locator("#quote-box")).to_contain_text("Effective annual rate including fees (APR)")
    page.get_by_label("Purpose").select_option("business")
    page.get_by_label("Annual income (CNY)").fill("200000")
    page.get_by_label("Years employed").fill("5")
    page.get_by_role("button", name="Submit application").click()
    expect(alert(page, "submitted")).to_be_visible()
    loan = Loan.objects.get(borrower=borrower)
    assert loan.status == "under_review", (loan.status, loan.decision_reason)
    log_out(page, borrower.username)

    # The risk officer asks for documents.
    log_in(page, officer.username, STAFF_PASSWORD)
    nav_link(page, "Review queue").click()
    page.get_by_role("row").filter(has_text="20,000.00").get_by_role("link").first.click()
    page.get_by_label("Decision").select_option(label="Ask for documents")
    page.get_by_label("Reason").fill(ASK)
    page.get_by_role("button", name="Record decision").click()
    # The officer reads the status in words, not its code.
    expect(alert(page, "Decision recorded: the application is now Documents requested.")).to_be_visible()
    expect(page.get_by_text("The queue is empty.")).to_be_visible()
    log_out(page, officer.username)

    # The borrower sees the request on their loans page and in the inbox.
    log_in(page, borrower.username)
    nav_link(page, "Inbox").click()
    notice = page.get_by_role("listitem").filter(has_text=f"Documents needed for application {loan.pk}")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(ASK.rstrip("."))
    nav_link(page, "My loans").click()
    row = page.get_by_role("row").filter(has_text="Documents requested")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Upload the requested documents").click()

    # Upload from the loan's own page: a text file is refused, the PDF is taken.
    upload = page.locator("#documents-upload")
    expect(upload).to_contain_text(f"The risk team asks for: {ASK}")
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "borrower-documents-requested.png"), full_page=True)
    upload.get_by_label("Proof of income").set_input_files(
        files=[{"name": "payslip.txt", "mimeType": "text/plain", "buffer": b"salary"}])
    upload.get_by_role("button", name="Upload documents").click()
    expect(alert(page, "Documents must be PDF, JPEG or PNG files.")).to_be_visible()
    assert not LoanDocument.objects.filter(loan=loan).exists()
    page.locator("#documents-upload").get_by_label("Proof of income").set_input_files(
        files=[{"name": "payslip.pdf", "mimeType": "application/pdf", "buffer": PAYSLIP}])
    page.locator("#documents-upload").get_by_role("button", name="Upload documents").click()
    expect(alert(page, "your documents were received")).to_be_visible()
    expect(page.locator("#documents-upload")).to_have_count(0)
    loan.refresh_from_db()
    assert loan.status == "under_review"
    log_out(page, borrower.username)

    # Back in the queue with the document; the officer approves.
    log_in(page, officer.username, STAFF_PASSWORD)
    nav_link(page, "Review queue").click()
    page.get_by_role("row").filter(has_text="20,000.00").get_by_role("link").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="payslip.pdf").click()
    saved = tmp_path / "payslip.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == PAYSLIP
    page.get_by_label("Decision").select_option(label="Approve")
    page.get_by_label("Reason").fill("Payslip matches the stated income.")
    page.get_by_role("button", name="Record decision").click()
    expect(alert(page, "Decision recorded: the application is now Listed.")).to_be_visible()
    log_out(page, officer.username)

    # Listed: on the borrower's page, in their inbox and on the marketplace.
    log_in(page, borrower.username)
    nav_link(page, "My loans").click()
    expect(page.get_by_role("row").filter(has_text="20,000.00")).to_contain_text("Listed")
    nav_link(page, "Inbox").click()
    expect(page.get_by_role("listitem").filter(has_text=f"Loan {loan.pk} is listed")).to_have_count(1)
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "borrower-documents-inbox.png"), full_page=True)
    nav_link(page, "Marketplace").click()
    expect(page.get_by_role("link", name=loan.headline)).to_be_visible()
    check_page(page)
    loan.refresh_from_db()
    assert loan.status == "listed"
    assert list(loan.documents.values_list("original_name", flat=True)) == ["payslip.pdf"]
