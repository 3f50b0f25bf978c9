"""Idempotency inside the ledger's money services: a deposit order and a withdrawal take the key themselves.

The account page and the API share one scope per action, so the same key sent from both is one
deposit order (one withdrawal, frozen once).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from peerlend.errors import ApplicationError
from peerlend.ledger import payments, selectors
from peerlend.ledger.models import DepositOrder, Posting, Withdrawal
from tests.factories import make_user
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db


def _api(user, path: str, body: dict, key: str):
    return Client().post(path, data=json.dumps(body), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}", HTTP_IDEMPOTENCY_KEY=key)


def _page(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def test_same_key_from_the_page_then_the_api_opens_one_deposit_order():
    member = make_user()
    page = _page(member).post("/account/deposit", {"amount": "100", "idempotency_key": "dep-once"})
    assert page.status_code == 302
    order = DepositOrder.objects.get(user=member)
    assert page["Location"].endswith(order.public_id)
    api = _api(member, "/api/deposits", {"amount": "100.00", "currency": "CNY"}, "dep-once")
    assert api.status_code == 201, api.content
    body = api.json()
    assert body["order_id"] == order.public_id and body["amount"] == "100.00" and body["status"] == "pending"
    assert body["pay_url"] == f"http://testserver{page['Location']}"
    assert DepositOrder.objects.count() == 1


def test_same_key_from_the_api_then_the_page_withdraws_once():
    member = make_user()
    fund(member, 500_00)
    api = _api(member, "/api/withdrawals", {"amount": "200.00"}, "out-once")
    assert api.status_code == 201, api.content
    response = _page(member).post("/account/withdraw", {"amount": "200.00", "idempotency_key": "out-once"},
                                  follow=True)
    assert response.status_code == 200
    assert "Withdrawal of 200.00 requested" in response.content.decode()
    withdrawal = Withdrawal.objects.get(user=member)
    assert api.json()["withdrawal_id"] == withdrawal.public_id
    balances = selectors.balances(member)
    assert (balances.available_minor, balances.frozen_minor) == (300_00, 200_00)
    assert audit_clean()


def test_request_withdrawal_called_twice_with_a_key_freezes_once():
    member = make_user()
    fund(member, 500_00)
    first = payments.request_withdrawal(member, 100_00, idempotency_key="w1")
    postings = Posting.objects.count()
    again = payments.request_withdrawal(member, 100_00, idempotency_key="w1")
    assert again.pk == first.pk and Posting.objects.count() == postings
    assert selectors.balances(member).frozen_minor == 100_00
    with pytest.raises(ApplicationError) as exc:
        payments.request_withdrawal(member, 150_00, idempotency_key="w1")
    assert exc.value.code == "idempotency_key_reused" and exc.value.status == 422
    assert Withdrawal.objects.count() == 1


def test_open_deposit_order_called_twice_with_a_key_opens_one():
    member = make_user()
    first, url = payments.open_deposit_order(member, 100_00, idempotency_key="d1")
    again, url_again = payments.open_deposit_order(member, 100_00, idempotency_key="d1")
    assert (again.pk, url_again) == (first.pk, url)
    with pytest.raises(ApplicationError) as exc:
        payments.open_deposit_order(member, 200_00, idempotency_key="d1")
    assert exc.value.code == "idempotency_key_reused"
    assert DepositOrder.objects.count() == 1


def test_a_withdrawal_refusal_is_replayed_for_its_key():
    member = make_user()
    fund(member, 50_00)
    with pytest.raises(ApplicationError) as first:
        payments.request_withdrawal(member, 80_00, idempotency_key="short")
    fund(member, 500_00)
    with pytest.raises(ApplicationError) as again:
        payments.request_withdrawal(member, 80_00, idempotency_key="short")
    assert (again.value.code, again.value.status, again.value.message) == (
        first.value.code, first.value.status, first.value.message)
    api = _api(member, "/api/withdrawals", {"amount": "80.00"}, "short")
    assert api.status_code == first.value.status and api.json()["code"] == first.value.code
    assert Withdrawal.objects.count() == 0


def test_a_result_stored_in_an_older_shape_is_refused_clearly_and_nothing_runs_again():
    from peerlend.ledger.idempotency import once_per_key

    user = make_user()
    runs: list[int] = []

    def run() -> int:
        runs.append(1)
        return 5

    assert once_per_key(user=user, key="k-old", scope="test.action", payload={"a": 1}, run=run,
                        save=lambda r: {"old": r}, load=lambda body: body["old"]) == 5
    # The same key read back by code that expects another shape (e.g. after an upgrade): a 409, not a crash.
    with pytest.raises(ApplicationError) as info:
        once_per_key(user=user, key="k-old", scope="test.action", payload={"a": 1}, run=run,
                     save=lambda r: {"new": r}, load=lambda body: body["new"])
    assert info.value.status == 409 and info.value.code == "idempotency_key_stale"
    assert runs == [1]
