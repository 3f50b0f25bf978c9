"""O2O through the pages: an agent registers and verifies a member in person, files an offline application
with an income document; a risk officer reviews and approves it; the loan is on the marketplace; the member
chooses their own password through the one-time link sent by SMS and logs in."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import assign_agent, create_service_point
from peerlend.domain.validators import make_bank_card, make_resident_id, mask_resident_id
from peerlend.lending.models import Loan
from tests.accounts.onboarding_helpers import link_path, member_messages
from tests.e2e.helpers import PASSWORD, alert, check_page, log_in, log_out
from tests.factories import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_staff
LOAN_TITLE = "Tea shop second counter"
# A tiny but well-formed PDF: what a scanned payslip upload looks like to the server.
PAYSLIP = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _staff() -> tuple[User, User]:
    """Staff accounts the UI cannot create: an agent of an open service point, and a risk officer."""
    admin = make_staff(Role.ADMIN)
    point = create_service_point(admin, code="BJ-HD01", name="Haidian store", city="Beijing",
                                 address="1 Zhongguancun St", reason="opening")
    agent = make_staff(Role.AGENT)
    assign_agent(admin, agent, point, reason="store staff")
    return agent, make_staff(Role.RISK_OFFICER)


def test_agent_files_offline_application_and_officer_lists_it(page: Any, screenshot_dir: Path,
                                                               tmp_path: Path) -> None:
    agent, officer = _staff()
    member = "wang_fang"
    resident_id = make_resident_id("310101", date(1985, 11, 3), 456)

    # The agent registers the member and verifies the identity documents in person.
    log_in(page, agent.username, STAFF_PASSWORD)
    page.get_by_role("link", name="Agent console").click()
    expect(page.get_by_text("Service point BJ-HD01 · Haidian store (Beijing)")).to_be_visible()
    page.get_by_label("Username").fill(member)
    # No password here: the agent never knows it (issue 12, defect 8).
    expect(page.locator('input[type="password"]')).to_have_count(0)
    page.get_by_label("Real name").fill("王芳")
    page.get_by_label("Resident ID number").fill(resident_id)
    page.get_by_label("Mobile number").fill("13812345678")
    page.get_by_label("Bank card number").fill(make_bank_card("622848001234", 16))
    page.get_by_role("button", name="Register and verify").click()
    expect(alert(page, f"Member {member} registered and verified in person.")).to_be_visible()
    expect(alert(page, "one-time link")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=member)
    expect(row).to_contain_text("BJ-HD01")
    expect(row).to_contain_text(mask_resident_id(resident_id))
    expect(row).to_contain_text("verified")

    # The agent files the member's application with the payslip checked in person.
    page.locator("#nav summary", has_text="Service point").click()  # the agent's menu group
    page.get_by_role("link", name="Offline applications").click()
    page.get_by_label("Member's username").fill(member)
    page.get_by_label("Amount (CNY)").fill("20000.00")
    page.get_by_label("Term").select_option(label="12 months")
    page.get_by_label("Repayment method").select_option(label="Equal installments (等额本息)")
    page.get_by_label("Purpose").select_option(label="Small business")
    page.get_by_label("Title").fill(LOAN_TITLE)
    page.get_by_label("Description").fill("A second counter for the lunch rush.")
    page.get_by_label("Annual income (CNY)").fill("180000.00")
    page.get_by_label("Years employed").fill("6")
    page.get_by_label("Housing").select_option(label="Rent")
    # Bootstrap styles every field of the form, not only the selects.
    for label in ("Member's username", "Amount (CNY)", "Title", "Description", "Years employed"):
        expect(page.get_by_label(label)).to_have_class(re.compile(r"\bform-control\b"))
    income_document = page.get_by_label("Proof of income (checked in person)")
    # A file that is not a PDF, JPEG or PNG is refused with a message, and the typed answers stay.
    income_document.set_input_files(files=[{"name": "payslip.txt", "mimeType": "text/plain", "buffer": b"salary"}])
    page.get_by_role("button", name="File application").click()
    expect(page.get_by_text("Documents must be PDF, JPEG or PNG files.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(LOAN_TITLE)
    assert not Loan.objects.exists()
    income_document.set_input_files(files=[{"name": "payslip.pdf", "mimeType": "application/pdf", "buffer": PAYSLIP}])
    page.get_by_role("button", name="File application").click()
    expect(alert(page, re.compile(rf"Offline application \d+ filed for {member} \(status: Under review\)"))
           ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=member)).to_contain_text("20,000.00")
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "offline-flow-agent-applications.png"), full_page=True)
    log_out(page, agent.username)

    # The risk officer finds it in the queue, sees who filed it and the verified document, and approves.
    log_in(page, officer.username, STAFF_PASSWORD)
    page.get_by_role("link", name="Review queue").click()
    queued = page.get_by_role("row").filter(has_text="Haidian store")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text("20,000.00")
    queued.get_by_role("link").click()
    expect(page.get_by_role("row", name=re.compile("Channel"))).to_contain_text(
        f"agent {agent.username} · Haidian store")
    expect(page.get_by_role("row", name=re.compile("Income"))).to_contain_text("(verified)")
    document = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="payslip.pdf"))
    expect(document).to_contain_text("checked in person")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="payslip.pdf").click()
    saved = tmp_path / "download.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == PAYSLIP
    page.get_by_label("Decision").select_option(label="Approve")
    page.get_by_label("Reason").fill("Income and identity checked in person; within policy.")
    page.get_by_role("button", name="Record decision").click()
    expect(alert(page, "Decision recorded: the application is now Listed.")).to_be_visible()
    expect(page.get_by_text("The queue is empty.")).to_be_visible()

    # The loan is open for investment on the marketplace, marked as an offline loan with verified income.
    page.get_by_role("link", name="Marketplace").click()
    listed = page.get_by_role("row").filter(has=page.get_by_role("link", name=LOAN_TITLE))
    expect(listed).to_contain_text("Offline service point")
    expect(listed).to_contain_text("20,000.00")
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "offline-flow-marketplace.png"), full_page=True)
    listed.get_by_role("link", name=LOAN_TITLE).click()
    expect(page.get_by_role("row", name=re.compile("Annual income"))).to_contain_text("verified")
    page.screenshot(path=str(screenshot_dir / "offline-flow-loan.png"), full_page=True)
    check_page(page)

    loan = Loan.objects.get(title=LOAN_TITLE)
    assert (loan.status, loan.channel, loan.agent_id, loan.borrower.username) == ("listed", "offline", agent.pk,
                                                                                  member)
    assert loan.income_verified
    borrower = User.objects.get(username=member)
    assert (borrower.channel, borrower.registered_by_id, borrower.identity.verified_by_id) == (
        "offline", agent.pk, agent.pk)

    # The member chooses their own password through the one-time link the outbox sent by SMS.
    page.goto("/")
    log_out(page, officer.username)
    [(kind, sms)] = member_messages(borrower.pk)
    assert kind == "member.sms" and "13812345678" not in sms
    page.goto(link_path(sms))
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(screenshot_dir / "offline-flow-set-password-375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_label("I have read and accept the terms of service and the privacy notice").check()
    page.get_by_role("button", name="Set password").click()
    expect(alert(page, "Your password is set.")).to_be_visible()
    check_page(page)
    log_in(page, member, PASSWORD)
    log_out(page, member)
    page.goto(link_path(sms))  # the link worked once
    expect(page.get_by_text("This link is invalid, expired or used already.")).to_be_visible()
