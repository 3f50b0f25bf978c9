"""The ledger API: deposits, withdrawals, account; idempotency keys and bad input."""

from __future__ import annotations

import json

import pytest

from peerlend.api.auth import issue_token
from peerlend.ledger import selectors
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import DepositOrder, IdempotencyRecord, JournalEntry, Posting, Withdrawal
from tests.factories import make_user
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, investor):
    token = issue_token(investor)

    def call(method: str, path: str, body=None, key: str | None = "key-1", raw: bytes | None = None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", **extra}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        if method == "get":
            return client.get(path, **headers)
        data = raw if raw is not None else json.dumps(body)
        return client.post(path, data=data, content_type="application/json", **headers)

    return call


def rows():
    return (DepositOrder.objects.count(), Withdrawal.objects.count(), JournalEntry.objects.count(),
            Posting.objects.count(), IdempotencyRecord.objects.count())


def test_deposit_flow_over_the_api(api, investor):
    resp = api("post", "/api/deposits", {"amount": "100.00"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["amount"] == "100.00" and body["status"] == "pending"
    assert body["pay_url"].startswith("http://testserver/sandbox-gateway/pay/")
    order = DepositOrder.objects.get(public_id=body["order_id"])
    sandbox.pay(order)
    account = api("get", "/api/account").json()
    assert account["available"] == "100.00" and account["frozen"] == "0.00" and account["currency"] == "CNY"
    assert account["entries"][0]["kind"] == "deposit"
    assert account["entries"][0]["available_change"] == "100.00"
    assert audit_clean()


def test_deposit_replay_returns_first_response_and_writes_nothing(api):
    first = api("post", "/api/deposits", {"amount": "100.00"}, key="dep-1")
    before = rows()
    again = api("post", "/api/deposits", {"amount": "100.00"}, key="dep-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert rows() == before


def test_same_key_different_body_is_422(api):
    api("post", "/api/deposits", {"amount": "100.00"}, key="dep-1")
    before = rows()
    resp = api("post", "/api/deposits", {"amount": "200.00"}, key="dep-1")
    assert resp.status_code == 422 and resp.json()["code"] == "idempotency_key_reused"
    # Another operation with the same key is a different request too.
    resp = api("post", "/api/withdrawals", {"amount": "100.00"}, key="dep-1")
    assert resp.status_code == 422
    assert rows() == before


def test_replay_while_in_progress_is_409(api, investor):
    from peerlend.ledger.idempotency import request_hash

    payload = {"amount": "100.00"}
    IdempotencyRecord.objects.create(user=investor, key="busy", scope="ledger.deposit",
                                     request_hash=request_hash("ledger.deposit", payload))
    resp = api("post", "/api/deposits", payload, key="busy")
    assert resp.status_code == 409
    assert resp.json()["detail"] == "request with this key is still being processed"
    assert DepositOrder.objects.count() == 0


def test_stale_in_progress_record_is_taken_over(api, investor):
    from datetime import timedelta

    from django.utils import timezone

    from peerlend.ledger.idempotency import request_hash

    payload = {"amount": "100.00"}
    rec = IdempotencyRecord.objects.create(user=investor, key="dead", scope="ledger.deposit",
                                           request_hash=request_hash("ledger.deposit", payload))
    IdempotencyRecord.objects.filter(pk=rec.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert api("post", "/api/deposits", payload, key="dead").status_code == 201


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 256])
def test_missing_or_bad_key_is_400(api, key):
    before = rows()
    resp = api("post", "/api/deposits", {"amount": "100.00"}, key=key)
    assert resp.status_code == 400 and resp.json()["code"] == "idempotency_key_required"
    assert rows() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": 100.0}, 400, "invalid_amount"),
        ({"amount": 100}, 400, "invalid_amount"),
        ({"amount": "-5.00"}, 400, "invalid_amount"),
        ({"amount": "0"}, 400, "invalid_amount"),
        ({"amount": "0.00"}, 400, "invalid_amount"),
        ({"amount": "1.001"}, 400, "invalid_amount"),
        ({"amount": "1e3"}, 400, "invalid_amount"),
        ({"amount": "NaN"}, 400, "invalid_amount"),
        ({"amount": "abc"}, 400, "invalid_amount"),
        ({}, 400, "invalid_amount"),
        ({"amount": "100.00", "currency": "USD"}, 422, "unsupported_currency"),
        ([1, 2], 400, "malformed_json"),
    ],
)
@pytest.mark.parametrize("path", ["/api/deposits", "/api/withdrawals"])
def test_bad_amounts_are_refused_and_nothing_is_written(api, investor, body, status, code, path):
    fund(investor, 1_000_000)
    before = rows()
    resp = api("post", path, body)
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code
    assert resp.json()["detail"]
    assert rows() == before


def test_malformed_json_and_huge_payload(api):
    before = rows()
    resp = api("post", "/api/deposits", raw=b'{"amount": "1.00"')
    assert resp.status_code == 400 and resp.json()["code"] == "malformed_json"
    huge = json.dumps({"amount": "1.00", "pad": "x" * (1024 * 1024 + 10)}).encode()
    resp = api("post", "/api/deposits", raw=huge)
    assert resp.status_code == 413 and resp.json()["code"] == "payload_too_large"
    assert rows() == before


def test_withdrawal_above_available_is_409_and_replays(api, investor):
    fund(investor, 5_000)
    before = (Withdrawal.objects.count(), JournalEntry.objects.count())
    resp = api("post", "/api/withdrawals", {"amount": "50.01"}, key="w1")
    assert resp.status_code == 409 and resp.json()["code"] == "insufficient_funds"
    assert "have 50.00, need 50.01" in resp.json()["detail"]
    assert (Withdrawal.objects.count(), JournalEntry.objects.count()) == before
    # The refusal is the result for this key: a replay gets it again even after funds arrive.
    fund(investor, 5_000)
    again = api("post", "/api/withdrawals", {"amount": "50.01"}, key="w1")
    assert again.status_code == 409 and again.json() == resp.json()


def test_withdrawal_over_the_api(api, investor):
    fund(investor, 10_000)
    resp = api("post", "/api/withdrawals", {"amount": "30.00"}, key="w2")
    assert resp.status_code == 201, resp.content
    assert resp.json()["status"] == "pending" and resp.json()["amount"] == "30.00"
    again = api("post", "/api/withdrawals", {"amount": "30.00"}, key="w2")
    assert again.json() == resp.json()
    assert Withdrawal.objects.count() == 1
    assert selectors.balances(investor) == selectors.Balances(7_000, 3_000, "CNY")


def test_kyc_refusal_over_the_api(client):
    user = make_user(kyc=False)
    token = issue_token(user)
    resp = client.post("/api/deposits", data=json.dumps({"amount": "1.00"}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="a")
    assert resp.status_code == 403 and resp.json()["code"] == "kyc_required"
    assert DepositOrder.objects.count() == 0


def test_api_requires_authentication(client):
    assert client.get("/api/account").status_code == 401
    resp = client.post("/api/deposits", data="{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="a")
    assert resp.status_code == 401


def test_keys_are_per_user(api, client):
    api("post", "/api/deposits", {"amount": "100.00"}, key="shared")
    other = make_user()
    token = issue_token(other)
    resp = client.post("/api/deposits", data=json.dumps({"amount": "7.00"}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="shared")
    assert resp.status_code == 201 and resp.json()["amount"] == "7.00"
