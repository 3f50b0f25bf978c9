"""A real adapter for a custody bank that speaks the signed JSON-over-HTTPS protocol of docs/gateway.md.

Custody banks (存管银行) keep a sub-account per member with the member's bound card, so the
platform names the member, not the card. Settings (env vars of the same names):

* ``PEERLEND_GATEWAY_PAY_URL``: the bank's payer page; the payer is redirected there with the
  order in signed query parameters (no network call while the member waits).
* ``PEERLEND_GATEWAY_API_URL``: base URL of the bank's API (``/payouts``, ``/orders/...``).
* ``PEERLEND_GATEWAY_MERCHANT_ID``: the platform's merchant id at the bank.
* ``PEERLEND_GATEWAY_NOTIFY_URL`` (optional): where the bank POSTs callbacks, when it is told
  per order rather than once in the bank's merchant console.
* ``PEERLEND_GATEWAY_SECRET``: the shared HMAC-SHA256 key (requests and callbacks).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from peerlend.domain.money import format_minor
from peerlend.ledger.gateway.base import SIGNATURE_HEADER, GatewayError, GatewayStatus
from peerlend.ledger.gateway.signing import sign, verify_hmac_callback

if TYPE_CHECKING:
    from peerlend.ledger.models import DepositOrder, Withdrawal

_REQUIRED = ("PEERLEND_GATEWAY_API_URL", "PEERLEND_GATEWAY_PAY_URL", "PEERLEND_GATEWAY_MERCHANT_ID")


def canonical_query(params: dict[str, str]) -> str:
    """Sorted ``key=value`` pairs joined by ``&`` (URL-encoded): the string the redirect signs."""
    return urllib.parse.urlencode(sorted(params.items()))


class HttpCustodyBankGateway:
    is_sandbox = False

    def __init__(self) -> None:
        missing = [name for name in _REQUIRED if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured(f"{type(self).__name__} needs: {', '.join(missing)} (docs/gateway.md)")
        self.api_url = str(settings.PEERLEND_GATEWAY_API_URL).rstrip("/")
        self.pay_url = str(settings.PEERLEND_GATEWAY_PAY_URL)
        self.merchant_id = str(settings.PEERLEND_GATEWAY_MERCHANT_ID)
        self.notify_url = str(getattr(settings, "PEERLEND_GATEWAY_NOTIFY_URL", "") or "")
        self.timeout = float(getattr(settings, "PEERLEND_GATEWAY_TIMEOUT", 10))

    def create_deposit_order(self, order: DepositOrder) -> str:
        params = {
            "merchant_id": self.merchant_id,
            "order_id": order.public_id,
            "member_ref": str(order.user_id),
            "amount": format_minor(order.amount_minor, order.currency),
            "currency": order.currency,
        }
        if self.notify_url:
            params["notify_url"] = self.notify_url
        query = canonical_query(params)
        separator = "&" if "?" in self.pay_url else "?"
        return f"{self.pay_url}{separator}{query}&sign={sign(query.encode())}"

    def request_payout(self, withdrawal: Withdrawal) -> None:
        body = {
            "merchant_id": self.merchant_id,
            "withdrawal_id": withdrawal.public_id,
            "member_ref": str(withdrawal.user_id),
            "amount": format_minor(withdrawal.amount_minor, withdrawal.currency),
            "currency": withdrawal.currency,
        }
        # 409 = the bank already has this withdrawal id: an earlier attempt got through.
        self._call("POST", "/payouts", body, idempotency_key=withdrawal.public_id, ok_statuses=(409,))

    def verify_callback(self, body: bytes, signature: str) -> dict[str, Any]:
        return verify_hmac_callback(body, signature)

    def query_status(self, kind: Literal["deposit", "payout"], public_id: str) -> GatewayStatus | None:
        path = f"/orders/{urllib.parse.quote(kind)}/{urllib.parse.quote(public_id)}"
        answer = self._call("GET", path, None, ok_statuses=(404,))
        if not answer or "status" not in answer:
            return None
        return {
            "status": answer["status"] if answer["status"] in ("pending", "succeeded", "failed") else "unknown",
            "amount": str(answer.get("amount", "")),
            "currency": str(answer.get("currency", "")),
            "gateway_txn": str(answer.get("gateway_txn", "")),
        }

    def _call(self, method: str, path: str, payload: dict[str, Any] | None, *, idempotency_key: str = "",
              ok_statuses: tuple[int, ...] = ()) -> dict[str, Any] | None:
        """One signed request; the bank's JSON answer, None for an accepted non-2xx, GatewayError otherwise."""
        url = self.api_url + path
        data = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode() if payload is not None else b""
        # Signed: "<METHOD> <path as the bank receives it>\n<body>", so neither can be swapped.
        signed = f"{method} {urllib.parse.urlsplit(url).path}\n".encode() + data
        headers = {"Content-Type": "application/json", "X-Merchant-Id": self.merchant_id,
                   SIGNATURE_HEADER: sign(signed)}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(url, data=data if payload is not None else None,  # noqa: S310
                                         method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in ok_statuses:
                return None
            raise GatewayError(f"bank answered {exc.code} to {method} {path}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"bank unreachable for {method} {path}: {exc}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as exc:
            raise GatewayError(f"bank answered non-JSON to {method} {path}") from exc
        return answer if isinstance(answer, dict) else None
