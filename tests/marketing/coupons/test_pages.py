"""Coupon pages: my coupons, the operator's templates, the agent's redeem page, the coupon on the note."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from peerlend.marketing.models_coupons import Coupon, CouponTemplate
from tests.factories import make_agent, make_user

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_my_coupons_shows_labels_never_codes_of_kinds(give) -> None:
    user = make_user()
    coupon = give(user, name="Spring 20")
    body = _client(user).get("/coupons/").content.decode()
    assert coupon.code in body and "Spring 20" in body
    assert "Cash voucher on an investment" in body and "Ready to use" in body
    assert "cash_voucher" not in body


def test_my_coupons_shows_only_mine(give) -> None:
    mine, other = make_user(), make_user()
    theirs = give(other)
    assert theirs.code not in _client(mine).get("/coupons/").content.decode()


def test_an_operator_defines_a_template_on_the_page(operator) -> None:
    response = _client(operator).post("/operator/coupons/", {
        "name": "Boost 1%", "kind": "rate_boost", "channel": "online", "boost_rate": "1.00", "boost_months": "3",
        "valid_from": "2026-03-01", "valid_until": "2026-06-30", "points_cost": "0"})
    assert response.status_code == 302
    template = CouponTemplate.objects.get()
    assert (template.kind, str(template.boost_rate), template.boost_months) == ("rate_boost", "0.0100", 3)


def test_the_page_refuses_an_offline_investment_template(operator) -> None:
    response = _client(operator).post("/operator/coupons/", {
        "name": "Store voucher", "kind": "cash_voucher", "channel": "offline", "value": "20.00",
        "valid_from": "2026-03-01", "valid_until": "2026-06-30", "points_cost": "0"})
    assert response.status_code == 200
    assert "never issued or used at a service point" in response.content.decode()
    assert not CouponTemplate.objects.exists()


def test_an_operator_gives_a_coupon_to_a_member(operator, make_template) -> None:
    template, member = make_template(), make_user()
    _client(operator).post("/operator/coupons/issue", {"template": template.pk, "member": member.username,
                                                       "reason": "welcome", "idempotency_key": uuid.uuid4().hex})
    assert Coupon.objects.get().user_id == member.pk


def test_members_cannot_open_the_operator_page() -> None:
    assert _client(make_user()).get("/operator/coupons/").status_code == 403


def test_an_agent_redeems_on_the_page(give) -> None:
    agent = make_agent()
    coupon = give(make_user(), kind="service_voucher", channel="offline")
    response = _client(agent).post("/agent/coupons/redeem", {"code": coupon.code})
    assert response.status_code == 302
    coupon.refresh_from_db()
    assert coupon.status == "redeemed"


def test_the_agent_page_says_why_an_investment_coupon_is_refused(give) -> None:
    coupon = give(make_user(), kind="cash_voucher", channel="both")
    response = _client(make_agent()).post("/agent/coupons/redeem", {"code": coupon.code})
    assert response.status_code == 200
    assert "never issued or used at a service point" in response.content.decode()


def test_the_investor_invests_with_a_code_and_sees_the_coupon_on_the_note(listed_loan, investor_factory,
                                                                          give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    investor = investor_factory(1_000_00)
    coupon = give(investor, value_minor=20_00)
    client = _client(investor)
    client.post(f"/loans/{loan.pk}/invest", {"amount": "1000.00", "idempotency_key": uuid.uuid4().hex,
                                             "coupon_code": coupon.code})
    coupon.refresh_from_db()
    assert coupon.note_id is not None
    body = client.get(f"/loans/{loan.pk}/").content.decode()
    assert "data-coupon" in body and "Cash voucher on an investment" in body
