"""The pages work under the Content-Security-Policy: htmx, auto-submit, confirmations, progress bars, 2FA.

Chromium reports every refused inline script or style on the console; any such report fails the test.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from peerlend.accounts.models import Role
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from tests.e2e.helpers import PASSWORD, check_page, log_in
from tests.factories import make_staff, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Tea shop refit"


def _watch_csp(page: Any) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    return refused


def _application(borrower: Any) -> Loan:
    return lending.submit_application(borrower=borrower, data=lending.ApplicationInput(
        amount_minor=10_000_00, term_months=12, repayment_method="equal_installment", purpose="business",
        title=TITLE, annual_income_minor=180_000_00, employment_years=6, housing="rent", revol_util_pct=None,
    ))


def _password(user: Any) -> Any:
    user.set_password(PASSWORD)
    user.save()
    return user


def test_public_pages_htmx_and_language_switch_under_the_policy(page: Any) -> None:
    refused = _watch_csp(page)
    officer = make_staff(Role.RISK_OFFICER)
    loan = lending.approve(officer=officer, loan_id=_application(make_user(roles=("borrower",))).pk,
                           reason="within policy")
    assert loan.status == "listed"

    page.goto("/loans/")
    bar = page.locator("#market [data-progress]").first
    # site.js sized the bar (no inline style attribute is allowed any more).
    expect(bar).to_have_attribute("style", re.compile(r"width: 0%"))
    # The htmx filter swaps the table: no eval, no injected style, bars sized again.
    page.get_by_label("Term").select_option("6")
    expect(page.locator("#market")).not_to_contain_text(TITLE)
    page.get_by_label("Term").select_option("12")
    expect(page.locator("#market")).to_contain_text(TITLE)
    expect(page.locator("#market [data-progress]").first).to_have_attribute("style", re.compile(r"width: 0%"))

    # The language switch submits itself on change (it used an inline onchange handler before).
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_page(page)
    assert refused == []


def test_cancel_asks_first_under_the_policy(page: Any) -> None:
    refused = _watch_csp(page)
    borrower = _password(make_user(roles=("borrower",)))
    loan = _application(borrower)
    log_in(page, borrower.username)
    page.goto("/my/loans/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/my/loans/$"))
    loan.refresh_from_db()
    assert loan.status != "cancelled"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    loan.refresh_from_db()
    assert loan.status == "cancelled"
    check_page(page)
    assert refused == []


def test_staff_enrol_two_factor_in_the_browser(page: Any, settings: Any) -> None:
    settings.PEERLEND_STAFF_2FA = True
    refused = _watch_csp(page)
    officer = _password(make_staff(Role.RISK_OFFICER))
    page.goto("/login?next=/review/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    # As an app would: from the key shown on the page (nothing is stored before the code confirms it).
    key = page.locator(".otp-secret").inner_text().replace(" ", "")
    assert not TOTPDevice.objects.filter(user=officer).exists()
    code = TOTP(base64.b32decode(key + "=" * (-len(key) % 8))).token()
    page.get_by_label("Code", exact=True).fill(f"{code:06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible()
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    check_page(page)
    assert refused == []


def test_api_docs_render_from_local_files_under_the_policy(page: Any) -> None:
    refused = _watch_csp(page)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("peerlend API")
    page.problems.check()
    assert refused == []
