"""An agent's day at a service point, through the pages: register a member who brings a referral code, file
the member's application and record its field verification (实地认证), take a cash repayment at the counter,
and see the month's target progress move.

The staff-performance month of registrations and verifications is read from their timestamps (wall clock),
so this test runs on a business date in the current calendar month, as production does."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from django.utils import timezone
from playwright.sync_api import expect

from peerlend.accounts.models import Role, User
from peerlend.accounts.network.models import FieldVerification
from peerlend.accounts.services import assign_agent, create_service_point
from peerlend.clock import set_business_date
from peerlend.domain.schedule import add_months
from peerlend.domain.validators import make_bank_card, make_resident_id
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.marketing.models_referrals import Referral
from peerlend.marketing.referrals.codes import ensure_code
from peerlend.marketing.staff.targets import TargetInput, set_target
from peerlend.servicing.models import Installment
from tests.e2e.helpers import alert, check_page, log_in
from tests.factories import make_identity, make_staff, make_user
from tests.lending.conftest import deposit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_staff
MEMBER = "zhao_lei"
LOAN_TITLE = "Bicycle repair stall"


def _png() -> bytes:
    """A 1x1 white PNG: what a phone photo looks like to the server's type check."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _point_and_agents() -> tuple[User, User, Any]:
    admin = make_staff(Role.ADMIN)
    point = create_service_point(admin, code="SH-XH01", name="Xuhui store", city="Shanghai",
                                 address="8 Caoxi Rd", reason="opening")
    agent, colleague = make_staff(Role.AGENT), make_staff(Role.AGENT)
    assign_agent(admin, agent, point, reason="store staff")
    assign_agent(admin, colleague, point, reason="store staff")
    return agent, colleague, point


def _disbursed_loan_of_point(agent: User, colleague: User, point: Any, today: date) -> Loan:
    """A borrower verified at the point by a colleague, whose loan the agent filed and which was disbursed a
    month ago: its first installment is due now."""
    set_business_date(add_months(today, -1))
    borrower = make_user(roles=("borrower",), kyc=False)
    make_identity(borrower, agent=colleague, point=point)
    loan = lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=6_000_00, term_months=6, repayment_method="equal_installment", purpose="business",
        title="Noodle cart", annual_income_minor=120_000_00, employment_years=4, housing="rent", revol_util_pct=None),
        agent=agent)
    loan = lending.approve(officer=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, reason="within policy")
    investor = make_user(roles=("investor",))
    deposit(investor, loan.amount_minor)
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=loan.amount_minor)
    set_business_date(today)
    return Loan.objects.get(pk=loan.pk)


