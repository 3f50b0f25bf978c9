"""The navigation of every staff role fits one line at 1280 px and needs no sideways scroll at 375 px.

Roles with many entries (operator, compliance, admin) used to wrap the bar onto two lines at 1280 px.
Each role's bar is photographed at both widths, and every entry stays reachable at both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import assign_agent, create_service_point
from tests.e2e.helpers import check_page, log_in
from tests.factories import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Passw0rd!x"  # tests.factories.make_staff
STAFF_ROLES = (Role.OPERATOR, Role.COMPLIANCE, Role.ADMIN, Role.RISK_OFFICER, Role.COLLECTIONS, Role.AGENT,
               Role.REGULATOR)

# The boxes (top, height) of the bar's visible parts: brand, each top-level entry, the language switch.
BAR_PARTS = """() => {
  const bar = document.querySelector('nav.navbar > .container');
  const parts = [bar.querySelector('.navbar-brand'), ...bar.querySelectorAll('.navbar-nav > li'),
                 ...bar.querySelectorAll('#nav > form')];
  return parts.filter(e => e.offsetParent !== null).map(e => {
    const r = e.getBoundingClientRect(); return [e.textContent.trim(), Math.round(r.top), Math.round(r.height)]; });
}"""
# One line of a Bootstrap nav link is 40 px high (24 px text, 2 x 8 px padding); two lines are 64 px.
ONE_LINE_PX = 44
NAV_HREFS = "() => Array.from(document.querySelectorAll('#nav a[href]'), a => a.getAttribute('href'))"
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_navigation_fits_at_1280_and_375(page: Any, screenshot_dir: Path, role: str) -> None:
    user = _staff(role)
    log_in(page, user.username, STAFF_PASSWORD)
    page.goto("/dashboard")
    hrefs = page.evaluate(NAV_HREFS)
    assert len(hrefs) >= 5, hrefs

    # 1280 px: the bar is one line (every part's middle on the same height) and every entry is reachable.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(screenshot_dir / f"staff-nav-{role}-1280.png"))
    parts = page.evaluate(BAR_PARTS)
    wrapped = [name for name, _, height in parts if height > ONE_LINE_PX]
    assert not wrapped, f"{role}: entries wrap onto two lines at 1280 px: {wrapped}"
    bottoms = {top + height for _, top, height in parts}
    assert max(bottoms) - min(bottoms) <= ONE_LINE_PX // 2, f"{role}: the bar is on more than one line: {parts}"
    assert page.evaluate(NO_SIDEWAYS_SCROLL), role
    for href in hrefs:
        link = page.locator(f'#nav a[href="{href}"]').first
        _reveal(page, href)
        expect(link).to_be_visible()
        _close_more(page)

    # 375 px: no sideways scroll with the menu closed or open, and the entries are reachable.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(NO_SIDEWAYS_SCROLL), role
    page.locator(".navbar-toggler").click()
    # Opened, and Bootstrap's collapse animation over (its fixed height while "collapsing" clips the menu).
    expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#nav")).not_to_have_class(re.compile(r"\bcollapsing\b"))
    # One group opens at a time (opening one closes the others): each entry is checked with its group open.
    for group in page.locator("#nav details.nav-more").all():
        group.locator("summary").click()
        assert page.evaluate(NO_SIDEWAYS_SCROLL), role
    page.screenshot(path=str(screenshot_dir / f"staff-nav-{role}-375.png"), full_page=True)
    _close_more(page)
    for href in hrefs:
        _reveal(page, href)
        expect(page.locator(f'#nav a[href="{href}"]').first).to_be_visible()
        _close_more(page)

    # Every entry opens a page the role may see.
    for href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status == 200, (role, href, response and response.status)
    # Leaving a page at once may abort its favicon request; that is the test's haste, not a fault.
    page.problems.failed_requests = [(url, why) for url, why in page.problems.failed_requests
                                     if not url.endswith("/favicon.svg")]
    check_page(page)


def _staff(role: str) -> User:
    """A staff member of ``role``; an agent works at an open service point (their console needs one)."""
    user = make_staff(role)
    if role == Role.AGENT:
        admin = make_staff(Role.ADMIN)
        point = create_service_point(admin, code="SH-PD01", name="Pudong store", city="Shanghai",
                                     address="2 Century Ave", reason="opening")
        assign_agent(admin, user, point, reason="store staff")
    return user


def _reveal(page: Any, href: str) -> None:
    """Open the menu group holding the entry for ``href``, if it is in one."""
    group = page.locator("#nav details.nav-more").filter(has=page.locator(f'a[href="{href}"]'))
    if group.count() and not group.evaluate("d => d.open"):
        group.locator("summary").click()


def _close_more(page: Any) -> None:
    for group in page.locator("#nav details.nav-more[open]").all():
        group.locator("summary").click()
