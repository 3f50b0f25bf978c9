"""The API: the member's code, link and referrals; a code on demand."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from peerlend.accounts.models import User
from peerlend.marketing.models_referrals import Referral, ReferralCode
from tests.factories import make_staff, make_user
from tests.marketing.referrals.conftest import code


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_my_referrals(refer: Callable[..., Referral], referrer: User) -> None:
    refer(make_user("charlie99"))
    body = _client(referrer).get("/api/marketing/referrals").json()
    assert body["code"] == code(referrer) and body["link"].endswith(f"/r/{code(referrer)}")
    assert body["qr_svg_url"].endswith("/member/referrals/qr.svg")
    assert [r["referee"] for r in body["referrals"]] == ["c***9"] and body["referrals"][0]["status"] == "pending"


def test_create_code_is_idempotent(db: None) -> None:
    user = make_user()
    ReferralCode.objects.filter(user=user).delete()
    c = _client(user)
    first = c.post("/api/marketing/referrals/code").json()["code"]
    assert c.post("/api/marketing/referrals/code").json()["code"] == first
    assert ReferralCode.objects.filter(user=user).count() == 1


def test_staff_get_a_403(db: None) -> None:
    r = _client(make_staff("operator")).post("/api/marketing/referrals/code")
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"


def test_anonymous_is_401(db: None) -> None:
    assert Client().get("/api/marketing/referrals").status_code == 401


def test_api_registration_with_a_code(referrer: User) -> None:
    r = Client().post("/api/auth/register", {"username": "apinew", "password": "Tr1cky-pass-99", "accept_terms": True,
                                             "referral_code": code(referrer)}, content_type="application/json")
    assert r.status_code == 201
    assert Referral.objects.get(referee__username="apinew").referrer_id == referrer.pk


def test_api_registration_with_an_unknown_code_writes_nothing(db: None) -> None:
    r = Client().post("/api/auth/register", {"username": "apinew", "password": "Tr1cky-pass-99", "accept_terms": True,
                                             "referral_code": "NOPE2345"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "unknown_referral_code"
    assert not User.objects.filter(username="apinew").exists()
