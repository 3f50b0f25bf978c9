"""The password-reset throttle holds across processes: it is kept in the database, not in one process's memory.

Each web worker has its own local-memory cache, so a limit kept there lets a second worker (or a restart) send
the member another batch of SMS. "Two processes" are simulated by clearing the local cache between requests.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from peerlend.accounts import passwords
from peerlend.accounts.models import SendThrottle, User
from tests.accounts.onboarding_helpers import member_messages
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _ask_from_a_fresh_process(login: str) -> None:
    cache.clear()  # a different worker: nothing it could remember in memory
    r = Client().post("/password-reset", {"login": login})
    assert r.status_code == 200


def test_the_limit_holds_when_each_request_reaches_another_process():
    user = make_user("vera")
    for _ in range(5):
        _ask_from_a_fresh_process("vera")
    assert len(member_messages(user.pk, "member.sms")) == passwords.RESET_REQUESTS_PER_HOUR


def test_asking_by_username_and_by_address_count_against_the_same_member():
    user = make_user("wen")
    User.objects.filter(pk=user.pk).update(email="wen@example.com")
    for login in ("wen", "WEN@example.com", "wen", "wen@example.com"):
        _ask_from_a_fresh_process(login)
    assert len(member_messages(user.pk, "member.sms")) == passwords.RESET_REQUESTS_PER_HOUR


def test_the_window_passes_and_the_member_may_ask_again():
    user = make_user("xia")
    for _ in range(4):
        _ask_from_a_fresh_process("xia")
    SendThrottle.objects.update(window_started_at=timezone.now() - timedelta(hours=1, seconds=1))
    _ask_from_a_fresh_process("xia")
    assert len(member_messages(user.pk, "member.sms")) == passwords.RESET_REQUESTS_PER_HOUR + 1


def test_an_unknown_login_writes_no_throttle_row():
    _ask_from_a_fresh_process("nobody-here")
    assert not SendThrottle.objects.exists()
