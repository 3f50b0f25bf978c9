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


def expect_logged_in(page: Page, username: str) -> None:
    expect(page.get_by_role("button", name=f"Log out ({username})")).to_be_visible()


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect_logged_in(page, username)


def log_out(page: Page, username: str) -> None:
    page.get_by_role("button", name=f"Log out ({username})").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()


def alert(page: Page, text: str | re.Pattern[str]) -> Locator:
    """The flash message (role=alert) containing ``text``."""
    return page.get_by_role("alert").filter(has_text=text)


def check_page(page: Any) -> None:
    """No JS error, failed request or missing static file so far, and Bootstrap in effect."""
    page.problems.check()
    assert_bootstrap_applied(page)
