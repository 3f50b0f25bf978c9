"""A member's language is remembered from their latest action for messages sent outside a page; pages follow the
browser; a read stores nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peerlend.accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Passw0rd!x"


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                                           "DELETE"))]


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_page_view_stores_nothing_whatever_the_browser_asks():
    user = make_user(roles=("investor",))
    client = _signed_in(user)
    client.get("/")  # the session's first page, before counting
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    assert _writes(ctx) == []
    user.refresh_from_db()
    assert user.language == ""


def test_the_chosen_language_is_remembered_and_pages_follow_the_browser():
    user = make_user(roles=("investor",))
    phone = _signed_in(user)
    assert phone.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}).status_code == 302
    user.refresh_from_db()
    assert user.language == "zh-hans"
    # Another browser that prefers English is shown English pages (and reading stores nothing).
    laptop = _signed_in(user)
    page = laptop.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page["Content-Language"] == "en"
    user.refresh_from_db()
    assert user.language == "zh-hans"
    # Choosing again anywhere changes the remembered language.
    laptop.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_logging_in_remembers_the_page_language_of_a_member_who_never_chose():
    user = make_user(roles=("investor",))
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    r = client.post("/login", {"username": user.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_logging_in_remembers_the_language_of_the_latest_log_in():
    user = make_user(roles=("investor",))
    user.set_password(PASSWORD)
    user.language = "en"
    user.save()
    r = Client().post("/login", {"username": user.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_a_stored_language_no_longer_offered_is_ignored():
    user = make_user(roles=("investor",))
    User.objects.filter(pk=user.pk).update(language="xx")
    page = _signed_in(user).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and page["Content-Language"] == "zh-hans"


def test_anonymous_visitors_are_served_and_nothing_is_stored():
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    assert Client().post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}).status_code == 302
    assert not User.objects.exclude(language="").exists()