def test_agent_registers_verifies_takes_cash_and_sees_targets(page: Any, screenshot_dir: Path) -> None:
    today = timezone.localdate()
    agent, colleague, point = _point_and_agents()
    loan = _disbursed_loan_of_point(agent, colleague, point, today)
    first = Installment.objects.get(loan=loan, number=1)
    assert loan.status == "current" and first.due_date <= today
    installment = first.principal_minor + first.interest_minor
    month = today.replace(day=1)
    set_target(actor=make_staff(Role.OPERATOR), data=TargetInput(month=month, agent_id=agent.pk, service_point_id=None,
               values={"members_registered": 4, "identities_verified": 4, "applications_originated": 2,
                       "loans_repaid_on_time": 2}))
    referrer = make_user(roles=("investor",))
    code = ensure_code(referrer).code

    # Register a member in person, with the referral code the member brought.
    log_in(page, agent.username, STAFF_PASSWORD)
    page.get_by_role("link", name="Agent console").click()
    page.get_by_label("Username").fill(MEMBER)
    page.get_by_label("Real name").fill("赵磊")
    page.get_by_label("Resident ID number").fill(make_resident_id("310104", date(1988, 4, 9), 321))
    page.get_by_label("Mobile number").fill("13712345678")
    page.get_by_label("Bank card number").fill(make_bank_card("622848001234", 16))
    page.get_by_label("Referral code (optional)").fill("NOT-A-CODE")
    page.get_by_role("button", name="Register and verify").click()
    expect(page.get_by_label("Referral code (optional)")).to_have_value("NOT-A-CODE")
    assert not User.objects.filter(username=MEMBER).exists()  # an unknown code registers nobody
    page.get_by_label("Referral code (optional)").fill(code)
    page.get_by_role("button", name="Register and verify").click()
    expect(alert(page, f"Member {MEMBER} registered and verified in person.")).to_be_visible()
    expect(alert(page, f"Referral code {code} recorded")).to_be_visible()
    check_page(page)

    # File the member's application, then record the field verification from the list of filed applications.
    page.locator("#nav summary", has_text="Service point").click()
    page.get_by_role("link", name="Offline applications").click()
    page.get_by_label("Member's username").fill(MEMBER)
    page.get_by_label("Amount (CNY)").fill("20000.00")
    page.get_by_label("Term").select_option(label="12 months")
    page.get_by_label("Repayment method").select_option(label="Equal installments (等额本息)")
    page.get_by_label("Purpose").select_option(label="Small business")
    page.get_by_label("Title").fill(LOAN_TITLE)
    page.get_by_label("Description").fill("Tools and a covered stall by the metro exit.")
    page.get_by_label("Annual income (CNY)").fill("150000.00")
    page.get_by_label("Years employed").fill("5")
    page.get_by_label("Housing").select_option(label="Rent")
    page.get_by_role("button", name="File application").click()
    expect(alert(page, re.compile(rf"Offline application \d+ filed for {MEMBER}"))).to_be_visible()
    filed = page.get_by_role("row").filter(has_text=MEMBER)
    filed.get_by_role("link", name="Field verification").click()
    expect(page.get_by_role("heading", name=re.compile(r"Field verification of application \d+"))).to_be_visible()
    page.get_by_label("Visit date").fill(today.isoformat())
    page.get_by_label("Residence", exact=True).select_option(label="Confirmed")
    page.get_by_label("Notes: Residence").fill("Lives above the stall, lease seen.")
    page.get_by_label("Workplace", exact=True).select_option(label="Confirmed")
    page.get_by_label("Overall result").select_option(label="Pass")
    page.get_by_label("Photos (JPEG or PNG, up to 6, 5 MB each)").set_input_files(
        files=[{"name": "stall.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_role("button", name="Record field verification").click()
    recorded = page.locator("[data-field-verification]")
    expect(recorded).to_have_count(1)
    expect(recorded).to_contain_text("Pass")
    expect(recorded).to_contain_text("Residence: Confirmed — Lives above the stall, lease seen.")
    expect(recorded.get_by_role("link", name="stall.png")).to_be_visible()
    check_page(page)

    # Before the counter: the loan the agent filed has an installment due and unpaid, so it is not on time yet.
    page.locator("#nav summary", has_text="Service point").click()
    page.get_by_role("link", name="My performance").click()
    on_time = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Loans repaid on time", exact=True))
    expect(on_time.get_by_role("cell").nth(1)).to_have_text("0")

    # Take the borrower's installment in cash at the counter.
    page.locator("#nav summary", has_text="Service point").click()
    page.get_by_role("link", name="Counter repayments").click()
    page.get_by_label("Loan number").fill(str(loan.pk))
    page.get_by_label("Amount received (CNY)").fill(f"{installment // 100}.{installment % 100:02d}")
    page.get_by_label("Paid by").select_option(label="Cash")
    page.get_by_role("button", name="Take payment").click()
    expect(alert(page, "Payment received and applied to the loan.")).to_be_visible()
    check_page(page)

    # The month's progress against the targets.
    page.locator("#nav summary", has_text="Service point").click()
    page.get_by_role("link", name="My performance").click()
    expect(page.get_by_role("heading", name=f"My targets and progress, {month:%Y-%m}")).to_be_visible()
    for label, actual, pct in (("Members registered", "1", "25.0%"), ("Identities verified", "1", "25.0%"),
                               ("Applications originated", "1", "50.0%"),
                               ("Loans repaid on time", "1", "50.0%")):
        row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=label, exact=True))
        expect(row.get_by_role("cell").nth(1)).to_have_text(actual)
        expect(row).to_contain_text(pct)
    check_page(page)
    page.screenshot(path=str(screenshot_dir / "agent-day-targets.png"), full_page=True)

    member = User.objects.get(username=MEMBER)
    referral = Referral.objects.get(referee=member)
    assert (referral.referrer_id, referral.agent_id, referral.channel) == (referrer.pk, agent.pk, "agent")
    verification = FieldVerification.objects.get()
    assert (verification.agent_id, verification.result, verification.photos.count()) == (agent.pk, "pass", 1)
    assert Installment.objects.get(pk=first.pk).status == "paid"
