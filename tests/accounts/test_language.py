"""Each member's page language is remembered for messages sent away from a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peerlend.accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_signed_in_member_language_is_remembered_and_follows_a_switch():
    user = make_user(roles=("investor",))
    assert user.language == ""
    client = Client()
    client.force_login(user)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    user.refresh_from_db()
    assert user.language == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.get("/")
    user.refresh_from_db()
    assert user.language == "en"


def test_unchanged_language_writes_nothing():
    user = make_user(roles=("investor",))
    client = Client()
    client.force_login(user)
    client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "language" in q["sql"]]


def test_anonymous_visitors_are_served_and_nothing_is_stored():
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    assert not User.objects.exclude(language="").exists()
