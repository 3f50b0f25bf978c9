"""A payment-gateway adapter for tests: records every payout request and can be told to fail.

It checks the rule that matters most for side effects: the platform never calls the gateway
while a database transaction is open (the outbox sends after commit).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import connection

from peerlend.ledger.gateway import sandbox


class GatewayDown(Exception):
    pass


class RecordingGateway:
    is_sandbox = False
    payouts: ClassVar[list[str]] = []
    calls_in_transaction: ClassVar[list[str]] = []
    fail_next: ClassVar[int] = 0

    @classmethod
    def reset(cls) -> None:
        cls.payouts = []
        cls.calls_in_transaction = []
        cls.fail_next = 0

    def create_deposit_order(self, order: Any) -> str:
        return f"https://bank.invalid/pay/{order.public_id}"

    def request_payout(self, withdrawal: Any) -> None:
        if connection.in_atomic_block:
            type(self).calls_in_transaction.append(withdrawal.public_id)
        if type(self).fail_next > 0:
            type(self).fail_next -= 1
            raise GatewayDown("bank unreachable")
        type(self).payouts.append(withdrawal.public_id)

    def verify_callback(self, body: bytes, signature: str) -> dict[str, Any]:
        return sandbox.SandboxGateway().verify_callback(body, signature)

    def query_status(self, kind: str, public_id: str) -> None:
        return None


class SandboxInDisguise(sandbox.SandboxGateway):
    """A renamed sandbox: production must still refuse it."""
