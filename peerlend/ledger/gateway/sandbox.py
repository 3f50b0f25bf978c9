"""The sandbox gateway: a real HTTP gateway living inside the same server, for development and tests.

* ``/sandbox-gateway/pay/<order>`` is the payer's page (buttons Pay / Fail).
* Payouts stay pending until an operator settles or fails them (``/sandbox-gateway/payouts`` or
  ``peerlend sandbox-payouts``), or a test/simulation calls :func:`settle_payout`.
* Each outcome is delivered as a JSON callback signed with HMAC-SHA256 (header
  ``X-Gateway-Signature``, secret ``settings.PEERLEND_GATEWAY_SECRET``). With
  ``PEERLEND_SANDBOX_CALLBACK_URL`` set (env or setting) the callback is POSTed over HTTP to that
  URL (e.g. ``http://127.0.0.1:8100/api/gateway/callback``); otherwise it is handed to the same
  handler the endpoint uses, so the test client and the simulator need no listening socket.
  Any delivered callback can be re-delivered byte for byte (:func:`replay`).

It is a stand-in that signs its own callbacks, so it would let anyone "pay" without money:
its pages exist only while it is the configured gateway outside production, the payer page acts
only for the order's owner, and production refuses to start with it (``is_sandbox``).
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from peerlend.domain.money import format_minor
from peerlend.ledger.gateway.base import SIGNATURE_HEADER, GatewayStatus
from peerlend.ledger.gateway.signing import sign, verify_hmac_callback
from peerlend.ledger.models import DepositOrder, GatewayCallbackLog, Withdrawal


class SandboxGateway:
    is_sandbox = True

    def create_deposit_order(self, order: DepositOrder) -> str:
        return reverse("web:sandbox_pay", args=[order.public_id])

    def request_payout(self, withdrawal: Withdrawal) -> None:
        # The sandbox "bank" queues the payout; an operator or a test settles it later.
        return None

    def verify_callback(self, body: bytes, signature: str) -> dict[str, Any]:
        return verify_hmac_callback(body, signature)

    def query_status(self, kind: str, public_id: str) -> GatewayStatus | None:
        # The sandbox bank keeps no books of its own: the platform's order is all there is.
        model = DepositOrder if kind == "deposit" else Withdrawal
        obj = model.objects.filter(public_id=public_id).first()
        if obj is None:
            return None
        status: Literal["pending", "succeeded", "failed"] = obj.status
        return {"status": status, "amount": format_minor(obj.amount_minor, obj.currency),
                "currency": obj.currency, "gateway_txn": obj.gateway_reference}


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def deliver(body: bytes, signature: str) -> tuple[int, dict[str, Any]]:
    """Send a signed callback to the platform, over HTTP when a callback URL is configured."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("the sandbox gateway does not run in production")
    url = getattr(settings, "PEERLEND_SANDBOX_CALLBACK_URL", None) or os.environ.get("PEERLEND_SANDBOX_CALLBACK_URL")
    if url:
        request = urllib.request.Request(  # noqa: S310 - operator-configured http(s) URL
            url, data=body, method="POST",
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
    from peerlend.ledger.services import handle_gateway_callback

    return handle_gateway_callback(body, signature)


def deposit_payload(order: DepositOrder, *, succeed: bool = True) -> dict[str, Any]:
    return {
        "type": "deposit",
        "order_id": order.public_id,
        "amount": format_minor(order.amount_minor, order.currency),
        "currency": order.currency,
        "status": "succeeded" if succeed else "failed",
        "gateway_txn": uuid.uuid4().hex,
    }


def payout_payload(withdrawal: Withdrawal, *, succeed: bool = True) -> dict[str, Any]:
    return {
        "type": "payout",
        "withdrawal_id": withdrawal.public_id,
        "amount": format_minor(withdrawal.amount_minor, withdrawal.currency),
        "currency": withdrawal.currency,
        "status": "succeeded" if succeed else "failed",
        "gateway_txn": uuid.uuid4().hex,
    }


def send(payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = _encode(payload)
    return deliver(body, sign(body))


def pay(order: DepositOrder, succeed: bool = True) -> tuple[int, dict[str, Any]]:
    """The payer pays (or the payment fails): deliver the signed deposit callback."""
    return send(deposit_payload(order, succeed=succeed))


def settle_payout(withdrawal: Withdrawal, succeed: bool = True) -> tuple[int, dict[str, Any]]:
    """The bank paid out (or bounced) the withdrawal: deliver the signed payout callback."""
    return send(payout_payload(withdrawal, succeed=succeed))


def replay(log: GatewayCallbackLog) -> tuple[int, dict[str, Any]]:
    """Re-deliver a logged callback exactly as it was received (gateways redeliver at least once)."""
    return deliver(log.body.encode(), log.signature)
