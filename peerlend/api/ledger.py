"""API routes of the ledger context (thin: parse, call a service or selector, shape the answer).

Money-moving routes read the body themselves so that every bad input gets a precise 4xx
(a float amount, a wrong currency, malformed JSON, a body over 1 MB) before anything is written,
and take an ``Idempotency-Key`` header (a replay returns the first response).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from peerlend.api.auth import api_auth
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError
from peerlend.ledger import payments, selectors, services
from peerlend.ledger.gateway.sandbox import SIGNATURE_HEADER
from peerlend.ledger.idempotency import HEADER, MAX_KEY_LENGTH, key_from_request

router = Router(tags=["ledger"])


def read_json_object(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or a clear 4xx."""
    limit = int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 1024 * 1024)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise ApplicationError(_("request body is larger than %(n)d bytes") % {"n": limit},
                               code="payload_too_large", status=413)
    body = request.body
    if len(body) > limit:
        raise ApplicationError(_("request body is larger than %(n)d bytes") % {"n": limit},
                               code="payload_too_large", status=413)
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack ("[[[[..." a hundred thousand deep).
        raise ApplicationError(_("request body is not valid JSON"), code="malformed_json") from None
    if not isinstance(data, dict):
        raise ApplicationError(_("request body must be a JSON object"), code="malformed_json")
    if _nested_deeper_than(data, MAX_JSON_DEPTH):
        # Parsed, but deep enough to exhaust the stack of whatever walks it next (hashing, logging).
        raise ApplicationError(_("request body is nested more than %(n)d levels deep") % {"n": MAX_JSON_DEPTH},
                               code="malformed_json")
    return data


# A money body is one flat object; a little room for clients that wrap values.
MAX_JSON_DEPTH = 8


def _nested_deeper_than(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists/objects more than ``limit`` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


class MoneyIn(Schema):
    """The body of a deposit or a withdrawal (read by hand, see the module docstring)."""

    amount: str = Field(..., description='major units as a decimal string, e.g. "100.00" (not a JSON number)',
                        examples=["100.00"], pattern=r"^[0-9]{1,11}(\.[0-9]{1,2})?$")
    currency: str = Field("CNY", description="only the platform's currency is accepted (422 otherwise)")


class DepositOut(Schema):
    order_id: str
    amount: str
    currency: str
    status: str
    pay_url: str


class WithdrawalOut(Schema):
    withdrawal_id: str
    amount: str
    currency: str
    status: str


class EntryOut(Schema):
    id: int
    kind: str
    memo: str
    reference: str
    created_at: str
    available_change: str
    frozen_change: str


class AccountOut(Schema):
    available: str
    frozen: str
    currency: str
    entries: list[EntryOut]


def _money_route_docs() -> dict[str, Any]:
    """OpenAPI for a body this module parses by hand, and its required idempotency key header."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MoneyIn.model_json_schema()}},
        },
        "parameters": [{
            "name": HEADER, "in": "header", "required": True,
            "description": "unique per request you mean once; a replay returns the first answer",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S"},
        }],
    }


def _respond(status: int, body: dict[str, Any]) -> HttpResponse:
    return JsonResponse(body, status=status)


def deposit_body(order: Any, pay_url: str) -> dict[str, Any]:
    return {
        "order_id": order.public_id,
        "amount": format_minor(order.amount_minor, order.currency),
        "currency": order.currency,
        "status": order.status,
        "pay_url": pay_url,
    }


def withdrawal_body(withdrawal: Any) -> dict[str, Any]:
    return {
        "withdrawal_id": withdrawal.public_id,
        "amount": format_minor(withdrawal.amount_minor, withdrawal.currency),
        "currency": withdrawal.currency,
        "status": withdrawal.status,
    }


@router.post("/deposits", auth=api_auth, summary="Create a deposit order (pay it on the gateway's page)",
             response={201: DepositOut, API_ERRORS: ApiError}, openapi_extra=_money_route_docs())
def create_deposit(request: HttpRequest) -> HttpResponse:
    key = key_from_request(request) or ""  # required: "" is refused as missing
    data = read_json_object(request)
    amount_minor = services.parse_money_input(data)
    # The service takes the key, in the account page's scope: the same key from both opens one order.
    order, pay_url = payments.open_deposit_order(request.user, amount_minor, idempotency_key=key)
    return _respond(201, deposit_body(order, request.build_absolute_uri(pay_url)))


@router.post("/withdrawals", auth=api_auth, summary="Withdraw available funds to the verified bank card",
             response={201: WithdrawalOut, API_ERRORS: ApiError}, openapi_extra=_money_route_docs())
def create_withdrawal(request: HttpRequest) -> HttpResponse:
    key = key_from_request(request) or ""  # required: "" is refused as missing
    data = read_json_object(request)
    amount_minor = services.parse_money_input(data)
    withdrawal = payments.request_withdrawal(request.user, amount_minor, idempotency_key=key)
    return _respond(201, withdrawal_body(withdrawal))


def account_body(user: Any, limit: int = 20) -> dict[str, Any]:
    bal = selectors.balances(user)
    return {
        "available": format_minor(bal.available_minor, bal.currency),
        "frozen": format_minor(bal.frozen_minor, bal.currency),
        "currency": bal.currency,
        "entries": [
            {
                "id": e.entry_id,
                "kind": e.kind,
                "memo": e.memo,
                "reference": e.reference,
                "created_at": e.created_at.isoformat(),
                "available_change": format_minor(e.available_change_minor, bal.currency),
                "frozen_change": format_minor(e.frozen_change_minor, bal.currency),
            }
            for e in selectors.recent_entries(user, limit=limit)
        ],
    }


@router.get("/account", auth=api_auth, summary="Balances and recent entries", response={200: AccountOut})
def account(request: HttpRequest, limit: int = 20) -> HttpResponse:
    return _respond(200, account_body(request.user, limit=max(1, min(limit, 100))))


class CallbackOut(Schema):
    status: str = Field(..., description="what the event did: applied, or already applied by an earlier delivery")


_CALLBACK_DOCS = {
    "requestBody": {
        "required": True,
        "description": "the gateway's signed event (docs/gateway.md); verified byte for byte",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    "parameters": [{
        "name": SIGNATURE_HEADER, "in": "header", "required": True,
        "description": "the gateway's signature of the exact body", "schema": {"type": "string"},
    }],
}


@router.post("/gateway/callback", auth=None, summary="Signed asynchronous callback from the payment gateway",
             response={200: CallbackOut, frozenset({400, 401, 404, 413, 422}): ApiError},
             openapi_extra=_CALLBACK_DOCS)
def gateway_callback(request: HttpRequest) -> HttpResponse:
    if len(request.body) > 64 * 1024:
        return _respond(413, {"detail": "callback too large", "code": "payload_too_large"})
    status, body = services.handle_gateway_callback(request.body, request.headers.get(SIGNATURE_HEADER, ""))
    return _respond(status, body)
