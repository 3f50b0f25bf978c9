"""The zh-Hans translation: pages render in Chinese when asked, and the catalogue is complete.

The catalogue checks read the shipped .po/.mo with babel, so they need no gettext tools; only the
check that every marked string in the source is in the catalogue runs makemessages (and is skipped
where xgettext is missing).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

from peerlend.clock import set_business_date
from peerlend.lending import services
from peerlend.lending.models import Loan
from tests.factories import make_staff, make_user
from tests.lending.conftest import START, application

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _assert_chinese(page: str, chinese: list[str], english: list[str]) -> None:
    assert '<html lang="zh-hans">' in page
    missing = [s for s in chinese if s not in page]
    leftover = [s for s in english if s in page]
    assert not missing and not leftover, {"missing Chinese": missing, "English left": leftover}


@pytest.fixture
def listed_loan(db: None) -> Callable[[], Loan]:
    set_business_date(START)

    def build() -> Loan:
        data = application(title="Workshop tools 2026")
        loan = services.submit_application(borrower=make_user(roles=("borrower",)), data=data)
        return services.approve(officer=make_staff("risk_officer"), loan_id=loan.pk, reason="within policy")

    return build


@pytest.mark.django_db
def test_home_page_in_chinese(client: Client) -> None:
    page = _text(client.get("/", **ZH))
    _assert_chinese(
        page,
        chinese=["网络借贷信息中介", "银行存管账户", "peerlend 是信息中介平台", "首页", "出借大厅", "登录", "注册"],
        english=["Peer-to-peer lending, online", "information intermediary", ">Home<", ">Log in<"],
    )


@pytest.mark.django_db
def test_home_page_stays_english_by_default(client: Client) -> None:
    page = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en">' in page and "Peer-to-peer lending, online" in page and "网络借贷" not in page


def test_marketplace_in_chinese(client: Client, listed_loan: Callable[[], Loan]) -> None:
    loan = listed_loan()
    page = _text(client.get("/loans/", **ZH))
    with translation.override("zh-hans"):
        assert loan.headline in page
    _assert_chinese(
        page,
        # Headline, purpose and channel labels, the plural "12 个月", the sort options, a column.
        chinese=["可出借的借款项目", "债务整合", "线上", "12 个月", "利率从高到低", "全部等级", "信用等级",
                 "第 1 / 1 页"],
        english=["Loans open for investment", "Debt consolidation", "12 months", "Highest rate", "All grades",
                 "Page 1 of 1"],
    )


@pytest.mark.django_db
def test_empty_marketplace_in_chinese(client: Client) -> None:
    page = _text(client.get("/loans/", **ZH))
    _assert_chinese(page, ["目前没有符合筛选条件的借款项目。"], ["No loan matches these filters right now."])


def test_loan_page_in_chinese(client: Client, listed_loan: Callable[[], Loan]) -> None:
    loan = listed_loan()
    page = _text(client.get(f"/loans/{loan.pk}/", **ZH))
    _assert_chinese(
        page,
        chinese=["年化利率", "募集进度", "借款人信息", "等额本息", "还款计划预览", "登录后出借"],
        english=["Annual rate", "Funding progress", "About the borrower", "Equal installments", "Log in to invest"],
    )


@pytest.mark.django_db
def test_login_page_in_chinese(client: Client) -> None:
    page = _text(client.get("/login", **ZH))
    _assert_chinese(page, chinese=["登录", "新用户？", "注册账户"], english=["New here?", "Create an account"])


@pytest.mark.django_db
def test_login_error_in_chinese(client: Client) -> None:
    page = _text(client.post("/login", {"username": "nobody", "password": "wrong"}, **ZH))
    # The message comes from Django's own zh_Hans catalogue.
    assert "正确的用户名和密码" in page and "Please enter a correct" not in page


@pytest.mark.django_db
def test_language_switch_sets_cookie_and_next_page_is_chinese(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/loans/"})
    assert response.status_code == 302 and response["Location"] == "/loans/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    # The cookie wins over the browser's preference.
    page = _text(client.get("/loans/", HTTP_ACCEPT_LANGUAGE="en"))
    _assert_chinese(page, ["可出借的借款项目"], ["Loans open for investment"])

    client.post("/i18n/setlang/", {"language": "en", "next": "/loans/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Loans open for investment" in _text(client.get("/loans/", **ZH))


@pytest.mark.django_db
def test_language_switch_refuses_unknown_language(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale="zh_Hans")


def test_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    catalog = _read_po(PO)
    assert not catalog.fuzzy, "the header is marked fuzzy"
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    problems = []
    messages = [m for m in catalog if m.id]
    assert len(messages) > 400  # the catalogue was really read
    for m in messages:
        source = m.id if isinstance(m.id, str) else m.id[0]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if m.fuzzy:
            problems.append(("fuzzy", source))
        if isinstance(m.id, (tuple, list)) and len(strings) != 1:
            problems.append(("plural forms != 1", source))
        if not all(s.strip() for s in strings):
            problems.append(("untranslated", source))
        elif any(sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(source)) for s in strings):
            problems.append(("placeholders differ", source))
    assert problems == []
    assert not list(catalog.obsolete), "obsolete entries left in the catalogue"


def test_compiled_catalogue_matches_po() -> None:
    """The shipped .mo is what the .po says, so a clone without gettext still gets every string."""
    def as_key(value: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
        # Plural ids and strings come back as lists from read_mo, tuples from read_po.
        return value if isinstance(value, str) else tuple(value)

    def entries(catalog: Catalog) -> dict[tuple[str | None, str | tuple[str, ...]], str | tuple[str, ...]]:
        # Keyed by context too: "Active" (a plan's state) and "Active" without context differ.
        return {(m.context, as_key(m.id)): as_key(m.string) for m in catalog if m.id}

    po = entries(_read_po(PO))
    with MO.open("rb") as f:
        mo = entries(read_mo(f))
    assert mo == po, "django.mo is stale: run `peerlend compilemessages -l zh_Hans --ignore=.venv`"


@pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
                    reason="needs GNU gettext (xgettext, msgmerge)")
def test_every_marked_string_is_in_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run makemessages on a copy of the source: a new marked string shows up as untranslated."""
    package = Path(settings.BASE_DIR)
    copy = tmp_path / package.name
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    fresh = _read_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    new = sorted(str(m.id) for m in fresh if m.id and (m.fuzzy or not all(
        s.strip() for s in ([m.string] if isinstance(m.string, str) else m.string))))
    assert new == [], ("strings marked for translation but not translated; run makemessages "
                       "-l zh_Hans and translate them", new)
