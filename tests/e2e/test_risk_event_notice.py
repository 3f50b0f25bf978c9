"""A risk event an operator publishes appears on the public disclosure page and in investors' inboxes (issue 16).

The operator drafts the notice from the public page's link, publishes it, and the page lists it; an investor
finds it in the inbox, and the notice's own page shows the full text as the operator typed it (in Chinese).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role
from peerlend.disclosure.models_events import RiskEvent
from tests.e2e.helpers import PASSWORD, alert, check_page, log_in, log_out, nav_link
from tests.factories import make_staff, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_staff
TITLE = "托管银行系统升级暂停提现"
BODY = "2026年3月1日托管银行系统升级，提现暂停一天。"


def test_a_published_risk_event_reaches_the_page_and_the_inbox(page: Any, screenshot_dir: Path) -> None:
    operator = make_staff(Role.OPERATOR)
    investor = make_user("zhou_min", roles=("investor",), password=PASSWORD)

    log_in(page, operator.username, STAFF_PASSWORD)
    page.goto("/disclosure/events")
    expect(page.get_by_text("No major risk event has been published.")).to_be_visible()
    page.get_by_role("link", name="Draft and publish notices").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Text of the notice").fill(BODY)
    page.get_by_label("Language of the text").select_option("zh-hans")
    page.get_by_label("Category").select_option("custody")
    page.get_by_label("Severity").select_option("major")
    page.get_by_label("Date of the event").fill("2026-03-01")
    page.get_by_role("button", name="Save as draft").click()
    expect(alert(page, "saved as a draft")).to_be_visible()
    row = page.locator("tr[data-event]").filter(has_text=TITLE)
    row.get_by_role("button", name="Publish").click()
    expect(alert(page, "is published")).to_be_visible()
    check_page(page)
    log_out(page, operator.username)

    event = RiskEvent.objects.get()
    assert event.status == "published"
    page.goto("/disclosure/events")
    expect(page.locator(f"tr[data-event='{event.pk}']")).to_contain_text(TITLE)
    page.screenshot(path=str(screenshot_dir / "risk-events.png"), full_page=True)

    log_in(page, investor.username)
    nav_link(page, "Inbox").click()
    expect(page.get_by_text(f"Risk event notice: {TITLE}").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "risk-event-inbox.png"), full_page=True)
    page.goto(f"/disclosure/events/{event.pk}")
    expect(page.locator("[data-event-body]")).to_contain_text(BODY)
    check_page(page)
