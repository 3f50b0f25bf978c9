"""Issue 12 defect 14: no English left on a zh-Hans page, for any page a demo role can reach.

The demo is seeded small (every role of ``make run`` logs in); each role's client walks the links of
its pages (GET only, same site, breadth first, capped) in zh-Hans. A text node with a word of three or
more ASCII letters fails the test unless the word is allowed: codes and names that are the same in
both languages (CNY, API, PDF), and data members typed themselves (usernames, loan titles), which a
translation cannot change. It fails on untranslated catalogue entries and on text outside gettext.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from django.db import transaction
from django.test import Client

from peerlend.accounts.models import User

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
MAX_PAGES_PER_ROLE = 60
# A word of three or more ASCII letters standing alone: not part of a hex id or a code like "A1B2C3".
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")
# The first eight hex digits of an order or withdrawal id ("提现 1a2b3c4d"): one made only of a-f is not English.
SHORT_ID = re.compile(r"[a-f]{8}")
# Same in both languages: currency and format codes, the product's name, the language switcher's
# own "English", grade letters and the masked parts of IDs.
ALLOWED = {"CNY", "API", "PDF", "CSV", "URL", "APR", "XIRR", "peerlend", "English", "TOTP", "SMS", "ID",
           "htmx", "JSON", "OpenAPI", "KYC",
           # A return figure known by its abbreviation (as XIRR) and whose definition it follows (a company's
           # name), and the spreadsheet format of statements.
           "NAR", "Lending", "Club", "Excel", "XLSX",
           # The licence every Chinese website files (its official name), and the signature of data filings.
           "ICP", "HMAC", "SHA",
           # An image format offered for download, and the marketing segmentation known by its initials.
           "SVG", "RFM",
           # The population stability index, named by its initials in risk reports in both languages.
           "PSI"}
SKIP_PREFIXES = ("/admin/", "/api/", "/i18n/", "/static/", "/logout", "/sandbox-gateway/pay/")
SKIP_SUFFIXES = (".pdf", ".csv")
SKIP_TAGS = {"script", "style", "code", "pre"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for name in ("title", "placeholder", "aria-label"):
            if values.get(name):
                self.texts.append(values[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data)


@dataclass
class UserData:
    """What members and staff typed, and stored texts: shown as written whatever the page's language.

    ``words`` are single tokens (usernames) allowed anywhere; ``texts`` (loan titles, staff reasons,
    service point names, the member's stored notices) are cut out of a text node before it is checked.
    """

    words: set[str]
    texts: list[str]


def _user_data(user: User) -> UserData:
    from peerlend.accounts.models import ServicePoint
    from peerlend.compliance.models import AuditEvent
    from peerlend.lending.models import Loan, LoanDocument, ReviewDecision
    from peerlend.servicing.models import Notification

    texts = [t for pair in Loan.objects.values_list("title", "description") for t in pair]
    texts += [t for pair in ServicePoint.objects.values_list("name", "city") for t in pair]
    texts += list(LoanDocument.objects.values_list("original_name", flat=True))
    texts += list(ReviewDecision.objects.values_list("reason", flat=True))
    texts += list(AuditEvent.objects.values_list("reason", flat=True))
    # Notices read in the reader's language; only rows written before their values were kept show stored text.
    for subject, body in Notification.objects.filter(user=user).values_list("fallback_subject", "fallback_body"):
        texts += [subject, *body.splitlines()]
    texts = sorted({t.strip() for t in texts if t and WORD.search(t)}, key=len, reverse=True)
    words = {w for name in User.objects.values_list("username", flat=True) for w in WORD.findall(name)}
    return UserData(words=words, texts=texts)


def english_words(text: str, data: UserData) -> list[str]:
    """The words of ``text`` that are English: not typed by a user, not an allowed term, not a short id."""
    return [w for w in WORD.findall(text) if w not in data.words and w not in ALLOWED and not SHORT_ID.fullmatch(w)]


def english_left(html: str, data: UserData | None = None) -> list[str]:
    data = data or UserData(set(), [])
    page = _Page()
    page.feed(html)
    found = []
    for text in page.texts:
        if not WORD.search(text):
            continue
        rest = text
        for typed in data.texts:
            if typed in rest:
                rest = rest.replace(typed, " ")
        if english_words(rest, data):
            found.append(" ".join(text.split())[:120])
    return found


def _walk(client: Client, start: list[str]) -> Iterator[tuple[str, Any]]:
    seen: set[str] = set()
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, **ZH)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield path, html
        page = _Page()
        page.feed(html)
        for href in page.links:
            url = urldefrag(href)[0]
            parsed = urlparse(url)
            if parsed.scheme or parsed.netloc or not parsed.path.startswith("/"):
                continue
            if parsed.path.startswith(SKIP_PREFIXES) or parsed.path.endswith(SKIP_SUFFIXES):
                continue
            queue.append(url)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, User]]:
    from django.test import override_settings

    from peerlend.simulation.demo import seed_demo

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    try:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                logins = seed_demo("demo-Passw0rd!", months=3, borrowers=12, investors=4)
                yield {login.role: User.objects.get(username=login.username) for login in logins}
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
    finally:
        fast.disable()


def test_english_detector_flags_untranslated_text() -> None:
    html = '<html><body><p>余额 Available</p><p>CNY 100.00</p><script>var x = "abc";</script></body></html>'
    assert english_left(html) == ["余额 Available"]
    data = UserData(words={"demo", "investor"}, texts=["Workshop tools"])
    assert english_left("<p>Workshop tools · demo-investor · 92f2dab0</p>", data) == []


@pytest.mark.parametrize("role", ["investor", "borrower", "agent", "risk_officer", "collections", "compliance",
                                  "operator"])
def test_every_page_of_a_demo_role_is_chinese(demo: dict[str, User], role: str, db: None) -> None:
    user = demo[role]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    data = _user_data(user)
    leftovers: dict[str, str] = {}  # each English text once, with the first page showing it
    pages = 0
    for path, html in _walk(client, ["/", "/dashboard", "/login"]):
        pages += 1
        for text in english_left(html, data):
            leftovers.setdefault(text, path)
    assert pages > 3
    assert not leftovers, "English left on zh-Hans pages:\n" + "\n".join(
        f"  {path}: {text}" for text, path in sorted(leftovers.items(), key=lambda kv: kv[1]))


# Refusals a person can trigger by typing: everything but the generators of test data and batch internals.
INTERNAL_FUNCTIONS = {"make_resident_id", "make_credit_code", "make_bank_card", "luhn_check_digit", "late_bucket"}


def _is_refusal(call: Any) -> bool:
    """``ValueError("...")``, or ``super().__init__("...")`` in a ValueError subclass (AmountTooLarge)."""
    import ast

    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "ValueError"
    return (isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call)
            and getattr(func.value.func, "id", "") == "super")


def _domain_refusals() -> list[tuple[str, str]]:
    """(function, sample text) of every ``raise ValueError(...)`` in the domain modules that parse input."""
    import ast
    from pathlib import Path

    import peerlend.domain

    root = Path(peerlend.domain.__file__).parent
    found = []
    for name in ("money.py", "validators.py", "lifecycle.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or fn.name in INTERNAL_FUNCTIONS:
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and node.args and _is_refusal(node):
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append((fn.name, arg.value))
                    elif isinstance(arg, ast.JoinedStr):  # an f-string: a sample value for each placeholder
                        found.append((fn.name, "".join(v.value if isinstance(v, ast.Constant) else "7"
                                                       for v in arg.values)))
    return found


def test_every_domain_refusal_has_a_translated_message() -> None:
    from peerlend.domain_errors import match

    refusals = _domain_refusals()
    assert len(refusals) > 30
    missing = [f"{fn}: {text}" for fn, text in refusals if match(text) is None]
    assert not missing, "add these to peerlend/domain_errors.py MESSAGES:\n  " + "\n  ".join(missing)


def test_a_negative_amount_is_refused_in_the_readers_words(client: Client, db: None) -> None:
    # Defect 14: "a negative income answered 'amount must be positive'" on the Chinese form.
    from tests.factories import make_user

    client.force_login(make_user(roles=("borrower",)))
    page = client.post("/apply/", {"amount": "10000", "term_months": "12", "annual_income": "-5"}, **ZH)
    html = page.content.decode()
    assert "amount must be positive" not in html and "annual_income" not in html.split("<form")[0]


def test_a_short_hex_id_is_not_english_but_a_word_is() -> None:
    none = UserData(set(), [])
    assert english_words("提现 fddddaab", none) == []
    assert english_words("Withdrawal fddddaab", none) == ["Withdrawal"]
