"""Deposits and withdrawals through the sandbox gateway, including forged/replayed/wrong callbacks."""

from __future__ import annotations

import json

import pytest

from peerlend.ledger import selectors, services
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import DepositOrder, GatewayCallbackLog, JournalEntry, Posting, Withdrawal
from tests.factories import make_staff, make_user
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db


def counts():
    return (JournalEntry.objects.count(), Posting.objects.count(),
            DepositOrder.objects.filter(status="pending").count(), Withdrawal.objects.filter(status="pending").count())


def post_callback(client, payload: dict, signature: str | None = None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    sig = signature if signature is not None else sandbox.sign(body)
    return client.post("/api/gateway/callback", data=body, content_type="application/json",
                       HTTP_X_GATEWAY_SIGNATURE=sig)


def test_deposit_credits_available_only_on_verified_callback(client, investor):
    order = services.create_deposit_order(investor, 10_000)
    assert selectors.balances(investor).available_minor == 0
    resp = post_callback(client, sandbox.deposit_payload(order))
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"status": "applied"}
    order.refresh_from_db()
    assert order.status == "succeeded" and order.entry is not None
    assert selectors.balances(investor).available_minor == 10_000
    assert services.platform_account("custody_bank").display_balance_minor == 10_000
    assert GatewayCallbackLog.objects.get().outcome == "applied"
    assert audit_clean()


def test_replayed_callback_credits_once(client, investor):
    order = services.create_deposit_order(investor, 10_000)
    payload = sandbox.deposit_payload(order)
    assert post_callback(client, payload).status_code == 200
    before = counts()
    for _ in range(3):
        resp = post_callback(client, payload)
        assert resp.status_code == 200 and resp.json() == {"status": "duplicate"}
    log = GatewayCallbackLog.objects.order_by("pk").first()
    status, _body = sandbox.replay(log)
    assert status == 200
    assert counts() == before
    assert selectors.balances(investor).available_minor == 10_000
    assert GatewayCallbackLog.objects.filter(outcome="duplicate").count() == 4


@pytest.mark.parametrize(
    ("mutate", "status", "outcome"),
    [
        (lambda p: p, 401, "bad_signature"),  # forged: signed with another secret
        (lambda p: {**p, "order_id": "0" * 32}, 404, "unknown_order"),
        (lambda p: {**p, "amount": "100.01"}, 422, "mismatch"),
        (lambda p: {**p, "currency": "USD"}, 422, "mismatch"),
        (lambda p: {**p, "status": "maybe"}, 400, "malformed"),
        (lambda p: {**p, "type": "refund"}, 400, "malformed"),
    ],
    ids=["forged", "unknown-order", "wrong-amount", "wrong-currency", "bad-status", "bad-type"],
)
def test_bad_callbacks_change_nothing_and_are_logged(client, investor, mutate, status, outcome):
    import hashlib
    import hmac

    order = services.create_deposit_order(investor, 10_000)
    payload = mutate(sandbox.deposit_payload(order))
    body = json.dumps(payload).encode()
    sig = (hmac.new(b"attacker-secret", body, hashlib.sha256).hexdigest() if outcome == "bad_signature"
           else sandbox.sign(body))
    before = counts()
    resp = post_callback(client, payload, signature=sig, raw=body)
    assert resp.status_code == status, resp.content
    assert counts() == before
    order.refresh_from_db()
    assert order.status == "pending"
    assert selectors.balances(investor).available_minor == 0
    assert GatewayCallbackLog.objects.get().outcome == outcome


def test_tampered_body_with_original_signature_is_refused(client, investor):
    order = services.create_deposit_order(investor, 100)
    body = json.dumps(sandbox.deposit_payload(order)).encode()
    sig = sandbox.sign(body)
    tampered = body.replace(b'"1.00"', b'"9999.00"')
    assert post_callback(client, {}, signature=sig, raw=tampered).status_code == 401
    assert post_callback(client, {}, signature="", raw=body).status_code == 401
    assert selectors.balances(investor).available_minor == 0


def test_malformed_signed_callback(client):
    body = b"not json"
    assert post_callback(client, {}, raw=body).status_code == 400
    assert GatewayCallbackLog.objects.get().outcome == "malformed"


