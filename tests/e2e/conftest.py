"""Browser tests: Playwright's Python package drives Debian's Chromium against pytest-django's live server.

No browser is downloaded: ``.ci/run`` installs ``chromium`` with apt when it is missing. Locally the tests
skip with a message when /usr/bin/chromium is absent; with ``PEERLEND_E2E_REQUIRED=1`` (set by CI) they fail.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PEERLEND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
BUSINESS_DAY = date(2026, 3, 2)

if os.environ.get("PEERLEND_E2E_REQUIRED") == "1":
    # The test modules skip themselves without the package; in CI that must be an error instead.
    importlib.import_module("playwright.sync_api")


def _missing(reason: str) -> None:
    if os.environ.get("PEERLEND_E2E_REQUIRED") == "1":
        pytest.fail(f"{reason} (PEERLEND_E2E_REQUIRED=1: browser tests must run here)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is missing: `apt-get install -y chromium chromium-driver` to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is missing: `pip install -e '.[dev]'`")
    # Playwright's sync API keeps an asyncio loop running in this thread; Django would otherwise refuse the
    # ORM calls the tests make next to it (data preparation, assertions, the database flush). Set only while
    # browser tests run, so the rest of the suite keeps Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where each flow leaves a picture of its end state (outside the repository)."""
    path = Path(os.environ.get("PEERLEND_E2E_SCREENSHOTS") or tempfile.mkdtemp(prefix="peerlend-e2e-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def _flushable_audit_log(transactional_db: None) -> Iterator[None]:
    """Let the flush after each live-server test empty the audit table on SQLite.

    The audit table's SQLite DELETE trigger (compliance migration 0002) refuses every DELETE, and
    Django's flush between transactional tests is a DELETE on SQLite (PostgreSQL uses TRUNCATE, which
    the trigger leaves alone). The trigger stays in force while the test runs and is lifted only for
    the flush that follows it.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    migration = importlib.import_module("peerlend.compliance.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_FORWARD:
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_REVERSE:
            cursor.execute(sql)


@pytest.fixture
def e2e_env(_flushable_audit_log: None, settings: Any, live_server: Any, tmp_path: Path) -> Any:
    """The live server with a fixed business date, private uploads in a temp dir and real HTTP callbacks."""
    from peerlend.clock import set_business_date

    set_business_date(BUSINESS_DAY)
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    # The sandbox gateway posts its signed callback over HTTP to the live server, as a real gateway would.
    settings.PEERLEND_SANDBOX_CALLBACK_URL = f"{live_server.url}/api/gateway/callback"
    return live_server


class PageProblems:
    """What went wrong in the browser behind the test's back: JS errors, failed or refused requests."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.failed_requests: list[tuple[str, str]] = []
        self.downloads: set[str] = set()

    def check(self) -> None:
        # Chromium reports a navigation that turned into a download as an aborted request.
        items = self.items + [f"request failed: {url} {why}" for url, why in self.failed_requests
                              if not (url in self.downloads and why == "net::ERR_ABORTED")]
        assert items == [], "browser problems:\n" + "\n".join(items)


@pytest.fixture
def page(browser: Any, e2e_env: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=e2e_env.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = PageProblems()
    page.on("pageerror", lambda exc: problems.items.append(f"JS error: {exc}"))
    page.on("requestfailed", lambda req: problems.failed_requests.append((req.url, str(req.failure))))
    page.on("download", lambda download: problems.downloads.add(download.url))

    def on_response(response: Any) -> None:
        # Pages may answer 4xx on purpose; static assets never may.
        if "/static/" in response.url and response.status >= 400:
            problems.items.append(f"static {response.status}: {response.url}")

    page.on("response", on_response)
    page.problems = problems
    yield page
    context.close()
