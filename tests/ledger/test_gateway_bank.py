"""The custody-bank adapter against a fake bank on 127.0.0.1: signed requests, idempotent payouts, retries."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from django.test import override_settings

from peerlend.ledger import outbox, services
from peerlend.ledger.gateway import get_gateway
from peerlend.ledger.gateway.bank import HttpCustodyBankGateway
from peerlend.ledger.gateway.base import PaymentGateway
from peerlend.ledger.gateway.signing import sign
from peerlend.ledger.models import OutboxMessage
from tests.ledger.conftest import fund


class FakeBank(BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = []
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = sign(b"POST " + self.path.encode() + b"\n" + body)
        type(self).received.append({"path": self.path, "body": json.loads(body),
                                    "key": self.headers["Idempotency-Key"],
                                    "signed": self.headers["X-Gateway-Signature"] == expected})
        status = type(self).answers.pop(0) if type(self).answers else 202
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"accepted": true}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def bank_url() -> Iterator[str]:
    FakeBank.answers, FakeBank.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    with override_settings(PEERLEND_GATEWAY="peerlend.ledger.gateway.bank.HttpCustodyBankGateway",
                           PEERLEND_GATEWAY_API_URL=url, PEERLEND_GATEWAY_PAY_URL="https://bank.invalid/pay",
                           PEERLEND_GATEWAY_MERCHANT_ID="m-1"):
        yield url
    server.shutdown()
    server.server_close()


def test_the_adapter_implements_the_interface(bank_url):
    assert isinstance(get_gateway(), PaymentGateway)
    assert get_gateway().is_sandbox is False


@pytest.mark.django_db
def test_the_payer_is_sent_to_a_signed_bank_url(bank_url, investor):
    order = services.create_deposit_order(investor, 12_345)
    url = get_gateway().create_deposit_order(order)
    assert url.startswith("https://bank.invalid/pay?")
    query, signature = url.split("?", 1)[1].rsplit("&sign=", 1)
    assert sign(query.encode()) == signature
    params = dict(urllib.parse.parse_qsl(query))
    assert params == {"amount": "123.45", "currency": "CNY", "member_ref": str(investor.pk),
                      "merchant_id": "m-1", "order_id": order.public_id}


@pytest.mark.django_db(transaction=True)
def test_payouts_are_signed_idempotent_and_retried(bank_url):
    from tests.factories import make_user

    member = make_user()
    fund(member, 10_000)
    FakeBank.answers = [503, 409]  # down, then "already have it" (an earlier attempt got through)
    w = services.request_withdrawal(member, 2_500)
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and "503" in message.last_error
    assert outbox.send_pending(due_only=False).sent == 1
    assert [r["key"] for r in FakeBank.received] == [w.public_id, w.public_id]
    assert all(r["signed"] for r in FakeBank.received)
    assert FakeBank.received[0]["path"] == "/api/payouts"
    assert FakeBank.received[0]["body"]["amount"] == "25.00"


def test_an_unconfigured_adapter_refuses_to_start():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(PEERLEND_GATEWAY_API_URL=""), pytest.raises(ImproperlyConfigured):
        HttpCustodyBankGateway()
