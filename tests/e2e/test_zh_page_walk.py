"""Every role's menu in Chinese, in the browser: no English left on screen, no sideways scroll at 375 px.

tests/web/test_zh_pages.py reads the HTML the server sends; this walk reads what the browser shows after
the stylesheets and scripts ran (``innerText``: hidden elements left out, htmx fragments swapped in). The
demo is seeded small; each demo role logs in through the Chinese login page and opens every entry of its
menu (the account group included) at 1280 px, and checks each page again at 375 px.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is missing: pip install -e '.[dev]'")

from playwright.sync_api import expect

from peerlend.accounts.models import User
from peerlend.lending.models import Loan
from tests.e2e.conftest import PageProblems
from tests.web.test_zh_pages import UserData, _user_data, english_words

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = ("investor", "borrower", "agent", "risk_officer", "collections", "compliance", "operator")
DEMO_PASSWORD = "demo-Passw0rd!"
# What the browser shows: visible text, and the placeholders and labels of visible fields.
SHOWN_TEXT = """() => {
  const out = [document.title, ...document.body.innerText.split('\\n')];
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (el.offsetParent === null) continue;
    for (const name of ['placeholder', 'aria-label', 'title']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  // Code and commands (<code>, <pre>: model versions, CLI lines) read the same in every language, as in
  // the server-side walk's SKIP_TAGS: their text is taken out of the lines.
  const codes = Array.from(document.querySelectorAll('code, pre'), e => e.innerText.trim()).filter(t => t);
  return out.map(t => codes.reduce((line, c) => line.split(c).join(' '), t)).filter(t => t.trim());
}"""
MENU_HREFS = "() => Array.from(document.querySelectorAll('#nav a[href]'), a => a.getAttribute('href'))"
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


def english_shown(lines: list[str], data: UserData) -> list[str]:
    """The shown lines with a word of three or more ASCII letters nobody could translate away."""
    found = []
    for line in lines:
        rest = line
        for typed in data.texts:
            rest = rest.replace(typed, " ")
        if english_words(rest, data):
            found.append(" ".join(line.split())[:120])
    return found


@pytest.fixture
def demo_logins(_flushable_audit_log: None, settings: Any) -> dict[str, str]:
    """The demo, seeded before ``e2e_env`` routes the sandbox gateway's callbacks over HTTP: the seed runs in
    one transaction, which a callback served by the live server's thread would wait on (SQLite locks)."""
    from peerlend.simulation.demo import seed_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {login.role: login.username for login in seed_demo(DEMO_PASSWORD, months=3, borrowers=12, investors=4)}


def _log_in_in_chinese(page: Any, username: str) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    form = page.locator("main form").filter(has=page.locator('input[name="password"]'))
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(DEMO_PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page.locator("summary.nav-user")).to_have_text(username)


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_entry_is_chinese_and_fits_a_phone(browser: Any, demo_logins: dict[str, str], e2e_env: Any,
                                                      screenshot_dir: Path, role: str) -> None:
    context = browser.new_context(base_url=e2e_env.url, locale="zh-CN", viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"Accept-Language": "zh-Hans,zh;q=0.9"})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = PageProblems()
    page.on("pageerror", lambda exc: problems.items.append(f"JS error: {exc}"))
    try:
        _log_in_in_chinese(page, demo_logins[role])
        data = _user_data(User.objects.get(username=demo_logins[role]))
        page.goto("/dashboard")
        paths = list(dict.fromkeys(page.evaluate(MENU_HREFS)))
        assert len(paths) >= 6, paths
        if role == "borrower":
            paths.append("/apply/?amount=20000&term_months=12")  # the quote box htmx fills in
        if role == "investor":  # a listed loan's page: the expected-return box and the invest form
            listed = Loan.objects.filter(status="listed").order_by("pk").first()
            assert listed is not None
            paths.append(f"/loans/{listed.pk}/")
        english: dict[str, str] = {}
        too_wide: list[str] = []
        for path in paths:
            page.set_viewport_size({"width": 1280, "height": 900})
            response = page.goto(path)
            assert response is not None and response.status == 200, (role, path, response and response.status)
            page.wait_for_load_state("networkidle")
            for line in english_shown(page.evaluate(SHOWN_TEXT), data):
                english.setdefault(line, path)
            page.set_viewport_size({"width": 375, "height": 800})
            if not page.evaluate(NO_SIDEWAYS_SCROLL):
                too_wide.append(path)
                name = path.strip("/").replace("/", "-").split("?")[0] or "home"
                page.screenshot(path=str(screenshot_dir / f"zh-{role}-{name}-375.png"), full_page=True)
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto("/dashboard")
        page.screenshot(path=str(screenshot_dir / f"zh-{role}-dashboard-375.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"zh-{role}-dashboard-1280.png"), full_page=True)
        assert not english, f"English left on {role}'s zh-Hans pages:\n" + "\n".join(
            f"  {path}: {text}" for text, path in sorted(english.items(), key=lambda kv: kv[1]))
        assert not too_wide, f"{role}: these pages scroll sideways at 375 px: {too_wide}"
        problems.check()
    finally:
        context.close()


def test_the_detector_flags_shown_english_and_spares_names_and_codes() -> None:
    data = UserData(words={"demo", "investor"}, texts=["Noodle stall"])
    lines = ["余额 Available", "CNY 100.00", "demo-investor", "Noodle stall · 1-15", "逾期 0 current 0.00"]
    assert english_shown(lines, data) == ["余额 Available", "逾期 0 current 0.00"]
