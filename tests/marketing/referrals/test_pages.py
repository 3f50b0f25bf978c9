"""The pages: /r/<code>, registration and the agent console with a code, my referrals, the QR code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from peerlend.accounts.models import User
from peerlend.marketing.models_referrals import MemberDevice, Referral, ReferralCode
from tests.factories import make_agent, make_service_point, make_staff, make_user, random_bank_card, random_resident_id
from tests.marketing.referrals.conftest import START, code

PASSWORD = "Tr1cky-pass-99"


def _client(user: User | None = None) -> Client:
    c = Client(HTTP_USER_AGENT="Mozilla/5.0 test phone")
    if user is not None:
        c.force_login(user)
    return c


def test_the_link_opens_registration_with_the_code(referrer: User) -> None:
    r = _client().get(f"/r/{code(referrer)}")
    assert r.status_code == 302 and r["Location"] == f"/register?ref={code(referrer)}"
    page = _client().get(r["Location"]).content.decode()
    assert f'value="{code(referrer)}"' in page


def test_the_link_carries_only_letters_and_digits(db: None) -> None:
    r = _client().get("/r/ab%22%3E%3Cscript")
    assert r.status_code == 302 and r["Location"] == "/register?ref=ABSCRIPT"


def test_registering_with_a_code_links_the_referral(referrer: User) -> None:
    r = _client().post("/register", {"username": "newbie", "password": PASSWORD, "password2": PASSWORD,
                                     "accept_terms": "on", "referral_code": code(referrer).lower()})
    assert r.status_code == 302
    referral = Referral.objects.get(referee__username="newbie")
    assert referral.referrer_id == referrer.pk and referral.channel == "online" and len(referral.device_hash) == 64
    assert MemberDevice.objects.filter(user=referral.referee).exists()


def test_registering_with_an_unknown_code_writes_nothing(db: None) -> None:
    r = _client().post("/register", {"username": "newbie", "password": PASSWORD, "password2": PASSWORD,
                                     "accept_terms": "on", "referral_code": "NOPE2345"})
    assert r.status_code == 400 and "referral code is not known" in r.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_registering_without_a_code_still_works(db: None) -> None:
    r = _client().post("/register", {"username": "plain", "password": PASSWORD, "password2": PASSWORD,
                                     "accept_terms": "on"})
    assert r.status_code == 302 and not Referral.objects.exists()
    assert ReferralCode.objects.filter(user__username="plain").exists()


def test_an_agent_registers_a_member_with_a_code(referrer: User) -> None:
    agent = make_agent(make_service_point())
    r = _client(agent).post("/agent/", {
        "username": "grace", "email": "", "real_name": "孙九", "resident_id": random_resident_id(),
        "mobile": "13712345678", "bank_card": random_bank_card(), "referral_code": code(referrer)})
    assert r.status_code == 302
    referral = Referral.objects.get(referee__username="grace")
    assert referral.channel == "agent" and referral.agent_id == agent.pk and referral.referrer_id == referrer.pk


def test_the_agent_form_refuses_an_unknown_code(db: None) -> None:
    agent = make_agent(make_service_point())
    r = _client(agent).post("/agent/", {
        "username": "grace", "email": "", "real_name": "孙九", "resident_id": random_resident_id(),
        "mobile": "13712345678", "bank_card": random_bank_card(), "referral_code": "NOPE2345"})
    assert r.status_code == 400 and not User.objects.filter(username="grace").exists()


def test_my_referrals_shows_masked_names_status_and_reasons(refer: Callable[..., Referral], referrer: User,
                                                           rules: dict[str, Any]) -> None:
    refer(make_user("alicewonder"))
    refused = refer(make_user("bobbuilder"))
    Referral.objects.filter(pk=refused.pk).update(status="refused", refusal_reason="same_card", decided_on=START)
    page = _client(referrer).get("/member/referrals/").content.decode()
    assert "a***r" in page and "b***r" in page and "alicewonder" not in page
    assert "Same bank card as the referrer" in page and code(referrer) in page
    assert "/r/" + code(referrer) in page


def test_the_qr_code_is_an_svg_of_the_link(referrer: User) -> None:
    r = _client(referrer).get("/member/referrals/qr.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert r.content.lstrip().startswith(b"<svg")


def test_no_code_no_qr(db: None) -> None:
    user = make_user()
    ReferralCode.objects.filter(user=user).delete()
    assert _client(user).get("/member/referrals/qr.svg").status_code == 404


def test_a_member_without_a_code_gets_one_by_post(db: None) -> None:
    user = make_user()
    ReferralCode.objects.filter(user=user).delete()
    c = _client(user)
    assert "Get my referral code" in c.get("/member/referrals/").content.decode()
    assert not ReferralCode.objects.filter(user=user).exists()  # the GET wrote nothing
    assert c.post("/member/referrals/code").status_code == 302
    assert ReferralCode.objects.filter(user=user).exists() and MemberDevice.objects.filter(user=user).exists()


def test_staff_cannot_get_a_code(db: None) -> None:
    assert _client(make_staff("operator")).post("/member/referrals/code").status_code == 403


@pytest.mark.parametrize("url", ["/member/referrals/", "/member/referrals/qr.svg"])
def test_pages_need_login(db: None, url: str) -> None:
    r = _client().get(url)
    assert r.status_code == 302 and r["Location"].startswith("/login")


def test_the_member_centre_shows_the_referral_card(refer: Callable[..., Referral], referrer: User) -> None:
    refer()
    page = _client(referrer).get("/member/").content.decode()
    assert 'data-centre-section="referrals"' in page and code(referrer) in page and "0 rewarded, 1 waiting" in page