def test_failed_payment_credits_nothing(investor):
    order = services.create_deposit_order(investor, 5_000)
    status, _ = sandbox.pay(order, succeed=False)
    assert status == 200
    order.refresh_from_db()
    assert order.status == "failed"
    assert selectors.balances(investor).available_minor == 0
    # A late "succeeded" for a failed order is a duplicate, not a credit.
    assert sandbox.pay(order)[1] == {"status": "duplicate"}
    assert selectors.balances(investor).available_minor == 0


def test_withdrawal_freezes_then_settles(investor):
    fund(investor, 10_000)
    w = services.request_withdrawal(investor, 4_000)
    assert selectors.balances(investor) == selectors.Balances(6_000, 4_000, "CNY")
    assert sandbox.settle_payout(w)[0] == 200
    w.refresh_from_db()
    assert w.status == "succeeded"
    assert selectors.balances(investor) == selectors.Balances(6_000, 0, "CNY")
    assert services.platform_account("custody_bank").display_balance_minor == 6_000
    assert sandbox.settle_payout(w, succeed=False)[1] == {"status": "duplicate"}
    assert selectors.balances(investor) == selectors.Balances(6_000, 0, "CNY")
    assert audit_clean()


def test_withdrawal_failed_payout_unfreezes(investor):
    fund(investor, 10_000)
    w = services.request_withdrawal(investor, 4_000)
    assert sandbox.settle_payout(w, succeed=False)[0] == 200
    assert selectors.balances(investor) == selectors.Balances(10_000, 0, "CNY")
    assert audit_clean()


def test_payout_callback_with_wrong_amount_changes_nothing(investor):
    fund(investor, 10_000)
    w = services.request_withdrawal(investor, 4_000)
    status, body = sandbox.send({**sandbox.payout_payload(w), "amount": "4000.00"})
    assert status == 422 and body["code"] == "mismatch"
    assert selectors.balances(investor) == selectors.Balances(6_000, 4_000, "CNY")


def test_kyc_required_for_deposit_and_withdrawal():
    from peerlend.errors import ApplicationError

    user = make_user(kyc=False)
    with pytest.raises(ApplicationError) as info:
        services.create_deposit_order(user, 100)
    assert info.value.code == "kyc_required"
    with pytest.raises(ApplicationError):
        services.request_withdrawal(user, 100)
    assert DepositOrder.objects.count() == Withdrawal.objects.count() == 0


def test_sandbox_pay_page_drives_the_callback(client, investor):
    client.force_login(investor)
    resp = client.post("/account/deposit", {"amount": "88.80", "idempotency_key": "k1"})
    assert resp.status_code == 302
    pay_url = resp["Location"]
    assert pay_url.startswith("/sandbox-gateway/pay/")
    page = client.get(pay_url)
    assert page.status_code == 200 and b"88.80" in page.content
    resp = client.post(pay_url, {"action": "pay"})
    assert resp.status_code == 302
    assert selectors.balances(investor).available_minor == 8_880
    # The page replayed (double click) does not credit twice.
    client.post(pay_url, {"action": "pay"})
    assert selectors.balances(investor).available_minor == 8_880
    assert client.get("/sandbox-gateway/pay/nope").status_code == 404


def test_sandbox_payout_console_is_for_operators(client, investor):
    fund(investor, 1_000)
    w = services.request_withdrawal(investor, 500)
    client.force_login(investor)
    assert client.get("/sandbox-gateway/payouts").status_code == 403
    client.force_login(make_staff("operator"))
    page = client.get("/sandbox-gateway/payouts")
    assert page.status_code == 200 and w.public_id.encode() in page.content
    client.post("/sandbox-gateway/payouts", {"withdrawal_id": w.public_id, "action": "settle"})
    w.refresh_from_db()
    assert w.status == "succeeded"


def test_sandbox_payouts_command(investor):
    from django.core.management import call_command

    fund(investor, 1_000)
    w = services.request_withdrawal(investor, 500)
    call_command("sandbox_payouts", "--fail", w.public_id)
    w.refresh_from_db()
    assert w.status == "failed"
    assert selectors.balances(investor).available_minor == 1_000
