"""Coupon API: my coupons, checkout with a code, fee discount, offline redeem, the O2O refusal."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from tests.factories import make_agent, make_user

pytestmark = pytest.mark.django_db


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


def _post(user, path: str, body: dict, key: str | None = None):
    headers = _auth(user)
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(path, data=json.dumps(body), content_type="application/json", **headers)


def test_my_coupons_lists_only_mine(give) -> None:
    user = make_user()
    coupon = give(user, value_minor=20_00)
    give(make_user())
    rows = Client().get("/api/marketing/coupons", **_auth(user)).json()
    assert [(r["code"], r["kind"], r["value"], r["status"]) for r in rows] == [
        (coupon.code, "cash_voucher", "20.00", "issued")]
    assert rows[0]["kind_label"] == "Cash voucher on an investment"


def test_checkout_over_the_api_takes_a_coupon_code(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    investor = investor_factory(1_000_00)
    coupon = give(investor)
    response = _post(investor, f"/api/loans/{loan.pk}/investments", {"amount": "1000.00", "coupon_code": coupon.code},
                     key="k-api-1")
    assert response.status_code == 201, response.content
    coupon.refresh_from_db()
    assert coupon.note_id == response.json()["id"]


def test_a_used_coupon_is_a_409(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=5_000_00)
    investor = investor_factory(2_000_00)
    coupon = give(investor)
    _post(investor, f"/api/loans/{loan.pk}/investments", {"amount": "1000.00", "coupon_code": coupon.code}, key="a")
    response = _post(investor, f"/api/loans/{loan.pk}/investments", {"amount": "1000.00",
                                                                      "coupon_code": coupon.code}, key="b")
    assert response.status_code == 409
    assert response.json()["code"] == "coupon_used"


def test_an_agent_gets_a_403_for_an_investment_coupon(give) -> None:
    coupon = give(make_user(), kind="rate_boost", channel="both")
    response = _post(make_agent(), "/api/marketing/coupons/redeem-offline", {"code": coupon.code})
    assert response.status_code == 403
    assert response.json()["code"] == "offline_investment_coupon"


def test_an_agent_redeems_a_service_voucher(give) -> None:
    coupon = give(make_user(), kind="service_voucher", channel="offline")
    response = _post(make_agent(), "/api/marketing/coupons/redeem-offline", {"code": coupon.code})
    assert response.status_code == 200
    assert response.json()["status"] == "redeemed"


def test_a_borrower_puts_a_fee_discount_on_their_loan(listed_loan, borrower, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    coupon = give(borrower, kind="fee_discount", value_minor=10_00)
    response = _post(borrower, f"/api/marketing/coupons/{coupon.pk}/fee-discount", {"loan_id": loan.pk})
    assert response.status_code == 200, response.content
    assert response.json()["loan_id"] == loan.pk


def test_another_members_coupon_is_a_404(listed_loan, borrower, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    coupon = give(borrower, kind="fee_discount", value_minor=10_00)
    response = _post(make_user(), f"/api/marketing/coupons/{coupon.pk}/fee-discount", {"loan_id": loan.pk})
    assert response.status_code == 404


def test_points_offer_of_a_template_not_for_points_is_a_404(make_template) -> None:
    template = make_template()
    response = _post(make_user(), "/api/marketing/coupons/from-points", {"template_id": template.pk}, key="p1")
    assert response.status_code == 404
