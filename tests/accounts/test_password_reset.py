"""Issue 12, first hour: password reset by a one-time link (e-mail and SMS, through the outbox), and the terms
of service and privacy notice accepted at registration, stored with their versions and the time."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from peerlend.accounts.models import TermsAcceptance, User
from peerlend.accounts.terms import CURRENT_VERSIONS
from peerlend.ledger.models import OutboxMessage
from tests.accounts.onboarding_helpers import link_path, member_messages
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW = "Brand-new-pass-42"
SENT = "If an account matches, we sent it a link"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()


def _ask(login: str) -> str:
    r = Client().post("/password-reset", {"login": login})
    assert r.status_code == 200
    return r.content.decode()


def _set(path: str, password: str = NEW) -> Client:
    c = Client()
    set_url = c.get(path, follow=True).redirect_chain[-1][0]
    r = c.post(set_url, {"new_password1": password, "new_password2": password, "accept_terms": "on"})
    assert r.status_code == 302 and r["Location"] == "/login", r.content.decode()[-2000:]
    return c


def test_reset_by_username_sends_email_and_sms_and_the_link_works_once():
    user = make_user("olga")  # verified: has a mobile number on file
    User.objects.filter(pk=user.pk).update(email="olga@example.com")
    assert SENT in _ask("olga")
    sent = member_messages(user.pk)
    assert sorted(k for k, _ in sent) == ["member.email", "member.sms"]
    path = link_path(sent[0][1])
    _set(path)
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert "invalid, expired or used already" in Client().get(path, follow=True).content.decode()


def test_reset_by_email_address():
    user = make_user("pia", kyc=False)
    User.objects.filter(pk=user.pk).update(email="Pia@Example.com")
    _ask("pia@example.com")
    [(kind, body)] = member_messages(user.pk)
    assert kind == "member.email"
    _set(link_path(body), "Another-pass-43")
    user.refresh_from_db()
    assert user.check_password("Another-pass-43")


def test_unknown_login_gets_the_same_answer_and_nothing_is_sent():
    make_user("quinn", kyc=False)  # no e-mail, no mobile: cannot be reached either
    assert SENT in _ask("nobody-at-all")
    assert SENT in _ask("quinn")
    assert not OutboxMessage.objects.exists()


def test_reset_requests_are_throttled_per_login():
    user = make_user("rosa")
    for _ in range(5):
        _ask("rosa")
    assert len(member_messages(user.pk, "member.sms")) == 3


def test_forged_link_is_refused():
    user = make_user("sam")
    r = Client().get(f"/password/{user.pk}/1-abc", follow=True)
    assert r.status_code == 200 and "invalid, expired or used already" in r.content.decode()
    assert Client().get("/login").content.decode().count('href="/password-reset"') == 1


def test_registration_requires_the_terms_and_records_versions_and_time():
    c = Client()
    body = {"username": "tara", "password": "Tr1cky-pass-99", "password2": "Tr1cky-pass-99"}
    r = c.post("/register", body)
    assert r.status_code == 400 and "Accept the terms of service" in r.content.decode()
    assert not User.objects.filter(username="tara").exists()
    r = c.post("/register", {**body, "accept_terms": "on"})
    assert r.status_code == 302
    rows = {(a.document, a.version) for a in TermsAcceptance.objects.filter(user__username="tara")}
    assert rows == set(CURRENT_VERSIONS.items())
    assert all(a.accepted_at for a in TermsAcceptance.objects.all())


@pytest.mark.parametrize(("url", "title"), [("/terms", "Terms of service"), ("/privacy", "Privacy notice")])
def test_legal_pages_show_text_and_version(url, title):
    page = Client().get(url).content.decode()
    assert title in page and CURRENT_VERSIONS["terms"] in page
    assert f'href="{url}"' in Client().get("/register").content.decode()
