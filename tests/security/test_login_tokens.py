"""Login throttling per client address, trusted proxies, API token expiry, refresh, list and revoke."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from peerlend.accounts.lockout import client_address
from peerlend.accounts.models import ApiToken
from peerlend.api.auth import issue_token
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SPRAYED = "Summer2026!"
ATTACKER = "203.0.113.7"
VICTIM = "198.51.100.23"
PROXY = "192.0.2.10"


@pytest.fixture(autouse=True)
def _limits(settings):
    # Per username+address: 5 (as in production); per address over all usernames: 20.
    settings.AXES_FAILURE_LIMIT = 5
    settings.PEERLEND_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    settings.PEERLEND_TRUSTED_PROXIES = [PROXY]
    # Hundreds of log-in attempts: a fast hasher keeps the module quick (argon2 is tested elsewhere).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _token(client: Client, username: str, password: str, **extra: str):
    return client.post("/api/auth/token", {"username": username, "password": password},
                       content_type="application/json", **extra)


def _spray(client: Client, n: int = 30, **extra: str) -> list[int]:
    return [_token(client, f"member{i:02d}", SPRAYED, **extra).status_code for i in range(n)]


# --- per-address throttling ---------------------------------------------------------------------

def test_spraying_one_password_over_many_usernames_is_throttled(client):
    statuses = _spray(client, REMOTE_ADDR=ATTACKER)
    assert statuses[:19] == [401] * 19, statuses
    assert 429 in statuses and set(statuses[statuses.index(429):]) == {429}, statuses
    r = _token(client, "member99", SPRAYED, REMOTE_ADDR=ATTACKER)
    assert r.status_code == 429 and r.json()["code"] == "locked_out"
    assert "address" in r.json()["detail"]


def test_throttled_address_refuses_even_a_right_password_but_other_addresses_log_in(client):
    user = make_user(kyc=False)
    _spray(client, REMOTE_ADDR=ATTACKER)
    assert _token(client, user.username, "Passw0rd!x", REMOTE_ADDR=ATTACKER).status_code == 429
    assert _token(client, user.username, "Passw0rd!x", REMOTE_ADDR=VICTIM).status_code == 200


def test_web_login_page_is_throttled_per_address_too(client):
    for i in range(25):
        r = client.post("/login", {"username": f"member{i:02d}", "password": SPRAYED}, REMOTE_ADDR=ATTACKER)
    assert r.status_code == 429


def test_successful_login_does_not_reset_the_address_count(client):
    # An attacker with an account of their own logs in between sprays: only their own attempts reset.
    own = make_user(kyc=False)
    statuses = []
    for i in range(30):
        statuses.append(_token(client, f"member{i:02d}", SPRAYED, REMOTE_ADDR=ATTACKER).status_code)
        if i % 4 == 3:
            _token(client, own.username, "Passw0rd!x", REMOTE_ADDR=ATTACKER)
    assert 429 in statuses


# --- client address and proxies -------------------------------------------------------------------

def test_forged_forwarded_for_from_an_untrusted_address_is_ignored(client):
    victim = make_user(kyc=False)
    # The attacker claims to be the victim's address; the count goes to the attacker's own address.
    statuses = _spray(client, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    assert 429 in statuses
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert _token(client, victim.username, "Passw0rd!x", REMOTE_ADDR=VICTIM).status_code == 200


def test_forwarded_for_from_a_trusted_proxy_names_the_client(client):
    user = make_user(kyc=False)
    statuses = _spray(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert 429 in statuses
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # Another client behind the same proxy is not locked out.
    assert _token(client, user.username, "Passw0rd!x", REMOTE_ADDR=PROXY,
                  HTTP_X_FORWARDED_FOR=VICTIM).status_code == 200


def test_a_value_forged_before_the_trusted_proxy_is_not_believed(client):
    # The client sent "X-Forwarded-For: VICTIM"; the proxy appended the real peer address.
    _spray(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.parametrize(("meta", "expected"), [
    ({"REMOTE_ADDR": ATTACKER}, ATTACKER),
    ({"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": VICTIM}, ATTACKER),
    ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": VICTIM}, VICTIM),
    ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{VICTIM}, {ATTACKER}"}, ATTACKER),
    ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{ATTACKER}, {PROXY}"}, ATTACKER),
    ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY),
    ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ""}, PROXY),
    ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "2001:db8::1"}, "2001:db8::1"),
])
def test_client_address(rf, meta, expected):
    assert client_address(rf.get("/", **meta)) == expected


def test_trusted_proxies_may_be_networks(rf, settings):
    settings.PEERLEND_TRUSTED_PROXIES = ["10.8.0.0/16"]
    assert client_address(rf.get("/", REMOTE_ADDR="10.8.3.4", HTTP_X_FORWARDED_FOR=VICTIM)) == VICTIM
    assert client_address(rf.get("/", REMOTE_ADDR="10.9.3.4", HTTP_X_FORWARDED_FOR=VICTIM)) == "10.9.3.4"


# --- API tokens: expiry, refresh, list, revoke ----------------------------------------------------

def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_expires_after_the_configured_days(client, settings):
    user = make_user(kyc=False)
    raw = issue_token(user)
    row = ApiToken.objects.get(user=user)
    assert dt.timedelta(days=29, hours=23) < row.expires_at - timezone.now() <= dt.timedelta(days=30)
    settings.PEERLEND_API_TOKEN_DAYS = 2
    issue_token(user)
    newest = ApiToken.objects.filter(user=user).latest("pk")
    assert newest.expires_at - timezone.now() <= dt.timedelta(days=2)
    assert client.get("/api/me", **_bearer(raw)).status_code == 200


def test_expired_token_is_401_token_expired(client):
    user = make_user(kyc=False)
    raw = issue_token(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.get("/api/me", **_bearer(raw))
    assert r.status_code == 401 and r.json()["code"] == "token_expired" and r.json()["detail"]


def test_refresh_gives_a_new_token_and_revokes_the_old(client):
    user = make_user(kyc=False)
    old = issue_token(user)
    r = client.post("/api/auth/token/refresh", **_bearer(old))
    assert r.status_code == 200, r.content
    new = r.json()["token"]
    assert new != old and r.json()["expires_at"]
    assert client.get("/api/me", **_bearer(old)).status_code == 401
    assert client.get("/api/me", **_bearer(new)).json()["username"] == user.username
    assert client.post("/api/auth/token/refresh", **_bearer(old)).status_code == 401


def test_expired_token_cannot_be_refreshed(client):
    user = make_user(kyc=False)
    raw = issue_token(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.post("/api/auth/token/refresh", **_bearer(raw))
    assert r.status_code == 401 and r.json()["code"] == "token_expired"
    assert ApiToken.objects.filter(user=user).count() == 1


def test_refresh_needs_a_bearer_token(client):
    client.force_login(make_user(kyc=False))
    r = client.post("/api/auth/token/refresh")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def test_list_tokens_shows_the_callers_tokens_without_secrets(client):
    user, other = make_user(kyc=False), make_user(kyc=False)
    raw = issue_token(user)
    issue_token(user)
    issue_token(other)
    client.get("/api/me", **_bearer(raw))
    r = client.get("/api/auth/tokens", **_bearer(raw))
    assert r.status_code == 200, r.content
    rows = r.json()
    assert len(rows) == 2
    assert set(rows[0]) == {"id", "created_at", "last_used_at", "expires_at", "revoked", "current"}
    mine = {row.pk: row for row in ApiToken.objects.filter(user=user)}
    assert {row["id"] for row in rows} == set(mine)
    assert sum(row["current"] for row in rows) == 1
    assert any(row["last_used_at"] for row in rows)
    for row in mine.values():
        assert row.digest not in r.content.decode()
    assert raw not in r.content.decode()


def test_revoke_a_token_by_id(client):
    user, other = make_user(kyc=False), make_user(kyc=False)
    raw = issue_token(user)
    second = issue_token(user)
    theirs = issue_token(other)
    second_id = ApiToken.objects.filter(user=user).latest("pk").pk
    theirs_id = ApiToken.objects.get(user=other).pk
    r = client.post(f"/api/auth/tokens/{second_id}/revoke", **_bearer(raw))
    assert r.status_code == 200 and r.json()["revoked"] is True and r.json()["id"] == second_id
    assert client.get("/api/me", **_bearer(second)).status_code == 401
    assert client.get("/api/me", **_bearer(raw)).status_code == 200
    # Someone else's token is not found (and stays valid).
    r = client.post(f"/api/auth/tokens/{theirs_id}/revoke", **_bearer(raw))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get("/api/me", **_bearer(theirs)).status_code == 200


# --- the API tokens page --------------------------------------------------------------------------

def test_tokens_page_lists_and_revokes_with_csrf():
    user, other = make_user(kyc=False), make_user(kyc=False)
    raw = issue_token(user)
    issue_token(other)
    mine = ApiToken.objects.get(user=user)
    theirs = ApiToken.objects.get(user=other)
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    page = c.get("/account/tokens")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/account/tokens/{mine.pk}/revoke" in html and f"/tokens/{theirs.pk}/" not in html
    assert mine.digest not in html and raw not in html
    # Without the CSRF token the form is refused.
    assert c.post(f"/account/tokens/{mine.pk}/revoke").status_code == 403
    csrf = c.cookies["csrftoken"].value
    r = c.post(f"/account/tokens/{mine.pk}/revoke", {"csrfmiddlewaretoken": csrf})
    assert r.status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked
    r = c.post(f"/account/tokens/{theirs.pk}/revoke", {"csrfmiddlewaretoken": csrf})
    assert r.status_code == 404 and not ApiToken.objects.get(pk=theirs.pk).revoked


def test_tokens_page_needs_login(client):
    r = client.get("/account/tokens")
    assert r.status_code == 302 and "/login" in r["Location"]
