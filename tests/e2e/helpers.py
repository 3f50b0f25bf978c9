"""Steps shared by the browser flows: log in and out through the pages, check the styling and messages."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

PASSWORD = "Str0ng-pass-phrase!"
# Bootstrap 5's .btn-primary background: proves the local vendor stylesheet was applied.
BOOTSTRAP_PRIMARY = "rgb(13, 110, 253)"


def assert_bootstrap_applied(page: Page) -> None:
    """The stylesheet came from the site's own static files (never a CDN) and is in effect."""
    colour = page.evaluate(
        """() => { const b = document.createElement('button'); b.className = 'btn btn-primary';
                   document.body.appendChild(b); const c = getComputedStyle(b).backgroundColor; b.remove();
                   return c; }"""
    )
    assert colour == BOOTSTRAP_PRIMARY, f"Bootstrap is not applied (btn-primary background is {colour})"
    origin = page.evaluate("() => location.origin")
    sheets = page.evaluate("() => Array.from(document.styleSheets).map(s => s.href || '')")
    assert any(h.startswith(f"{origin}/static/vendor/bootstrap") for h in sheets), sheets
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src).filter(Boolean)")
    assert all(src.startswith(origin) for src in [*filter(None, sheets), *scripts]), (sheets, scripts)


def account_menu(page: Page) -> Locator:
    """The navigation's group under the username: the member's own pages and "Log out"."""
    return page.locator("#nav details.nav-more").filter(has=page.locator("summary.nav-user"))


def open_account_menu(page: Page) -> Locator:
    menu = account_menu(page)
    if not menu.evaluate("d => d.open"):
        menu.locator("summary").click()
    return menu


def nav_link(page: Page, name: str) -> Locator:
    """A navigation entry by its label, with its group opened when it sits in one (the account menu)."""
    link = page.locator("#nav").get_by_role("link", name=name, exact=True)
    in_group = account_menu(page).get_by_role("link", name=name, exact=True, include_hidden=True)
    if not link.is_visible() and in_group.count():
        open_account_menu(page)
    return link


def expect_logged_in(page: Page, username: str) -> None:
    expect(account_menu(page).locator("summary")).to_have_text(username)
    expect(account_menu(page).get_by_role("button", name=f"Log out ({username})", include_hidden=True)
           ).to_have_count(1)


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect_logged_in(page, username)


def log_out(page: Page, username: str) -> None:
    open_account_menu(page).get_by_role("button", name=f"Log out ({username})").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()


def alert(page: Page, text: str | re.Pattern[str]) -> Locator:
    """The flash message (role=alert) containing ``text``."""
    return page.get_by_role("alert").filter(has_text=text)


def check_page(page: Any) -> None:
    """No JS error, failed request or missing static file so far, and Bootstrap in effect."""
    page.problems.check()
    assert_bootstrap_applied(page)
